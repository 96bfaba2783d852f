"""Risks and recommendations: the rules of ``rules.yaml`` applied to one innovation.

Recommendations are chosen from the reports' three clusters (pressure and
authority; internal capacity; external networks of money, people and skills)
for the innovation's phase, its weak corner and link, its answers and - when a
network analysis exists for the place - the network findings. The findings
are a plain list of dicts (``{"code", "title", "groups", ...}`` as in the
analysis JSON) or of codes, so this works without the network engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lisa.assess.rules import Context, Finding, Rules, choose
from lisa.vocabulary import CLUSTERS


class Source(BaseModel):
    """Where a rule comes from: seed file id(s) and section, and the documents' titles."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: str
    documents: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def resolve_source(ref: str, rules: Rules) -> Source:
    docs = tuple(title for seed, title in rules.sources.items() if seed in ref)
    return Source(ref=ref, documents=docs)


class Risk(BaseModel):
    """A risk the reports name for a phase; ``showing`` when its signs are present."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    detail: str
    status: Literal["showing", "watch"]
    why: tuple[str, ...]
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Recommendation(BaseModel):
    """One recommendation from the reports' three clusters, with why it was chosen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    cluster: Literal["pressure", "capacity", "networks"]
    title: str
    action: str
    why: tuple[str, ...]
    source: Source
    cluster_title: str = Field(default="", description="The cluster in the reports' words.")

    @model_validator(mode="before")
    @classmethod
    def _title_of_cluster(cls, data: Any) -> Any:
        """The cluster's title comes from the vocabulary, never from the caller."""
        if isinstance(data, dict) and data.get("cluster") in CLUSTERS:
            data = {**data, "cluster_title": CLUSTERS[data["cluster"]]}
        return data

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def parse_findings(findings: Iterable[Any] | Mapping[str, Any] | None) -> list[Finding]:
    """Network findings from an analysis dict, a list of finding dicts, or codes."""
    if findings is None:
        return []
    if isinstance(findings, Mapping):
        findings = findings.get("findings", [])
    return [Finding.parse(f) for f in findings]


def risks_for(ctx: Context, rules: Rules) -> list[Risk]:
    """The risks the reports name for the context's phase, showing ones first."""
    out = []
    for rule, fired, reasons in choose(rules.risks, ctx):
        out.append(
            Risk(
                id=rule["id"],
                title=rule["title"],
                detail=rule.get("detail", ""),
                status="showing" if fired else "watch",
                why=tuple(reasons),
                source=resolve_source(rule["source"], rules),
            )
        )
    return sorted(out, key=lambda r: r.status != "showing")


def recommend(ctx: Context, rules: Rules) -> list[Recommendation]:
    """Recommendations whose conditions hold, most-supported first."""
    chosen = []
    order = list(CLUSTERS)
    for index, (rule, fired, reasons) in enumerate(choose(rules.recommendations, ctx)):
        if not fired:
            continue
        rec = Recommendation(
            id=rule["id"],
            cluster=rule["cluster"],
            title=rule["title"],
            action=rule.get("action", ""),
            why=tuple(dict.fromkeys(reasons)),
            source=resolve_source(rule["source"], rules),
        )
        chosen.append((-len(rec.why), order.index(rec.cluster), index, rec))
    return [rec for *_, rec in sorted(chosen, key=lambda t: t[:3])]


def for_network(
    findings: Iterable[Any] | Mapping[str, Any] | None, rules: Rules | None = None
) -> list[Recommendation]:
    """Recommendations a place's network findings call for, before any innovation is assessed.

    Every recommendation of ``rules.yaml`` with a ``{finding: CODE}`` condition
    whose finding is present, whatever the phase (the place has no single
    phase); ``why`` names the findings. Used by the locality report.
    """
    from lisa.assess.rules import leaf_conditions, load_rules

    rules = rules or load_rules()
    present = {f.code: f for f in parse_findings(findings)}
    out = []
    for rule in rules.recommendations:
        codes = [arg for key, arg in leaf_conditions(rule["when"]) if key == "finding"]
        hits = [present[c] for c in dict.fromkeys(codes) if c in present]
        if hits:
            out.append(
                Recommendation(
                    id=rule["id"],
                    cluster=rule["cluster"],
                    title=rule["title"],
                    action=rule.get("action", ""),
                    why=tuple(
                        f"network finding '{f.code}'" + (f": {f.title}" if f.title else "")
                        for f in hits
                    ),
                    source=resolve_source(rule["source"], rules),
                )
            )
    order = list(CLUSTERS)
    return sorted(out, key=lambda r: (-len(r.why), order.index(r.cluster)))
