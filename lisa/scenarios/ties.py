"""Best new ties: the few plausible links that would most open a place up.

Two objectives, both on the combined network (direction ignored):

``connected-difference``
    The mean normalised diversity of people's contacts' sectors (IQV), exactly
    as the analysis computes it (``mean_contact_diversity["sector"]``, the
    ``low-connected-difference`` finding's number).
``core-risk``
    Reach between sectors once the stable core has left: the mean, over the
    people outside the core who have a sector, of their share of the other
    sectors' people (outside the core) within two steps — the ``after`` of the
    core-departure scenario's ``between_reach["sector"]`` (computed on everyone
    here, not on the 500-person sample the analysis uses above 2,000 people).
    Raising it cuts the core-departure risk; ties to core members are not
    proposed (they leave with the core), and only pairs from different
    sectors are (no other tie can raise it).

**Candidates are bounded.** A pair is plausible when the two share at least
one contact or an organisation, are not yet tied, and differ in sector or in
layer (where both are known). For each person only the ``per_person``
partners with the most shared contacts (a shared organisation counts as half a
contact; ties broken by roster order) are kept, so there are at most
``n × per_person / 2``… ``n × per_person`` candidate pairs whatever the density
(20 per person by default: 40,000 pairs at 2,000 people). ``core-risk``
holds a dense two-step reach matrix of the people outside the core, so it is
limited to :data:`MAX_DENSE` of them.

**Greedy, no guarantee.** Ties are chosen one at a time, each the candidate
with the largest exact gain given those already chosen (every candidate's gain
that can have changed is recomputed each step), nobody receiving more than
``most_per_person`` (2) of them. Neither objective is submodular — a second tie can
be worth more than it was alone (a person's contact diversity can jump once two
new sectors arrive, and two-step reach through a new tie grows with the other
end's new contacts) — so greedy carries no (1 − 1/e) bound here. What was
checked: on small places greedy's total is compared with brute force over every
set of k candidates (tests/test_best_ties.py); the documentation records the
ratios found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import scipy.sparse as sp
from pydantic import Field

from lisa.config import AnalysisConfig
from lisa.errors import ConfigError
from lisa.execution import Where, analysed
from lisa.network.resilience import group_codes
from lisa.network.results import ResultModel
from lisa.scenarios.whatif import AddTies, WhatIf, what_if
from lisa.study import Study

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

Objective = Literal["connected-difference", "core-risk"]
OBJECTIVES: tuple[Objective, ...] = ("connected-difference", "core-risk")
#: Most people outside the core the core-risk objective handles (a dense n² matrix).
MAX_DENSE = 10_000
#: Most partners kept per person (the candidate bound).
PER_PERSON = 20
#: Rows of the shared-contact product computed at once.
CHUNK = 512


class ProposedTie(ResultModel):
    """One proposed tie, with why it is plausible and what it changes."""

    a: str
    b: str
    shared_contacts: int = Field(description="People both are tied to.")
    examples: list[str] = Field(description="Up to three of the shared contacts (ids).")
    same_organisation: bool
    crosses: list[Literal["sector", "layer"]] = Field(description="What the tie crosses.")
    gain: float = Field(description="How much this tie raises the objective, given the earlier ones.")
    objective_after: float = Field(description="The objective with this and the earlier ties.")
    explanation: str = Field(description="The tie in words: who, why plausible, what it changes.")


class BestTies(ResultModel):
    """The proposed ties and what adding all of them would change."""

    objective: Objective
    k: int = Field(description="How many ties were asked for.")
    candidates: int = Field(description="Plausible pairs considered.")
    per_person: int = Field(description="The candidate bound: partners kept per person.")
    most_per_person: int = Field(description="Most new ties proposed for any one person.")
    objective_before: float
    objective_after: float
    ties: list[ProposedTie] = Field(description="In the order greedy chose them (may be < k).")
    method: str = Field(description="How the ties were chosen and what that guarantees.")
    what_if: WhatIf | None = Field(
        description="Before/after of adding every proposed tie (null when none was found or "
        "it was not asked for)."
    )


METHOD = (
    "Greedy: each step adds the candidate with the largest exact gain given the ties already "
    "chosen (nobody gets more than most_per_person of them). The objective is not submodular, so greedy has no approximation guarantee; on "
    "small places it was checked against brute force (docs/scenarios.md)."
)


# -- candidates ---------------------------------------------------------------------------


@dataclass
class Candidates:
    """Plausible pairs (roster indices, u < v) with their shared contacts."""

    u: np.ndarray
    v: np.ndarray
    shared: np.ndarray
    same_org: np.ndarray

    def __len__(self) -> int:
        return int(self.u.shape[0])

    def drop(self, i: int) -> None:
        keep = np.ones(len(self), bool)
        keep[i] = False
        self.u, self.v = self.u[keep], self.v[keep]
        self.shared, self.same_org = self.shared[keep], self.same_org[keep]


def _membership(codes: np.ndarray) -> sp.csr_matrix:
    """n × groups 0/1 matrix of a grouping (blank codes left out)."""
    known = codes >= 0
    k = int(codes.max()) + 1 if known.any() else 1
    return sp.csr_matrix(
        (np.ones(int(known.sum()), np.float32), (np.flatnonzero(known), codes[known])),
        shape=(codes.shape[0], k),
    )


def _edge_keys(sym: sp.csr_matrix) -> np.ndarray:
    """Sorted keys ``row * n + col`` of every edge of ``sym``."""
    coo = sym.tocoo()
    return np.sort(coo.row.astype(np.int64) * sym.shape[0] + coo.col)


def _tied(keys: np.ndarray, n: int, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Whether each (r, c) is an edge, given :func:`_edge_keys`."""
    want = r.astype(np.int64) * n + c
    if keys.size == 0:
        return np.zeros(want.shape, bool)
    pos = np.minimum(np.searchsorted(keys, want), keys.shape[0] - 1)
    return keys[pos] == want


