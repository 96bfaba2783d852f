"""What happens to the others' reach if a group of people leaves.

For each scenario — the stable core, the top-k hubs, each sizeable sector —
the people are removed from the combined network and we measure, for the
people who stay, the mean share of the others they can reach within two
steps (direction ignored) and the share of people in the largest connected
part. ``reach_loss`` compares the stayers' reach after with their reach
before; ``random_reach_loss`` is the mean loss when as many randomly chosen
other people leave (three draws), so a loss can be read as "worse than
chance". For places above 500 people, reach is measured on a fixed random
sample of 500 people (the same sample for every scenario; those who leave in a
scenario drop out of it), which keeps the standard error of the mean below one
percentage point in practice. The cost is then the same for every larger
place's probe, so no place is slower than a slightly larger one.

For the stable core two more things are measured, because a dense place can
keep most of its overall reach while losing every path *between* its groups
(the ``core-departure-risk`` finding reads both):

* ``between_reach``: per grouping (sector, layer), each stayer's share of the
  *other stayers* in other groups within two steps, before (paths may pass
  through the core) and after the core leaves — the same people at both ends,
  so the loss is only the paths the core carried. People with no group are
  neither counted nor probed; the random baseline is as for the overall reach
  (its own stream);
* ``brokerage``: the core's share of the place's between-group Gould–Fernandez
  brokerage (representative + gatekeeper + liaison open two-paths, from
  :mod:`lisa.network.brokerage`, on the combined network).

Each scenario's random draws come from its own named stream
(:func:`lisa.randomness.rng_for`), so adding or removing a scenario never
changes another's random baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lisa.config import AnalysisConfig
from lisa.network.brokerage import ROLES
from lisa.network.graph import Net, group_index
from lisa.network.results import (
    BetweenReach,
    BrokerageShare,
    Departure,
    DepartureKind,
    Resilience,
    ResilienceBaseline,
)
from lisa.randomness import rng_for
from lisa.study import Study

SAMPLE_SIZE = 500
SAMPLE_ABOVE = SAMPLE_SIZE
RANDOM_DRAWS = 3
#: The groupings whose between-group reach and brokerage the stable-core scenario measures.
BETWEEN_GROUPINGS = ("sector", "layer")
#: The Gould–Fernandez roles that carry flow between groups (columns of :data:`ROLES`).
BETWEEN_ROLES = ("representative", "gatekeeper", "liaison")


def _reach_after(
    net: Net, removed: np.ndarray, probe: np.ndarray, base_reach: np.ndarray
) -> tuple[float, float, float]:
    """(mean reach of probe stayers before, after; largest component share after).

    ``base_reach`` is each probe person's reach in the whole network, computed once.
    """
    g = net.undirected
    keep = np.ones(net.n, bool)
    keep[removed] = False
    stays = keep[probe]
    stay_probe = probe[stays]
    n_left = int(keep.sum())
    if n_left < 2 or stay_probe.size == 0:
        return 0.0, 0.0, 0.0
    before = base_reach[stays]
    sub = g.induced_subgraph(np.flatnonzero(keep).tolist())
    new_index = np.cumsum(keep) - 1
    after = (
        np.asarray(sub.neighborhood_size(vertices=new_index[stay_probe].tolist(), order=2), float)
        - 1
    ) / (n_left - 1)
    comps = sub.connected_components()
    largest = max(comps.sizes()) / net.n if n_left else 0.0
    return float(before.mean()), float(after.mean()), largest


@dataclass(frozen=True)
class Scenario:
    """Who leaves in one resilience scenario (roster indices)."""

    kind: DepartureKind
    removed: np.ndarray
    grouping: str | None = None
    group: str | None = None

    @property
    def stream(self) -> tuple[str, ...]:
        """The name of this scenario's random stream."""
        return ("resilience", self.kind, self.grouping or "", self.group or "")


def scenarios(
    study: Study, combined: Net, stable_core: Sequence[str], config: AnalysisConfig
) -> list[Scenario]:
    """The stable core, the top hubs, and each sector of at least ``min_group_size``."""
    stable = np.array([study.index_of(p) for p in stable_core], np.int64)
    return [Scenario("stable-core", stable), *other_scenarios(study, combined, config)]


def other_scenarios(study: Study, combined: Net, config: AnalysisConfig) -> list[Scenario]:
    """The scenarios that do not depend on the cores: the top hubs, then each sizeable sector.

    They can be measured while the networks' cores are still being computed.
    """
    top = np.argsort(-combined.in_degree, kind="stable")[: config.resilience_top_k]
    out = [Scenario("top-hubs", top[combined.in_degree[top] > 0].astype(np.int64))]
    sectors = np.asarray(study.sectors, dtype=object).astype(str)
    for sector in sorted(set(sectors.tolist()) - {""}):
        members = np.flatnonzero(sectors == sector)
        if members.size >= config.min_group_size:
            out.append(Scenario("group", members.astype(np.int64), "sector", sector))
    return out


