"""Best new ties: bounded candidates, exact objectives, greedy checked against brute force."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from lisa import AnalysisConfig, analyse, generate, study_from_records
from lisa.analysis import study_fingerprint
from lisa.errors import ConfigError
from lisa.network.graph import build_net
from lisa.network.resilience import group_codes
from lisa.scenarios import best_ties
from lisa.scenarios.ties import BetweenReach, Diversity, candidates, greedy
from lisa.study import Study

Pair = tuple[int, int]


def contacts(study: Study, added: Sequence[Pair] = ()) -> list[set[int]]:
    src, tgt, _ = study.arcs(None)
    out: list[set[int]] = [set() for _ in range(study.n_people)]
    for a, b in [*zip(src.tolist(), tgt.tolist(), strict=True), *added]:
        out[a].add(b)
        out[b].add(a)
    return out


class ByHand:
    """The two objectives written out plainly with Python sets (independent of lisa's code)."""

    def __init__(self, study: Study, core: set[int] | None = None):
        self.study, self.core = study, core or set()
        self.base = contacts(study)
        self.sectors = sorted({s for s in study.sectors if s})

    def _with(self, added: Sequence[Pair]) -> list[set[int]]:
        nbr = list(self.base)
        for a, b in added:
            nbr[a], nbr[b] = nbr[a] | {b}, nbr[b] | {a}
        return nbr

    def _iqv(self, mine: set[int]) -> float | None:
        known = [self.study.sectors[c] for c in mine if self.study.sectors[c]]
        if not known:
            return None
        shares = [known.count(s) / len(known) for s in self.sectors]
        return (1 - sum(p * p for p in shares)) / (1 - 1 / len(self.sectors))

    def diversity(self, added: Sequence[Pair] = ()) -> float:
        """Mean IQV of contacts' sectors over the people with a contact who has a sector."""
        if not hasattr(self, "_base_iqv"):
            self._base_iqv = [self._iqv(mine) for mine in self.base]
        values = list(self._base_iqv)
        nbr = self._with(added)
        for i in {p for pair in added for p in pair}:
            values[i] = self._iqv(nbr[i])
        known = [v for v in values if v is not None]
        return sum(known) / len(known)

    def between(self, added: Sequence[Pair] = ()) -> float:
        """Mean share of the other sectors' non-core people within two steps, core gone."""
        core, sectors = self.core, self.study.sectors
        nbr = [set() if i in core else mine - core for i, mine in enumerate(self._with(added))]
        stay = [i for i in range(self.study.n_people) if i not in core and sectors[i]]
        shares = []
        for i in stay:
            others = [j for j in stay if sectors[j] != sectors[i]]
            if others:
                near = set(nbr[i]).union(*(nbr[j] for j in nbr[i])) - {i}
                shares.append(sum(j in near for j in others) / len(others))
        return sum(shares) / len(shares) if shares else 0.0


def sym_of(study: Study):  # type: ignore[no-untyped-def]
    src, tgt, _ = study.arcs(None)
    return build_net("combined", study.n_people, src, tgt).symmetric


def small_core_place(seed: int) -> Study:
    """Three sectors of 12 tied inside, a core of 6 tied into every sector."""
    rng = np.random.default_rng(seed)
    people = [{"id": f"s{s}p{i}", "sector": f"sector{s}", "organisation": f"org{s}{i % 3}",
               "layer": ("frontline", "public")[i % 2]}
              for s in range(3) for i in range(12)]  # fmt: skip
    people += [{"id": f"core{c}", "sector": f"sector{c % 3}", "layer": "systemic"} for c in range(6)]
    ties = []
    for relation in ("work", "innovation"):
        for s, i in itertools.product(range(3), range(12)):
            for j in rng.choice(12, 2, replace=False):
                if j != i:
                    ties.append({"source": f"s{s}p{i}", "target": f"s{s}p{j}", "relation": relation})
        for a, b in itertools.permutations(range(6), 2):
            ties.append({"source": f"core{a}", "target": f"core{b}", "relation": relation})
        for c in range(6):
            for t in rng.choice(36, 4, replace=False):
                ties.append({"source": f"core{c}", "target": f"s{t // 12}p{t % 12}",
                             "relation": relation})  # fmt: skip
    return study_from_records(people, ties)


# -- candidates ----------------------------------------------------------------


def test_candidates_are_plausible_cross_group_untied_pairs_and_bounded() -> None:
    study = generate(150, seed=2)
    sym = sym_of(study)
    nbr = contacts(study)
    c = candidates(study, sym, per_person=5)
    assert 0 < len(c) <= 5 * study.n_people
    for u, v, shared, same in zip(c.u.tolist(), c.v.tolist(), c.shared.tolist(),
                                  c.same_org.tolist(), strict=True):  # fmt: skip
        assert u < v and v not in nbr[u]
        assert shared == len(nbr[u] & nbr[v])
        assert same == (study.organisations[u] == study.organisations[v] != "")
        assert shared > 0 or same
        assert study.sectors[u] != study.sectors[v] or study.layers[u] != study.layers[v]
    assert len(set(zip(c.u.tolist(), c.v.tolist(), strict=True))) == len(c)


def test_more_partners_per_person_means_more_candidates() -> None:
    study = generate(150, seed=2)
    sym = sym_of(study)
    assert len(candidates(study, sym, per_person=2)) < len(candidates(study, sym, per_person=10))


# -- the objectives are exact ---------------------------------------------------------


def test_connected_difference_is_the_analysis_number_before_and_after() -> None:
    study = generate(120, seed=5)
    before = analyse(study)
    b = best_ties(study, 3, "connected-difference", before=before)
    assert b.objective_before == pytest.approx(before.combined.network.mean_contact_diversity["sector"])
    assert b.what_if is not None
    assert b.objective_after == pytest.approx(b.what_if.connected_difference["sector"].after)
    idx = [(study.index_of(t.a), study.index_of(t.b)) for t in b.ties]
    assert b.objective_after == pytest.approx(ByHand(study).diversity(idx))
    running = b.objective_before
    for t in b.ties:
        running += t.gain
        assert t.objective_after == pytest.approx(running)
        assert t.gain > 0


def test_core_risk_is_the_finding_number_and_rises() -> None:
    study = small_core_place(1)
    before = analyse(study)
    core_ids = before.core_consistency.stable_core
    assert sorted(core_ids) == [f"core{c}" for c in range(6)]
    scenario = before.resilience.scenario("stable-core")
    assert scenario is not None
    b = best_ties(study, 3, "core-risk", before=before)
    assert b.objective_before == pytest.approx(scenario.between_reach["sector"].after)
    hand = ByHand(study, {study.index_of(p) for p in core_ids})
    idx = [(study.index_of(t.a), study.index_of(t.b)) for t in b.ties]
    assert b.objective_before == pytest.approx(hand.between())
    assert b.objective_after == pytest.approx(hand.between(idx))
    assert b.objective_after > b.objective_before
    assert not {t.a for t in b.ties} & set(core_ids) and not {t.b for t in b.ties} & set(core_ids)


# -- greedy against brute force --------------------------------------------------------


def against_brute_force(objective, pool, value, pairs: list[Pair]) -> None:  # type: ignore[no-untyped-def]
    """Greedy's sets for k = 1, 2, 3 against the best of every set of k candidates: exact for
    k = 1, at least 97 % of the best gain otherwise; greedy's own number checked by hand."""
    base = value([])
    for k in (1, 2, 3):
        picks = greedy(objective(), pool(), k)
        got = value([(p.u, p.v) for p in picks])
        assert len(picks) == k and got == pytest.approx(picks[-1].after)
        best = max(value(list(combo)) for combo in itertools.combinations(pairs, k))
        if k == 1:
            assert got == pytest.approx(best)
        assert got - base >= 0.97 * (best - base) - 1e-12


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_greedy_against_brute_force_on_connected_difference(seed: int) -> None:
    """k = 1 greedy is exact; for k = 2, 3 it is checked against every set of k candidates.

    Greedy carries no guarantee here (the objective is not submodular); on these places
    it reached at least 97 % of the best possible gain (docs/scenarios.md).
    """
    study = generate(50, seed=seed, preset="open")
    sym, hand = sym_of(study), ByHand(study)
    pool = candidates(study, sym, per_person=1)
    pairs = list(zip(pool.u.tolist(), pool.v.tolist(), strict=True))
    assert 15 <= len(pairs) <= 50
    against_brute_force(
        lambda: Diversity(sym, group_codes(study.sectors)),
        lambda: candidates(study, sym, per_person=1),
        hand.diversity,
        pairs,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_greedy_against_brute_force_on_core_risk(seed: int) -> None:
    study = small_core_place(seed)
    sym = sym_of(study)
    core_ids = analyse(study).core_consistency.stable_core
    gone = np.isin(np.asarray(study.ids, dtype=object), core_ids)
    hand = ByHand(study, set(np.flatnonzero(gone).tolist()))

    def pool():  # type: ignore[no-untyped-def]
        return candidates(study, sym, exclude=gone, per_person=1, across=("sector",))

    pairs = list(zip(pool().u.tolist(), pool().v.tolist(), strict=True))
    assert len(pairs) >= 10
    against_brute_force(
        lambda: BetweenReach(sym, group_codes(study.sectors), gone), pool, hand.between, pairs
    )


# -- words, sizes and bad input ------------------------------------------------------------


def test_nobody_gets_more_than_most_per_person_new_ties() -> None:
    study = generate(300, seed=7)
    for cap in (1, 2):
        b = best_ties(study, 4, "core-risk", most_per_person=cap, compare=False)
        ends = [p for t in b.ties for p in (t.a, t.b)]
        assert len(b.ties) == 4 and max(ends.count(p) for p in ends) <= cap
    free = best_ties(study, 4, "core-risk", most_per_person=4, compare=False)
    ends = [p for t in free.ties for p in (t.a, t.b)]
    assert max(ends.count(p) for p in ends) > 2  # on this place greedy piles ties on one person


def test_each_tie_is_explained_in_words() -> None:
    study = generate(120, seed=5)
    b = best_ties(study, 2, compare=False)
    assert b.what_if is None and len(b.ties) == 2
    for t in b.ties:
        text = t.explanation
        assert study.names[study.index_of(t.a)] in text and study.names[study.index_of(t.b)] in text
        assert "plausible because" in text and "raises connected difference" in text
        assert f"{t.gain:+.4f}" in text
    assert "no approximation guarantee" in b.method


def test_the_study_is_not_changed_and_runs_are_reproducible() -> None:
    study = generate(120, seed=6)
    mark = study_fingerprint(study)
    a = best_ties(study, 2, compare=False)
    assert study_fingerprint(study) == mark
    assert a == best_ties(study, 2, compare=False)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"k": 0}, "k must be"),
        ({"k": 101}, "k must be"),
        ({"per_person": 0}, "per_person"),
        ({"most_per_person": 0}, "most_per_person"),
        ({"objective": "popularity"}, "unknown objective"),
    ],
)
def test_bad_settings_are_config_errors(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        best_ties(generate(60, seed=1), **kwargs)  # type: ignore[arg-type]


def test_core_risk_needs_a_core_and_diversity_needs_two_sectors() -> None:
    flat = study_from_records(
        [{"id": f"p{i}", "sector": "health"} for i in range(4)],
        [{"source": "p0", "target": "p1", "relation": "work"},
         {"source": "p1", "target": "p2", "relation": "work"}],  # fmt: skip
    )
    with pytest.raises(ConfigError, match="two sectors"):
        best_ties(flat, 1)
    with pytest.raises(ConfigError, match="no stable core"):
        best_ties(flat, 1, "core-risk", AnalysisConfig(core_min_size=3))
