"""The network engine's results as typed models (the numeric part of the analysis JSON).

Every block of the analysis JSON (``docs/schema.md``, generated from these
classes) is a pydantic model here: one home for its shape, its field
meanings and its JSON Schema. The engine (:mod:`lisa.network.engine`) builds
them; the findings, the report, the exports and the command line read them by
attribute. People are keyed by their roster ``id`` (or by pseudonym in a
pseudonymised result, :meth:`NetworkAnalysis.pseudonymised`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from lisa.vocabulary import IntermediaryReason, LinkVerdict, ResponseLevel, Role

T = TypeVar("T")


class ResultModel(BaseModel):
    """Base of every result block: strict about unknown fields, so a reload is exact."""

    model_config = ConfigDict(extra="forbid", frozen=False)


# -- one person ---------------------------------------------------------------


class Brokerage(TypedDict):
    """Gould–Fernandez brokerage counts of one person for one grouping (open two-paths).

    A typed dict rather than a model: there are three per person per network,
    and a plain dict takes a third of a model's memory at 20,000 people.
    """

    coordinator: Annotated[int, Field(description="a, v, c all in the broker's group")]
    itinerant: Annotated[int, Field(description="a and c in one group, the broker in another")]
    representative: Annotated[
        int, Field(description="a and the broker in one group, c in another")
    ]
    gatekeeper: Annotated[int, Field(description="the broker and c in one group, a in another")]
    liaison: Annotated[int, Field(description="a, the broker and c in three different groups")]


class PersonMetrics(ResultModel):
    """One person's position in one network."""

    in_degree: int = Field(description="Nominations received.")
    out_degree: int = Field(description="Nominations made.")
    betweenness: float = Field(
        description="Share of shortest paths through the person, networkx-normalised "
        "(directed: 1/((n-1)(n-2)))."
    )
    closeness: float = Field(
        description="networkx closeness_centrality (incoming distance, Wasserman–Faust "
        "scaled); 0 for a person nobody can reach."
    )
    coreness: int = Field(description="k-core number of the undirected version.")
    core: bool = Field(description="In the fitted core (Borgatti–Everett).")
    reach2: float = Field(description="Share of the others within two steps, direction ignored.")
    articulation: bool = Field(description="An articulation point of the undirected version.")
    cut_off: int = Field(description="People separated from the largest part if removed.")
    brokerage: dict[str, Brokerage] = Field(description="Gould–Fernandez counts per grouping.")
    diversity: dict[str, float | None] = Field(
        description="IQV of the contacts' groups (sector, layer); null without contacts."
    )
    roles: list[Role] = Field(description="The roles the person holds in this network.")


class CombinedPersonMetrics(PersonMetrics):
    """A person in the combined network, with the number of relation cores they are in."""

    core_networks: int = Field(description="In how many of the relations' cores the person is.")


# -- one network --------------------------------------------------------------


class NetworkStats(ResultModel):
    """The shape of one network."""

    people: int
    arcs: int
    density: float = Field(description="arcs / (n (n - 1))")
    reciprocity: float = Field(description="Share of arcs returned.")
    mean_out_degree: float = Field(description="arcs / n")
    ties_per_respondent: float = Field(description="Arcs sent by respondents / respondents.")
    components: int = Field(description="Weakly connected components.")
    largest_component_share: float
    isolates: list[str] = Field(description="People with no tie in this network.")
    core_size: int
    core_fit: float | None = Field(description="Borgatti–Everett correlation of the chosen core.")
    ei_index: dict[str, float | None] = Field(description="E–I index per grouping.")
    mean_contact_diversity: dict[str, float | None] = Field(
        description="Mean IQV of contacts per grouping (sector, layer): connected difference."
    )
    exact: bool = Field(description="Betweenness and closeness computed exactly.")
    samples: int | None = Field(description="Sampled source people when not exact.")
    uncertain_gatekeepers: list[str] = Field(
        default_factory=list,
        description="Where betweenness is estimated: people the estimate puts among the "
        "gatekeepers but fewer than role_stability of the bootstrap replicates confirm. They "
        "do not hold the role in 'roles' and are never named as gatekeepers.",
    )


class Network(ResultModel):
    """One relation's network: its shape and every person's position."""

    label: str
    directed: bool
    network: NetworkStats
    people: dict[str, PersonMetrics]


class CombinedNetwork(Network):
    """All relations together (the union of their arcs)."""

    people: dict[str, CombinedPersonMetrics]  # type: ignore[assignment]


# -- across networks ------------------------------------------------------------


