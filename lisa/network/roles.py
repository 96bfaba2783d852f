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
"""

from __future__ import annotations

import numpy as np

from lisa.config import AnalysisConfig


def _quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q)) if values.size else 0.0


def assign_roles(
    in_degree: np.ndarray,
    contacts: np.ndarray,
    betweenness: np.ndarray,
    cut_off: np.ndarray,
    reach2: np.ndarray,
    config: AnalysisConfig,
) -> list[list[str]]:
    active = contacts > 0
    hub_cut = max(_quantile(in_degree[active], config.hub_quantile), config.hub_min_in_degree)
    hub = active & (in_degree >= hub_cut)
    btw_cut = _quantile(betweenness[active], config.gatekeeper_quantile)
    gate = active & (
        ((betweenness >= btw_cut) & (betweenness > 0)) | (cut_off >= config.gatekeeper_min_cut)
    )
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
