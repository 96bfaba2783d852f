"""The typed result of comparing two survey waves (:func:`lisa.change.compare_waves`).

One home for the shape and the field meanings of ``lisa waves --json``. People
are keyed by their roster ``id``, which is stable across waves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import Field

from lisa.findings import Headline
from lisa.network.results import ResultModel
from lisa.vocabulary import Role, Severity

FindingStatus = Literal["appeared", "resolved", "worse", "better", "unchanged"]
Trend = Literal["grew", "fell", "no clear change", "not measurable"]


class Turnover(ResultModel):
    """Who was on the roster of each wave: stable ids, joiners and leavers."""

    before: int = Field(description="People in the earlier wave.")
    after: int = Field(description="People in the later wave.")
    stayers: int = Field(description="People in both waves (the tie changes count only these).")
    joiners: list[str] = Field(description="In the later wave only.")
    leavers: list[str] = Field(description="In the earlier wave only.")
    presence: Literal["roster column", "ties"] = Field(
        description="How presence was read: the roster's 'waves' column, or having a tie "
        "in the wave."
    )


class Qap(ResultModel):
    """QAP correlation of the two waves' tie matrices among the stayers."""

    correlation: float | None = Field(
        description="Pearson correlation of the 0/1 cells (off-diagonal; one cell per pair "
        "for a mutual relation); null when a wave has no ties or every tie."
    )
    p_value: float | None = Field(
        description="(1 + permutations with correlation >= observed) / (1 + permutations): "
        "one-sided, the waves more alike than chance."
    )
    permutations: int
    null_mean: float | None = Field(description="Mean correlation over the permutations.")
    null_sd: float | None = Field(description="Its standard deviation.")


class TieChange(ResultModel):
    """How one network's ties changed among the people present in both waves."""

    label: str
    directed: bool
    pairs: int = Field(description="Pairs compared: m(m-1) directed, m(m-1)/2 mutual.")
    kept: int = Field(description="Tie in both waves (1 → 1).")
    gained: int = Field(description="New in the later wave (0 → 1).")
    lost: int = Field(description="Gone in the later wave (1 → 0).")
    never: int = Field(description="In neither (0 → 0).")
    jaccard: float | None = Field(description="kept / (kept + gained + lost).")
    hamming: int = Field(description="gained + lost: cells that differ.")
    more_lost_than_kept: bool
    low_jaccard: bool = Field(description="Jaccard below the jaccard_min setting.")
    qap: Qap


class PersonChange(ResultModel):
    """One stayer's position in the combined network, before and after."""

    in_degree: tuple[int, int]
    out_degree: tuple[int, int]
    betweenness: tuple[float, float]
    reach2: tuple[float, float]
    sector_diversity: tuple[float | None, float | None]
    roles_before: list[Role]
    roles_after: list[Role]
    roles_gained: list[Role]
    roles_lost: list[Role]


class RoleChange(ResultModel):
    """How many people held a role in the combined network, and who moved."""

    before: int
    after: int
    gained: list[str] = Field(description="Stayers who took the role on.")
    lost: list[str] = Field(description="Stayers who no longer hold it.")


class FindingChange(ResultModel):
    """One finding across the two waves."""

    code: str
    status: FindingStatus = Field(
        description="appeared / resolved; otherwise worse or better by severity, then by the "
        "headline value in the finding's direction (see docs/waves.md)."
    )
    severity_before: Severity | None
    severity_after: Severity | None
    headline_before: Headline | None
    headline_after: Headline | None
    title: str = Field(description="The later wave's title (the earlier one's if resolved).")


class ResponseChange(ResultModel):
    """The response rate of each wave's roster."""

    known: bool
    rate_before: float
    rate_after: float
    respondents_before: int
    respondents_after: int


class Interval(ResultModel):
    """A difference with its bootstrap interval."""

    estimate: float | None
    low: float | None
    high: float | None


class ConnectedDifferenceChange(ResultModel):
    """Did connected difference (mean sector diversity of contacts, IQV) grow?"""

    before: float | None
    after: float | None
    difference: Interval = Field(
        description="after - before over everyone with contacts in each wave; interval from "
        "resampling each wave's people with replacement."
    )
    stayers_difference: Interval = Field(
        description="Mean of the stayers' own changes; interval from resampling stayers."
    )
    stayers_measured: int = Field(description="Stayers with contacts in both waves.")
    confidence: float
    resamples: int
    trend: Trend = Field(description="grew / fell when the interval of 'difference' excludes 0.")


class WaveComparison(ResultModel):
    """Everything that changed between two waves of a study."""

    study: str
    waves: list[str] = Field(description="The study's waves, in time order.")
    before: str = Field(description="The earlier wave compared.")
    after: str = Field(description="The later wave compared.")
    turnover: Turnover
    relations: dict[str, TieChange] = Field(description="One per relation, in study order.")
    combined: TieChange
    warnings: list[str] = Field(description="Plain-English cautions, e.g. more ties lost than kept.")
    people: dict[str, PersonChange] = Field(description="Stayers, in roster order.")
    roles: dict[str, RoleChange]
    findings: list[FindingChange] = Field(description="Every finding in either wave.")
    response: ResponseChange
    connected_difference: ConnectedDifferenceChange
    settings: dict[str, float | int] = Field(description="The comparison settings used.")

    def finding(self, code: str) -> FindingChange | None:
        return next((f for f in self.findings if f.code == code), None)

    def changed_findings(self) -> list[FindingChange]:
        """The findings whose status is not 'unchanged'."""
        return [f for f in self.findings if f.status != "unchanged"]

    def pseudonymised(self, rename: Callable[[str], str], order: Sequence[str]) -> WaveComparison:
        """A copy keyed by pseudonyms, people listed in ``order`` (see :class:`lisa.Pseudonymiser`)."""
        rank = {pid: k for k, pid in enumerate(order)}

        def people(ids: Sequence[str]) -> list[str]:
            return [rename(p) for p in sorted(ids, key=rank.__getitem__)]

        turnover = self.turnover.model_copy(
            update={"joiners": people(self.turnover.joiners), "leavers": people(self.turnover.leavers)}
        )
        roles = {
            r: v.model_copy(update={"gained": people(v.gained), "lost": people(v.lost)})
            for r, v in self.roles.items()
        }
        keyed = {rename(p): self.people[p] for p in sorted(self.people, key=rank.__getitem__)}
        return self.model_copy(update={"turnover": turnover, "roles": roles, "people": keyed})