class GroupRepresentation(ResultModel):
    """A group's share of the core places against its share of the people."""

    people: int
    core_places: int = Field(description="Sum over relations of the group's members in the core.")
    share_of_people: float
    share_of_core: float
    representation: float = Field(
        description="share_of_core / share_of_people: 1 as expected, 0 absent from every core."
    )


class CoreOverlap(ResultModel):
    """How much the cores of two relations overlap."""

    a: str = Field(description="A relation.")
    b: str = Field(description="Another relation.")
    jaccard: float = Field(description="People in both cores / people in either.")


class CoreConsistency(ResultModel):
    """Whether the same people form the core of every network."""

    cores: dict[str, list[str]] = Field(description="Each relation's core.")
    stable_core: list[str] = Field(description="People in the core of enough relations.")
    stable_core_min_networks: int = Field(
        description="Cores a person must be in to count as stable."
    )
    stable_core_by: dict[str, dict[str, int]] = Field(
        description="The stable core's members per group, for each grouping (largest first)."
    )
    overlap: list[CoreOverlap] = Field(description="Every pair of relations, in study order.")
    mean_overlap: float
    by_group: dict[str, dict[str, GroupRepresentation]] = Field(
        description="Representation in the cores per grouping and group."
    )

    def overlap_of(self, a: str, b: str) -> float | None:
        """The Jaccard overlap of two relations' cores (1 for a relation with itself)."""
        if a == b:
            return 1.0 if a in self.cores else None
        for o in self.overlap:
            if {o.a, o.b} == {a, b}:
                return o.jaccard
        return None


class Mixing(ResultModel):
    """Tie counts and densities between the groups of one grouping (combined network)."""

    groups: list[str]
    people: dict[str, int]
    ties: dict[str, dict[str, int]] = Field(description="Arcs from each group to each group.")
    density: dict[str, dict[str, float]] = Field(description="Arcs over possible arcs.")
    overall_density: float
    ei_index: float | None


class LayerLink(ResultModel):
    """The links within a layer (horizontal) or between adjacent layers (vertical)."""

    kind: Literal["horizontal", "vertical"]
    a: str = Field(description="A layer.")
    b: str = Field(description="The same layer (horizontal) or the next one down (vertical).")
    density: float = Field(description="Vertical links pool both directions.")
    ratio: float | None = Field(description="density / the combined network's density.")
    judged: bool = Field(
        description="Both layers hold at least min_group_size people, so the verdict counts."
    )
    verdict: LinkVerdict = Field(
        description="thin: below thin_links_ratio × overall; dense: at or above overall."
    )


class LayerMixing(Mixing):
    """Mixing between the four layers, with the horizontal and vertical links judged."""

    thin_links_ratio: float = Field(description="The setting the verdicts used.")
    links: list[LayerLink] = Field(description="Horizontal links first, then vertical, in order.")

    def link(self, a: str, b: str | None = None) -> LayerLink | None:
        """The horizontal link of layer ``a``, or the vertical link between ``a`` and ``b``."""
        b = a if b is None else b
        return next((x for x in self.links if {x.a, x.b} == {a, b}), None)

    def thin(self, kind: Literal["horizontal", "vertical"]) -> list[LayerLink]:
        """The judged links of one kind whose verdict is thin."""
        return [x for x in self.links if x.kind == kind and x.judged and x.verdict == "thin"]


# -- resilience and response ------------------------------------------------------


class ResilienceBaseline(ResultModel):
    """The others' reach before anyone leaves."""

    reach2: float = Field(description="Mean two-step reach of everyone (or of the sample).")
    largest_component_share: float
    sampled_people: int | None = Field(
        description="How many people reach was measured on (places above 500 people)."
    )


DepartureKind = Literal["stable-core", "top-hubs", "group"]


class BetweenReach(ResultModel):
    """Two-step reach *between* groups of one grouping, before and after a departure."""

    before: float = Field(
        description="The stayers' mean share of the people in other groups within two steps, "
        "in the whole network."
    )
    after: float = Field(description="The same once the group has left (stayers only).")
    loss: float = Field(description="1 - after / before (0 when before is 0).")
    random_loss: float | None = Field(
        description="Mean loss when as many random others leave (null without enough others)."
    )


class BrokerageShare(ResultModel):
    """The leavers' share of between-group Gould–Fernandez brokerage in one grouping."""

    total: int = Field(
        description="Between-group open two-paths of everyone: representative + gatekeeper + "
        "liaison counts."
    )
    held: int = Field(description="The same counts summed over the people who leave.")
    share: float = Field(description="held / total (0 without any between-group brokerage).")
    share_of_people: float = Field(description="The leavers' share of the people, for scale.")


