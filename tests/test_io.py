"""Reading study data: every malformed input gets a problem naming file, row, column and value."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from lisa.errors import Problem, StudyInvalid, StudyNotFound
from lisa.io import (
    check_study,
    export_study,
    load_study,
    read_survey_export,
    study_from_records,
    write_study,
    write_survey_ties,
)
from lisa.text import name_key

PEOPLE = (
    "id,name,organisation,sector,layer,responded\n"
    "a,Ann Lee,Council,council,systemic,yes\n"
    "b,Bob Ray,Council,council,sectoral,yes\n"
    "c,Cara Sen,Food Bank,vcs,frontline,no\n"
    "d,Dev Patel,,residents,public,yes\n"
)
TIES = "source,target,relation,weight\na,b,work,1\nb,a,work,2\nc,a,innovation,1\nd,c,work,1\n"


def make(
    tmp_path: Path,
    people: str | bytes = PEOPLE,
    ties: str | bytes = TIES,
    relations: str | None = None,
) -> Path:
    folder = tmp_path / "study"
    folder.mkdir(exist_ok=True)
    for name, content in (("people.csv", people), ("ties.csv", ties), ("relations.csv", relations)):
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    return folder


def errors(folder: Path) -> list[Problem]:
    return [p for p in check_study(folder) if p.severity == "error"]


def only(folder: Path, code: str) -> Problem:
    found = [p for p in errors(folder) if p.code == code]
    assert found, [str(p) for p in check_study(folder)]
    return found[0]


def test_clean_study_loads(tmp_path: Path) -> None:
    study = load_study(make(tmp_path))
    assert study.n_people == 4 and len(study.ties) == 4
    assert study.relation_names == ["work", "innovation"]  # default order, labels filled in
    assert study.relation("innovation").label == "New ideas and innovation"
    assert study.response_known and study.responded.tolist() == [True, True, False, True]
    assert check_study(make(tmp_path)) == []


def test_missing_column_is_named(tmp_path: Path) -> None:
    p = only(make(tmp_path, ties="source,relation\na,work\n"), "missing-column")
    assert p.file == "ties.csv" and p.column == "target" and p.row == 1


def test_misspelt_column_suggests_the_right_name(tmp_path: Path) -> None:
    people = PEOPLE.replace("layer,", "layr,", 1)
    folder = make(tmp_path, people=people)
    found = [p for p in check_study(folder) if p.code == "misspelt-column"]
    assert found and found[0].column == "layr" and found[0].suggestions == ("layer",)


def test_duplicate_id(tmp_path: Path) -> None:
    p = only(
        make(tmp_path, people=PEOPLE + "a,Another Person,Police,police,frontline,yes\n"),
        "duplicate-id",
    )
    assert (p.file, p.row, p.column, p.value) == ("people.csv", 6, "id", "a")
    assert "row 2" in p.message


def test_person_listed_twice(tmp_path: Path) -> None:
    p = only(
        make(tmp_path, people=PEOPLE + "e,ann  lee,council,council,systemic,yes\n"),
        "duplicate-person",
    )
    assert p.row == 6 and "row 2" in p.message


def test_unknown_person_in_ties_suggests_close_ids(tmp_path: Path) -> None:
    folder = make(
        tmp_path,
        people=PEOPLE + "bob,Bob Other,Police,police,frontline,yes\n",
        ties=TIES + "a,bbo,work,1\n",
    )
    p = only(folder, "unknown-person")
    assert (p.file, p.row, p.column, p.value) == ("ties.csv", 6, "target", "bbo")
    assert "bob" in p.suggestions


def test_unknown_layer(tmp_path: Path) -> None:
    p = only(make(tmp_path, people=PEOPLE.replace("frontline", "front line")), "unknown-layer")
    assert (p.row, p.value) == (4, "front line") and p.suggestions == ("frontline",)


def test_unknown_relation_against_relations_csv(tmp_path: Path) -> None:
    rel = "name,label,question,directed\nwork,Work,Who do you work with?,no\ninnovation,,,yes\n"
    folder = make(tmp_path, ties=TIES + "a,c,inovation,1\n", relations=rel)
    p = only(folder, "unknown-relation")
    assert (p.row, p.value) == (6, "inovation") and "innovation" in p.suggestions


def test_relations_csv_declares_undirected_relations(tmp_path: Path) -> None:
    rel = "name,directed\nwork,no\ninnovation,yes\n"
    study = load_study(make(tmp_path, relations=rel))
    assert not study.relation("work").directed
    src, tgt, _ = study.arcs("work")
    assert (3, 2) in set(zip(src.tolist(), tgt.tolist(), strict=True))  # d-c mirrored


def test_self_tie(tmp_path: Path) -> None:
    p = only(make(tmp_path, ties=TIES + "c,c,work,1\n"), "self-tie")
    assert (p.row, p.value) == (6, "c")


@pytest.mark.parametrize("weight", ["-1", "0", "heavy", "nan"])
def test_bad_weight(tmp_path: Path, weight: str) -> None:
    p = only(make(tmp_path, ties=TIES + f"a,c,work,{weight}\n"), "bad-weight")
    assert (p.row, p.column, p.value) == (6, "weight", weight)


def test_empty_files(tmp_path: Path) -> None:
    assert only(make(tmp_path, ties=""), "empty-file").file == "ties.csv"
    p = only(make(tmp_path, people="id,name\n", ties=TIES), "empty-file")
    assert p.file == "people.csv"


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    ties = TIES + "a,zz,work,1\nc,c,work,1\na,b,work,x\n"
    codes = {
        p.code for p in errors(make(tmp_path, ties=ties, people=PEOPLE.replace("public", "pub")))
    }
    assert {"unknown-person", "self-tie", "bad-weight", "unknown-layer"} <= codes


def test_load_refuses_invalid_data_with_every_problem(tmp_path: Path) -> None:
    with pytest.raises(StudyInvalid) as info:
        load_study(make(tmp_path, ties=TIES + "a,zz,work,1\nc,c,work,1\n"))
    assert len(info.value.problems) == 2
    assert "ties.csv, row 6, column 'target'" in str(info.value)


@pytest.mark.parametrize(
    "encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")]
)
def test_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    people = PEOPLE.replace("Ann Lee", "Zoë Brontë")
    folder = make(tmp_path, people=bom + people.encode(encoding))
    study = load_study(folder)
    assert study.names[0] == "Zoë Brontë"
    warnings = [p for p in check_study(folder) if p.code == "encoding"]
    assert bool(warnings) == (encoding == "cp1252")
    if warnings:
        assert warnings[0].severity == "warning" and "Windows-1252" in warnings[0].message


def test_semicolon_csv_from_european_excel(tmp_path: Path) -> None:
    study = load_study(make(tmp_path, people=PEOPLE.replace(",", ";"), ties=TIES.replace(",", ";")))
    assert study.n_people == 4 and len(study.ties) == 4


def test_header_case_and_spaces_and_aliases(tmp_path: Path) -> None:
    people = PEOPLE.replace(
        "id,name,organisation,sector,layer", " ID , Name ,Organization,Sector,LAYER"
    )
    study = load_study(make(tmp_path, people=people, ties=TIES.replace("source,target", "From,To")))
    assert study.organisations[0] == "Council"


def test_duplicate_ties_are_merged_with_a_warning(tmp_path: Path) -> None:
    folder = make(tmp_path, ties=TIES + "a,b,work,3\n")
    problems = check_study(folder)
    assert [p.code for p in problems] == ["duplicate-tie"] and problems[0].severity == "warning"
    src, tgt, w = load_study(folder).arcs("work")
    assert (
        dict(zip(zip(src.tolist(), tgt.tolist(), strict=True), w.tolist(), strict=True))[(0, 1)]
        == 3.0
    )


def test_missing_folder_and_files(tmp_path: Path) -> None:
    with pytest.raises(StudyNotFound):
        load_study(tmp_path / "nope")
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "people.csv").write_text(PEOPLE, "utf-8")
    with pytest.raises(StudyNotFound, match="ties.csv"):
        load_study(folder)


def test_malformed_csv(tmp_path: Path) -> None:
    p = only(make(tmp_path, ties='source,target,relation\na,"b,work\n'), "malformed-csv")
    assert p.file == "ties.csv"


def test_waves(tmp_path: Path) -> None:
    ties = "source,target,relation,wave\na,b,work,2024\nb,a,work,2023\nc,a,work,2024\n"
    study = load_study(make(tmp_path, ties=ties))
    assert study.waves == ["2023", "2024"]
    assert len(study.for_wave(None).ties) == 2 and len(study.for_wave("2023").ties) == 1
    p = only(make(tmp_path, ties=ties + "d,a,work,\n"), "bad-value")
    assert p.column == "wave"


def test_round_trip_csv_and_xlsx(tmp_path: Path, demo_study) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("csv", "xlsx"):
        path = write_study(demo_study, tmp_path / fmt, format=fmt)  # type: ignore[arg-type]
        back = load_study(path)
        assert back.ids == demo_study.ids and back.names == demo_study.names
        assert back.layers == demo_study.layers and back.attributes == demo_study.attributes
        assert len(back.ties) == len(demo_study.ties)
        assert back.relation_names == demo_study.relation_names
        assert back.responded.tolist() == demo_study.responded.tolist()


def test_xlsx_problems_name_the_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "People"
    ws.append(["id", "name", "layer"])
    ws.append(["a", "Ann", "systemic"])
    ws.append(["b", "Bob", "galactic"])
    ties = book.create_sheet("ties")
    ties.append(["source", "target", "relation"])
    ties.append(["a", "b", "work"])
    path = tmp_path / "study.xlsx"
    book.save(path)
    [p] = [p for p in check_study(path) if p.severity == "error"]
    assert (p.file, p.row, p.value) == ("study.xlsx:people", 3, "galactic")


def test_records_api() -> None:
    s = study_from_records(
        [{"id": "x"}, {"id": "y"}], [{"source": "x", "target": "y", "relation": "learning"}]
    )
    assert s.relation_names == ["learning"]
    with pytest.raises(StudyInvalid, match="'z' is not an id"):
        study_from_records([{"id": "x"}], [{"source": "x", "target": "z", "relation": "work"}])


# -- survey exports -------------------------------------------------------------


SURVEY = (
    "Respondent,Day-to-day work,innovation,Comments\n"
    'Ann Lee,"bob ray; Cara  Sen",Dev Patel,hi\n'
    "Bob Ray,Ann Lee,other: Jo from the library,\n"
)


def test_survey_export_matches_exactly_then_loosely(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = tmp_path / "survey.csv"
    export.write_text(SURVEY, "utf-8")
    imported = read_survey_export(export, load_study(folder))
    assert not [p for p in imported.problems if p.severity == "error"]
    pairs = {(t.source, t.target, t.relation) for t in imported.ties}
    assert pairs == {
        ("a", "b", "work"),
        ("a", "c", "work"),
        ("a", "d", "innovation"),
        ("b", "a", "work"),
    }
    assert imported.not_on_list == ["Jo from the library"]
    assert {p.code for p in imported.problems} == {"ignored-columns", "not-on-list"}


def test_survey_export_unknown_name_gets_suggestions_not_a_guess(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = tmp_path / "survey.csv"
    export.write_text("respondent,work\nAnn Lee,Cara Senn\n", "utf-8")
    imported = read_survey_export(export, load_study(folder))
    [p] = [p for p in imported.problems if p.severity == "error"]
    assert (p.code, p.row, p.column, p.value) == ("unknown-person", 2, "work", "Cara Senn")
    assert p.suggestions[0] == "Cara Sen"
    assert imported.ties == []


def test_survey_import_writes_and_is_idempotent(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = tmp_path / "survey.csv"
    export.write_text("respondent,work\nCara Sen,Ann Lee; Dev Patel\n", "utf-8")
    before = (folder / "people.csv").read_text("utf-8")
    for _ in range(2):
        write_survey_ties(read_survey_export(export, load_study(folder)), folder)
    study = load_study(folder)
    assert study.responded[study.index_of("c")]
    work = {
        (study.ids[s], study.ids[t])
        for s, t, r in zip(study.ties.source, study.ties.target, study.ties.relation, strict=True)
        if study.relations[r].name == "work"
    }
    assert {("c", "a"), ("c", "d")} <= work
    assert len(study.ties) == 6
    assert before != (folder / "people.csv").read_text("utf-8")


def test_survey_import_with_errors_changes_nothing(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = tmp_path / "survey.csv"
    export.write_text("respondent,work\nNobody Known,Ann Lee\n", "utf-8")
    snapshot = {p.name: p.read_bytes() for p in folder.iterdir()}
    imported = read_survey_export(export, load_study(folder))
    with pytest.raises(StudyInvalid):
        write_survey_ties(imported, folder)
    assert snapshot == {p.name: p.read_bytes() for p in folder.iterdir()}


# -- exports --------------------------------------------------------------------


def test_graphml_export_reads_back_in_networkx(tmp_path: Path, demo_study, demo_result) -> None:  # type: ignore[no-untyped-def]
    path = export_study(
        demo_study, tmp_path / "n.graphml", "graphml", metrics=demo_result
    )
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == demo_study.n_people
    assert g.number_of_edges() == len(demo_study.ties)
    node = g.nodes["n0"]
    assert node["lisa_id"] == demo_study.ids[0] and "betweenness" in node


def test_gexf_export_is_valid_xml_with_relations(tmp_path: Path, demo_study) -> None:  # type: ignore[no-untyped-def]
    path = export_study(demo_study, tmp_path / "n.gexf", "gexf", relation="innovation")
    root = ET.parse(path).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    edges = root.findall(".//g:edge", ns)
    assert edges and {e.get("kind") for e in edges} == {"innovation"}
    g = nx.read_gexf(path)
    assert g.number_of_nodes() == demo_study.n_people


def test_pseudonymised_csv_export_has_no_names_or_ids(tmp_path: Path, demo_study) -> None:  # type: ignore[no-untyped-def]
    out = export_study(demo_study, tmp_path / "csv", "csv", pseudonymise=True)
    text = (out / "people.csv").read_text("utf-8") + (out / "ties.csv").read_text("utf-8")
    assert not any(name in text for name in demo_study.names)
    assert not any(f"{pid}," in text or f",{pid}" in text for pid in demo_study.ids)
    assert len((out / "ties.csv").read_text("utf-8").splitlines()) == len(demo_study.ties) + 1


def test_deleting_a_person_removes_them_and_their_ties(demo_study) -> None:  # type: ignore[no-untyped-def]
    pid = demo_study.ids[0]
    smaller = demo_study.without_people([pid])
    assert pid not in smaller.ids and smaller.n_people == demo_study.n_people - 1
    i = demo_study.index_of(pid)
    touching = int(((demo_study.ties.source == i) | (demo_study.ties.target == i)).sum())
    assert len(smaller.ties) == len(demo_study.ties) - touching


# -- properties -----------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

names = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=25, deadline=None)
@given(
    people=st.lists(names, min_size=2, max_size=12, unique_by=name_key),
    data=st.data(),
)
def test_any_valid_study_survives_a_round_trip(tmp_path_factory, people, data) -> None:  # type: ignore[no-untyped-def]
    n = len(people)
    pairs = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(["work", "learning"])
            ),
            max_size=30,
        )
    )
    ties = [
        {"source": f"id{a}", "target": f"id{b}", "relation": r}
        for a, b, r in dict.fromkeys(pairs)
        if a != b
    ]
    if not ties:
        ties = [{"source": "id0", "target": "id1", "relation": "work"}]
    layer = data.draw(st.sampled_from(["", "systemic", "public"]))
    study = study_from_records(
        [
            {"id": f"id{i}", "name": name, "sector": "s", "layer": layer}
            for i, name in enumerate(people)
        ],
        ties,
    )
    for fmt in ("csv", "xlsx"):
        back = load_study(write_study(study, tmp_path_factory.mktemp(fmt), format=fmt))  # type: ignore[arg-type]
        assert back.ids == study.ids and back.names == study.names and back.layers == study.layers
        assert sorted(back.iter_ties(), key=repr) == sorted(study.iter_ties(), key=repr)


def test_a_wholly_wrong_ties_file_lists_50_problems_and_counts_the_rest(tmp_path: Path) -> None:
    rows = "".join(f"a,ghost{i},work,1\n" for i in range(120))
    problems = errors(make(tmp_path, ties=TIES + rows))
    unknown = [p for p in problems if p.code == "unknown-person"]
    assert len(unknown) == 51  # 50 shown + one summary line
    assert "70 more" in unknown[-1].message


def test_a_ties_column_named_like_an_internal_one_is_kept_apart(tmp_path: Path) -> None:
    """Found by the property tests: a tie column called 's', 't' or 'row' broke the checks."""
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "people.csv").write_text("id\na\nb\n", "utf-8")
    (folder / "ties.csv").write_text("source,target,relation,s,t,row\na,b,work,x,y,z\n", "utf-8")
    study = load_study(folder)
    assert len(study.ties) == 1


def test_a_roster_without_ties_yet_takes_its_first_survey(tmp_path: Path) -> None:
    """A header-only ties.csv is a survey not yet in: a warning, the default relations, and the
    first import works (a study could not start from a roster before)."""
    from lisa.io import read_survey_export, write_survey_ties

    folder = tmp_path / "roster"
    folder.mkdir()
    (folder / "people.csv").write_text("id,name\na,Ann Lee\nb,Bob Ray\n", "utf-8")
    (folder / "ties.csv").write_text("source,target,relation\n", "utf-8")
    assert [(p.code, p.severity) for p in check_study(folder)] == [("no-ties", "warning")]
    study = load_study(folder)
    assert len(study.ties) == 0 and len(study.relations) == 7
    export = tmp_path / "survey.csv"
    export.write_text("respondent,work\nAnn Lee,Bob Ray\n", "utf-8")
    write_survey_ties(read_survey_export(export, study), folder)
    after = load_study(folder)
    assert [(t.source, t.target, t.relation) for t in after.iter_ties()] == [("a", "b", "work")]


def test_a_study_folder_keeps_the_place_s_name(tmp_path: Path) -> None:
    """The report's title is the place, not the folder's name ('study')."""
    from lisa.synth import generate

    study = generate(60, seed=1, name="Northfield partnership")
    folder = write_study(study, tmp_path / "study")
    assert "Northfield partnership" in (folder / "study.yaml").read_text("utf-8")
    assert load_study(folder).name == "Northfield partnership"
    plain = write_study(load_study(folder).without_people([]), tmp_path / "Northfield partnership")
    assert not (plain / "study.yaml").exists()  # the folder already says it
    (folder / "study.yaml").write_text("name: [not, text]\n", "utf-8")
    assert [p.code for p in check_study(folder)] == ["bad-value"]
    (folder / "study.yaml").write_text("name: a\nname: b\n", "utf-8")
    assert [p.code for p in check_study(folder)] == ["duplicate-key"]
