"""lisa whatif and lisa best-ties end to end: results, JSON, and every bad input with its
exit code, the study files checksummed before and after."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa import generate, write_study
from lisa.cli import app
from lisa.scenarios import BestTies, WhatIf
from lisa.study import Person

runner = CliRunner()


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    study = generate(80, seed=3)
    # two people called 'Sam Twin' in different organisations, for the ambiguous-name case
    for pid, org in (("twin1", "Borough Council"), ("twin2", "Northfield Food Bank")):
        study = study.with_person(Person(id=pid, name="Sam Twin", organisation=org, sector="vcs"))
    return write_study(study, tmp_path_factory.mktemp("cli") / "place")


@pytest.fixture
def copy(place: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(place, tmp_path / "place"))


def test_whatif_core_leaves_prints_and_writes_the_typed_difference(copy: Path, tmp_path: Path) -> None:
    before = checksums(copy)
    out = tmp_path / "whatif.json"
    r = invoke("whatif", copy, "--remove-group", "core", "--json", out)
    assert r.exit_code == 0, r.output
    assert "the stable core" in r.output and "Before and after" in r.output
    w = WhatIf.model_validate_json(out.read_text("utf-8"))
    assert w.changes[0].kind == "remove-group" and w.people.change == -len(w.changes[0].people)
    assert checksums(copy) == before


def test_whatif_combines_changes_in_order(copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.json"
    r = invoke("whatif", copy, "--remove", "p0001", "--remove-group", "sector=police",
               "--add-tie", "p0002:p0070", "--intermediary", "hub1:p0003,p0060", "--staff-exchange",
               "Northfield Food Bank:Borough Council", "--merge-orgs",
               "Northfield Food Bank,Southgate Youth Trust",
               "--relation", "work", "--json", out)  # fmt: skip
    assert r.exit_code == 0, r.output
    kinds = [c.kind for c in WhatIf.model_validate_json(out.read_text("utf-8")).changes]
    assert kinds == ["remove-people", "remove-group", "add-ties", "add-intermediary",
                     "staff-exchange", "merge-organisations"]  # fmt: skip


def test_best_ties_proposes_and_explains(copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "ties.json"
    r = invoke("best-ties", copy, "-k", "2", "--json", out)
    assert r.exit_code == 0, r.output
    b = BestTies.model_validate_json(out.read_text("utf-8"))
    assert len(b.ties) == 2 and b.what_if is not None
    assert " ".join(b.ties[0].explanation.split(":")[0].split()) in " ".join(r.output.split())
    r = invoke("best-ties", copy, "-k", "1", "--objective", "core-risk", "--no-compare")
    assert r.exit_code == 0, r.output
    assert "core has left" in " ".join(r.output.split())


#: (arguments after the study folder, exit code, words in the message)
BAD = [
    (["whatif", "--remove", "nobody"], 2, "no person with id 'nobody'"),
    (["whatif", "--remove", "Sam Twin"], 2, "'twin1', 'twin2'"),
    (["whatif", "--remove-group", "sector=polce"], 2, "did you mean: 'police'"),
    (["whatif", "--remove-group", "sector"], 2, "--remove-group expects"),
    (["whatif", "--remove-group", "height=2"], 2, "grouping 'height'"),
    (["whatif", "--add-tie", "p0001"], 2, "--add-tie expects A:B"),
    (["whatif", "--add-tie", "p0001:p0001"], 2, "two different people"),
    (["whatif", "--add-tie", "p0001:p0002", "--relation", "gossip"], 2, "no relation named 'gossip'"),
    (["whatif", "--merge-orgs", "Northfield Food Bank"], 2, "--merge-orgs expects"),
    (["whatif", "--staff-exchange", "Police:Nowhere Ltd"], 2, "organisation 'Nowhere Ltd'"),
    (["whatif", "--intermediary", "p0001:p0002"], 2, "already a person with id 'p0001'"),
    (["whatif"], 2, "say what changes"),
    (["whatif", "--remove", "p0001", "--set", "seed=-1"], 2, "seed"),
    (["best-ties", "-k", "0"], 2, "k must be"),
    (["best-ties", "--objective", "fame"], 2, "unknown objective 'fame'"),
    (["best-ties", "--per-person", "500"], 2, "per_person"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_input_is_a_named_error_and_nothing_changes(
    copy: Path, args: list[str], code: int, words: str
) -> None:
    before = checksums(copy)
    r = invoke(args[0], copy, *args[1:])
    assert r.exit_code == code, r.output
    assert words in " ".join(r.output.split()), r.output
    assert "Traceback" not in r.output
    assert checksums(copy) == before


def test_a_missing_study_is_exit_3(tmp_path: Path) -> None:
    r = invoke("whatif", tmp_path / "nothing", "--remove", "p0001")
    assert r.exit_code == 3, r.output


def test_json_over_a_study_file_is_refused_and_the_file_kept(copy: Path) -> None:
    before = checksums(copy)
    r = invoke("whatif", copy, "--remove", "p0001", "--json", copy / "people.csv")
    assert r.exit_code == 3, r.output
    assert checksums(copy) == before