class Departure(ResultModel):
    """What the others lose when a group of people leaves the combined network."""

    kind: DepartureKind
    grouping: str | None = Field(description="For kind 'group': the grouping (e.g. sector).")
    group: str | None = Field(description="For kind 'group': the group that leaves.")
    removed: list[str]
    reach2_before: float = Field(description="The stayers' mean two-step reach before.")
    reach2_after: float
    reach_loss: float = Field(description="1 - after / before.")
    largest_component_share_after: float = Field(
        description="The largest connected part of those who stay, as a share of all the "
        "place's people (those who left included in the denominator)."
    )
    random_reach_loss: float | None = Field(
        description="Mean loss when as many random others leave (null without enough others)."
    )
    between_reach: dict[str, BetweenReach] = Field(
        default_factory=dict,
        description="Stable-core scenario only: reach between groups per grouping (sector, "
        "layer) before and after.",
    )
    brokerage: dict[str, BrokerageShare] = Field(
        default_factory=dict,
        description="Stable-core scenario only: the leavers' share of between-group brokerage "
        "per grouping (sector, layer).",
    )


class Resilience(ResultModel):
    """What happens to the others' reach if a group leaves (docs/method.md)."""

    baseline: ResilienceBaseline
    scenarios: list[Departure]

    def scenario(self, kind: DepartureKind, group: str | None = None) -> Departure | None:
        return next(
            (s for s in self.scenarios if s.kind == kind and (group is None or s.group == group)),
            None,
        )


class ResponseGroup(ResultModel):
    """Response in one layer or sector."""

    people: int
    respondents: int
    rate: float
    thin: bool = Field(description="Too few answered to judge the group.")


class Response(ResultModel):
    """Who answered, and how far that lets the results be read."""

    known: bool = Field(description="Whether the data said who answered.")
    people: int
    respondents: int
    rate: float
    level: ResponseLevel = Field(
        description="individuals (>= response_name_individuals), patterns (>= "
        "response_broad_patterns), unreliable (below)."
    )
    imputation: Literal["none", "reciprocity"]
    imputed_arcs: int
    by_layer: dict[str, ResponseGroup]
    by_sector: dict[str, ResponseGroup]
    non_respondents: list[str] = Field(
        description="Everyone not recorded as answering (those not recorded at all included)."
    )
    not_recorded: int = Field(
        description="People whose response was left blank: counted as not answered."
    )

    @property
    def names_individuals(self) -> bool:
        return self.level == "individuals"


class Computation(ResultModel):
    """How the numbers were computed."""

    exact: bool = Field(description="Every network's betweenness and closeness were exact.")
    samples: int | None = Field(
        description="Sampled source people of every network where not exact (decided once per "
        "place, on its combined network: config exact_limit and samples)."
    )
    seconds: float = Field(default=0.0, description="Wall time of the analysis.")


# -- intermediaries (lisa.network.intermediaries) ------------------------------------


class IntermediaryCuts(ResultModel):
    """The levels this place's intermediaries had to reach (null: not measured)."""

    sector_brokerage: int | None = Field(
        description="Between-sector brokerage a person needs: the intermediary_quantile of the "
        "people with a tie (and above zero)."
    )
    layer_brokerage: int | None = Field(description="The same between layers.")
    organisations_reached: int | None = Field(
        description="Other organisations a person must be tied to: the larger of "
        "intermediary_min_organisations and the intermediary_quantile of the place."
    )
    outside_contacts: int | None = Field(
        description="intermediary_min_outside, or null when the roster has no 'outside' column."
    )
    organisation_sector_brokerage: int | None = Field(
        description="Between-sector brokerage an organisation needs in the organisation network."
    )
    organisation_layer_brokerage: int | None = Field(
        description="Summed between-layer brokerage of its people an organisation needs."
    )


class IntermediaryPerson(ResultModel):
    """One person placed to act as an intermediary, with the numbers that place them."""

    reasons: list[IntermediaryReason] = Field(description="Which positions, in fixed order.")
    sector: str
    layer: str | None
    sector_brokerage: int = Field(
        description="Open two-paths between sectors (representative + gatekeeper + liaison)."
    )
    layer_brokerage: int = Field(description="The same between layers.")
    organisations_reached: int = Field(description="Other organisations among their contacts.")
    outside_contacts: int | None = Field(
        description="Contacts marked outside the place (null without the 'outside' column)."
    )
    outside: bool = Field(description="The person is marked outside the place themself.")
    why: str = Field(description="The positions and numbers in words (no names or ids).")


class IntermediaryOrganisation(ResultModel):
    """One organisation placed to act as an intermediary."""

    people: int
    sector: str = Field(description="Its people's most common sector.")
    reasons: list[IntermediaryReason]
    sector_brokerage: int = Field(
        description="Between-sector brokerage in the organisation network."
    )
    layer_brokerage: int = Field(description="Its people's summed between-layer brokerage.")
    sectors_reached: int = Field(description="Other sectors among the organisations it is tied to.")
    why: str


