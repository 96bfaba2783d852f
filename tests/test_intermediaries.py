"""Intermediaries for spreading: hand-built places whose intermediaries are known by construction.

The broker place: nine council officers and nine VCS workers, each a ring of
their own; every officer names one health broker, who names every VCS worker,
so the broker alone links sectors and layers (81 open two-paths each way,
nobody else any). One VCS worker is named by a regional contact the roster
marks ``outside``: she alone is tied outside the place. The Health Centre
(the broker's one-person organisation) alone bridges organisations of three
sectors.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import lisa
from lisa.analysis import AnalysisResult
from lisa.config import AnalysisConfig
from lisa.errors import StudyInvalid
from lisa.io import check_study, load_study, study_from_records
from lisa.network import brokerage as gf
from lisa.network.graph import build_net
from lisa.network.intermediaries import find_intermediaries
from lisa.network.response import response_summary
from lisa.privacy import Pseudonymiser
from lisa.study import Study

COUNCIL = [f"council-officer-{k}" for k in range(9)]
VCS = [f"vcs-worker-{k}" for k in range(9)]
BROKER, REGIONAL, LINKED = "health-broker", "regional-contact", "vcs-worker-2"


def _person(pid: str, org: str, sector: str, layer: str, **extra: str) -> dict[str, str]:
    return {"id": pid, "name": f"Name of {pid}", "organisation": org, "sector": sector,
            "layer": layer, **extra}  # fmt: skip


def _ring(ids: list[str]) -> list[dict[str, str]]:
    return [
        {"source": a, "target": ids[(k + 1) % len(ids)], "relation": "work"}
        for k, a in enumerate(ids)
    ]


def broker_place(silent: int = 0, outside_column: bool = True) -> Study:
    """The broker place (module docs); the first ``silent`` officers did not answer."""
    extra = {"outside": "no"} if outside_column else {}
    people = [_person(p, "Borough Council", "council", "sectoral", **extra) for p in COUNCIL]
    people += [_person(p, "Community Trust", "vcs", "frontline", **extra) for p in VCS]
    people.append(_person(BROKER, "Health Centre", "health", "sectoral", **extra))
    outside = {"outside": "yes"} if outside_column else {}
    people.append(_person(REGIONAL, "Regional Network", "vcs", "frontline", **outside))
    answered = [p["id"] not in COUNCIL[:silent] for p in people]
    if silent > len(COUNCIL):  # 10 of 20: one VCS worker too
        answered[len(COUNCIL) + len(VCS) - 1] = False
    for p, yes in zip(people, answered, strict=True):
        p["responded"] = "yes" if yes else "no"
    ties = _ring(COUNCIL) + _ring(VCS)
    ties += [{"source": c, "target": BROKER, "relation": "work"} for c in COUNCIL]
    ties += [{"source": BROKER, "target": v, "relation": "work"} for v in VCS]
    ties.append({"source": REGIONAL, "target": LINKED, "relation": "work"})
    return study_from_records(people, ties, name="broker place")


def silo_place(outside_tie: bool = False, silent: int = 0) -> Study:
    """Two sectors, each a ring in its own organisation and layer, with no tie between."""
    council, vcs = COUNCIL[:6], VCS[:6]
    people = [_person(p, "Borough Council", "council", "sectoral", outside="no") for p in council]
    people += [_person(p, "Community Trust", "vcs", "frontline", outside="no") for p in vcs]
    ties = _ring(council) + _ring(vcs)
    if outside_tie:
        people.append(_person(REGIONAL, "Regional Body", "council", "sectoral", outside="yes"))
        ties.append({"source": council[0], "target": REGIONAL, "relation": "work"})
    for k, p in enumerate(people):
        p["responded"] = "no" if k < silent else "yes"
    return study_from_records(people, ties, name="silo place")


def connector_place() -> Study:
    """Five organisations of three, one sector and layer; one person names a member of
    each of the four others."""
    orgs = [[f"org{o}-member-{k}" for k in range(3)] for o in range(5)]
    people = [_person(p, f"Organisation {o}", "council", "sectoral") for o, m in enumerate(orgs) for p in m]
    ties = [t for m in orgs for t in _ring(m)]
    ties += [{"source": orgs[0][0], "target": m[0], "relation": "work"} for m in orgs[1:]]
    return study_from_records(people, ties, name="connector place")


@pytest.fixture(scope="module")
def broker() -> AnalysisResult:
    return lisa.analyse(broker_place())


# -- who is placed, by construction ------------------------------------------------------


def test_the_broker_and_the_outside_tie_are_the_intermediaries(broker: AnalysisResult) -> None:
    inter = broker.intermediaries
    assert inter is not None and inter.named and inter.level == "individuals"
    assert list(inter.people) == [BROKER, LINKED]  # strongest first
    hb, linked = inter.people[BROKER], inter.people[LINKED]
    assert hb.reasons == ["between-sectors", "between-layers"]
    assert (hb.sector_brokerage, hb.layer_brokerage) == (81, 81)
    assert hb.organisations_reached == 2 and hb.outside_contacts == 0
    assert "81 open two-paths" in hb.why and "between sectors" in hb.why
    assert linked.reasons == ["outside-the-place"] and linked.outside_contacts == 1
    assert "1 people outside the place" in linked.why
    assert inter.count == 2 and inter.not_named == 0 and inter.uncertain == 0
    assert inter.by_reason == {
        "between-sectors": 1, "between-layers": 1, "across-organisations": 0,
        "outside-the-place": 1,
    }  # fmt: skip
    assert inter.cuts.sector_brokerage == 1 and inter.cuts.outside_contacts == 1
    assert REGIONAL not in inter.people  # outside the place themself
    assert inter.most_organisations_reached == 2


def test_the_broker_organisation_bridges_sectors_and_layers(broker: AnalysisResult) -> None:
    inter = broker.intermediaries
    assert inter is not None
    assert list(inter.organisations) == ["Health Centre"]
    hc = inter.organisations["Health Centre"]
    assert hc.reasons == ["between-sectors", "between-layers"]
    assert (hc.people, hc.sector, hc.sector_brokerage, hc.layer_brokerage) == (1, "health", 1, 81)
    assert hc.sectors_reached == 2


def test_without_the_outside_column_ties_outside_are_not_measured() -> None:
    inter = lisa.analyse(broker_place(outside_column=False)).intermediaries
    assert inter is not None
    assert "outside-the-place" not in inter.measured and inter.cuts.outside_contacts is None
    assert list(inter.people) == [BROKER]
    assert inter.people[BROKER].outside_contacts is None


def test_a_person_tied_across_many_organisations_is_placed() -> None:
    result = lisa.analyse(connector_place())
    inter = result.intermediaries
    assert inter is not None
    assert list(inter.people) == ["org0-member-0"]
    p = inter.people["org0-member-0"]
    assert p.reasons == ["across-organisations"] and p.organisations_reached == 4
    assert inter.cuts.organisations_reached == 3
    stricter = lisa.analyse(connector_place(), AnalysisConfig(intermediary_min_organisations=5))
    assert stricter.intermediaries is not None and stricter.intermediaries.count == 0
    # one sector and one layer: nothing to bridge, so no missing-middle finding either
    assert "no-intermediaries" not in stricter.finding_codes()


def test_without_organisations_ties_across_them_are_not_measured() -> None:
    people = [{"id": p, "sector": "council" if k < 3 else "vcs"} for k, p in enumerate("abcdef")]
    ties = _ring(["a", "b", "c"]) + _ring(["d", "e", "f"])
    inter = lisa.analyse(study_from_records(people, ties)).intermediaries
    assert inter is not None
    assert "across-organisations" not in inter.measured
    assert inter.cuts.organisations_reached is None and inter.organisations == {}


def test_uncertain_gatekeepers_are_never_named() -> None:
    study = broker_place()
    src, tgt, _ = study.arcs(None)
    net = build_net("combined", study.n_people, src, tgt)
    config = AnalysisConfig()
    brk = gf.brokerage(net, {g: study.group_values(g) for g in config.groupings})
    resp = response_summary(study, config, 0)
    inter = find_intermediaries(study, net, brk, [BROKER], resp, config)
    assert BROKER not in inter.people and inter.uncertain == 1
    assert inter.count == 1 and list(inter.people) == [LINKED]
    assert inter.by_reason["between-sectors"] == 0


# -- the naming rule at 85 %, 70 % and 50 % response ----------------------------------------


@pytest.mark.parametrize(
    ("silent", "rate", "level"),
    [(3, 0.85, "individuals"), (6, 0.70, "patterns"), (10, 0.50, "unreliable")],
)
def test_the_naming_rule_follows_the_response_rate(silent: int, rate: float, level: str) -> None:
    result = lisa.analyse(broker_place(silent=silent))
    inter = result.intermediaries
    assert inter is not None
    assert result.response.rate == pytest.approx(rate)
    assert inter.level == result.response.level == level
    assert inter.count == 2  # the positions do not depend on who answered
    if level == "individuals":
        assert inter.named and set(inter.people) == {BROKER, LINKED}
        assert list(inter.organisations) == ["Health Centre"]
        return
    assert not inter.named and inter.people == {} and inter.not_named == 2
    # a one-person organisation would name its person: counted, not named
    assert inter.organisations == {} and inter.organisations_not_named == 1
    assert inter.by_reason["between-sectors"] == 1
    if level == "patterns":
        assert inter.by_sector == {"health": 1, "vcs": 1}
        assert inter.by_layer == {"sectoral": 1, "frontline": 1}
    else:
        assert inter.by_sector == {} and inter.by_layer == {}
    block = inter.model_dump_json()
    assert all(pid not in block for pid in result.study.ids)


# -- the finding ------------------------------------------------------------------------


def test_no_intermediaries_fires_in_a_place_of_silos() -> None:
    result = lisa.analyse(silo_place())
    f = result.finding("no-intermediaries")
    assert f is not None and f.severity == "medium"
    assert f.evidence.sector_brokerage == 0 and f.evidence.layer_brokerage == 0  # type: ignore[attr-defined]
    assert f.evidence.source.startswith("002 §6.1")  # type: ignore[attr-defined]
    assert "missing middle" in f.detail and "Transformers" in f.detail
    rec = next(r for r in result.recommendations if r.id == "intermediaries")
    assert any("'no-intermediaries'" in why for why in rec.why)


def test_no_intermediaries_is_silent_where_someone_holds_the_position(
    broker: AnalysisResult,
) -> None:
    assert "no-intermediaries" not in broker.finding_codes()
    tied_out = lisa.analyse(silo_place(outside_tie=True))
    assert tied_out.intermediaries is not None
    assert list(tied_out.intermediaries.people) == [COUNCIL[0]]
    assert "no-intermediaries" not in tied_out.finding_codes()
    whys = [why for r in tied_out.recommendations for why in r.why]
    assert not any("'no-intermediaries'" in why for why in whys)


def test_no_intermediaries_is_silent_when_response_is_unreliable() -> None:
    result = lisa.analyse(silo_place(silent=6))  # 6 of 12 answered
    assert result.response.level == "unreliable"
    assert "no-intermediaries" not in result.finding_codes()
    assert "low-response" in result.finding_codes()


# -- JSON, privacy, the roster column ------------------------------------------------------


def test_the_result_round_trips_through_json(broker: AnalysisResult, tmp_path: Path) -> None:
    path = broker.write_json(tmp_path / "analysis.json")
    back = AnalysisResult.from_json(path)
    assert back.schema_version == "2.2"
    assert back.intermediaries == broker.intermediaries


def test_a_result_of_schema_2_1_still_reads_back(broker: AnalysisResult) -> None:
    data: dict[str, Any] = broker.to_dict()
    data["schema_version"] = "2.1"
    del data["intermediaries"]
    import json

    back = AnalysisResult.from_text(json.dumps(data))
    assert back.intermediaries is None and "no-intermediaries" not in back.finding_codes()


def test_pseudonymised_output_holds_no_roster_id_or_name(broker: AnalysisResult) -> None:
    study = broker.study
    pseudonymiser = Pseudonymiser(study, seed=5)
    shared = pseudonymiser.result(broker)
    text = shared.to_json()
    for pid, name in zip(study.ids, study.names, strict=True):
        assert pid not in text and name not in text
    assert shared.intermediaries is not None
    assert set(shared.intermediaries.people) == {
        pseudonymiser.code(BROKER), pseudonymiser.code(LINKED)
    }
    back = AnalysisResult.from_text(text)
    assert back.intermediaries == shared.intermediaries


def _write_folder(folder: Path, outside: str) -> None:
    folder.mkdir()
    (folder / "people.csv").write_text(
        f"id,name,sector,Outside\na,Ann,council,no\nb,Bob,vcs,{outside}\n", "utf-8"
    )
    (folder / "ties.csv").write_text("source,target,relation\na,b,work\n", "utf-8")


def _checksum(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def test_the_outside_column_is_read_through_the_readers(tmp_path: Path) -> None:
    _write_folder(tmp_path / "ok", "yes")
    study = load_study(tmp_path / "ok")
    assert study.outside_place() is not None
    assert study.outside_place().tolist() == [False, True]  # type: ignore[union-attr]
    inter = lisa.analyse(study).intermediaries
    assert inter is not None and list(inter.people) == ["a"]
    assert inter.people["a"].reasons == ["outside-the-place"]


def test_a_bad_outside_value_is_a_named_problem_and_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    _write_folder(folder, "maybe")
    before = _checksum(folder)
    problems = [p for p in check_study(folder) if p.severity == "error"]
    assert [(p.code, p.column, p.value, p.row) for p in problems] == [
        ("bad-value", "Outside", "maybe", 3)
    ]
    with pytest.raises(StudyInvalid):
        load_study(folder)
    from lisa.cli import app

    run = CliRunner().invoke(app, ["analyse", str(folder)])
    assert run.exit_code == 2 and "'outside' must be yes, no or blank" in run.output
    assert "Traceback" not in run.output
    assert _checksum(folder) == before


# -- outputs ----------------------------------------------------------------------------


def test_lisa_analyse_prints_the_intermediaries_by_the_naming_rule(tmp_path: Path) -> None:
    from lisa.cli import app
    from lisa.io import write_study

    runner = CliRunner()
    high, low = tmp_path / "high", tmp_path / "low"
    write_study(broker_place(), high)
    write_study(broker_place(silent=6), low)
    named = runner.invoke(app, ["analyse", str(high)], env={"COLUMNS": "200"})
    assert named.exit_code == 0, named.output
    assert "Intermediaries for spreading" in named.output
    plain = re.sub(r"\x1b\[[0-9;]*m", "", named.output)
    section = plain[plain.index("Intermediaries for spreading") :]
    line = next(x for x in section.splitlines() if f"Name of {BROKER}" in x)
    assert " 81 " in f"{line} "  # one line a person, with the between-sector brokerage
    assert "Health Centre" in named.output
    hidden = runner.invoke(app, ["analyse", str(low)], env={"COLUMNS": "200"})
    assert hidden.exit_code == 0, hidden.output
    assert "2 people placed to act as intermediaries" in hidden.output
    assert "by sector: health 1 · vcs 1" in hidden.output
    assert BROKER not in hidden.output and "Health Centre" not in hidden.output


def test_the_report_lists_the_intermediaries(broker: AnalysisResult) -> None:
    from lisa.report import build_report, render_html

    page = render_html(build_report(broker))
    section = page[page.index('<section id="intermediaries"') :]
    section = section[: section.index("</section>")]
    assert f"Name of {BROKER}" in section and "81 open two-paths" in section
    assert "Health Centre" in section
    shared = render_html(build_report(broker, pseudonymise=Pseudonymiser(broker.study, seed=2)))
    part = shared[shared.index('<section id="intermediaries"') :]
    part = part[: part.index("</section>")]
    assert BROKER not in part and f"Name of {BROKER}" not in part
    assert "Health Centre" not in part  # a one-person organisation is withheld
    assert "81 open two-paths" in part


def test_the_demo_place_has_intermediaries(demo_result: AnalysisResult) -> None:
    inter = demo_result.intermediaries
    assert inter is not None and inter.count > 0 and inter.named
    assert {"between-sectors", "between-layers"} <= set(inter.measured)
    assert "no-intermediaries" not in demo_result.finding_codes()


def test_an_assessment_given_the_silo_place_says_no_one_is_placed_to_spread_it() -> None:
    from lisa.assess import assess_answers

    findings = list(lisa.analyse(silo_place()).findings)
    answers = {"meta.innovation": "Hubs", "meta.place": "Silo", "scale.form_intermediary": 4}
    spreading = assess_answers({"answers": answers}, findings).spreading
    assert spreading is not None
    assert spreading.intermediaries.status == "none-placed"
    assert "missing-middle" in {r.id for r in spreading.risks}  # fired by the finding alone
    broker = list(lisa.analyse(broker_place()).findings)
    assert assess_answers({"answers": answers}, broker).spreading.intermediaries.status == (
        "see-network-study"
    )
