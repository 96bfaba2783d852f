"""The survey import never guesses and never drops; writes are whole-study; deletion on request.

Every refused operation is checked by checksumming the stored files before
and after (``snapshot``): refused means byte-identical.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import lisa.files
from lisa.cli import app
from lisa.errors import ConfigError, OutputError, StudyInvalid, UnknownPerson
from lisa.files import (
    NEW_SUFFIX,
    OLD_SUFFIX,
    TEMP_SUFFIX,
    atomic_folder,
    output_lock,
    recover_folder,
    refuse_overwrite,
)
from lisa.io import (
    check_study,
    delete_person,
    export_study,
    load_study,
    merge_survey,
    read_survey_export,
    remove_person,
    write_study,
    write_survey_ties,
)
from lisa.io.audit import read_audit
from lisa.privacy import Pseudonymiser

runner = CliRunner()


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def said(result) -> str:  # type: ignore[no-untyped-def]
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


PEOPLE = (
    "id,name,organisation,sector,layer,responded,Manager Name,floor\n"
    "a,Ann Lee,Council,council,systemic,yes,,1\n"
    "b,Bob Ray,Council,council,sectoral,no,Ann Lee,2\n"
    "c,Cara Sen,Food Bank,vcs,frontline,yes,ann  lee,3\n"
    "d,Dev Patel,,residents,public,,Bob Ray,\n"
    "e,Ann Lee,School,schools,frontline,yes,,\n"
)
TIES = (
    "source,target,relation,weight,wave,Note,Since\n"
    "a,b,work,1,2024,met at the forum,2019\n"
    "b,a,work,2,2024,,\n"
    "b,c,work,1,2025,via Ann Lee,2021\n"
    "b,d,innovation,1,2025,,\n"
    "c,a,innovation,1,2025,,\n"
    "d,c,work,1,2025,,\n"
)
RELATIONS = (
    "name,label,question,directed,Owner,Asked in\n"
    "work,Day-to-day work,Who do you work with?,yes,team A,2019\n"
    "innovation,New ideas,Who do you go to with a new idea?,yes,,2020\n"
)
NOTES = "Our notes. Ann Lee asked to be called back.\n"


def make(
    tmp_path: Path, people: str = PEOPLE, ties: str = TIES, relations: str | None = RELATIONS
) -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "people.csv").write_text(people, "utf-8")
    (folder / "ties.csv").write_text(ties, "utf-8")
    if relations is not None:
        (folder / "relations.csv").write_text(relations, "utf-8")
    (folder / "NOTES.txt").write_text(NOTES, "utf-8")
    (folder / "interviews").mkdir()
    (folder / "interviews" / "one.txt").write_text("transcript\n", "utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under the folder (hidden ones included)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def header(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()[0].split(",")


def survey(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def leftovers(folder: Path) -> list[str]:
    """lisa temporaries inside the folder or beside it."""
    places = [folder, folder.parent]
    return [
        p.name
        for place in places
        if place.is_dir()
        for p in place.iterdir()
        if p.name.endswith((TEMP_SUFFIX, NEW_SUFFIX, OLD_SUFFIX))
    ]


# -- 1. ambiguous names ------------------------------------------------------------


@pytest.mark.parametrize(
    "export, where",
    [
        ("respondent,work\nBob Ray,Ann Lee\n", "work"),  # as nominee, exact
        ("respondent,work\nBob Ray,ann   LEE\n", "work"),  # as nominee, loosely
        ("respondent,work\nAnn Lee,Bob Ray\n", "respondent"),  # as respondent
    ],
)
def test_a_shared_name_is_ambiguous_listing_both_people(
    tmp_path: Path, export: str, where: str
) -> None:
    folder = make(tmp_path)
    before = snapshot(folder)
    imported = read_survey_export(survey(tmp_path, export), load_study(folder))
    [p] = [p for p in imported.problems if p.severity == "error"]
    assert (p.code, p.column, p.row) == ("ambiguous-person", where, 2)
    assert "Council" in p.message and "School" in p.message
    assert set(p.suggestions) == {"a", "e"}
    assert imported.ties == []
    r = invoke("import-survey", tmp_path / "export.csv", "--study", folder)
    assert r.exit_code == 2 and "matches 2 people on the roster" in said(r)
    assert snapshot(folder) == before


def test_ids_stay_unambiguous_matches(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = survey(tmp_path, "respondent,work\ne,a; Bob Ray\n")
    imported = read_survey_export(export, load_study(folder))
    assert not [p for p in imported.problems if p.severity == "error"]
    assert imported.respondents == ["e"]
    assert {(t.source, t.target) for t in imported.ties} == {("e", "a"), ("e", "b")}


# -- 2. waves --------------------------------------------------------------------------


def work_ties(folder: Path) -> set[tuple[str, str, str]]:
    return {
        (t.source, t.target, t.wave or "")
        for t in load_study(folder).iter_ties()
        if t.relation == "work"
    }


def test_import_replaces_only_the_latest_wave_by_default(tmp_path: Path) -> None:
    folder = make(tmp_path)
    write_survey_ties(
        read_survey_export(
            survey(tmp_path, "respondent,work\nBob Ray,Dev Patel\n"), load_study(folder)
        ),
        folder,
    )
    work = work_ties(folder)
    assert ("b", "a", "2024") in work  # the earlier wave is kept
    assert ("b", "c", "2025") not in work and ("b", "d", "2025") in work  # this wave replaced
    innovation = [t for t in load_study(folder).iter_ties() if t.relation == "innovation"]
    assert ("b", "d") in {(t.source, t.target) for t in innovation}  # not an imported relation


def test_import_into_a_named_and_a_new_wave(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = survey(tmp_path, "respondent,work\nBob Ray,Dev Patel\n")
    r = invoke("import-survey", export, "--study", folder, "--wave", "2024")
    assert r.exit_code == 0, r.output
    work = work_ties(folder)
    assert ("b", "a", "2024") not in work and ("b", "d", "2024") in work
    assert ("b", "c", "2025") in work  # the other wave is kept
    r = invoke("import-survey", export, "--study", folder, "--wave", "2026")
    assert r.exit_code == 0 and "in wave 2026" in said(r)
    study = load_study(folder)
    assert study.waves == ["2024", "2025", "2026"]
    assert ("b", "d", "2026") in work_ties(folder) and ("b", "c", "2025") in work_ties(folder)


def test_a_wave_for_a_study_without_waves_is_refused_with_the_fix(tmp_path: Path) -> None:
    ties = "source,target,relation\na,b,work\nb,c,work\n"
    folder = make(tmp_path, ties=ties)
    before = snapshot(folder)
    r = invoke(
        "import-survey",
        survey(tmp_path, "respondent,work\nBob Ray,Dev Patel\n"),
        "--study",
        folder,
        "--wave",
        "2025",
    )
    assert r.exit_code == 2
    assert "no waves" in said(r) and "add a 'wave' column to ties.csv" in said(r)
    assert snapshot(folder) == before


# -- 3. extra columns --------------------------------------------------------------------


def test_extra_columns_survive_import_delete_and_rewrite(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = survey(tmp_path, "respondent,work\nDev Patel,Cara Sen; Bob Ray\n")
    write_survey_ties(read_survey_export(export, load_study(folder)), folder)
    assert header(folder / "people.csv")[-2:] == ["Manager Name", "floor"]
    assert header(folder / "ties.csv")[-2:] == ["Note", "Since"]
    assert header(folder / "relations.csv")[-2:] == ["Owner", "Asked in"]
    ties = rows(folder / "ties.csv")
    assert {
        "source": "a",
        "target": "b",
        "Note": "met at the forum",
        "Since": "2019",
    }.items() <= ties[0].items()
    new = [t for t in ties if t["source"] == "d" and t["target"] == "b"]
    assert new and new[0]["Note"] == "" and new[0]["Since"] == ""  # imported ties: blank cells
    assert rows(folder / "relations.csv")[0]["Owner"] == "team A"
    delete_person(folder, "d")
    people = {r["id"]: r for r in rows(folder / "people.csv")}
    assert people["c"]["floor"] == "3" and people["a"]["floor"] == "1"
    assert rows(folder / "ties.csv")[0]["Note"] == "met at the forum"
    write_study(load_study(folder), folder)
    assert header(folder / "ties.csv") == [
        "source",
        "target",
        "relation",
        "weight",
        "wave",
        "Note",
        "Since",
    ]
    assert rows(folder / "relations.csv")[1]["Asked in"] == "2020"


def test_tie_extra_columns_follow_their_ties_through_a_wave(tmp_path: Path) -> None:
    study = load_study(make(tmp_path))
    wave = study.for_wave("2024")
    assert wave.ties.attributes["Note"].tolist() == ["met at the forum", ""]
    assert [t.wave for t in wave.iter_ties()] == ["2024", "2024"]
    later = study.for_wave("2025")  # not the first wave: its ties must still name it
    assert [t.wave for t in later.iter_ties()] == ["2025"] * 4
    assert later.ties.attributes["Since"].tolist() == ["2021", "", "", ""]


def test_a_workbook_keeps_extra_columns_and_set_aside_answers(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = survey(tmp_path, "respondent,work\nDev Patel,other: Jo; Cara Sen\n")
    write_survey_ties(read_survey_export(export, load_study(folder)), folder)
    study = load_study(folder)
    back = load_study(write_study(study, tmp_path / "s.xlsx", format="xlsx"))
    assert back.attributes == study.attributes
    assert back.relation_attributes == study.relation_attributes
    assert back.ties.attributes["Note"].tolist() == study.ties.attributes["Note"].tolist()
    assert back.not_on_list == study.not_on_list
    assert back.response_unknown.tolist() == study.response_unknown.tolist()


# -- 4. responded: answered / did not / unknown -------------------------------------


def test_import_into_a_study_without_responded_marks_only_respondents(tmp_path: Path) -> None:
    people = "id,name\na,Ann Lee\nb,Bob Ray\nc,Cara Sen\n"
    folder = make(
        tmp_path, people=people, ties="source,target,relation\na,b,work\n", relations=None
    )
    write_survey_ties(
        read_survey_export(
            survey(tmp_path, "respondent,work\nCara Sen,Ann Lee\n"), load_study(folder)
        ),
        folder,
    )
    responded = {r["id"]: r["responded"] for r in rows(folder / "people.csv")}
    assert responded == {"a": "", "b": "", "c": "yes"}  # never "no"
    study = load_study(folder)
    assert study.response_known and study.response_unknown.tolist() == [True, True, False]
    assert [p.responded for p in study.people()] == [None, None, True]
    assert study.responded.tolist() == [False, False, True]  # unknown: not counted as answered


def test_blank_response_stays_blank_and_counts_as_not_answered(tmp_path: Path) -> None:
    from lisa.analysis import analyse

    folder = make(tmp_path)
    write_study(load_study(folder), folder)
    assert rows(folder / "people.csv")[3]["responded"] == ""  # Dev: not recorded
    assert rows(folder / "people.csv")[1]["responded"] == "no"
    response = analyse(load_study(folder)).response
    assert response.respondents == 3 and "d" in response.non_respondents
    assert response.not_recorded == 1


# -- 5. merge_survey is pure; the reader is in parts ---------------------------


def test_merge_survey_touches_no_file_and_leaves_the_study_unchanged(tmp_path: Path) -> None:
    folder = make(tmp_path)
    before = snapshot(folder)
    study = load_study(folder)
    imported = read_survey_export(
        survey(tmp_path, "respondent,work\nDev Patel,other: Jo; Bob Ray\n"), study
    )
    merged = merge_survey(study, imported)
    assert snapshot(folder) == before
    assert len(study.ties) == 6 and study.not_on_list == []
    assert len(merged.ties) == 6  # Dev's one 2025 work tie replaced by one
    assert [(u.respondent, u.relation, u.text, u.wave) for u in merged.not_on_list] == [
        ("d", "work", "Jo", "2025")
    ]
    assert (
        merged.responded[merged.index_of("d")] and not merged.response_unknown[merged.index_of("d")]
    )
    assert (
        merge_survey(merged, imported).ties.source.tolist() == merged.ties.source.tolist()
    )  # idempotent


def test_an_import_with_errors_cannot_be_merged(tmp_path: Path) -> None:
    study = load_study(make(tmp_path))
    imported = read_survey_export(survey(tmp_path, "respondent,work\nNobody,Ann Lee\n"), study)
    with pytest.raises(StudyInvalid):
        merge_survey(study, imported)


def test_survey_module_functions_are_short() -> None:
    import lisa.io.survey as survey_module

    tree = ast.parse(Path(survey_module.__file__).read_text("utf-8"))
    long = {
        node.name: node.end_lineno - node.lineno + 1  # type: ignore[operator]
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 80  # type: ignore[operator]
    }
    assert long == {}
    reader = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and n.name == "read_survey_export"
    )
    assert reader.end_lineno - reader.lineno + 1 <= 60  # type: ignore[operator]


# -- not on the list: stored, not dropped --------------------------------------


def test_not_on_list_answers_are_stored_and_replaced_on_reimport(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = survey(
        tmp_path,
        "respondent,work,innovation\nCara Sen,other: Jo from the library,not on the list: Sam\n",
    )
    for _ in range(2):
        r = invoke("import-survey", export, "--study", folder)
        assert r.exit_code == 0, r.output
    assert rows(folder / "not_on_list.csv") == [
        {"respondent": "c", "relation": "work", "text": "Jo from the library", "wave": "2025"},
        {"respondent": "c", "relation": "innovation", "text": "Sam", "wave": "2025"},
    ]
    assert [u.text for u in load_study(folder).not_on_list] == ["Jo from the library", "Sam"]


def test_a_broken_not_on_list_file_is_a_named_problem(tmp_path: Path) -> None:
    folder = make(tmp_path)
    (folder / "not_on_list.csv").write_text(
        "respondent,relation,text,wave\nzz,work,Jo,2025\n", "utf-8"
    )
    [p] = [p for p in check_study(folder) if p.severity == "error"]
    assert (p.code, p.file, p.row, p.value) == ("unknown-person", "not_on_list.csv", 2, "zz")


# -- 6. whole-study atomic writes -----------------------------------------------


def inodes(folder: Path) -> dict[str, tuple[int, int, int]]:
    out = {}
    for name in ("NOTES.txt", "interviews/one.txt"):
        st = (folder / name).stat()
        out[name] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_writes_keep_the_users_files_untouched_and_leave_no_temporaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    monkeypatch.setattr(lisa.files, "USE_RENAME_EXCHANGE", exchange)
    folder = make(tmp_path)
    user = inodes(folder)
    export = survey(tmp_path, "respondent,work\nDev Patel,Cara Sen\n")
    write_survey_ties(read_survey_export(export, load_study(folder)), folder)
    delete_person(folder, "b")
    write_study(load_study(folder), folder)
    assert inodes(folder) == user  # same file (inode), same bytes, same time
    assert (folder / "NOTES.txt").read_text("utf-8") == NOTES
    assert leftovers(folder) == []
    names = {p.name for p in folder.iterdir()}
    assert names == {
        "people.csv",
        "ties.csv",
        "relations.csv",
        "audit.log",
        "NOTES.txt",
        "interviews",
    }


def test_a_failed_write_leaves_the_old_folder_and_no_temporary(tmp_path: Path) -> None:
    folder = make(tmp_path)
    before = snapshot(folder)
    with pytest.raises(RuntimeError), atomic_folder(folder) as staging:
        (staging / "people.csv").write_text("half", "utf-8")
        raise RuntimeError("killed")
    assert snapshot(folder) == before and leftovers(folder) == []


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


@pytest.mark.parametrize(
    "left, expected",
    [
        ((NEW_SUFFIX, OLD_SUFFIX), "new"),  # killed between the renames: roll forward
        ((OLD_SUFFIX,), "old"),  # killed before the new one was complete: roll back
    ],
)
def test_recovery_finishes_or_undoes_a_half_done_swap(
    tmp_path: Path, left: tuple[str, ...], expected: str
) -> None:
    folder = make(tmp_path)
    new_dir = tmp_path / "new"
    write_study(load_study(folder).without_people(["d"]), new_dir)
    versions = {"old": snapshot(folder), "new": snapshot(new_dir)}
    tag = f"{dead_pid()}-abcd"
    if NEW_SUFFIX in left:
        new_dir.rename(tmp_path / f".study.{tag}{NEW_SUFFIX}")
    folder.rename(tmp_path / f".study.{tag}{OLD_SUFFIX}")
    (tmp_path / f".study.{tag}{TEMP_SUFFIX}").mkdir()  # an unfinished staging folder
    assert not folder.exists()
    study = load_study(folder)  # the next load recovers
    assert snapshot(folder) == versions[expected] and study.n_people == (
        4 if expected == "new" else 5
    )
    recover_folder(folder)
    assert leftovers(folder) == []


def test_a_study_folder_reached_by_a_symlink_is_replaced_where_it_is(tmp_path: Path) -> None:
    folder = make(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(folder)
    write_study(load_study(link).without_people(["d"]), link)
    assert link.is_symlink() and load_study(folder).n_people == 4


def test_write_study_over_a_file_is_an_output_error(tmp_path: Path) -> None:
    target = tmp_path / "afile"
    target.write_text("mine", "utf-8")
    with pytest.raises(OutputError, match="it is a file"):
        write_study(load_study(make(tmp_path)), target)
    assert target.read_text("utf-8") == "mine"


def test_an_import_into_a_workbook_is_refused(tmp_path: Path) -> None:
    book = write_study(load_study(make(tmp_path)), tmp_path / "s.xlsx", format="xlsx")
    before = book.read_bytes()
    r = invoke(
        "import-survey", survey(tmp_path, "respondent,work\nDev Patel,Cara Sen\n"), "--study", book
    )
    assert r.exit_code == 3 and "workbook" in said(r)
    assert book.read_bytes() == before


# -- 7. outputs never overwrite the study ------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{s}", "--format", "csv", "--out", "{s}", "--no-with-metrics"],
        ["export", "{s}", "--format", "graphml", "--out", "{s}/people.csv", "--no-with-metrics"],
        [
            "export",
            "{s}",
            "--format",
            "gexf",
            "--out",
            "{s}/../study/ties.csv",
            "--no-with-metrics",
        ],
        ["analyse", "{s}", "--json", "{s}/relations.csv", "--quiet"],
        ["analyse", "{s}", "--json", "{s}/audit.log", "--quiet"],
        ["report", "{s}", "--out", "{s}/people.csv", "--quiet"],
        ["report", "{s}", "--pdf", "{s}/ties.csv", "--quiet"],
    ],
)
def test_outputs_that_would_overwrite_the_study_are_refused(
    tmp_path: Path, args: list[str]
) -> None:
    folder = make(tmp_path)
    (folder / "audit.log").write_text("", "utf-8")
    before = snapshot(folder)
    r = invoke(*[a.format(s=folder) for a in args])
    assert r.exit_code == 3, r.output
    assert "would overwrite the study's own file" in said(r)
    assert snapshot(folder) == before


def test_a_workbook_study_is_protected_too(tmp_path: Path) -> None:
    book = write_study(load_study(make(tmp_path)), tmp_path / "s.xlsx", format="xlsx")
    before = book.read_bytes()
    r = invoke("export", book, "--format", "graphml", "--out", book, "--no-with-metrics")
    assert r.exit_code == 3 and book.read_bytes() == before


def test_refuse_overwrite_sees_through_links(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("x", "utf-8")
    (tmp_path / "alias.csv").symlink_to(tmp_path / "people.csv")
    with pytest.raises(OutputError):
        refuse_overwrite([tmp_path / "alias.csv"], [tmp_path / "people.csv"])
    refuse_overwrite([tmp_path / "other.csv"], [tmp_path / "people.csv"])


# -- 8. blocked outputs, seeds, locks ------------------------------------------------


@pytest.mark.parametrize(
    "args, reason",
    [
        (["analyse", "{s}", "--json", "{d}", "--quiet"], "it is a folder"),
        (["analyse", "{s}", "--json", "{f}/x.json", "--quiet"], "it exists and is a file"),
        (["analyse", "{s}", "--out", "{f}", "--quiet"], "it exists and is a file"),
        (
            ["export", "{s}", "--format", "gexf", "--out", "{f}/x/y.gexf", "--no-with-metrics"],
            "a part of the path is a file",
        ),
        (
            ["export", "{s}", "--format", "csv", "--out", "{f}", "--no-with-metrics"],
            "it exists and is a file",
        ),
        (["report", "{s}", "--out", "{d}", "--quiet"], "it is a folder"),
        (["generate", "{f}", "--people", "60"], "it is a file"),
    ],
)
def test_blocked_outputs_are_named_errors(tmp_path: Path, args: list[str], reason: str) -> None:
    folder = make(tmp_path)
    blocker = tmp_path / "blocker.txt"
    blocker.write_text("keep me", "utf-8")
    (tmp_path / "adir").mkdir()
    before = snapshot(tmp_path)
    r = runner.invoke(app, [a.format(s=folder, d=tmp_path / "adir", f=blocker) for a in args])
    assert r.exit_code == 3, r.output
    assert isinstance(r.exception, SystemExit)  # no traceback
    assert reason in said(r)
    assert snapshot(tmp_path) == before and leftovers(folder) == []


READ_ONLY_SCRIPT = """
import os, sys
from typer.testing import CliRunner
from lisa.cli import app
import lisa.io, lisa.analysis, igraph  # loaded before the privileges go
if os.geteuid() == 0:
    os.setgid(65534)
    os.setuid(65534)
