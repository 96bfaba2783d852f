"""Reading answer files: every format, and every kind of bad input named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from lisa.assess import AssessmentInvalid, check_answers, read_answers, read_many
from lisa.assess.template import write_template
from lisa.cli._app import exit_code
from lisa.errors import StudyNotFound

DATA = Path(__file__).parent / "data" / "assess"


def problems_of(name: str):  # type: ignore[no-untyped-def]
    _, problems = check_answers(DATA / name)
    return problems


def test_yaml_answers_are_read_and_typed() -> None:
    (answers,) = read_answers(DATA / "board-chair.yaml")
    assert answers.assessor == "Board chair"
    assert answers.answers["sign.trigger"] == 5
    assert answers.answers["type.kind"] == ("service", "process")
    assert answers.answers["factor.resources"] == "absent"
    assert [h.phase for h in answers.history] == [0, 1, 2]
    assert answers.history[-1].label == "2008-09"


def test_csv_answers_and_history_rows() -> None:
    (answers,) = read_answers(DATA / "frontline-lead.csv")
    assert answers.assessor == "Frontline lead"
    assert answers.answers["sign.pilots"] == 5
    assert [(h.label, h.phase) for h in answers.history] == [
        ("2005", 0),
        ("2007", 1),
        ("2008-09", 2),
    ]


def test_excel_answers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "answers"
    ws.append(["item", "question", "answer", "date"])
    ws.append(["meta.innovation", "name", "Hubs", None])
    ws.append(["meta.place", "place", "Exampletown", None])
    ws.append(["sign.pilots", "pilots", 4, None])
    ws.append(["history", "", 1, 2007])
    path = tmp_path / "answers.xlsx"
    wb.save(path)
    (answers,) = read_answers(path)
    assert answers.answers["sign.pilots"] == 4
    assert answers.history[0].phase == 1


def test_csv_with_an_assessor_column_gives_one_answer_set_per_assessor(tmp_path: Path) -> None:
    path = tmp_path / "board.csv"
    path.write_text(
        "item,answer,assessor\n"
        "meta.innovation,Hubs,\n"
        "meta.place,Exampletown,\n"
        "sign.pilots,5,Ann\n"
        "sign.pilots,2,Bob\n",
        "utf-8",
    )
    sets = read_answers(path)
    assert sorted(s.assessor for s in sets) == ["Ann", "Bob"]
    assert all(s.innovation == "Hubs" for s in sets)


@pytest.mark.parametrize("fmt", ["yaml", "csv", "xlsx"])
def test_a_blank_template_reads_back_with_only_the_required_items_missing(
    tmp_path: Path, fmt: str
) -> None:
    path = write_template(tmp_path / f"template.{fmt}")
    _, problems = check_answers(path)
    assert sorted(p.code for p in problems) == ["missing-required", "missing-required"]


# ---------------------------------------------------------------- bad input


def test_unknown_item_names_file_row_item_and_suggests() -> None:
    (problem,) = problems_of("unknown-item.yaml")
    assert problem.code == "unknown-item"
    assert problem.file and problem.file.endswith("unknown-item.yaml")
    assert problem.row == 4
    assert problem.value == "sign.triger"
    assert "sign.trigger" in problem.suggestions
    assert "sign.triger" in str(problem)


def test_out_of_range_names_file_row_item_and_value() -> None:
    (problem,) = problems_of("out-of-range.csv")
    assert problem.code == "bad-answer"
    assert problem.row == 4
    assert problem.value == "7"
    text = str(problem)
    assert "out-of-range.csv" in text and "sign.pilots" in text and "'7'" in text
    assert "1 to 5" in text


def test_history_going_back_in_time_is_an_error() -> None:
    (problem,) = problems_of("history-backwards.yaml")
    assert problem.code == "history-backwards"
    assert problem.row == 6
    assert problem.value == "2006"
    assert "back in time" in str(problem) and "history-backwards.yaml" in str(problem)


def test_missing_required_item_is_an_error() -> None:
    (problem,) = problems_of("missing-required.yaml")
    assert problem.code == "missing-required"
    assert "meta.place" in str(problem) and "missing-required.yaml" in str(problem)


@pytest.mark.parametrize(
    ("item", "value", "code"),
    [
        ("factor.culture", "sometimes", "bad-answer"),
        ("type.extent", "huge", "bad-answer"),
        ("type.kind", "service, gadget", "bad-answer"),
        ("sign.pilots", "4.5", "bad-answer"),
        ("sign.pilots", "0", "bad-answer"),
        ("meta.date", "last spring", "bad-answer"),
    ],
)
def test_answers_outside_their_scale(tmp_path: Path, item: str, value: str, code: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(f'item,answer\nmeta.innovation,x\nmeta.place,y\n{item},"{value}"\n', "utf-8")
    (problem,) = check_answers(path)[1]
    assert problem.code == code
    assert item in str(problem) and value in str(problem)


def test_duplicate_item_and_duplicate_history_date(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "item,answer,date\nmeta.innovation,x,\nmeta.place,y,\nsign.pilots,4,\nsign.pilots,5,\n"
        "history,1,2004\nhistory,2,2004\n",
        "utf-8",
    )
    codes = sorted(p.code for p in check_answers(path)[1])
    assert codes == ["duplicate-item", "history-duplicate-date"]


def test_bad_history_phase(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "answers: {meta.innovation: x, meta.place: y}\nhistory:\n  - {date: 2004, phase: 7}\n",
        "utf-8",
    )
    (problem,) = check_answers(path)[1]
    assert problem.code == "bad-history" and "'7'" in str(problem)


def test_phase_names_are_accepted_in_history(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "answers: {meta.innovation: x, meta.place: y}\n"
        "history:\n  - {date: 2004, phase: design and discovery}\n  - {date: 2006, phase: Mobilisation}\n",
        "utf-8",
    )
    (answers,) = read_answers(path)
    assert [h.phase for h in answers.history] == [1, 2]


def test_every_problem_in_every_file_is_listed_at_once() -> None:
    with pytest.raises(AssessmentInvalid) as info:
        read_many(
            [DATA / "unknown-item.yaml", DATA / "out-of-range.csv", DATA / "board-chair.yaml"]
        )
    assert {p.code for p in info.value.problems} == {"unknown-item", "bad-answer"}
    assert exit_code(info.value) == 2  # the CLI maps an invalid answer file to exit 2


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(StudyNotFound):
        read_answers(tmp_path / "nope.yaml")
    path = tmp_path / "answers.txt"
    path.write_text("x", "utf-8")
    with pytest.raises(AssessmentInvalid, match="cannot read"):
        read_answers(path)


def test_malformed_yaml_and_wrong_shape(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers: [unclosed\n", "utf-8")
    assert check_answers(bad)[1][0].code == "bad-yaml"
    shape = tmp_path / "shape.yaml"
    shape.write_text("- just a list\n", "utf-8")
    assert check_answers(shape)[1][0].code == "bad-format"


def test_csv_without_an_answer_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("item,value\nmeta.place,y\n", "utf-8")
    (problem,) = check_answers(path)[1]
    assert problem.code == "missing-column" and problem.column == "answer"


def test_blank_answers_are_allowed(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("item,answer\nmeta.innovation,x\nmeta.place,y\nsign.pilots,\n", "utf-8")
    (answers,) = read_answers(path)
    assert "sign.pilots" not in answers.answers