def _random_loss(
    net: Net, removed: np.ndarray, probe: np.ndarray, base_reach: np.ndarray, rng: np.random.Generator
) -> float | None:
    """Mean reach loss when as many randomly chosen others leave (None without enough others)."""
    others = np.setdiff1d(np.arange(net.n), removed)
    if others.size < removed.size:
        return None
    losses = []
    for _ in range(RANDOM_DRAWS):
        pick = rng.choice(others, size=removed.size, replace=False)
        b, a, _ = _reach_after(net, pick, probe, base_reach)
        losses.append(1 - a / b if b > 0 else 0.0)
    return float(np.mean(losses))


def group_codes(values: Sequence[str | None]) -> np.ndarray:
    """One integer code per person for a grouping's values; -1 where the value is blank."""
    labels, codes = group_index([v or "" for v in values])
    if labels.size and labels[0] == "":
        codes -= 1  # "" sorts first: it becomes -1, the others 0..k-1
    return codes


def _reached(sym: sp.csr_matrix, paths: np.ndarray, probe: np.ndarray) -> sp.csr_matrix:
    """probe × n 0/1 matrix: who each probe person reaches within two steps, passing only
    through ``paths`` people (the probe people themselves must be in ``paths``)."""
    n = sym.shape[0]
    coo = sym.tocoo()
    edge = paths[coo.row] & paths[coo.col]
    a = sp.csr_matrix(
        (np.ones(int(edge.sum()), np.float32), (coo.row[edge], coo.col[edge])), shape=(n, n)
    )
    rows = a[probe]
    reached = (rows + rows @ a).tocsr()
    reached.data[:] = 1
    return reached


