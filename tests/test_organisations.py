"""Organisations as nodes: the roll-up counts and weighs ties between organisations."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lisa
from lisa.cli import app
from lisa.errors import ConfigError
from lisa.io import study_from_records, write_study
from lisa.network.organisations import analyse_organisations, organisation_study

runner = CliRunner()

PEOPLE = [
    {"id": i, "organisation": o, "sector": s, "responded": r}
    for i, o, s, r in (
        ("a1", "Council", "council", "yes"),
        ("a2", "Council", "council", "no"),
        ("b1", "School", "schools", "yes"),
        ("b2", "School", "vcs", "yes"),  # a school's people: 1 schools, 1 vcs → 'schools'
        ("c1", "Forum", "vcs", "no"),
        ("z", "", "residents", "yes"),  # no organisation
    )
]
RELATIONS = [{"name": "work", "directed": "yes"}, {"name": "social", "directed": "no"}]
TIES = [
    ("a1", "b1", "work", 1), ("a2", "b2", "work", 2), ("a1", "a2", "work", 1),
    ("b1", "a1", "work", 1), ("b2", "c1", "work", 1), ("z", "a1", "work", 1),
    ("b1", "a1", "social", 1), ("a2", "b2", "social", 1),
]  # fmt: skip


def study() -> lisa.Study:
    rows = [{"source": s, "target": t, "relation": r, "weight": w} for s, t, r, w in TIES]
    return study_from_records(PEOPLE, rows, RELATIONS, name="orgs")


def test_roll_up_counts_and_weighs_ties_between_organisations() -> None:
    orgs, rollup = organisation_study(study())
    assert orgs.ids == ["Council", "Forum", "School"]
    arcs = {
        (orgs.ids[s], orgs.ids[t], orgs.relations[r].name): w
        for s, t, r, w in zip(orgs.ties.source, orgs.ties.target, orgs.ties.relation, orgs.ties.weight, strict=True)
    }
    # work: Council→School a1→b1 (1) + a2→b2 (2); School→Council b1→a1; School→Forum b2→c1
    # social (mutual): b1–a1 and a2–b2 are the same pair of organisations: one arc of weight 2
    assert arcs == {
        ("Council", "School", "work"): 3.0,
        ("School", "Council", "work"): 1.0,
        ("School", "Forum", "work"): 1.0,
        ("Council", "School", "social"): 2.0,
    }
    assert rollup.internal_ties == 1 and rollup.organisations["Council"].internal_ties == 1
    assert rollup.dropped_ties == 1 and rollup.people_without_organisation == 1
    assert rollup.person_ties == 8


def test_organisation_sector_and_response() -> None:
    orgs, rollup = organisation_study(study())
    assert orgs.sectors == ["council", "vcs", "schools"]
    assert orgs.layers == [None, None, None]
    assert list(orgs.responded) == [True, False, True]  # the Forum's one person did not answer
    assert rollup.organisations["School"].respondents == 2


def test_same_metrics_on_organisations() -> None:
    result, _ = analyse_organisations(study())
    people = result.combined.people
    assert set(people) == {"Council", "Forum", "School"}
    assert people["School"].in_degree == 1 and people["School"].out_degree == 2
    assert result.config.groupings == ("sector",)
    # strength counts person ties: School receives 3 work ties from the Council (the combined
    # arc keeps the larger of work 3 and social 2)
    q = result.tie_quality
    assert q is not None and q.people["School"].combined.in_strength == 3.0


def test_layer_findings_do_not_apply_to_organisations() -> None:
    result, _ = analyse_organisations(lisa.generate(300, seed=7))
    codes = set(result.finding_codes())
    assert not codes & {"thin-horizontal-links", "thin-vertical-links"}
    assert all(p.diversity.get("layer") is None for p in result.combined.people.values())


def test_organisation_network_of_the_demo_place_has_one_node_per_organisation(demo_study) -> None:  # type: ignore[no-untyped-def]
    result, rollup = analyse_organisations(demo_study)
    assert result.combined.network.people == len(set(demo_study.organisations))
    assert sum(o.people for o in rollup.organisations.values()) == demo_study.n_people


def test_a_roster_without_organisations_is_a_named_error() -> None:
    people = [dict(p, organisation="") for p in PEOPLE]
    rows = [{"source": s, "target": t, "relation": r} for s, t, r, _ in TIES]
    with pytest.raises(ConfigError, match="0 organisations on its roster"):
        organisation_study(study_from_records(people, rows, RELATIONS))


def test_a_study_of_several_waves_is_rolled_up_one_wave_at_a_time() -> None:
    place = lisa.generate(80, seed=2, waves=2)
    with pytest.raises(ConfigError, match="one wave at a time"):
        organisation_study(place)
    result, _ = analyse_organisations(place, lisa.AnalysisConfig(wave="2024"))
    assert result.study_summary.wave == "2024"


def test_cli_level_organisation(tmp_path: Path) -> None:
    folder = write_study(study(), tmp_path / "s")
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
    out = tmp_path / "orgs.json"
    result = runner.invoke(app, ["analyse", str(folder), "--level", "organisation", "--json", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "3 organisations" in result.output
    data = json.loads(out.read_text())
    assert set(data["combined"]["people"]) == {"Council", "Forum", "School"}
    bad = runner.invoke(app, ["analyse", str(folder), "--level", "team"])
    assert bad.exit_code == 2
    assert sums == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _words(finding: lisa.Finding) -> str:
    return " | ".join([finding.title, finding.detail, finding.headline.text if finding.headline else ""])


def test_findings_about_organisations_say_organisations() -> None:
    """The same rules read for organisations: no title, detail or headline speaks of people."""
    import dataclasses
    import re

    from lisa.findings import evaluate
    from lisa.vocabulary import ORGANISATIONS

    lonely = [{"id": f"x{i}", "organisation": f"Club {i}", "sector": "vcs", "responded": "yes"} for i in range(3)]
    rows = [{"source": s, "target": t, "relation": r, "weight": w} for s, t, r, w in TIES]
    places = [
        lisa.generate(300, seed=7),
        lisa.generate(300, seed=7, response_rate=0.6),
        study_from_records(PEOPLE + lonely, rows, RELATIONS, name="lonely"),
    ]
    fired: set[str] = set()
    for place in places:
        result = lisa.analyse(place)
        as_people = {f.code: f for f in result.findings}
        as_orgs = evaluate(result, dataclasses.replace(place, nodes=ORGANISATIONS), result.config)
        # the same findings, with the same numbers: only the words change
        assert [f.code for f in as_orgs] == list(as_people)
        for f in as_orgs:
            assert f.evidence == as_people[f.code].evidence
            assert not re.search(r"\b(people|person)\b", _words(f)), (f.code, _words(f))
        fired |= set(as_people)
    assert {"low-response", "exclusive-core", "core-departure-risk", "isolated-people",
            "low-connected-difference", "high-networking"} <= fired
    orgs, _ = analyse_organisations(lisa.generate(300, seed=7))
    networking = next(f for f in orgs.findings if f.code == "high-networking")
    assert "organisations named per network" in networking.title
