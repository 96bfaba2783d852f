"""Risks and recommendations: the rules of ``rules.yaml`` applied to one innovation.

Recommendations are chosen from the reports' three clusters (pressure and
authority; internal capacity; external networks of money, people and skills)
for the innovation's phase, its weak corner and link, its answers and - when a
network analysis exists for the place - the network findings: objects with
``code``, ``title``, ``groups`` and ``severity`` (:class:`lisa.findings.Finding`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from lisa.assess.rules import Context, Rules, choose, leaf_conditions
from lisa.sources import documents_of
from lisa.vocabulary import CLUSTERS, Cluster

if TYPE_CHECKING:
    from lisa.assess.instrument import Instrument
    from lisa.findings import Finding


class Source(BaseModel):
    """Where a rule comes from: seed file id(s) and section, and the documents' titles."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: str = Field(description="Seed file(s) and section, e.g. '002 §5.3'.")
    documents: tuple[str, ...] = Field((), description="The documents named, as citations: title (publisher, year).")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def resolve_source(ref: str) -> Source:
    """A rule's source: its reference and the documents it names (from :mod:`lisa.sources`)."""
    return Source(ref=ref, documents=tuple(d.citation() for d in documents_of(ref)))


class Risk(BaseModel):
    """A risk the reports name for a phase; ``showing`` when its signs are present."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="The risk's id in rules.yaml.")
    title: str = Field(description="The risk in a few words.")
    detail: str = Field(description="What it means.")
    status: Literal["showing", "watch"] = Field(
        description="'showing' when its signs are present, else 'watch'."
    )
    why: tuple[str, ...] = Field(description="The conditions that hold, in words.")
    source: Source = Field(description="Where in the reports it comes from.")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Recommendation(BaseModel):
    """One recommendation from the reports' three clusters, with why it was chosen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="The recommendation's id in rules.yaml.")
    cluster: Cluster = Field(description="pressure, capacity or networks.")
    title: str = Field(description="The recommendation in a few words.")
    action: str = Field(description="What to do.")
    why: tuple[str, ...] = Field(description="The conditions that hold, in words.")
    source: Source = Field(description="Where in the reports it comes from.")

    cluster_title: str = Field(
        default_factory=lambda data: CLUSTERS[data["cluster"]],
        description="The cluster in the reports' words (follows from the cluster).",
    )

    @model_validator(mode="after")
    def _title_of_cluster(self) -> Recommendation:
        if self.cluster_title != CLUSTERS[self.cluster]:
            raise PydanticCustomError("invalid", f"cluster_title '{self.cluster_title}' is not that of '{self.cluster}'")
        return self

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


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
                source=resolve_source(rule["source"]),
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
            source=resolve_source(rule["source"]),
        )
        chosen.append((-len(rec.why), order.index(rec.cluster), index, rec))
    return [rec for *_, rec in sorted(chosen, key=lambda t: t[:3])]


def for_network(
    findings: Sequence[Finding] | None, instrument: Instrument | None = None
) -> list[Recommendation]:
    """Recommendations a place's network findings call for, before any innovation is assessed.

    Every recommendation of the rules with a ``{finding: CODE}`` condition
    whose finding is present, whatever the phase (the place has no single
    phase); ``why`` names the findings. Used by the locality report.

    Parameters
    ----------
    findings
        The network findings (:class:`lisa.findings.Finding`, or any objects
        with ``code`` and ``title``).
    instrument
        Whose rules to use; ``None``: the shipped instrument.

    Returns
    -------
    list of Recommendation
        Most findings first, then by cluster.

    Examples
    --------
    >>> from lisa.findings import Finding, Headline
    >>> low = Finding(code="low-response", severity="high", title="Few answered", detail="",
    ...               headline=Headline(value=0.4, text="40%"))
    >>> [r.id for r in for_network([low])]
    ['confirm-with-more-responses']
    """
    from lisa.assess.instrument import Instrument

    rules = (instrument or Instrument.load()).rules
    present = {f.code: f for f in findings or ()}
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
                    source=resolve_source(rule["source"]),
                )
            )
    order = list(CLUSTERS)
    return sorted(out, key=lambda r: (-len(r.why), order.index(r.cluster)))