r = CliRunner().invoke(app, sys.argv[1:])
print(r.output)
sys.exit(r.exit_code)
"""


def test_a_read_only_folder_is_a_named_error(tmp_path: Path) -> None:
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="lisa-ro-"))  # reachable by an unprivileged user
    try:
        os.chmod(base, 0o755)
        folder = make(base)
        for p in [folder, *folder.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        out = base / "locked"
        out.mkdir(mode=0o555)
        os.chmod(out, 0o555)
        before = snapshot(base)
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                READ_ONLY_SCRIPT,
                "export",
                str(folder),
                "--format",
                "graphml",
                "--out",
                str(out / "n.graphml"),
                "--no-with-metrics",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if "ModuleNotFoundError" in done.stderr or "PermissionError" in done.stderr:
            pytest.skip("cannot run lisa as an unprivileged user here")
        assert done.returncode == 3, done.stdout + done.stderr
        assert "permission denied" in " ".join(done.stdout.split())
        assert "Traceback" not in done.stderr
        assert snapshot(base) == before and list(out.iterdir()) == []
    finally:
        os.chmod(base / "locked", 0o755)
        import shutil

        shutil.rmtree(base)


@pytest.mark.parametrize("command", [["generate", "{o}"], ["demo", "--out", "{o}", "--quiet"]])
@pytest.mark.parametrize("seed", ["-1", str(2**64)])
def test_a_seed_out_of_range_is_a_config_error(
    tmp_path: Path, command: list[str], seed: str
) -> None:
    r = invoke(*[c.format(o=tmp_path / "out") for c in command], "--seed", seed)
    assert r.exit_code == 2, r.output
    assert "the seed must be a whole number from 0 to" in said(r)
    assert not (tmp_path / "out").exists()


def test_the_library_refuses_a_bad_seed_too() -> None:
    from lisa.synth import generate

    for seed in (-1, 2**64, 1.5, True):
        with pytest.raises(ConfigError, match="seed"):
            generate(60, seed=seed)  # type: ignore[arg-type]
    assert generate(60, seed=np.int64(3)).n_people == 60


def test_a_second_analyse_into_a_locked_folder_fails_after_a_bounded_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(lisa.files, "LOCK_WAIT_SECONDS", 0.3)
    with output_lock(out):  # another lisa process is writing there
        r = invoke("analyse", folder, "--out", out, "--quiet")
    assert r.exit_code == 3
    assert "another lisa process is writing to" in said(r)
    assert not (out / "analysis.json").exists()
    assert invoke("analyse", folder, "--out", out, "--quiet").exit_code == 0  # free again


def test_two_analyses_into_one_folder_at_once_both_finish(tmp_path: Path) -> None:
    folder = make(tmp_path)
    out = tmp_path / "out"
    lisa_cmd = [
        str(Path(sys.executable).parent / "lisa"),
        "analyse",
        str(folder),
        "--out",
        str(out),
        "--quiet",
    ]
    procs = [
        subprocess.Popen(lisa_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    json.loads((out / "analysis.json").read_text("utf-8"))
    assert (out / ".lisa-lock").read_bytes() == b""
    assert [p.name for p in out.rglob("*") if TEMP_SUFFIX in p.name] == []


# -- 9. CSV exports neutralise formulas; study folders do not ----------------------------


HOSTILE = (
    "id,name,organisation,sector,layer\n"
    'a,=HYPERLINK("http://x"),+Council,council,systemic\n'
    "b,-Ann,@Team,council,sectoral\n"
    "c,Cara,Food Bank,vcs,frontline\n"
)


@pytest.mark.parametrize("pseudonymise", [False, True])
def test_csv_exports_neutralise_formulas(tmp_path: Path, pseudonymise: bool) -> None:
    study = load_study(
        make(
            tmp_path,
            people=HOSTILE,
            ties="source,target,relation\na,b,work\nb,c,work\n",
            relations=None,
        )
    )
    # min_cell=1: keep the three one-person organisations, to see them neutralised
    pseudonymiser = Pseudonymiser(study, min_cell=1) if pseudonymise else False
    out = export_study(study, tmp_path / "csv", "csv", pseudonymise=pseudonymiser)
    people = rows(out / "people.csv")
    assert sorted(p["organisation"] for p in people) == ["'+Council", "'@Team", "Food Bank"]
    if not pseudonymise:
        assert [p["name"] for p in people] == ['\'=HYPERLINK("http://x")', "'-Ann", "Cara"]
    for row in people:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())


def test_a_study_folder_keeps_values_as_they_are(tmp_path: Path) -> None:
    study = load_study(
        make(tmp_path, people=HOSTILE, ties="source,target,relation\na,b,work\n", relations=None)
    )
    back = load_study(write_study(study, tmp_path / "again"))
    assert back.names == ['=HYPERLINK("http://x")', "-Ann", "Cara"]
    assert back.organisations == ["+Council", "@Team", "Food Bank"]


# -- 10. deletion on request ------------------------------------------------------------


def test_delete_person_removes_everything_that_names_them(tmp_path: Path) -> None:
    folder = make(tmp_path)
    export = survey(
        tmp_path, "respondent,work\nCara Sen,other: ann lee; Dev Patel\nDev Patel,other: Jo\n"
    )
    write_survey_ties(read_survey_export(export, load_study(folder)), folder)
    r = invoke("delete-person", folder, "a")
    assert r.exit_code == 0, r.output
    text = said(r)
    assert "Removed 1 person, 3 tie(s), 3 value(s) naming them and 1 set-aside answer(s)" in text
    assert "Ann" not in text
    study = load_study(folder)
    assert "a" not in study.ids
    assert study.attributes["Manager Name"] == [
        "",
        "",
        "Bob Ray",
        "",
    ]  # "Ann Lee", "ann  lee" blanked
    assert "via Ann Lee" not in [str(v) for v in study.ties.attributes["Note"]]
    assert [u.text for u in study.not_on_list] == ["Jo"]
    stored = "".join(
        (folder / n).read_text("utf-8") for n in ("ties.csv", "not_on_list.csv", "audit.log")
    )
    assert "Ann" not in stored and ",a," not in stored
    [*_, event] = read_audit(folder)
    assert event["action"] == "delete-person" and event["people"] == 1 and event["ties"] == 3
    assert set(event) == {
        "time",
        "event",
        "action",
        "people",
        "ties",
        "attribute_values",
        "not_on_list",
    }
    assert (folder / "NOTES.txt").read_text("utf-8") == NOTES  # the user's own files are theirs


def test_deleting_an_unknown_id_changes_nothing(tmp_path: Path) -> None:
    folder = make(tmp_path)
    before = snapshot(folder)
    r = invoke("delete-person", folder, "bb")
    assert r.exit_code == 2
    assert "no person with id 'bb'" in said(r) and "'b'" in said(r)
    with pytest.raises(UnknownPerson):
        delete_person(folder, "bb")
    assert snapshot(folder) == before


def test_a_dry_run_deletion_counts_and_writes_nothing(tmp_path: Path) -> None:
    folder = make(tmp_path)
    before = snapshot(folder)
    r = invoke("delete-person", folder, "b", "--dry-run")
    assert r.exit_code == 0 and "Would remove 1 person, 4 tie(s), 1 value(s)" in said(r)
    assert snapshot(folder) == before


def test_remove_person_is_pure(tmp_path: Path) -> None:
    folder = make(tmp_path)
    study = load_study(folder)
    before = snapshot(folder)
    smaller, removal = remove_person(study, "e")
    assert (smaller.n_people, study.n_people, removal.ties) == (4, 5, 0)
    assert snapshot(folder) == before


# -- properties: random studies, random imports and deletions lose nothing else ---------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def studies_and_answers(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(3, 9))
    ids = [f"id{i}" for i in range(n)]
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    ties = draw(
        st.lists(
            st.tuples(
                pair,
                st.sampled_from(["work", "learning"]),
                st.sampled_from(["2024", "2025"]),
                st.text("ab =-", max_size=3),
            ),
            min_size=1,
            max_size=25,
            unique_by=lambda t: (t[0], t[1], t[2]),
        ).filter(lambda ts: any(a != b for (a, b), *_ in ts))
    )
    answers = draw(
        st.dictionaries(
            st.integers(0, n - 1),
            st.lists(st.integers(0, n - 1), max_size=3, unique=True),
            max_size=n,
        )
    )
    return ids, [t for t in ties if t[0][0] != t[0][1]], answers


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=studies_and_answers())
def test_imports_and_deletions_change_only_what_they_must(tmp_path_factory, data) -> None:  # type: ignore[no-untyped-def]
    ids, ties, answers = data
    root = tmp_path_factory.mktemp("prop")
    folder = root / "study"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "id,name,Extra\n" + "".join(f"{pid},Name {pid},x{pid}\n" for pid in ids), "utf-8"
    )
    lines = [f"{ids[a]},{ids[b]},{rel},1,{wave},{note}\n" for (a, b), rel, wave, note in ties]
    (folder / "ties.csv").write_text(
        "source,target,relation,weight,wave,Note\n" + "".join(lines), "utf-8"
    )
    (folder / "relations.csv").write_text("name\nwork\nlearning\n", "utf-8")
    study = load_study(folder)
    before = {
        (t.source, t.target, t.relation, t.wave, note)
        for t, note in zip(study.iter_ties(), study.ties.attributes["Note"], strict=True)
    }
    export = root / "export.csv"
    export.write_text(
        "respondent,work\n"
        + "".join(
            f"{ids[r]},{'; '.join(ids[x] for x in named if x != r)}\n"
            for r, named in answers.items()
        ),
        "utf-8",
    )
    imported = read_survey_export(export, study)
    if not answers:
        return
    respondents, latest = {ids[r] for r in answers}, study.waves[-1]
    replaced = {t for t in before if t[0] in respondents and t[2] == "work" and t[3] == latest}
    added = {(t.source, t.target, "work", latest, "") for t in imported.ties}
    expected = (before - replaced) | added
    if not expected:  # the respondents named nobody: a study with no ties yet, still loadable
        write_survey_ties(imported, folder)
        assert len(load_study(folder).ties) == 0
        assert [p.code for p in check_study(folder) if p.severity == "error"] == []
        return
    write_survey_ties(imported, folder)
    after_study = load_study(folder)
    after = {
        (t.source, t.target, t.relation, t.wave, note)
        for t, note in zip(
            after_study.iter_ties(), after_study.ties.attributes["Note"], strict=True
        )
    }
    assert after == expected  # everything else kept, extra cells included
    assert after_study.attributes["Extra"] == [f"x{pid}" for pid in ids]
    # a deletion removes exactly the ties touching the person
    gone = ids[0]
    delete_person(folder, gone)
    if not {t for t in after if gone not in (t[0], t[1])}:  # they held the last tie: written anyway
        assert rows(folder / "ties.csv") == [] and gone not in (folder / "people.csv").read_text()
        return
    final = load_study(folder)
    kept = {(t.source, t.target, t.relation, t.wave) for t in final.iter_ties()}
    assert kept == {t[:4] for t in after if gone not in (t[0], t[1])}
    assert final.attributes["Extra"] == [f"x{pid}" for pid in ids[1:]]
