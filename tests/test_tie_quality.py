"""Tie quality: strength, weighted paths against networkx, tie items per person and group."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

import lisa
from lisa.cli import app
from lisa.errors import StudyInvalid
from lisa.io import study_from_records, write_study
from lisa.network.tiequality import has_tie_quality

runner = CliRunner()

PEOPLE = [
    {"id": i, "sector": s, "layer": layer}
    for i, s, layer in (
        ("a", "council", "systemic"),
        ("b", "council", "sectoral"),
        ("c", "vcs", "frontline"),
        ("d", "vcs", "public"),
    )
]
RELATIONS = [{"name": "work", "directed": "yes"}, {"name": "social", "directed": "no"}]
#: (source, target, relation, weight, trust, value)
TIES = [
    ("a", "b", "work", 2, "5", "4"),
    ("b", "c", "work", 1, "3", ""),
    ("c", "d", "work", 4, "", "2"),
    ("a", "c", "work", 0.5, "1", "1"),
    ("b", "d", "social", 3, "4", "5"),
]


def study(ties=TIES, trust_header: str = "Trust"):  # type: ignore[no-untyped-def]
    rows = [
        {"source": s, "target": t, "relation": r, "weight": w, trust_header: tr, "value": v}
        for s, t, r, w, tr, v in ties
    ]
    return study_from_records(PEOPLE, rows, RELATIONS, name="weighted")


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return lisa.analyse(study(), lisa.AnalysisConfig(weighted_paths=True))


def test_strength_is_the_sum_of_weights_per_relation_and_combined(result) -> None:  # type: ignore[no-untyped-def]
    q = result.tie_quality
    assert q.weighted and q.items == ["Trust", "value"]
    b, d = q.people["b"], q.people["d"]
    assert (b.relations["work"].in_strength, b.relations["work"].out_strength) == (2.0, 1.0)
    # the mutual social tie b–d counts both ways
    assert (b.relations["social"].in_strength, b.relations["social"].out_strength) == (3.0, 3.0)
    assert (b.combined.in_strength, b.combined.out_strength) == (5.0, 4.0)
    assert (d.combined.in_strength, d.combined.out_strength) == (7.0, 3.0)


def test_tie_items_per_person_ignore_blanks(result) -> None:  # type: ignore[no-untyped-def]
    p = result.tie_quality.people
    assert p["c"].received["trust"] == pytest.approx(2.0)  # 3 from b, 1 from a
    assert p["c"].given["trust"] is None  # c→d has no trust rating
    assert p["d"].received["trust"] == pytest.approx(4.0)  # only b–d is rated
    assert p["d"].received["value"] == pytest.approx(3.5)  # 2 from c, 5 from b
    assert p["a"].received["trust"] is None


def test_between_groups_means_weight_and_items(result) -> None:  # type: ignore[no-untyped-def]
    sector = result.tie_quality.groups["sector"]
    # council → vcs: b→c (1, trust 3), a→c (0.5, trust 1), b–d (3, trust 4)
    cv = sector["council"]["vcs"]
    assert cv.ties == 3
    assert cv.mean_weight == pytest.approx(4.5 / 3)
    assert cv.items["trust"] == pytest.approx(8 / 3)
    assert sector["vcs"]["council"].ties == 1  # d–b, the mutual tie's other direction
    assert "council" not in sector["vcs"] or sector["vcs"]["council"].items["value"] == 5.0


def _networkx(s: lisa.Study) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(s.n_people))
    src, tgt, w = s.arcs(None)
    for a, b, weight in zip(src.tolist(), tgt.tolist(), w.tolist(), strict=True):
        g.add_edge(a, b, length=1 / weight)
    return g


def test_weighted_paths_match_networkx(result) -> None:  # type: ignore[no-untyped-def]
    g = _networkx(result.study)
    between = nx.betweenness_centrality(g, weight="length", normalized=True)
    close = nx.closeness_centrality(g, distance="length", wf_improved=True)
    for i, pid in enumerate(result.study.ids):
        p = result.tie_quality.people[pid]
        assert p.weighted_betweenness == pytest.approx(between[i]), pid
        assert p.weighted_closeness == pytest.approx(close[i]), pid


def test_weighted_paths_on_a_generated_place_match_networkx() -> None:
    place = lisa.generate(80, seed=4)
    rng = np.random.default_rng(2)
    # lengths 1, 1/2, 1/4 add up exactly in floating point, so equally short paths tie
    # the same way in both libraries
    place.ties.weight = rng.choice([1.0, 2.0, 4.0], len(place.ties))
    r = lisa.analyse(place, lisa.AnalysisConfig(weighted_paths=True))
    g = _networkx(place)
    between = nx.betweenness_centrality(g, weight="length", normalized=True)
    close = nx.closeness_centrality(g, distance="length", wf_improved=True)
    for i, pid in enumerate(place.ids):
        p = r.tie_quality.people[pid]
        assert p.weighted_betweenness == pytest.approx(between[i], abs=1e-12)
        assert p.weighted_closeness == pytest.approx(close[i], abs=1e-12)


def test_weighted_paths_are_off_by_default() -> None:
    q = lisa.analyse(study()).tie_quality
    assert q is not None and not q.weighted_paths
    assert q.people["b"].weighted_betweenness is None


def test_a_study_without_weights_or_items_has_no_block_and_the_same_json(demo_result) -> None:  # type: ignore[no-untyped-def]
    assert not has_tie_quality(demo_result.study)
    assert demo_result.tie_quality is None
    data = demo_result.to_dict()
    assert "tie_quality" not in data and "weighted_paths" not in data["config"]


def test_the_block_reloads_exactly(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = result.write_json(tmp_path / "a.json")
    again = lisa.AnalysisResult.from_json(path)
    assert again.tie_quality == result.tie_quality
    assert json.loads(path.read_text())["config"]["weighted_paths"] is True


def test_items_only_without_weights_still_give_the_block() -> None:
    ties = [(s, t, r, 1, tr, v) for s, t, r, _, tr, v in TIES]
    q = lisa.analyse(study(ties)).tie_quality
    assert q is not None and not q.weighted
    b = q.people["b"].combined  # strength is then the degree: a and d name b; b names c and d
    assert (b.in_strength, b.out_strength) == (2.0, 2.0)


def test_pseudonymised_result_renames_tie_quality_people(result) -> None:  # type: ignore[no-untyped-def]
    from lisa.privacy import Pseudonymiser

    safe = Pseudonymiser(result.study).result(result)
    assert safe.tie_quality is not None
    assert not set(safe.tie_quality.people) & set(result.study.ids)
    assert len(safe.tie_quality.people) == 4


@pytest.mark.parametrize("bad", ["high", "inf", "nan", "1,5"])
def test_a_tie_item_that_is_not_a_number_is_a_named_error(bad: str) -> None:
    ties = [*TIES[:-1], ("b", "d", "social", 3, bad, "5")]
    with pytest.raises(StudyInvalid) as caught:
        lisa.analyse(study(ties))
    problem = caught.value.problems[0]
    assert problem.code == "bad-tie-item" and problem.column == "Trust" and problem.value == bad
    assert "b → d (social)" in problem.message


def test_cli_bad_tie_item_exits_2_and_leaves_the_study_unchanged(tmp_path: Path) -> None:
    folder = write_study(study([*TIES[:-1], ("b", "d", "social", 3, "very", "5")]), tmp_path / "s")
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
    out = runner.invoke(app, ["analyse", str(folder), "-q"])
    assert out.exit_code == 2
    assert "a tie item must be a number" in " ".join(out.output.split())
    assert "Traceback" not in out.output
    assert sums == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_result_with_tie_quality_matches_the_schema(result) -> None:  # type: ignore[no-untyped-def]
    import jsonschema

    from lisa.schemas import analysis_schema

    jsonschema.validate(json.loads(result.to_json()), analysis_schema())
