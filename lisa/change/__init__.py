"""Change over time: comparing survey waves of one study.

:func:`compare_waves` returns a typed :class:`WaveComparison` (joiners and
leavers, tie changes with Jaccard, Hamming and QAP, people's roles and
metrics, findings, response and connected difference). The method is in
``docs/waves.md``.
"""

from __future__ import annotations

from lisa.change.compare import (
    FINDING_DIRECTION,
    WavesConfig,
    compare_waves,
    describe_trend,
    finding_status,
    pick_waves,
    presence,
)
from lisa.change.results import (
    ConnectedDifferenceChange,
    FindingChange,
    PersonChange,
    Qap,
    RoleChange,
    TieChange,
    Turnover,
    WaveComparison,
)
from lisa.change.ties import cell_keys, correlation, qap, tie_change

__all__ = [
    "FINDING_DIRECTION",
    "ConnectedDifferenceChange",
    "FindingChange",
    "PersonChange",
    "Qap",
    "RoleChange",
    "TieChange",
    "Turnover",
    "WaveComparison",
    "WavesConfig",
    "cell_keys",
    "compare_waves",
    "correlation",
    "describe_trend",
    "finding_status",
    "pick_waves",
    "presence",
    "qap",
    "tie_change",
]
