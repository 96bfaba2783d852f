"""Comparing survey waves: counts on hand-made two-wave studies, QAP, findings, bad input."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lisa.change import (
    WavesConfig,
    cell_keys,
    compare_waves,
    correlation,
    finding_status,
    pick_waves,
    presence,
    qap,
)
from lisa.cli import app
from lisa.errors import ConfigError, StudyInvalid, UnknownWave
from lisa.findings import Finding, Headline
from lisa.io import study_from_records, write_study
from lisa.randomness import rng_for
from lisa.study import Study

runner = CliRunner()
QUICK = WavesConfig(permutations=200, resamples=200)

PEOPLE = [
    {"id": i, "name": f"Person {i}", "organisation": org, "sector": sec, "layer": layer}
    for i, org, sec, layer in (
        ("a", "Council", "council", "systemic"),
        ("b", "School", "schools", "sectoral"),
        ("c", "Trust", "health", "frontline"),
        ("d", "Forum", "vcs", "frontline"),
        ("x", "Council", "council", "sectoral"),
        ("y", "Forum", "vcs", "public"),
    )
]
RELATIONS = [
    {"name": "work", "directed": "yes"},
    {"name": "social", "directed": "no"},
]
#: wave 1: x takes part, y not yet; wave 2: y joined, x left.
TIES = [
    *({"source": s, "target": t, "relation": "work", "wave": "2024"} for s, t in
      ("ab", "bc", "ca", "ad", "xa")),
    *({"source": s, "target": t, "relation": "work", "wave": "2025"} for s, t in
      ("ab", "ba", "cd", "dc", "yb", "ad")),
    *({"source": s, "target": t, "relation": "social", "wave": "2024"} for s, t in ("ab", "cd")),
    *({"source": s, "target": t, "relation": "social", "wave": "2025"} for s, t in ("ba", "ac")),
]  # fmt: skip


def two_waves(people: list[dict[str, str]] | None = None) -> Study:
    return study_from_records(people or PEOPLE, TIES, RELATIONS, name="two waves")


@pytest.fixture(scope="module")
def hand() -> object:
    return compare_waves(two_waves(), config=QUICK)


# -- who took part -------------------------------------------------------------


def test_joiners_and_leavers_by_their_ties(hand) -> None:  # type: ignore[no-untyped-def]
    t = hand.turnover
    assert (t.before, t.after, t.stayers) == (5, 5, 4)
    assert t.joiners == ["y"] and t.leavers == ["x"]
    assert t.presence == "ties"


def test_the_roster_waves_column_says_who_took_part() -> None:
    people = [dict(p, waves="2024;2025") for p in PEOPLE]
    people[4]["waves"] = "2024"  # x
    people[5]["waves"] = ""  # y: blank means every wave, so y stays in 2024 too
    study = two_waves(people)
    mask, how = presence(study, "2024")
    assert how == "roster column"
    assert [pid for pid, m in zip(study.ids, mask, strict=True) if m] == ["a", "b", "c", "d", "x", "y"]
    t = compare_waves(study, config=QUICK).turnover
    assert t.leavers == ["x"] and t.joiners == []
    assert study.for_wave("2025").ids == ["a", "b", "c", "d", "y"]  # x is not analysed in 2025


def test_a_waves_column_naming_an_unknown_wave_is_a_named_error() -> None:
    people = [dict(p, waves="2024") for p in PEOPLE]
    people[0]["waves"] = "2023"
    with pytest.raises(StudyInvalid) as raised:  # reading the roster refuses it ...
        two_waves(people)
    assert [p.code for p in raised.value.problems if p.severity == "error"] == ["unknown-wave"]
    assert "names the wave '2023' for 'a'" in str(raised.value.problems)
    study = two_waves()  # ... and a study built in code is refused when compared
    column = ["2024"] * study.n_people
    column[study.index_of("a")] = "2023"
    study = dataclasses.replace(study, attributes={**study.attributes, "waves": column})
    with pytest.raises(ConfigError, match="names the wave '2023' for 'a'"):
        compare_waves(study, config=QUICK)


# -- tie changes ------------------------------------------------------------------


def test_directed_tie_changes_among_stayers(hand) -> None:  # type: ignore[no-untyped-def]
    # stayers a b c d: 2024 ab bc ca ad; 2025 ab ba cd dc ad (x's and y's ties do not count)
    w = hand.relations["work"]
    assert (w.pairs, w.kept, w.gained, w.lost, w.never) == (12, 2, 3, 2, 5)
    assert w.jaccard == pytest.approx(2 / 7)
    assert w.hamming == 5
    assert not w.more_lost_than_kept
    assert w.low_jaccard  # 0.29 < 0.3


def test_mutual_tie_changes_count_each_pair_once(hand) -> None:  # type: ignore[no-untyped-def]
    s = hand.relations["social"]
    assert (s.pairs, s.kept, s.gained, s.lost, s.never) == (6, 1, 1, 1, 3)
    assert s.jaccard == pytest.approx(1 / 3)


def test_combined_network_counts_arcs_of_all_relations(hand) -> None:  # type: ignore[no-untyped-def]
    # 2024 arcs: ab bc ca ad + social ab ba cd dc = {ab ba bc ca ad cd dc}
    # 2025 arcs: ab ba cd dc ad + social ba ab ac ca = {ab ba cd dc ad ac ca}
    c = hand.combined
    assert (c.kept, c.gained, c.lost) == (6, 1, 1)


def test_more_ties_lost_than_kept_gives_the_warning() -> None:
    ties = [
        *({"source": s, "target": t, "relation": "work", "wave": "1"} for s, t in ("ab", "bc", "cd")),
        *({"source": s, "target": t, "relation": "work", "wave": "2"} for s, t in ("ab", "da", "dc")),
    ]  # fmt: skip
    study = study_from_records(PEOPLE[:4], ties, RELATIONS[:1])
    c = compare_waves(study, config=QUICK)
    w = c.relations["work"]
    assert (w.kept, w.lost) == (1, 2) and w.more_lost_than_kept
    assert any("more ties were lost (2) than kept (1)" in x for x in c.warnings)
    assert any("Jaccard index of the two waves is 0.20" in x for x in c.warnings)


# -- QAP ------------------------------------------------------------------------------


def test_correlation_of_the_hand_example(hand) -> None:  # type: ignore[no-untyped-def]
    # 12 cells, 4 ties then 5, 2 in both: r = (12*2 - 4*5) / sqrt(4*8*5*7)
    assert hand.relations["work"].qap.correlation == pytest.approx(4 / math.sqrt(1120))


def test_qap_p_value_of_a_single_kept_tie_is_one_in_six() -> None:
    # three people, the tie 0→1 in both waves: r = 1, and a relabelling keeps it only
    # when it fixes 0 and 1 (so 2 too): 1 of the 3! = 6 permutations.
    keys = cell_keys(np.array([0]), np.array([1]), 3, True)
    result = qap(keys, keys, 3, True, 6000, np.random.default_rng(1))
    assert result.correlation == pytest.approx(1.0)
    assert result.p_value == pytest.approx(1 / 6, abs=0.015)


def _dense(keys: np.ndarray, m: int) -> np.ndarray:
    x = np.zeros((m, m))
    x[keys // m, keys % m] = 1
    return x


def _dense_r(a: np.ndarray, b: np.ndarray) -> float:
    off = ~np.eye(a.shape[0], dtype=bool)
    return float(np.corrcoef(a[off], b[off])[0, 1])


def test_qap_matches_a_dense_implementation_permutation_by_permutation() -> None:
    rng = np.random.default_rng(5)
    m = 12
    a = cell_keys(rng.integers(0, m, 40), rng.integers(0, m, 40), m, True)
    b = cell_keys(rng.integers(0, m, 40), rng.integers(0, m, 40), m, True)
    b = np.union1d(b, a[:10])  # some stability, so r > 0
    fast = qap(a, b, m, True, 300, rng_for(3, "test"))
    x, y = _dense(a, m), _dense(b, m)
    observed = _dense_r(x, y)
    draw = rng_for(3, "test")
    null = []
    for _ in range(300):
        perm = draw.permutation(m)
        yp = np.zeros_like(y)
        yp[np.ix_(perm, perm)] = y  # person i of the later wave relabelled perm[i]
        null.append(_dense_r(x, yp))
    assert fast.correlation == pytest.approx(observed)
    assert fast.null_mean == pytest.approx(np.mean(null))
    assert fast.p_value == pytest.approx((1 + sum(r >= observed - 1e-12 for r in null)) / 301)


def test_qap_exact_distribution_on_four_people_matches_the_estimate(hand) -> None:  # type: ignore[no-untyped-def]
    # the hand example's work network, every one of the 4! relabellings enumerated
    m = 4
    x = _dense(cell_keys(np.array([0, 1, 2, 0]), np.array([1, 2, 0, 3]), m, True), m)
    y = _dense(cell_keys(np.array([0, 1, 2, 3, 0]), np.array([1, 0, 3, 2, 3]), m, True), m)
    observed = _dense_r(x, y)
    exact = []
    for perm in itertools.permutations(range(m)):
        yp = np.zeros_like(y)
        yp[np.ix_(perm, perm)] = y
        exact.append(_dense_r(x, yp) >= observed - 1e-12)
    c = compare_waves(two_waves(), config=WavesConfig(permutations=4000, resamples=0))
    assert c.relations["work"].qap.p_value == pytest.approx(np.mean(exact), abs=0.03)


def test_correlation_is_undefined_for_an_empty_wave() -> None:
    assert correlation(0, 0, 3, 12) is None
    empty = np.zeros(0, np.int64)
    assert qap(empty, empty, 4, True, 10, np.random.default_rng(0)).p_value is None


def test_the_same_seed_gives_the_same_p_values() -> None:
    study = two_waves()
    one = compare_waves(study, config=QUICK)
    two = compare_waves(study, config=QUICK)
    assert one.model_dump() == two.model_dump()


# -- people, roles, findings, response ------------------------------------------------------


def test_person_changes_read_each_waves_analysis(hand) -> None:  # type: ignore[no-untyped-def]
    assert set(hand.people) == {"a", "b", "c", "d"}
    b = hand.people["b"]
    assert b.in_degree == (1, 2)  # 2024: a; 2025: a and y
    assert b.out_degree == (2, 1)  # 2024: c and a (social); 2025: a


@pytest.mark.parametrize(
    ("code", "before", "after", "status"),
    [
        ("isolated-people", None, ("low", 2), "appeared"),
        ("isolated-people", ("low", 2), None, "resolved"),
        ("isolated-people", ("low", 2), ("low", 5), "worse"),
        ("isolated-people", ("low", 5), ("low", 2), "better"),
        ("isolated-people", ("low", 2), ("low", 2), "unchanged"),
        ("isolated-people", ("medium", 2), ("low", 9), "better"),  # severity decides first
        ("low-response", ("high", 0.4), ("high", 0.5), "better"),  # a higher rate is better
        ("low-connected-difference", ("medium", 0.45), ("medium", 0.40), "worse"),
        ("exclusive-core", ("medium", 20), ("medium", 25), "unchanged"),  # size says neither
    ],
)
def test_finding_status(code: str, before: tuple | None, after: tuple | None, status: str) -> None:  # type: ignore[type-arg]
    def finding(x: tuple | None) -> Finding | None:  # type: ignore[type-arg]
        if x is None:
            return None
        return Finding(
            code=code, severity=x[0], title="t", detail="d",
            headline=Headline(value=x[1], text=str(x[1])),
        )  # fmt: skip

    assert finding_status(code, finding(before), finding(after)) == status


def test_findings_and_response_on_a_generated_second_wave() -> None:
    import lisa

    study = lisa.generate(150, seed=4, waves=2, response_rate=0.9)
    c = compare_waves(study, config=QUICK)
    first = lisa.analyse(study.for_wave("2024"))
    second = lisa.analyse(study.for_wave("2025"))
    assert {f.code for f in c.findings} == set(first.finding_codes()) | set(second.finding_codes())
    for f in c.findings:
        assert (f.headline_before is None) == (first.finding(f.code) is None)
        assert (f.headline_after is None) == (second.finding(f.code) is None)
    assert c.response.rate_before == pytest.approx(first.response.rate)
    assert c.response.rate_after == pytest.approx(second.response.rate)
    assert c.roles["hub"].before == first.role_counts()["hub"]
    cd = c.connected_difference
    assert cd.before == pytest.approx(first.combined.network.mean_contact_diversity["sector"])
    assert cd.after == pytest.approx(second.combined.network.mean_contact_diversity["sector"])


def test_connected_difference_grows_after_a_programme_and_says_so() -> None:
    import lisa

    study = lisa.generate(300, seed=7, waves=2, second_periphery_connection=0.6)
    cd = compare_waves(study, config=QUICK).connected_difference
    assert cd.difference.estimate is not None and cd.difference.estimate > 0
    assert cd.difference.low is not None and cd.difference.low > 0
    assert cd.trend == "grew"
    assert cd.stayers_measured > 200


def test_connected_difference_interval_covers_zero_when_nothing_changed() -> None:
    import lisa

    study = lisa.generate(300, seed=11, waves=2, turnover=0.0, tie_retention=1.0)
    cd = compare_waves(study, config=QUICK).connected_difference
    assert cd.difference.estimate == pytest.approx(0.0)
    assert cd.trend == "no clear change"


# -- which waves, and bad input ----------------------------------------------------------------


def test_default_waves_are_the_two_latest() -> None:
    study = two_waves()
    study.waves = ["2023", "2024", "2025"]
    assert pick_waves(study, None, None) == ("2024", "2025")
    assert pick_waves(study, "2023", None) == ("2023", "2025")
    assert pick_waves(study, None, "2024") == ("2023", "2024")


@pytest.mark.parametrize(
    ("before", "after", "error", "message"),
    [
        ("2026", None, UnknownWave, "no wave '2026' in this study; it has waves: 2024, 2025"),
        (None, "spring", UnknownWave, "no wave 'spring'"),
        ("2025", "2024", ConfigError, "does not come before"),
        ("2024", "2024", ConfigError, "does not come before"),
        ("2025", None, ConfigError, "is the latest wave"),
        (None, "2024", ConfigError, "is the first wave"),
    ],
)
def test_bad_wave_choices_are_named_errors(before, after, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        compare_waves(two_waves(), before, after, config=QUICK)


def test_a_study_without_waves_cannot_be_compared() -> None:
    import lisa

    with pytest.raises(ConfigError, match="has no waves: comparing needs two"):
        compare_waves(lisa.generate(60, seed=1), config=QUICK)


def _sums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--from", "2026"], 2, "no wave '2026'"),
        (["--to", "2023"], 2, "no wave '2023'"),
        (["--from", "2025", "--to", "2024"], 2, "does not come before"),
        (["--permutations", "-1"], 2, ""),
        (["--set", "nonsense=1"], 2, "unknown setting 'nonsense'"),
    ],
)
def test_cli_bad_input_exits_with_its_code_and_leaves_the_study_alone(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    folder = write_study(two_waves(), tmp_path / "study")
    before = _sums(folder)
    result = runner.invoke(app, ["waves", str(folder), *args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert _sums(folder) == before


def test_cli_json_reloads_as_the_typed_result(tmp_path: Path) -> None:
    from lisa.change import WaveComparison

    folder = write_study(two_waves(), tmp_path / "study")
    out = tmp_path / "waves.json"
    result = runner.invoke(app, ["waves", str(folder), "--json", str(out), "--permutations", "50"])
    assert result.exit_code == 0, result.output
    assert "wave 2024 → 2025" in result.output
    c = WaveComparison.model_validate_json(out.read_text())
    assert c.relations["work"].kept == 2 and c.turnover.joiners == ["y"]


def test_cli_refuses_to_write_over_the_study(tmp_path: Path) -> None:
    folder = write_study(two_waves(), tmp_path / "study")
    before = _sums(folder)
    result = runner.invoke(app, ["waves", str(folder), "--json", str(folder / "ties.csv")])
    assert result.exit_code == 3
    assert _sums(folder) == before


def test_a_wave_the_roster_column_never_names_has_everyone() -> None:
    people = [dict(p, waves="2024") for p in PEOPLE]  # the column predates the 2025 import
    study = two_waves(people)
    mask, _ = presence(study, "2025")
    assert mask.all()
    assert study.for_wave("2025").n_people == len(PEOPLE)


def test_qap_gives_the_same_null_with_the_bitmap_and_the_sorted_search(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import lisa.change.ties as ties

    rng = np.random.default_rng(9)
    m = 30
    a = cell_keys(rng.integers(0, m, 120), rng.integers(0, m, 120), m, False)
    b = np.union1d(cell_keys(rng.integers(0, m, 120), rng.integers(0, m, 120), m, False), a[:40])
    fast = ties.qap(a, b, m, False, 200, rng_for(1, "x"))
    monkeypatch.setattr(ties, "BITMAP_BYTES", 0)
    slow = ties.qap(a, b, m, False, 200, rng_for(1, "x"))
    assert fast == slow


def test_cli_pseudonymised_json_holds_no_roster_id(tmp_path: Path) -> None:
    import lisa
    from lisa.change import WaveComparison

    place = lisa.generate(80, seed=3, waves=2)
    folder = write_study(place, tmp_path / "study")
    out = tmp_path / "waves.json"
    args = ["waves", str(folder), "--json", str(out), "--pseudonymise", "--permutations", "20"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert not any(f'"{pid}"' in text for pid in place.ids)
    c = WaveComparison.model_validate_json(text)
    plain = compare_waves(place, config=WavesConfig(permutations=20, resamples=2000))
    assert len(c.people) == len(plain.people) and len(c.turnover.joiners) == len(plain.turnover.joiners)
    assert c.relations == plain.relations  # counts are not personal


def test_cli_a_roster_column_naming_an_unknown_wave_exits_2(tmp_path: Path) -> None:
    people = [dict(p, waves="2024;2025") for p in PEOPLE]
    folder = write_study(two_waves(people), tmp_path / "study")
    roster = folder / "people.csv"
    lines = roster.read_text().splitlines()
    lines[3] = lines[3].replace("2024;2025", "2024;2052")  # the third person: c
    roster.write_text("\n".join(lines) + "\n")
    before = _sums(folder)
    result = runner.invoke(app, ["waves", str(folder)])
    assert result.exit_code == 2
    assert "names the wave '2052' for 'c'" in " ".join(result.output.split())
    assert _sums(folder) == before


def test_ties_with_someone_off_the_waves_roster_are_flagged() -> None:
    people = [dict(p, waves="2024;2025") for p in PEOPLE]
    people[5]["waves"] = "2024"  # y has ties in 2025 but the column says 2024 only
    c = compare_waves(two_waves(people), config=QUICK)
    assert any("Wave 2025: 1 tie names someone" in w for w in c.warnings)
    assert "y" not in c.people and c.turnover.after == 5
