"""The three roles the reports look for, as configurable rules.

* **Hub** — the most sought-after: in-degree at or above the
  ``hub_quantile`` of the network and at least ``hub_min_in_degree``
  nominations (Freeman 1979, degree centrality; the reports' "hubs").
* **Gatekeeper** — controls what flows into part of the network:
  betweenness at or above the ``gatekeeper_quantile`` (and above zero)
  (Freeman 1977), or an articulation point whose departure cuts at least
  ``gatekeeper_min_cut`` people off (Gould & Fernandez 1989 name the group
  version, reported separately as brokerage counts).
* **Pulsetaker** — knows what is going on without being a hub: two-step
  reach at or above the ``pulsetaker_reach_quantile`` with direct contacts
  at or below the ``pulsetaker_degree_quantile`` (the reports' "unseen
  connectors"; Cross & Parker 2004).

Quantiles are taken over people with at least one tie in the network, so a
network with many isolates does not make everyone a hub.

**Estimated betweenness.** Where betweenness is estimated from sampled
sources (large places), who clears the gatekeeper quantile depends on which
sources were drawn. lisa bootstraps the batch estimates
(:class:`lisa.network.centrality.Betweenness`): ``role_replicates`` times it
redraws the batches with replacement, re-estimates betweenness, re-applies the
rule; a person keeps the gatekeeper role on betweenness only if at least
``role_stability`` of the replicates agree (Efron & Tibshirani 1993, the
bootstrap; batches as in the method of batch means). The others are
*uncertain gatekeepers*: counted in the network's numbers, never named as
gatekeepers. A gatekeeper by articulation (``cut_off``) is exact and always
kept.
"""

from __future__ import annotations

import numpy as np

from lisa.config import AnalysisConfig
from lisa.network.centrality import Betweenness

#: Bootstrap replicates evaluated at once (bounds the memory of the bootstrap).
REPLICATE_CHUNK = 25


def _quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q)) if values.size else 0.0


def _high_betweenness(betweenness: np.ndarray, active: np.ndarray, q: float) -> np.ndarray:
    """Who clears the gatekeeper quantile of betweenness (and is above zero)."""
    cut = _quantile(betweenness[active], q)
    return active & (betweenness >= cut) & (betweenness > 0)


def uncertain_gatekeepers(
    btw: Betweenness,
    contacts: np.ndarray,
    cut_off: np.ndarray,
    config: AnalysisConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    """People whose betweenness gatekeeper role the bootstrap does not confirm.

    All False when betweenness is exact, and for gatekeepers by articulation.
    """
    n = btw.values.shape[0]
    uncertain = np.zeros(n, bool)
    if btw.batches is None:
        return uncertain
    active = contacts > 0
    q = config.gatekeeper_quantile
    called = _high_betweenness(btw.values, active, q) & (cut_off < config.gatekeeper_min_cut)
    if not called.any():
        return uncertain
    r = btw.batches.shape[0]
    sizes = np.ones(r) if btw.sizes is None else btw.sizes.astype(float)
    agree = np.zeros(n, np.int64)
    done = 0
    while done < config.role_replicates:
        size = min(REPLICATE_CHUNK, config.role_replicates - done)
        draws = rng.integers(0, r, size=(size, r))
        weights = np.stack([np.bincount(d, minlength=r) for d in draws]) * sizes
        weights /= weights.sum(axis=1, keepdims=True)
        for estimate in weights @ btw.batches:
            agree += _high_betweenness(estimate, active, q)
        done += size
    uncertain[called] = agree[called] < config.role_stability * config.role_replicates
    return uncertain


def assign_roles(
    in_degree: np.ndarray,
    contacts: np.ndarray,
    betweenness: np.ndarray,
    cut_off: np.ndarray,
    reach2: np.ndarray,
    config: AnalysisConfig,
    uncertain: np.ndarray | None = None,
) -> list[list[str]]:
    """Each person's roles; ``uncertain`` people are not called gatekeepers on betweenness."""
    active = contacts > 0
    hub_cut = max(_quantile(in_degree[active], config.hub_quantile), config.hub_min_in_degree)
    hub = active & (in_degree >= hub_cut)
    high = _high_betweenness(betweenness, active, config.gatekeeper_quantile)
    if uncertain is not None:
        high &= ~uncertain
    gate = high | (active & (cut_off >= config.gatekeeper_min_cut))
    reach_cut = _quantile(reach2[active], config.pulsetaker_reach_quantile)
    degree_cut = _quantile(contacts[active], config.pulsetaker_degree_quantile)
    pulse = active & ~hub & (reach2 >= reach_cut) & (contacts <= degree_cut) & (reach2 > 0)
    roles: list[list[str]] = []
    for i in range(in_degree.shape[0]):
        r = []
        if hub[i]:
            r.append("hub")
        if gate[i]:
            r.append("gatekeeper")
        if pulse[i]:
            r.append("pulsetaker")
        roles.append(r)
    return roles