class Intermediaries(ResultModel):
    """Who is placed to act as an intermediary for spreading (docs/method.md, "Intermediaries")."""

    level: ResponseLevel = Field(description="The response level that decided what is named.")
    named: bool = Field(description="Whether individual people are named (level individuals).")
    measured: list[IntermediaryReason] = Field(
        description="The positions the data allow to measure (outside-the-place needs the "
        "roster's 'outside' column; a grouping must be among the analysis's groupings)."
    )
    cuts: IntermediaryCuts
    count: int = Field(description="People placed to act as intermediaries (named or not).")
    people: dict[str, IntermediaryPerson] = Field(
        description="The named ones, strongest first (empty unless 'named'; shuffled in a "
        "pseudonymised result)."
    )
    not_named: int = Field(description="Placed people not named because of the response level.")
    uncertain: int = Field(
        description="People who would qualify but are uncertain gatekeepers (sampled "
        "betweenness not confirmed by the bootstrap): never named, not in count."
    )
    by_reason: dict[str, int] = Field(description="Placed people per reason (broad pattern).")
    by_sector: dict[str, int] = Field(
        description="Placed people per sector (empty at level unreliable)."
    )
    by_layer: dict[str, int] = Field(
        description="Placed people per layer (empty at level unreliable)."
    )
    organisations: dict[str, IntermediaryOrganisation] = Field(
        description="Organisations placed to act as intermediaries, strongest first."
    )
    organisations_not_named: int = Field(
        description="Placed organisations of one person, not named below level individuals."
    )
    most_organisations_reached: int = Field(
        description="The most other organisations any one person is tied to."
    )

    @property
    def anyone(self) -> bool:
        """Whether any person or organisation holds the position."""
        return self.count > 0 or bool(self.organisations) or self.organisations_not_named > 0


# -- the whole numeric analysis ------------------------------------------------------


class NetworkAnalysis(ResultModel):
    """Every number the network engine computes for one study."""

    computation: Computation
    response: Response
    relations: dict[str, Network] = Field(description="One per relation, in study order.")
    combined: CombinedNetwork
    core_consistency: CoreConsistency
    layers: LayerMixing
    sectors: Mixing
    resilience: Resilience
    intermediaries: Intermediaries | None = Field(
        None,
        description="Who is placed to act as an intermediary for spreading (schema 2.2; null "
        "in a result of an earlier schema).",
    )

    def network(self, relation: str | None = None) -> Network:
        """One relation's network, or the combined one (``None``)."""
        if relation is None:
            return self.combined
        try:
            return self.relations[relation]
        except KeyError:
            from lisa.errors import UnknownRelation

            raise UnknownRelation(relation, list(self.relations)) from None

    def _with_people(self, rename: Callable[[str], str], order: Sequence[str]) -> dict[str, object]:
        """The blocks with every person id renamed and people listed in ``order``."""
        rank = {pid: k for k, pid in enumerate(order)}

        def people(ids: Sequence[str]) -> list[str]:
            return [rename(p) for p in sorted(ids, key=rank.__getitem__)]

        def keyed(block: Mapping[str, T]) -> dict[str, T]:
            return {rename(p): block[p] for p in sorted(block, key=rank.__getitem__)}

        def network(n: Network) -> Network:
            stats = n.network.model_copy(
                update={
                    "isolates": people(n.network.isolates),
                    "uncertain_gatekeepers": people(n.network.uncertain_gatekeepers),
                }
            )
            return n.model_copy(update={"network": stats, "people": keyed(n.people)})

        cc = self.core_consistency
        blocks: dict[str, object] = {}
        if self.intermediaries is not None:
            blocks["intermediaries"] = self.intermediaries.model_copy(
                update={"people": keyed(self.intermediaries.people)}
            )
        return {
            **blocks,
            "response": self.response.model_copy(
                update={"non_respondents": people(self.response.non_respondents)}
            ),
            "relations": {name: network(n) for name, n in self.relations.items()},
            "combined": network(self.combined),
            "core_consistency": cc.model_copy(
                update={
                    "cores": {r: people(ids) for r, ids in cc.cores.items()},
                    "stable_core": people(cc.stable_core),
                }
            ),
            "resilience": self.resilience.model_copy(
                update={
                    "scenarios": [
                        s.model_copy(update={"removed": people(s.removed)})
                        for s in self.resilience.scenarios
                    ]
                }
            ),
        }


def diversity_value(x: float) -> float | None:
    """A diversity (or any) number for the JSON: None where it is not defined."""
    return None if not np.isfinite(x) else float(x)