def _shares(reached: sp.csr_matrix, keep: np.ndarray, own: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each row's share of the ``keep`` people in groups other than its own (``own``) that it
    reaches; NaN where there is nobody in another group to reach."""
    n = codes.shape[0]
    valid = (codes >= 0) & keep
    k = int(codes.max()) + 1 if codes.size else 0
    onehot = sp.csr_matrix(
        (np.ones(int(valid.sum()), np.float32), (np.flatnonzero(valid), codes[valid])),
        shape=(n, max(k, 1)),
    )
    counts = np.asarray((reached @ onehot).todense())
    sizes = np.asarray(onehot.sum(axis=0)).ravel()
    other = counts.sum(axis=1) - counts[np.arange(own.size), own]
    possible = sizes.sum() - sizes[own]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(possible > 0, other / np.maximum(possible, 1), np.nan)


def _between_means(
    net: Net,
    full: sp.csr_matrix,
    removed: np.ndarray,
    probe: np.ndarray,
    groups: Mapping[str, np.ndarray],
) -> dict[str, tuple[float, float]]:
    """Per grouping, (before, after) mean between-group reach of the probe people who stay
    and have a group; ``full`` is the probe's reach in the whole network."""
    keep = np.ones(net.n, bool)
    keep[removed] = False
    stays = keep[probe]
    after_all = _reached(net.symmetric, keep, probe[stays])
    out = {}
    for g, codes in groups.items():
        grouped = codes[probe[stays]] >= 0
        who = probe[stays][grouped]
        if who.size == 0:
            out[g] = (0.0, 0.0)
            continue
        before = _shares(full[np.flatnonzero(stays)[grouped]], keep, codes[who], codes)
        after = _shares(after_all[np.flatnonzero(grouped)], keep, codes[who], codes)
        ok = np.isfinite(before) & np.isfinite(after)
        out[g] = (float(before[ok].mean()), float(after[ok].mean())) if ok.any() else (0.0, 0.0)
    return out


def between_reach(
    net: Net,
    removed: np.ndarray,
    probe: np.ndarray,
    groups: Mapping[str, np.ndarray],
    rng: np.random.Generator,
) -> dict[str, BetweenReach]:
    """Reach between the groups of each grouping before and after ``removed`` leave.

    Parameters
    ----------
    net
        The combined network (direction ignored).
    removed
        Roster indices of the people who leave.
    probe
        Roster indices whose reach is measured (everyone, or the fixed sample).
    groups
        Group code per person for each grouping (:func:`group_codes`; -1: no group).
    rng
        The scenario's own stream, for the random baseline (the same random
        departures serve every grouping).

    Returns
    -------
    dict of str to BetweenReach
        Per grouping: before, after, the loss and the mean loss of as many random
        departures.
    """
    full = _reached(net.symmetric, np.ones(net.n, bool), probe)
    main = _between_means(net, full, removed, probe, groups)
    others = np.setdiff1d(np.arange(net.n), removed)
    draws: list[dict[str, tuple[float, float]]] = []
    if others.size >= removed.size:
        for _ in range(RANDOM_DRAWS):
            pick = rng.choice(others, size=removed.size, replace=False)
            draws.append(_between_means(net, full, pick, probe, groups))

    def loss(before: float, after: float) -> float:
        return 1 - after / before if before > 0 else 0.0

    return {
        g: BetweenReach(
            before=b,
            after=a,
            loss=loss(b, a),
            random_loss=float(np.mean([loss(*d[g]) for d in draws])) if draws else None,
        )
        for g, (b, a) in main.items()
    }


def brokerage_share(counts: np.ndarray, removed: np.ndarray) -> BrokerageShare:
    """The share of between-group brokerage (n×5 counts, :data:`ROLES`) the ``removed`` hold."""
    cols = [ROLES.index(r) for r in BETWEEN_ROLES]
    per_person = counts[:, cols].sum(axis=1)
    total, held = int(per_person.sum()), int(per_person[removed].sum())
    return BrokerageShare(
        total=total,
        held=held,
        share=held / total if total else 0.0,
        share_of_people=removed.size / max(counts.shape[0], 1),
    )


def _core_measures(
    net: Net,
    sc: Scenario,
    probe: np.ndarray,
    groups: Mapping[str, np.ndarray],
    brokerage: Mapping[str, np.ndarray],
    seed: int,
) -> dict[str, object]:
    """The stable-core scenario's between-group reach and brokerage share, per grouping."""
    if sc.kind != "stable-core":
        return {}
    return {
        "between_reach": between_reach(
            net, sc.removed, probe, groups, rng_for(seed, *sc.stream, "between")
        )
        if groups
        else {},
        "brokerage": {
            g: brokerage_share(brokerage[g], sc.removed) for g in groups if g in brokerage
        },
    }


@dataclass(frozen=True)
class Probe:
    """Whose reach the scenarios measure (everyone, or the fixed sample) and their reach before."""

    people: np.ndarray
    base_reach: np.ndarray
    sampled: bool


def probe(net: Net, seed: int) -> Probe:
    """The probe people of the combined network ``net`` and their two-step reach in it."""
    n = net.n
    sampled = n > SAMPLE_ABOVE
    rng = rng_for(seed, "resilience", "probe")
    people = np.sort(rng.choice(n, size=SAMPLE_SIZE, replace=False)) if sampled else np.arange(n)
    base_reach = (
        np.asarray(net.undirected.neighborhood_size(vertices=people.tolist(), order=2), float) - 1
    ) / max(n - 1, 1)
    return Probe(people, base_reach, sampled)


def baseline(net: Net, probe: Probe) -> ResilienceBaseline:
    """The others' reach and the largest connected part before anyone leaves."""
    n = net.n
    comps = net.undirected.connected_components()
    return ResilienceBaseline(
        reach2=float(probe.base_reach.mean()) if n > 1 else 0.0,
        largest_component_share=max(comps.sizes()) / n if n else 0.0,
        sampled_people=int(probe.people.size) if probe.sampled else None,
    )


def departure(
    net: Net,
    ids: list[str],
    sc: Scenario,
    probe: Probe,
    seed: int,
    groups: Mapping[str, np.ndarray] | None = None,
    brokerage: Mapping[str, np.ndarray] | None = None,
) -> Departure | None:
    """What the stayers lose in one scenario; None when it removes nobody (or nearly everyone).

    The arguments are those of :func:`resilience`, with the scenario and the probe.
    """
    removed = sc.removed
    if removed.size == 0 or removed.size >= net.n - 1:
        return None
    before, after, largest = _reach_after(net, removed, probe.people, probe.base_reach)
    return Departure(
        kind=sc.kind,
        grouping=sc.grouping,
        group=sc.group,
        removed=[ids[i] for i in removed.tolist()],
        reach2_before=before,
        reach2_after=after,
        reach_loss=1 - after / before if before > 0 else 0.0,
        largest_component_share_after=largest,
        random_reach_loss=_random_loss(
            net, removed, probe.people, probe.base_reach, rng_for(seed, *sc.stream)
        ),
        **_core_measures(net, sc, probe.people, groups or {}, brokerage or {}, seed),
    )


def resilience(
    net: Net,
    ids: list[str],
    planned: Sequence[Scenario],
    seed: int,
    groups: Mapping[str, np.ndarray] | None = None,
    brokerage: Mapping[str, np.ndarray] | None = None,
) -> Resilience:
    """The resilience block: the baseline and every scenario that removes someone.

    Parameters
    ----------
    net
        The combined network.
    ids
        Roster ids, in order.
    planned
        The scenarios (:func:`scenarios`).
    seed
        The analysis seed (each scenario draws from its own stream of it).
    groups
        Group codes per grouping (:func:`group_codes`) for the stable core's
        between-group reach; none measured when omitted.
    brokerage
        Per grouping, the n×5 Gould–Fernandez counts of the combined network.

    Returns
    -------
    Resilience
        The baseline and one :class:`Departure` per scenario that removes someone.
    """
    probed = probe(net, seed)
    found = (departure(net, ids, sc, probed, seed, groups, brokerage) for sc in planned)
    return Resilience(baseline=baseline(net, probed), scenarios=[d for d in found if d is not None])
