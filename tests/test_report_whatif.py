"""The report's "What if" section: present only when given a what-if or best ties, its
numbers those of the models, nobody named when pseudonymised, bad files and other data
refused with a named error and exit code, the study files unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from markupsafe import escape
from typer.testing import CliRunner

import lisa
from lisa.cli import app
from lisa.errors import ConfigError, InputInvalid, StudyNotFound
from lisa.report import build_report, render_html
from lisa.scenarios import AddTies, RemoveGroup, RemovePeople, best_ties, what_if
from lisa.scenarios.ties import read_best_ties
from lisa.scenarios.whatif import read_what_if
from lisa.vocabulary import ROLES

runner = CliRunner()


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def core_leaves(demo_result):  # type: ignore[no-untyped-def]
    return what_if(demo_result.study, [RemoveGroup(grouping="core")], before=demo_result)


@pytest.fixture(scope="module")
def named(demo_result):  # type: ignore[no-untyped-def]
    """A what-if naming people: two leave, two new ties."""
    ids = demo_result.study.ids
    changes = [RemovePeople(people=[ids[0], ids[1]]), AddTies(pairs=[(ids[2], ids[50]), (ids[3], ids[60])])]
    return what_if(demo_result.study, changes, before=demo_result)


@pytest.fixture(scope="module")
def ties(demo_result):  # type: ignore[no-untyped-def]
    return best_ties(demo_result.study, k=3, before=demo_result)


def test_the_section_shows_the_models_numbers(demo_result, core_leaves, ties) -> None:  # type: ignore[no-untyped-def]
    model = build_report(demo_result, what_ifs=[core_leaves], best_ties=ties)
    anchors = [a for a, _ in model.sections]
    assert ("whatif", "What if") in model.sections
    assert anchors.index("whatif") == anchors.index("resilience") + 1
    view = model.whatif
    assert view is not None and len(view.what_ifs) == 1
    w = view.what_ifs[0]
    assert w.changes == [c.description for c in core_leaves.changes]
    rows = {row[0]: row[1:] for row in w.table.rows}
    people = core_leaves.people
    assert rows["people"] == [f"{people.before:,.0f}", f"{people.after:,.0f}", f"{people.change:+,.0f}"]
    stay = core_leaves.reach2_stayers
    assert rows["two-step reach (people in both)"] == [
        f"{100 * stay.before:.1f}%", f"{100 * stay.after:.1f}%", f"{100 * stay.change:+.1f} pts"]  # fmt: skip
    cd = core_leaves.connected_difference["sector"]
    assert rows["connected difference (sector)"] == [f"{cd.before:.3f}", f"{cd.after:.3f}", f"{cd.change:+.3f}"]
    for g, m in core_leaves.ei_index.items():
        assert rows[f"E–I index ({g})"][1] == f"{m.after:.3f}"
    assert rows["stable core overlap"][1] == f"{core_leaves.core.overlap:.2f}"
    assert w.appear == [f.title for f in core_leaves.findings if f.change == "appears"]
    assert w.disappear == [f.title for f in core_leaves.findings if f.change == "disappears"]
    assert w.disappear, "the core leaving must make some finding disappear on the demo place"
    left = {row[0]: int(row[3]) for row in w.roles.rows}
    assert left == {r: sum(r in p.roles for p in core_leaves.left) for r in ROLES}
    b = view.best_ties
    assert b is not None and len(b.ties) == len(ties.ties)
    assert [t.why for t in b.ties] == [t.explanation for t in ties.ties]
    assert f"{ties.objective_after:.4f}" in b.lead and b.what_if is not None
    html = render_html(model)
    assert 'id="whatif"' in html and "The best new ties" in html
    assert demo_result.study.names[demo_result.study.index_of(ties.ties[0].a)] in html
    printed = render_html(model, mode="pdf")  # the board paper has the section too
    assert 'id="whatif"' in printed and "The best new ties" in printed


def test_several_what_ifs_each_get_their_part(demo_result, core_leaves, named) -> None:  # type: ignore[no-untyped-def]
    model = build_report(demo_result, what_ifs=[core_leaves, named])
    assert model.whatif is not None and model.whatif.best_ties is None
    html = render_html(model)
    assert "What if 1" in html and "What if 2" in html and "The best new ties" not in html


def test_no_section_without_a_what_if(demo_result) -> None:  # type: ignore[no-untyped-def]
    model = build_report(demo_result)
    assert model.whatif is None and "whatif" not in [a for a, _ in model.sections]
    assert 'id="whatif"' not in render_html(model)


def test_pseudonymised_section_names_nobody(demo_result, named, ties) -> None:  # type: ignore[no-untyped-def]
    html = render_html(build_report(demo_result, what_ifs=[named], best_ties=ties, pseudonymise=True))
    study = demo_result.study
    people = {p for c in named.changes for p in c.people}
    people |= {p for t in ties.ties for p in (t.a, t.b, *t.examples)}
    people |= {r.id for r in named.roles} | {p.id for p in named.left}
    for pid in people:
        assert study.names[study.index_of(pid)] not in html
        assert pid not in html
    plain = render_html(build_report(demo_result, what_ifs=[named]))
    assert study.names[0] in plain  # the same what-if, not pseudonymised, does name them


def test_a_what_if_of_another_study_is_refused(demo_result, ties) -> None:  # type: ignore[no-untyped-def]
    other = lisa.generate(80, seed=2)
    w = what_if(other, [RemovePeople(people=[other.ids[0]])])
    with pytest.raises(ConfigError, match="other data"):
        build_report(demo_result, what_ifs=[w])
    same_size = lisa.generate(300, seed=8, preset="appendix-c")
    w = what_if(same_size, [RemoveGroup(grouping="core")])
    with pytest.raises(ConfigError, match="other data"):
        build_report(demo_result, what_ifs=[w])
    reseeded = ties.model_copy(update={"what_if": ties.what_if.model_copy(update={"seed": 99})})
    with pytest.raises(ConfigError, match="seed 99"):
        build_report(demo_result, best_ties=reseeded)
    b = best_ties(same_size, k=2, compare=False)
    with pytest.raises(ConfigError, match="other data"):
        build_report(demo_result, best_ties=b)


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe not json", b"[]", b'{"changes": 3}', b'{"settings": {"runs": 3}}', b"{" * 10_000],
    ids=["empty", "not-utf8", "a-list", "wrong-shape", "a-diffusion", "deep-nesting"],
)
def test_malformed_files_are_refused(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(InputInvalid):
        read_what_if(bad)
    with pytest.raises(InputInvalid):
        read_best_ties(bad)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StudyNotFound, match="what-if"):
        read_what_if(tmp_path / "none.json")
    with pytest.raises(StudyNotFound, match="best-ties"):
        read_best_ties(tmp_path / "none.json")


def test_report_command_round_trip(demo_dir: Path, tmp_path: Path) -> None:
    before = checksums(demo_dir)
    w1, w2, bt = tmp_path / "w1.json", tmp_path / "w2.json", tmp_path / "bt.json"
    for args in (["whatif", demo_dir, "--remove-group", "core", "--json", w1],
                 ["whatif", demo_dir, "--remove-group", "sector=council", "--json", w2],
                 ["best-ties", demo_dir, "-k", "2", "--json", bt]):  # fmt: skip
        r = runner.invoke(app, [str(a) for a in args])
        assert r.exit_code == 0, r.output
    out = tmp_path / "report.html"
    r = runner.invoke(app, ["report", str(demo_dir), "--whatif", str(w1), "--whatif", str(w2),
                            "--best-ties", str(bt), "--out", str(out), "-q"])  # fmt: skip
    assert r.exit_code == 0, r.output
    html = out.read_text("utf-8")
    stored = read_what_if(w2)
    assert 'id="whatif"' in html and "What if 2" in html and escape(stored.changes[0].description) in html
    assert escape(read_best_ties(bt).ties[0].explanation) in html
    assert checksums(demo_dir) == before


def test_report_command_refuses_bad_and_other_files(demo_dir: Path, tmp_path: Path) -> None:
    before = checksums(demo_dir)
    out = tmp_path / "report.html"
    bad = tmp_path / "bad.json"
    bad.write_text('{"changes": 3}', "utf-8")
    for option in ("--whatif", "--best-ties"):
        r = runner.invoke(app, ["report", str(demo_dir), option, str(bad), "--out", str(out), "-q"])
        assert r.exit_code == 2 and "problem" in r.output, r.output
        r = runner.invoke(app, ["report", str(demo_dir), option, str(tmp_path / "no.json"), "--out",
                                str(out), "-q"])  # fmt: skip
        assert r.exit_code == 3, r.output
    other_dir = lisa.write_study(lisa.generate(80, seed=2), tmp_path / "other")
    other = tmp_path / "other.json"
    r = runner.invoke(app, ["whatif", str(other_dir), "--remove-group", "core", "--json", str(other)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(demo_dir), "--whatif", str(other), "--out", str(out), "-q"])
    assert r.exit_code == 2 and "other data" in r.output, r.output
    assert not out.exists()
    assert checksums(demo_dir) == before


def test_pseudonymised_keeps_withheld_organisations_withheld(demo_result) -> None:  # type: ignore[no-untyped-def]
    from lisa.privacy import WITHHELD, Pseudonymiser

    study = demo_result.study
    p = Pseudonymiser(study, seed=1)
    withheld = sorted({o for o, shown in zip(study.organisations, p.organisations, strict=True) if o != shown})
    assert withheld, "the demo place has small organisations the pseudonymiser withholds"
    org = withheld[0]
    w = what_if(study, [RemoveGroup(grouping="organisation", group=org)], before=demo_result)
    view = build_report(demo_result, what_ifs=[w], pseudonymise=p).whatif
    assert view is not None
    assert org not in view.what_ifs[0].changes[0] and WITHHELD in view.what_ifs[0].changes[0]
    plain = build_report(demo_result, what_ifs=[w]).whatif
    assert plain is not None and org in plain.what_ifs[0].changes[0]
