"""A place's pipeline of innovations (lisa portfolio): phases, stalled, balance, value, gaps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lisa
from lisa.assess import assess_answers
from lisa.assess.portfolio import gather, portfolios
from lisa.cli import app
from lisa.value import read_ledger, value_of

runner = CliRunner()
CASES = Path(lisa.__file__).parent / "cases" / "data" / "assessments"
DATA = Path(__file__).parent / "data" / "value"


def innovation(name: str, service: str, **answers: object) -> object:
    return assess_answers(
        {"answers": {"meta.innovation": name, "meta.place": "Testshire", "meta.service": service}
         | answers}  # fmt: skip
    )


def test_a_pipeline_by_phase_with_its_gaps() -> None:
    early = innovation("Youth employment hub", "employment", **{"sign.pilots": 5, "sign.early_value": 4})
    latent = innovation("Idea", "employment")
    [p] = portfolios([early, latent], [value_of(read_ledger(DATA / "worked.yaml"))])
    assert p.place == "Testshire" and p.innovations == 2
    by_phase = {s.phase: s.innovations for s in p.phases}
    assert by_phase[early.phase.value] == ("Youth employment hub",)
    assert by_phase[latent.phase.value] == ("Idea",)
    codes = [g.code for g in p.gaps]
    # nothing in design and discovery, mainstreaming or embedding; all in one service
    assert "nothing-coming-through" in codes and "one-service" in codes
    assert codes.count("empty-phase") == 2
    # the hub has its ledger: value counted, no 'no-value-evidence' gap
    assert p.value.ledgers == 1 and p.value.present_value == pytest.approx(13_786.41, abs=0.01)
    assert "no-value-evidence" not in codes
    assert p.value.innovations[0].phase == early.phase.value
    assert p.source.ref == "002 §6.1" and "pipeline" in p.accountability


def test_the_case_library_as_portfolios_cites_the_missing_value_evidence() -> None:
    assessments, values, _ = gather([CASES])
    found = portfolios(assessments, values)
    # one portfolio per place: every case answer file is a different place
    assert len(found) == len(list(CASES.glob("*.yaml"))) == len({a.place for a in assessments})
    for p in found:
        gaps = {g.code: g for g in p.gaps}
        assert "nothing-coming-through" in gaps
        past_design = tuple(name for s in p.phases if s.phase >= 2 for name in s.innovations)
        assert gaps["no-value-evidence"].innovations == past_design != ()
        assert p.value.ledgers == 0 and p.value.present_value == 0
        # each innovation past design without a ledger is told to build its evidence base
        assert [r.id for r in p.recommendations] == ["value-build-evidence-base"] * len(past_design)
        assert p.recommendations[0].source.ref == "002 §5.1; 005"


def _with_trajectory(a, status: str):  # type: ignore[no-untyped-def]
    return a.model_copy(update={"trajectory": a.trajectory.model_copy(update={"status": status})})


def test_stalled_and_reversing_innovations_are_named_and_counted() -> None:
    hub = innovation("Hub", "employment", **{"sign.pilots": 5, "sign.early_value": 4})
    other = innovation("Clinic", "health", **{"sign.pilots": 5, "sign.early_value": 4})
    stuck = _with_trajectory(hub, "stalled")
    back = _with_trajectory(other, "reversing")
    [p] = portfolios([stuck, back])
    assert p.stalled == ("Clinic", "Hub")
    assert p.trajectories == {"stalled": 1, "reversing": 1}
    slot = p.phases[hub.phase.value]
    assert slot.stalled == ("Clinic", "Hub")
    [gap] = [g for g in p.gaps if g.code == "stalled"]
    assert gap.innovations == ("Clinic", "Hub")
    # two services: no 'one-service' gap; moving on clears the stalled gap
    assert "one-service" not in [g.code for g in p.gaps]
    [fine] = portfolios([_with_trajectory(hub, "progressing"), _with_trajectory(other, "progressing")])
    assert fine.stalled == () and "stalled" not in [g.code for g in fine.gaps]
    assert fine.services == {"employment": 1, "health": 1}


def test_lisa_portfolio_reads_a_folder_of_answers_and_ledgers(tmp_path: Path) -> None:
    shutil.copy(CASES / "tower-hamlets.yaml", tmp_path / "th.yaml")
    ledger = (DATA / "worked.yaml").read_text("utf-8")
    ledger = ledger.replace("Youth employment hub", "Commissioning youth services from the third sector")
    (tmp_path / "th-ledger.yaml").write_text(ledger.replace("Testshire", "Tower Hamlets"), "utf-8")
    (tmp_path / "notes.txt").write_text("not read")
    out = tmp_path / "p.json"
    result = runner.invoke(app, ["portfolio", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "Nothing in design and discovery" in " ".join(result.output.split())
    doc = json.loads(out.read_text("utf-8"))
    [place] = doc["places"]
    assert doc["kind"] == "lisa-portfolio" and place["place"] == "Tower Hamlets"
    assert place["value"]["ledgers"] == 1
    assert "no-value-evidence" not in [g["code"] for g in place["gaps"]]
    assert "notes.txt" in result.output and "left out" in result.output


def test_a_ledger_for_no_assessed_innovation_is_left_out_with_a_warning(tmp_path: Path) -> None:
    shutil.copy(CASES / "tower-hamlets.yaml", tmp_path / "th.yaml")
    shutil.copy(DATA / "worked.yaml", tmp_path / "ledger.yaml")
    result = runner.invoke(app, ["portfolio", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "matches no assessed innovation" in text and "no value ledger for any" in text


def test_lisa_portfolio_refuses_a_bad_ledger_and_a_missing_path(tmp_path: Path) -> None:
    shutil.copy(CASES / "tower-hamlets.yaml", tmp_path / "th.yaml")
    (tmp_path / "bad.yaml").write_text(
        "about: {innovation: X}\ninputs: [{id: a, cost: 1}]\noutcomes: [{id: o, quantity: 1, "
        "proxy: 1, deadweight: 2, displacement: 0, attribution: 0, duration: 1}]\n"
    )
    result = runner.invoke(app, ["portfolio", str(tmp_path)])
    assert result.exit_code == 2 and "rate-out-of-range" not in result.output
    assert "not a rate from 0 to 1" in " ".join(result.output.split())
    missing = runner.invoke(app, ["portfolio", str(tmp_path / "nope")])
    assert missing.exit_code == 3
