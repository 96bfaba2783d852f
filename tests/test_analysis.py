"""End to end: generated places give the findings the reports describe, and only those."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import lisa
from lisa.analysis import analyse
from lisa.config import AnalysisConfig
from lisa.synth import generate

SCHEMA = json.loads(
    (Path(lisa.__file__).parent / "schema" / "analysis.schema.json").read_text("utf-8")
)

APPENDIX_C = {"exclusive-core", "excluded-group", "core-departure-risk", "high-networking"}
NOT_IN_OPEN = {
    "exclusive-core",
    "excluded-group",
    "core-departure-risk",
    "low-connected-difference",
    "thin-horizontal-links",
    "thin-vertical-links",
    "isolated-people",
}


def test_demo_place_shows_the_appendix_c_pattern(demo_result) -> None:  # type: ignore[no-untyped-def]
    codes = set(demo_result.finding_codes())
    assert APPENDIX_C <= codes


def test_demo_excluded_groups_are_vcs_student_council_and_residents(demo_result) -> None:  # type: ignore[no-untyped-def]
    f = demo_result.finding("excluded-group")
    assert f is not None
    groups = {g.lower() for g in f.groups}
    for expected in ("vcs", "student council", "residents"):
        assert any(expected in g for g in groups), (expected, groups)
    assert not any(g.startswith(("council", "schools")) for g in groups)


def test_demo_core_is_council_officers_and_head_teachers(demo_result, demo_study) -> None:  # type: ignore[no-untyped-def]
    f = demo_result.finding("exclusive-core")
    assert f is not None
    sectors = {demo_study.person(p).sector for p in f.people}
    assert sectors <= {"council", "schools"}, sectors


def test_open_place_shows_none_of_the_closed_patterns(open_result) -> None:  # type: ignore[no-untyped-def]
    assert not (set(open_result.finding_codes()) & NOT_IN_OPEN), open_result.finding_codes()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_patterns_hold_across_seeds(seed: int) -> None:
    closed = set(analyse(generate(200, seed=seed, preset="appendix-c")).finding_codes())
    mixed = set(analyse(generate(200, seed=seed, preset="open")).finding_codes())
    assert {"exclusive-core", "excluded-group", "core-departure-risk"} <= closed
    assert not (mixed & NOT_IN_OPEN)


def test_result_json_matches_the_schema(demo_result) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(demo_result.to_dict()))
    jsonschema.validate(data, SCHEMA)
    assert data["schema_version"] == "2.2"
    assert set(data["relations"]) == set(demo_result.study.relation_names)


def test_low_response_hides_names(demo_study) -> None:  # type: ignore[no-untyped-def]
    study = generate(300, seed=7, preset="appendix-c", response_rate=0.6)
    result = analyse(study)
    assert "low-response" in result.finding_codes()
    assert all(f.people == [] for f in result.findings)
    assert not result.names_individuals


def test_reciprocity_imputation_adds_ties_for_non_respondents() -> None:
    study = generate(200, seed=3, preset="appendix-c", response_rate=0.7)
    plain = analyse(study).to_dict()
    imputed = analyse(study, AnalysisConfig(impute="reciprocity")).to_dict()
    assert plain["response"]["imputed_arcs"] == 0
    assert imputed["response"]["imputed_arcs"] > 0
    assert imputed["combined"]["network"]["arcs"] > plain["combined"]["network"]["arcs"]
    # non-respondents are never dropped
    assert imputed["combined"]["network"]["people"] == study.n_people


def test_key_people_are_role_holders_sorted_by_their_metric(demo_result) -> None:  # type: ignore[no-untyped-def]
    hubs = demo_result.key_people("hub", limit=10)
    assert hubs
    values = [h.value for h in hubs]
    assert values == sorted(values, reverse=True)
    people = demo_result.combined.people
    assert all("hub" in people[h.id].roles for h in hubs)


def test_open_place_above_the_resilience_sample_size_stays_open() -> None:
    # above 500 people resilience is measured on a sample; a well-mixed place has
    # no small core group whose departure matters
    result = analyse(generate(2500, seed=5, preset="open"))
    assert result.resilience.baseline.sampled_people == 500
    assert not (set(result.finding_codes()) & NOT_IN_OPEN), result.finding_codes()
