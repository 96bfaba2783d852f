"""Comparing places: indicators read from the analysis, the percentile rule, the most alike,
high-networking against other places, and ``lisa compare`` end to end."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lisa.analysis import analyse
from lisa.cli import app
from lisa.compare import Comparison, compare, compare_places, indicators_of, standing
from lisa.compare.indicators import INDICATORS, PlaceIndicators
from lisa.compare.standing import distance
from lisa.config import AnalysisConfig
from lisa.findings import networking_finding
from lisa.io import write_study
from lisa.synth import generate

runner = CliRunner()

# six small places: three closed-core, three open, of different sizes
PLACES = [(f"Town {k}", 80 + 30 * k, "open" if k % 2 else "appendix-c") for k in range(6)]


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("region")
    for k, (name, n, preset) in enumerate(PLACES):
        write_study(generate(n, seed=k, preset=preset, name=name), root / f"place{k}")  # type: ignore[arg-type]
    return root


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- indicators -------------------------------------------------------------------


def test_indicators_are_the_analysis_numbers(demo_result) -> None:  # type: ignore[no-untyped-def]
    place = indicators_of(demo_result, "Demo")
    net = demo_result.combined.network
    assert place.name == "Demo" and place.people == 300
    assert place.values["density"] == net.density
    assert place.values["reciprocity"] == net.reciprocity
    assert place.values["core_share"] == net.core_size / net.people
    assert place.values["core_closure"] == net.core_fit
    assert place.values["core_overlap"] == demo_result.core_consistency.mean_overlap
    assert place.values["ei_sector"] == net.ei_index["sector"]
    assert place.values["connected_difference"] == net.mean_contact_diversity["sector"]
    assert place.values["response"] == demo_result.response.rate
    per_relation = {r: n.network.ties_per_respondent for r, n in demo_result.relations.items()}
    assert place.networking_by_relation == per_relation
    assert place.values["networking"] == pytest.approx(np.mean(list(per_relation.values())))
    assert set(place.values) == {i.key for i in INDICATORS}


def test_answer_based_indicators_are_withheld_under_the_small_cell_threshold() -> None:
    result = analyse(generate(80, seed=2, response_rate=0.03))
    assert result.response.respondents < 5
    place = indicators_of(result)
    assert all(v is None for k, v in place.values.items() if k != "response")
    assert all(v is None for v in place.networking_by_relation.values())
    assert place.values["response"] == result.response.rate  # about everyone, not the few


# -- the percentile rule ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "others", "percentile", "counts"),
    [
        (0.5, [0.1, 0.2, 0.3, 0.4, 0.6], 80.0, (4, 0, 1)),
        (0.2, [0.1, 0.2, 0.3, 0.4, 0.5], 30.0, (1, 1, 3)),  # a tie counts half
        (9.0, [1, 2, 3, 4, 5], 100.0, (5, 0, 0)),
        (0.0, [1, 2, 3, 4, 5], 0.0, (0, 0, 5)),
        (3.0, [3, 3, 3, 3, 3], 50.0, (0, 5, 0)),
    ],
)
def test_percentile_is_the_mid_rank_among_the_others(
    value: float, others: list[float], percentile: float, counts: tuple[int, int, int]
) -> None:
    s = standing("x", value, others, min_places=5)
    assert s.percentile == percentile
    assert (s.below, s.equal, s.above) == counts and s.places == 5


def test_too_few_places_give_counts_not_a_percentile() -> None:
    s = standing("x", 0.5, [0.1, 0.9, 0.3], min_places=5)
    assert s.percentile is None
    assert (s.below, s.above, s.places) == (2, 1, 3)
    assert s.reference_median == 0.3


def _place(name: str, **values: float) -> PlaceIndicators:
    return PlaceIndicators(name=name, people=100, respondents=100, relations=[],
                           values=values, networking_by_relation={})  # fmt: skip


def test_a_place_is_not_in_its_own_reference_set() -> None:
    places = [_place(f"p{k}", density=float(k)) for k in range(6)]
    top = compare_places(places, AnalysisConfig(), "six")[5]
    [s] = top.standings
    assert s.places == 5 and s.percentile == 100.0


def test_distance_is_zero_for_the_same_profile_and_orders_the_most_alike() -> None:
    a = _place("a", density=0.1, reciprocity=0.3, core_share=0.2)
    twin = _place("twin", density=0.1, reciprocity=0.3, core_share=0.2)
    near = _place("near", density=0.12, reciprocity=0.31, core_share=0.22)
    far = _place("far", density=0.5, reciprocity=0.9, core_share=0.7)
    result = compare_places([a, twin, near, far], AnalysisConfig(), "four")[0]
    assert [x.name for x in result.most_alike] == ["twin", "near", "far"]
    assert result.most_alike[0].distance == 0.0 and result.most_alike[0].indicators == 3
    scales = {"density": (0.0, 1.0)}
    assert distance(a, far, scales) is None  # one shared indicator is too few


# -- high-networking against a reference set --------------------------------------------


def test_high_networking_against_a_reference_set_names_the_set() -> None:
    config = AnalysisConfig()
    levels = [2.0, 2.5, 3.0, 3.5, 4.0]  # upper quartile 3.5
    high = networking_finding({"work": 3.6, "social": 3.8}, config, ("North 2026", levels))
    assert high is not None
    ref = high.evidence.reference
    assert ref is not None and (ref.name, ref.places, ref.quantile) == ("North 2026", 5, 0.75)
    assert high.evidence.benchmark == 3.5 and "North 2026" in high.detail
    # 3.7 is below the fixed benchmark of 4, yet above this set's upper quartile
    assert networking_finding({"work": 3.6, "social": 3.8}, config) is None
    # at the quartile is not above it
    assert networking_finding({"work": 3.5}, config, ("North", levels)) is None


def test_high_networking_with_too_few_places_keeps_the_fixed_number() -> None:
    config = AnalysisConfig()
    found = networking_finding({"work": 4.5}, config, ("tiny", [9.0, 9.5]))
    assert found is not None and found.evidence.reference is None
    assert found.evidence.benchmark == config.high_networking_ties


def test_high_networking_without_a_reference_is_unchanged(demo_result) -> None:  # type: ignore[no-untyped-def]
    fixed = demo_result.finding("high-networking")
    per_relation = {r: n.network.ties_per_respondent for r, n in demo_result.relations.items()}
    again = networking_finding(per_relation, demo_result.config)
    assert (fixed is None) == (again is None)
    if fixed is not None:
        assert again is not None and again.model_dump() == fixed.model_dump()
        assert fixed.evidence.reference is None


# -- lisa compare, end to end --------------------------------------------------------------


def test_compare_a_folder_of_studies(region: Path, tmp_path: Path) -> None:
    before = checksums(region)
    out = tmp_path / "compare.json"
    done = runner.invoke(app, ["compare", str(region), "--json", str(out), "--name", "North",
                               "--workers", "2", "-q"])  # fmt: skip
    assert done.exit_code == 0, done.output
    result = Comparison.model_validate_json(out.read_text("utf-8"))
    assert [p.place.name for p in result.places] == [name for name, _, _ in PLACES]
    assert result.reference == "North" and result.failures == []
    for p in result.places:
        density = next(s for s in p.standings if s.key == "density")
        assert density.places == 5 and density.percentile is not None
        assert p.place.name not in [a.name for a in p.most_alike]
        if p.high_networking is not None:
            assert p.high_networking.evidence.reference is not None
            assert p.high_networking.evidence.reference.name == "North"
    assert checksums(region) == before
    assert "Town 0" in done.output


def test_the_sequential_and_parallel_comparisons_are_identical(region: Path) -> None:
    one, _ = compare([region], workers=1, progress=False)
    two, _ = compare([region], workers=2, progress=False)
    assert one.model_dump() == two.model_dump()


def test_a_failing_place_is_reported_and_the_others_are_compared(region: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    write_study(generate(50, seed=1, name="Broken"), broken)
    (broken / "ties.csv").write_text("respondent,alter,relation\nnobody,p0001,work\n", "utf-8")
    before = checksums(broken)
    out = tmp_path / "c.json"
    done = runner.invoke(app, ["compare", str(region), str(broken), "--json", str(out), "-q"])
    assert done.exit_code == 1
    result = Comparison.model_validate_json(out.read_text("utf-8"))
    assert len(result.places) == len(PLACES)
    [failure] = result.failures
    assert failure.source == str(broken) and failure.error == "StudyInvalid"
    assert "could not be analysed" in done.output
    assert checksums(broken) == before


def test_one_place_with_details(region: Path) -> None:
    done = runner.invoke(app, ["compare", str(region), "--place", "Town 3", "-q"])
    assert done.exit_code == 0, done.output
    assert "Town 3 among the others" in done.output and "like Town" in done.output


@pytest.fixture
def two_alike(tmp_path: Path) -> Iterator[Path]:
    for k in range(2):
        write_study(generate(60, seed=k, name="Same"), tmp_path / f"s{k}")
    yield tmp_path


@pytest.mark.parametrize(
    ("case", "expected"),
    [("same-name", "same name"), ("one-place", "at least two"), ("not-a-place", "not a study"),
     ("unknown-place", "no place 'Nowhere'")],
)  # fmt: skip
def test_what_cannot_be_compared_is_a_named_error(
    case: str, expected: str, two_alike: Path, region: Path
) -> None:
    args = {
        "same-name": [str(two_alike)],
        "one-place": [str(region / "place0")],
        "not-a-place": [str(two_alike.parent / "missing")],
        "unknown-place": [str(region), "--place", "Nowhere"],
    }[case]
    done = runner.invoke(app, ["compare", *args, "-q"])
    assert done.exit_code in (2, 3)
    assert expected in " ".join(done.output.split())


def test_the_comparison_json_is_plain_data(region: Path, tmp_path: Path) -> None:
    result, _ = compare([region], workers=1, progress=False)
    data = json.loads(result.model_dump_json())
    assert data["compare_version"] == "1.0"
    assert Comparison.model_validate(data) == result


# -- the web platform's stored studies ----------------------------------------------


def test_the_web_platforms_studies_are_compared_beside_folders(region: Path, tmp_path: Path) -> None:
    # two studies stored in the web platform's SQLite database (imported as a facilitator's
    # would be), compared with a folder of studies: each stored place's indicators are its
    # own analysis's, as if read from a folder; the database is left as it was
    from lisa.db import engine_for, import_study, session_factory, upgrade

    data = tmp_path / "web-data"
    data.mkdir()
    stored = [generate(120, seed=21, name="Stored east"), generate(150, seed=22, preset="open", name="Stored west")]
    engine = engine_for(f"sqlite:///{data / 'lisa.sqlite3'}")
    upgrade(engine)
    with session_factory(engine).begin() as s:
        for study in stored:
            import_study(s, study)
    engine.dispose()
    before = checksums(data)
    out = tmp_path / "c.json"
    r = runner.invoke(app, ["compare", str(region), "--data-dir", str(data), "--json", str(out), "-q"])
    assert r.exit_code == 0, r.output
    result = Comparison.model_validate_json(out.read_text())
    got = {p.place.name: p.place for p in result.places}
    assert set(got) == {name for name, _, _ in PLACES} | {"Stored east", "Stored west"}
    for study in stored:
        direct = indicators_of(analyse(study, workers=1))
        assert got[study.name].values == direct.values
        assert got[study.name].people == direct.people
    assert checksums(data) == before
    # a pack of the stored studies alone, checked against their rosters
    r = runner.invoke(app, ["pack", "--data-dir", str(data), "--out", str(tmp_path / "p.json"), "-q"])
    assert r.exit_code == 0, r.output
    from lisa.compare.pack import read_pack

    assert sorted(p.name for p in read_pack(tmp_path / "p.json").places) == ["Stored east", "Stored west"]


def test_no_places_at_all_is_a_named_error(tmp_path: Path) -> None:
    r = runner.invoke(app, ["compare"])
    assert r.exit_code != 0 and "at least two places" in r.output
    assert "Traceback" not in r.output
