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

Each scenario's random draws come from its own named stream
(:func:`lisa.randomness.rng_for`), so adding or removing a scenario never
changes another's random baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lisa.config import AnalysisConfig
from lisa.network.graph import Net
from lisa.network.results import Departure, DepartureKind, Resilience, ResilienceBaseline
from lisa.randomness import rng_for
from lisa.study import Study

SAMPLE_SIZE = 500
SAMPLE_ABOVE = SAMPLE_SIZE
RANDOM_DRAWS = 3


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
    top = np.argsort(-combined.in_degree, kind="stable")[: config.resilience_top_k]
    out = [
        Scenario("stable-core", stable),
        Scenario("top-hubs", top[combined.in_degree[top] > 0].astype(np.int64)),
    ]
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


def resilience(net: Net, ids: list[str], planned: Sequence[Scenario], seed: int) -> Resilience:
    """The resilience block: the baseline and every scenario that removes someone."""
    n = net.n
    sampled = n > SAMPLE_ABOVE
    rng = rng_for(seed, "resilience", "probe")
    probe = np.sort(rng.choice(n, size=SAMPLE_SIZE, replace=False)) if sampled else np.arange(n)
    g = net.undirected
    base_reach = (
        np.asarray(g.neighborhood_size(vertices=probe.tolist(), order=2), float) - 1
    ) / max(n - 1, 1)
    comps = g.connected_components()
    baseline = ResilienceBaseline(
        reach2=float(base_reach.mean()) if n > 1 else 0.0,
        largest_component_share=max(comps.sizes()) / n if n else 0.0,
        sampled_people=int(probe.size) if sampled else None,
    )
    out = []
    for sc in planned:
        removed = sc.removed
        if removed.size == 0 or removed.size >= n - 1:
            continue
        before, after, largest = _reach_after(net, removed, probe, base_reach)
        out.append(
            Departure(
                kind=sc.kind,
                grouping=sc.grouping,
                group=sc.group,
                removed=[ids[i] for i in removed.tolist()],
                reach2_before=before,
                reach2_after=after,
                reach_loss=1 - after / before if before > 0 else 0.0,
                largest_component_share_after=largest,
                random_reach_loss=_random_loss(
                    net, removed, probe, base_reach, rng_for(seed, *sc.stream)
                ),
            )
        )
    return Resilience(baseline=baseline, scenarios=out)
