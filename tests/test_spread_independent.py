"""Spreading checked against independent judgement (issue 14).

Two evaluators (C and D) filled the spreading items for six cases from the seed texts alone and,
beside the instrument, wrote down which routes each innovation took and which would fit it now
(tests/data/assess/independent-spread/README.md). lisa's routes are read from their instrument
answers and compared with their own route judgements and with the case library's routes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lisa.assess import assess_files
from lisa.cases import load_cases

HERE = Path(__file__).parent / "data" / "assess" / "independent-spread"
FILLINGS = sorted(p for p in HERE.glob("*--*.yaml") if not p.name.startswith("routes--"))
#: The case files' names for the evaluators' short case names.
CASE_FILE = {"oldham": "oldham-in-control"}


def judged(filling: Path) -> dict[str, object]:
    case, evaluator = filling.stem.split("--")
    data = yaml.safe_load((HERE / f"routes--{case}--{evaluator}.yaml").read_text())
    assert isinstance(data, dict)
    return data


def lisa_routes(filling: Path) -> dict[str, str]:
    (assessment,) = assess_files([filling])
    assert assessment.spreading is not None and assessment.spreading.status == "assessed"
    return {r.route: r.fit for r in assessment.spreading.routes}


def test_there_are_two_evaluators_for_six_cases() -> None:
    assert len(FILLINGS) == 12
    assert {p.stem.split("--")[1] for p in FILLINGS} == {"C", "D"}


@pytest.mark.parametrize("filling", FILLINGS, ids=lambda p: p.stem)
def test_every_route_lisa_says_fits_is_one_the_evaluator_judged_fitting(filling: Path) -> None:
    fits = {r for r, fit in lisa_routes(filling).items() if fit == "fits"}
    assert fits <= set(judged(filling)["routes_fitting"])  # type: ignore[arg-type]


@pytest.mark.parametrize("filling", FILLINGS, ids=lambda p: p.stem)
def test_every_route_the_innovation_took_is_one_lisa_does_not_rule_out(filling: Path) -> None:
    fits = lisa_routes(filling)
    for route in judged(filling)["routes_taken"]:  # type: ignore[union-attr]
        assert fits[route] in ("fits", "possible"), (route, fits)


def test_the_case_library_routes_are_the_ones_both_evaluators_say_were_taken() -> None:
    cases = {c.name: c for c in load_cases()}
    checked = 0
    for case in {p.stem.split("--")[0] for p in FILLINGS}:
        spread = cases[CASE_FILE.get(case, case)].spread
        if spread is None:
            continue
        for evaluator in ("C", "D"):
            taken = judged(HERE / f"{case}--{evaluator}.yaml")["routes_taken"]
            assert spread["route"] in taken, (case, evaluator, taken)  # type: ignore[operator]
        checked += 1
    assert checked == 3  # Highland (takeover), Oldham (parent), South Tyneside (growth)


def test_a_case_that_did_not_spread_gets_no_fitting_route() -> None:
    for evaluator in ("C", "D"):
        filling = HERE / f"southampton--{evaluator}.yaml"
        assert judged(filling)["routes_taken"] == []
        assert "fits" not in lisa_routes(filling).values()
