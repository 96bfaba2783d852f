"""One call from a study to everything lisa knows about its network.

:func:`analyse` runs the network engine (:mod:`lisa.network`) and the finding
rules (:mod:`lisa.findings`) and returns an :class:`AnalysisResult`, whose
:meth:`~AnalysisResult.to_dict` is the versioned JSON of ``docs/schema.md``.
The CLI and, later, the web app and the report call this and nothing lower.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lisa.config import AnalysisConfig
from lisa.errors import ConfigError
from lisa.files import atomic_write_text
from lisa.findings import Finding, evaluate
from lisa.study import Study
from lisa.vocabulary import ROLE_METRIC

#: Version of the analysis JSON (semantic versioning, see docs/schema.md).
SCHEMA_VERSION = "1.0"


Progress = Callable[[str, int, int], None]


@dataclass
class KeyPerson:
    """A person who holds a role, with the number that earned it."""

    id: str
    name: str
    organisation: str
    sector: str
    layer: str | None
    value: float


@dataclass
class AnalysisResult:
    """The analysis of one study: network numbers, findings and the settings used."""

    study: Study
    config: AnalysisConfig
    network: dict[str, Any]
    findings: list[Finding]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        from lisa import __version__

        computation = dict(self.network.get("computation", {}))
        computation["seconds"] = round(self.seconds, 3)
        return {
            "schema_version": SCHEMA_VERSION,
            "lisa_version": __version__,
            "study": {
                "name": self.study.name,
                "people": self.study.n_people,
                "relations": self.study.relation_names,
                "ties": len(self.study.ties),
                "waves": list(self.study.waves),
                "wave": self.config.wave or (self.study.waves[-1] if self.study.waves else None),
                "source": self.study.source,
            },
            "config": self.config.model_dump(mode="json"),
            **{k: v for k, v in self.network.items() if k != "computation"},
            "computation": computation,
            "findings": [f.to_dict() for f in self.findings],
        }

    def write_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON (UTF-8, indented); returns the path."""
        return atomic_write_text(path, json.dumps(self.to_dict(), indent=1, ensure_ascii=False))

    def finding_codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def finding(self, code: str) -> Finding | None:
        return next((f for f in self.findings if f.code == code), None)

    @property
    def names_individuals(self) -> bool:
        """Whether response is high enough to name individual people."""
        return self.network.get("response", {}).get("level", "individuals") == "individuals"

    def key_people(
        self, role: str, *, relation: str | None = None, limit: int = 5
    ) -> list[KeyPerson]:
        """The people holding ``role``, strongest first (combined network by default)."""
        if role not in ROLE_METRIC:
            raise ConfigError(f"unknown role '{role}'; roles are: {', '.join(ROLE_METRIC)}")
        block = (
            self.network["combined"] if relation is None else self.network["relations"][relation]
        )
        metric = ROLE_METRIC[role]
        holders = [
            (pid, float(p.get(metric) or 0.0))
            for pid, p in block["people"].items()
            if role in p.get("roles", [])
        ]
        holders.sort(key=lambda t: (-t[1], t[0]))
        out = []
        for pid, value in holders[:limit]:
            i = self.study.index_of(pid)
            out.append(
                KeyPerson(
                    pid,
                    self.study.names[i],
                    self.study.organisations[i],
                    self.study.sectors[i],
                    self.study.layers[i],
                    value,
                )
            )
        return out

    def role_counts(self, relation: str | None = None) -> dict[str, int]:
        block = (
            self.network["combined"] if relation is None else self.network["relations"][relation]
        )
        counts: dict[str, int] = dict.fromkeys(ROLE_METRIC, 0)
        for p in block["people"].values():
            for r in p.get("roles", []):
                counts[r] = counts.get(r, 0) + 1
        return counts


def analyse(
    study: Study,
    config: AnalysisConfig | None = None,
    *,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Analyse a study's networks and derive the findings.

    Parameters
    ----------
    study
        A validated study (from :func:`lisa.io.load_study`, :func:`lisa.generate`
        or :func:`lisa.io.study_from_records`).
    config
        Role rules, thresholds, wave and non-response handling; defaults if None.
    progress
        Optional callback ``progress(task, done, total)`` for long analyses.

    Returns
    -------
    AnalysisResult
        ``.to_dict()`` is the JSON of ``docs/schema.md``.
    """
    from lisa.network import analyse_network

    config = config or AnalysisConfig()
    started = time.perf_counter()
    selected = study.for_wave(config.wave)
    network = analyse_network(selected, config, progress=progress).to_dict()
    findings = evaluate(network, selected, config)
    return AnalysisResult(selected, config, network, findings, time.perf_counter() - started)