def _top_partners(
    r: np.ndarray, c: np.ndarray, score: np.ndarray, n: int, per_person: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, twice the score) of each row's ``per_person`` best-scoring columns
    (lower index first on ties).

    Scores are whole or half numbers; one int64 key per entry (row, then score
    descending, then column) is sorted once, which is much faster than a lexsort.
    """
    if r.size == 0:
        return r, c, np.zeros(0, np.int64)
    twice = np.rint(2 * score).astype(np.int64)
    top = int(twice.max()) + 1
    key = (r.astype(np.int64) * (top + 1) + (top - twice)) * n + c
    key.sort()
    row, rest = key // ((top + 1) * n), key % ((top + 1) * n)
    col, twice = rest % n, top - rest // n
    starts = np.r_[0, np.flatnonzero(row[1:] != row[:-1]) + 1]
    rank = np.arange(row.shape[0]) - np.repeat(starts, np.diff(np.r_[starts, row.shape[0]]))
    keep = rank < per_person
    return row[keep], col[keep], twice[keep]


def candidates(
    study: Study,
    sym: sp.csr_matrix,
    *,
    exclude: np.ndarray | None = None,
    per_person: int = PER_PERSON,
    across: Sequence[Literal["sector", "layer"]] = ("sector", "layer"),
) -> Candidates:
    """The bounded plausible pairs (see the module docs).

    Parameters
    ----------
    study
        The analysed study (for sectors, layers and organisations).
    sym
        Its combined network's symmetric 0/1 adjacency.
    exclude
        Boolean mask of people who may not be an end of a new tie.
    per_person
        Partners kept per person.
    across
        A pair must differ in at least one of these (where both values are known).

    Returns
    -------
    Candidates
        Unique pairs, ``u < v``.
    """
    n = study.n_people
    sector, layer = group_codes(study.sectors), group_codes(study.layers)
    org = _membership(group_codes(study.organisations))
    allowed = np.ones(n, bool) if exclude is None else ~exclude
    sym = sym.astype(np.float32).tocsr()
    keys = _edge_keys(sym)
    us, vs, ts = [], [], []
    for start in range(0, n, CHUNK):
        rows = slice(start, min(start + CHUNK, n))
        score = (sym[rows] @ sym + 0.5 * (org[rows] @ org.T)).tocoo()
        r, c = score.row + start, score.col
        cross = np.zeros(r.shape[0], bool)
        for name, codes in (("sector", sector), ("layer", layer)):
            if name in across:
                a, b = codes[r], codes[c]
                cross |= (a >= 0) & (b >= 0) & (a != b)
        ok = cross & (r != c) & allowed[r] & allowed[c] & (score.data > 0)
        ok &= ~_tied(keys, n, r, c)
        a, b, twice = _top_partners(r[ok], c[ok], score.data[ok], n, per_person)
        us.append(a)
        vs.append(b)
        ts.append(twice)
    u = np.concatenate(us) if us else np.zeros(0, np.int64)
    v = np.concatenate(vs) if vs else np.zeros(0, np.int64)
    twice = np.concatenate(ts) if ts else np.zeros(0, np.int64)
    lo, hi = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
    key, first = np.unique(lo * n + hi, return_index=True)  # (u, v) and (v, u) score alike
    twice = twice[first]
    # score = shared contacts + 0.5 for a shared organisation (one organisation each)
    return Candidates(key // n, key % n, twice // 2, twice % 2 == 1)


# -- objectives ----------------------------------------------------------------------------


class Diversity:
    """Mean IQV of contacts' sectors, kept up to date as ties are added (exact)."""

    def __init__(self, sym: sp.csr_matrix, codes: np.ndarray):
        self.k = int(codes.max()) + 1 if (codes >= 0).any() else 0
        if self.k < 2:
            raise ConfigError("connected difference needs people in at least two sectors")
        self.codes = codes
        self.counts = np.asarray((sym.astype(np.float64) @ _membership(codes)).todense())

    def _iqv(self, tot: np.ndarray, sq: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(tot > 0, (1 - sq / np.maximum(tot, 1) ** 2) / (1 - 1 / self.k), 0.0)

    def _state(self) -> tuple[np.ndarray, np.ndarray]:
        return self.counts.sum(axis=1), (self.counts**2).sum(axis=1)

    def value(self) -> float:
        tot, sq = self._state()
        has = tot > 0
        return float(self._iqv(tot, sq)[has].mean()) if has.any() else 0.0

    def gains(self, c: Candidates) -> np.ndarray:
        tot, sq = self._state()
        iqv, has = self._iqv(tot, sq), tot > 0
        total, people = float(iqv[has].sum()), int(has.sum())
        change = np.zeros(len(c))
        count = np.zeros(len(c), np.int64)
        for me, other in ((c.u, c.v), (c.v, c.u)):
            g = self.codes[other]
            known = g >= 0
            before = self.counts[me, np.maximum(g, 0)]
            t2 = tot[me] + known
            q2 = sq[me] + known * (2 * before + 1)
            change += self._iqv(t2, q2) * (t2 > 0) - iqv[me] * has[me]
            count += (t2 > 0).astype(np.int64) - has[me]
        base = total / people if people else 0.0
        return (total + change) / np.maximum(people + count, 1) - base

    def add(self, u: int, v: int) -> None:
        for me, other in ((u, v), (v, u)):
            if self.codes[other] >= 0:
                self.counts[me, self.codes[other]] += 1


class BetweenReach:
    """Mean share of the other sectors' people within two steps, once the core has left."""

    def __init__(self, sym: sp.csr_matrix, codes: np.ndarray, gone: np.ndarray):
        stay = np.flatnonzero(~gone)
        if stay.size > MAX_DENSE:
            raise ConfigError(
                f"the core-risk objective handles up to {MAX_DENSE:,} people outside the core "
                f"(this place has {stay.size:,}); use --objective connected-difference"
            )
        self.index = np.full(sym.shape[0], -1, np.int64)
        self.index[stay] = np.arange(stay.size)
        a = sym[stay][:, stay].astype(np.float32).tocsr()
        self.adj = [set(a.indices[a.indptr[i] : a.indptr[i + 1]].tolist()) for i in range(stay.size)]
        g = codes[stay]
        sizes = np.bincount(g[g >= 0], minlength=max(int(g.max()) + 1, 1)) if (g >= 0).any() else np.zeros(1, np.int64)
        possible = np.where(g >= 0, sizes.sum() - sizes[np.maximum(g, 0)], 0)
        self.people = int(np.sum(possible > 0))
        self.weight = np.where(possible > 0, 1.0 / np.maximum(possible, 1), 0.0)
        reached = ((a + a @ a) > 0).toarray()
        cross = (g[:, None] >= 0) & (g[None, :] >= 0) & (g[:, None] != g[None, :])
        self.missing = cross & ~reached  # cross-sector pairs not yet within two steps
        self.reached_value = float(((cross & reached).sum(axis=1) * self.weight).sum())

    def value(self) -> float:
        return self.reached_value / self.people if self.people else 0.0

    def _gain(self, u: int, v: int) -> float:
        w = self.weight
        near_v = np.fromiter(self.adj[v] | {v}, np.int64)
        near_u = np.fromiter(self.adj[u], np.int64)
        new_u = near_v[self.missing[u, near_v]]
        new_v = near_u[self.missing[v, near_u]]
        return float(
            new_u.size * w[u] + w[new_u].sum() + new_v.size * w[v] + w[new_v].sum()
        )

    def gains(self, c: Candidates) -> np.ndarray:
        iu, iv = self.index[c.u], self.index[c.v]
        out = np.array([self._gain(int(a), int(b)) for a, b in zip(iu, iv, strict=True)])
        return out / self.people if self.people else out

    def add(self, u: int, v: int) -> None:
        a, b = int(self.index[u]), int(self.index[v])
        self.reached_value += self._gain(a, b)
        near_a, near_b = list(self.adj[a]), list(self.adj[b])
        self.missing[a, [b, *near_b]] = False
        self.missing[[b, *near_b], a] = False
        self.missing[b, near_a] = False
        self.missing[near_a, b] = False
        self.adj[a].add(b)
        self.adj[b].add(a)

    def affected(self, u: int, v: int) -> np.ndarray:
        """Roster indices whose candidates' gains change when ``u``–``v`` is added."""
        a, b = int(self.index[u]), int(self.index[v])
        local = np.fromiter(self.adj[a] | self.adj[b] | {a, b}, np.int64)
        return np.flatnonzero(np.isin(self.index, local))


# -- greedy ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pick:
    u: int
    v: int
    shared: int
    same_org: bool
    gain: float
    after: float


def greedy(
    objective: Diversity | BetweenReach, cands: Candidates, k: int, cap: int | None = None
) -> list[_Pick]:
    """Add up to ``k`` candidates one by one, each time the one with the largest exact gain.

    With ``cap``, nobody gets more than ``cap`` of the new ties. Stops early when no
    candidate raises the objective. ``cands`` is consumed.
    """
    picks: list[_Pick] = []
    gains = objective.gains(cands) if len(cands) else np.zeros(0)
    used: dict[int, int] = {}
    while len(picks) < k and len(cands):
        full = [p for p, c in used.items() if cap is not None and c >= cap]
        blocked = np.isin(cands.u, full) | np.isin(cands.v, full)
        best = int(np.argmax(np.where(blocked, -np.inf, gains)))  # first of equals: lowest (u, v)
        if blocked[best] or gains[best] <= 1e-12:
            break
        u, v = int(cands.u[best]), int(cands.v[best])
        used[u], used[v] = used.get(u, 0) + 1, used.get(v, 0) + 1
        objective.add(u, v)
        picks.append(
            _Pick(u, v, int(cands.shared[best]), bool(cands.same_org[best]), float(gains[best]),
                  objective.value())
        )  # fmt: skip
        cands.drop(best)
        gains = np.delete(gains, best)
        if isinstance(objective, BetweenReach):
            touched = np.isin(cands.u, objective.affected(u, v)) | np.isin(
                cands.v, objective.affected(u, v)
            )
            sub = Candidates(cands.u[touched], cands.v[touched], cands.shared[touched],
                             cands.same_org[touched])  # fmt: skip
            gains[touched] = objective.gains(sub)
        else:
            gains = objective.gains(cands)
    return picks


# -- in words ----------------------------------------------------------------------------------


def _who(study: Study, i: int) -> str:
    parts = [p for p in (study.organisations[i], study.sectors[i], study.layers[i]) if p]
    label = study.names[i] or study.ids[i]
    return f"{label} ({', '.join(parts)})" if parts else label


def _crosses(study: Study, u: int, v: int) -> list[Literal["sector", "layer"]]:
    out: list[Literal["sector", "layer"]] = []
    if study.sectors[u] and study.sectors[v] and study.sectors[u] != study.sectors[v]:
        out.append("sector")
    if study.layers[u] and study.layers[v] and study.layers[u] != study.layers[v]:
        out.append("layer")
    return out


def _explain(
    study: Study, sym: sp.csr_matrix, pick: _Pick, objective: Objective, before: float
) -> ProposedTie:
    u, v = pick.u, pick.v
    common = np.intersect1d(sym[u].indices, sym[v].indices)
    examples = [study.ids[i] for i in common[:3].tolist()]
    why = []
    if pick.shared:
        named = ", ".join(study.names[i] or study.ids[i] for i in common[:3].tolist())
        why.append(f"they share {pick.shared} contact{'s' * (pick.shared != 1)} ({named}"
                   + (" …" if pick.shared > 3 else "") + ")")  # fmt: skip
    if pick.same_org:
        why.append(f"both work at {study.organisations[u]}")
    crosses = _crosses(study, u, v)
    measure = (
        "connected difference (mean sector diversity of contacts)"
        if objective == "connected-difference"
        else "reach between sectors once the core has left"
    )
    text = (
        f"Link {_who(study, u)} with {_who(study, v)}: plausible because {' and '.join(why)}; "
        f"it crosses {' and '.join(crosses) + 's' if len(crosses) == 1 else 'sectors and layers'}. "
        f"It raises {measure} by {pick.gain:+.4f} (to {pick.after:.4f}, from {before:.4f} "
        "before any new tie)."
    )
    return ProposedTie(
        a=study.ids[u], b=study.ids[v], shared_contacts=pick.shared, examples=examples,
        same_organisation=pick.same_org, crosses=crosses, gain=pick.gain,
        objective_after=pick.after, explanation=text,
    )  # fmt: skip


def _check(k: int, per_person: int, most_per_person: int, objective: str) -> None:
    if not 1 <= k <= 100:
        raise ConfigError(f"k must be from 1 to 100, not {k}")
    if not 1 <= per_person <= 200:
        raise ConfigError(f"per_person must be from 1 to 200, not {per_person}")
    if most_per_person < 1:
        raise ConfigError(f"most_per_person must be at least 1, not {most_per_person}")
    if objective not in OBJECTIVES:
        raise ConfigError(f"unknown objective '{objective}': use one of {', '.join(OBJECTIVES)}")


def _setup(
    study: Study, sym: sp.csr_matrix, core_ids: Sequence[str], objective: Objective, per_person: int
) -> tuple[Diversity | BetweenReach, Candidates]:
    """The objective and its candidate pairs."""
    sectors = group_codes(study.sectors)
    if objective == "connected-difference":
        return Diversity(sym, sectors), candidates(study, sym, per_person=per_person)
    core = np.isin(np.asarray(study.ids, dtype=object), list(core_ids))
    if not core.any():
        raise ConfigError("this place has no stable core, so there is no core-departure risk to cut")
    return BetweenReach(sym, sectors, core), candidates(
        study, sym, exclude=core, per_person=per_person, across=("sector",)
    )


def best_ties(
    study: Study,
    k: int = 5,
    objective: Objective = "connected-difference",
    config: AnalysisConfig | None = None,
    *,
    per_person: int = PER_PERSON,
    before: AnalysisResult | None = None,
    compare: bool = True,
    most_per_person: int = 2,
    workers: int | None = None,
    scheduler: Any = None,
) -> BestTies:
    """Propose up to ``k`` new ties that most raise ``objective`` (see the module docs).

    Parameters
    ----------
    study
        The place (restricted to ``config.wave`` first).
    k
        How many ties to propose (1 to 100).
    objective
        ``connected-difference`` or ``core-risk``.
    config
        Analysis settings and seed (for the stable core and the what-if).
    per_person
        The candidate bound: partners kept per person (1 to 200).
    before
        The analysis of ``study`` with ``config``, if already computed.
    compare
        Also analyse the place with every proposed tie added (:attr:`BestTies.what_if`);
        this second analysis is most of the run time on a large place.
    most_per_person
        Nobody is proposed more than this many new ties (1 to ``k``): new links take
        people's time, and otherwise greedy can pile every tie on one well-placed person.
    workers, scheduler
        Where the analyses run (:func:`lisa.execution.analysed`); the same result.

    Returns
    -------
    BestTies
        The ties in the order chosen, each explained, and the what-if of adding all.

    Raises
    ------
    ConfigError
        ``k``, ``per_person`` or ``objective`` out of range; no stable core for
        ``core-risk``; fewer than two sectors.
    """
    from lisa.network.graph import build_net

    _check(k, per_person, most_per_person, objective)
    config = config or AnalysisConfig()
    base = study.for_wave(config.wave)
    first = before if before is not None else analysed(base, config, Where(workers, scheduler))
    src, tgt, _ = base.arcs(None)
    sym = build_net("combined", base.n_people, src, tgt).symmetric
    obj, cands = _setup(base, sym, first.core_consistency.stable_core, objective, per_person)
    n_cands, start = len(cands), obj.value()
    picks = greedy(obj, cands, k, most_per_person)
    ties = [_explain(base, sym, p, objective, start) for p in picks]
    change = (
        what_if(base, [AddTies(pairs=[(t.a, t.b) for t in ties])], config, before=first,
                workers=workers, scheduler=scheduler)  # fmt: skip
        if ties and compare else None
    )  # fmt: skip
    return BestTies(
        objective=objective, k=k, candidates=n_cands, per_person=per_person,
        most_per_person=most_per_person,
        objective_before=start, objective_after=picks[-1].after if picks else start,
        ties=ties, method=METHOD, what_if=change,
    )  # fmt: skip


#: The largest best-ties JSON :func:`read_best_ties` reads.
MAX_BEST_TIES_BYTES = 200_000_000


def read_best_ties(path: str | Path) -> BestTies:
    """Read the proposed ties written by ``lisa best-ties --json``.

    Raises
    ------
    StudyNotFound
        The file does not exist.
    InputInvalid
        The file is too large or is not a best-ties result (the problems name why).
    """
    from lisa.scenarios._stored import read_model

    return read_model(path, BestTies, "best-ties", MAX_BEST_TIES_BYTES)
