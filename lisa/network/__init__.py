"""The network diagnosis engine.

:func:`analyse_network` computes, for every relation and for all relations
combined, each person's position (degree, betweenness, closeness, coreness,
two-step reach, articulation, Gould–Fernandez brokerage, contact diversity)
and role (hub, gatekeeper, pulsetaker), each network's shape (density,
reciprocity, components, core–periphery fit, E–I index), the consistency of
the cores across networks, layer and sector mixing, resilience scenarios and
the response picture. Its :meth:`NetworkAnalysis.to_dict` is the numeric
part of the analysis JSON (``docs/schema.md``); findings are added by
:mod:`lisa.findings`. The method and its literature are in ``docs/method.md``.

Sub-modules, one responsibility each: :mod:`.graph` (the graph objects),
:mod:`.centrality`, :mod:`.brokerage`, :mod:`.cores`, :mod:`.mixing`,
:mod:`.resilience`, :mod:`.response`, :mod:`.roles`, :mod:`.intermediaries`
(who is placed to spread an innovation: ``NetworkAnalysis.intermediaries``).
"""

from lisa.network.engine import NetworkAnalysis, analyse_network

__all__ = ["NetworkAnalysis", "analyse_network"]
