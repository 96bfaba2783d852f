"""lisa's words: the layers, roles, lifecycle phases, triangle corners, factors.

Every name the method uses, and the plain-English wording that goes with it,
lives here once. The network engine, the findings, the assessment, the case
library, the command line and the report all read this module; none keeps a
copy. It imports nothing from lisa, so anything may import it.

The domain comes from the NESTA / Young Foundation study of local innovation
(see ``docs/method.md`` and ``docs/assessment.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# -- the local innovation system -------------------------------------------

#: The four layers of a local innovation system, from the whole area down to
#: individual residents.
LAYERS: tuple[str, ...] = ("systemic", "sectoral", "frontline", "public")
Layer = Literal["systemic", "sectoral", "frontline", "public"]

#: Pairs of layers that are next to each other: the vertical links the reports
#: care most about.
ADJACENT_LAYER_PAIRS: tuple[tuple[str, str], ...] = (
    ("systemic", "sectoral"),
    ("sectoral", "frontline"),
    ("frontline", "public"),
)

# -- what a network's nodes are ----------------------------------------------


@dataclass(frozen=True)
class Nouns:
    """What a network's nodes are called: people (the survey's own view) or, when a
    study is rolled up to its organisations, organisations."""

    one: str
    many: str

    def count(self, n: int) -> str:
        """``3`` → ``"3 people"``; ``1`` → ``"1 person"``."""
        return f"{n:,} {self.one if n == 1 else self.many}"


PEOPLE = Nouns("person", "people")
ORGANISATIONS = Nouns("organisation", "organisations")

# -- network roles ------------------------------------------------------------

Role = Literal["hub", "gatekeeper", "pulsetaker"]
#: The three roles of the Appendix C network experiment, in their usual order.
ROLES: tuple[Role, ...] = ("hub", "gatekeeper", "pulsetaker")

#: The per-person number that earns (and ranks people within) each role.
ROLE_METRIC: dict[Role, str] = {
    "hub": "in_degree",
    "gatekeeper": "betweenness",
    "pulsetaker": "reach2",
}

#: Heading for each role: its name and what it means.
ROLE_TITLE: dict[Role, str] = {
    "hub": "Hubs — many direct links; the people others go to",
    "gatekeeper": "Gatekeepers — on the critical paths into parts of the network",
    "pulsetaker": "Pulsetakers — few direct but many indirect links; they know what is going on",
}

#: What the role's number measures, in words.
ROLE_MEASURE: dict[Role, str] = {
    "hub": "Measure: nominations received (in-degree).",
    "gatekeeper": "Measure: betweenness (share of shortest paths through them).",
    "pulsetaker": "Measure: two-step reach (share of the others within two steps).",
}

#: A short column heading for the role's number.
ROLE_METRIC_LABEL: dict[Role, str] = {
    "hub": "named by",
    "gatekeeper": "betweenness",
    "pulsetaker": "2-step reach",
}

#: Items a survey may ask about each tie (further columns of ties.csv, read as
#: numbers): how often the two are in touch, how much the one trusts the other,
#: how valuable the contact is. See docs/method.md, "Tie quality".
TIE_ITEMS: tuple[str, ...] = ("frequency", "trust", "value")

# -- findings -----------------------------------------------------------------

Severity = Literal["high", "medium", "low", "info"]
#: Finding severities, most severe first.
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low", "info")
SEVERITY_ORDER: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}

#: How far a response rate lets the results be read.
ResponseLevel = Literal["individuals", "patterns", "unreliable"]
RESPONSE_LEVEL_TEXT: dict[str, str] = {
    "individuals": "high enough to name individual people.",
    "patterns": "broad patterns can be trusted, but individuals are not named.",
    "unreliable": "too low even for broad patterns: read everything with care.",
}
#: The same, as a short label (the dashboard's response by wave).
RESPONSE_LEVEL_LABEL: dict[str, str] = {
    "individuals": "individuals may be named",
    "patterns": "broad patterns only",
    "unreliable": "unreliable",
}

#: Why someone (or an organisation) is placed to act as an intermediary for spreading.
IntermediaryReason = Literal[
    "between-sectors", "between-layers", "across-organisations", "outside-the-place"
]
INTERMEDIARY_REASONS: tuple[IntermediaryReason, ...] = get_args(IntermediaryReason)
#: How each reason reads in the report and the command line.
INTERMEDIARY_REASON_TEXT: dict[str, str] = {
    "between-sectors": "brokers between sectors",
    "between-layers": "brokers between layers",
    "across-organisations": "tied across many organisations",
    "outside-the-place": "tied outside the place",
}

#: The verdict on a block of links between or within layers.
LinkVerdict = Literal["thin", "moderate", "dense"]

# -- the lifecycle ------------------------------------------------------------

#: The lifecycle phases, 0..4.
PHASE_NAMES: dict[int, str] = {
    0: "latent",
    1: "design and discovery",
    2: "mobilisation",
    3: "mainstreaming",
    4: "embedding",
}
PHASES: tuple[str, ...] = tuple(PHASE_NAMES.values())
#: The phase names as headings ("Design and discovery").
PHASE_TITLES: tuple[str, ...] = tuple(name.capitalize() for name in PHASES)

#: The Utterback–Abernathy stages an innovation (or a place) passes through.
STAGES: tuple[str, ...] = ("fluid", "transitional", "specific")
Stage = Literal["fluid", "transitional", "specific"]

#: What the history says an innovation is doing.
TrajectoryStatus = Literal["progressing", "stalled", "reversing", "sustained", "unknown"]
TRAJECTORIES: tuple[TrajectoryStatus, ...] = get_args(TrajectoryStatus)

# -- the strategic triangle ---------------------------------------------------

Corner = Literal["authority", "capacity", "value"]
CORNERS: tuple[Corner, ...] = ("authority", "capacity", "value")
#: The links of the triangle, each from one corner to the next.
Link = Literal["authority_capacity", "capacity_value", "value_authority"]
LINKS: tuple[Link, ...] = get_args(Link)


def link_ends(link: str) -> tuple[str, str]:
    """The two corners a triangle link joins: ``"capacity_value"`` → ``("capacity", "value")``."""
    a, _, b = link.partition("_")
    return a, b


def link_words(link: str) -> str:
    """A link as a reader sees it: ``"capacity_value"`` → ``"capacity→value"``."""
    a, b = link_ends(link)
    return f"{a}→{b}"


# -- the six factors ----------------------------------------------------------

Factor = Literal["underperformance", "pressures", "leadership", "culture", "networks", "resources"]
FACTORS: tuple[Factor, ...] = get_args(Factor)
#: Each factor in the reports' own words.
FACTOR_TITLES: dict[str, str] = {
    "underperformance": "recognition of underperformance",
    "pressures": "pressures from stakeholders",
    "leadership": "strong leadership",
    "culture": "responsive organisational culture",
    "networks": "formal and informal networks",
    "resources": "resources",
}
#: What each factor is for an innovation ("both": driver and enabler; "unknown":
#: the evidence does not say).
FactorRole = Literal["driver", "enabler", "both", "absent", "blocking", "unknown"]
FACTOR_ROLES: tuple[FactorRole, ...] = get_args(FactorRole)
#: The roles in which a factor plays a part.
FACTOR_PLAYS_PART: tuple[FactorRole, ...] = ("driver", "enabler", "both")

# -- the reports' recommendations ---------------------------------------------

#: The reports' three clusters of recommendations, and their headings.
Cluster = Literal["pressure", "capacity", "networks"]
CLUSTERS: dict[Cluster, str] = {
    "pressure": "Pressure for change and authority to act",
    "capacity": "Internal capacity",
    "networks": "External networks of money, people and skills",
}

# -- spreading an innovation (seed 004; seed 003, the missing middle) --------------

#: The four conditions for scaling an innovation up (seed 004).
ScaleCondition = Literal["pull", "push", "form", "learning"]
SCALE_CONDITIONS: tuple[ScaleCondition, ...] = get_args(ScaleCondition)
#: Each condition in a few words.
SCALE_CONDITION_TITLES: dict[str, str] = {
    "pull": "demand from real need (pull)",
    "push": "a workable, communicable idea (push)",
    "form": "an organisational form connecting the two",
    "learning": "the ability to keep learning and adapting",
}
#: How strong a condition is, from its items and the settings weak and strong.
ReadinessLevel = Literal["strong", "fair", "weak", "not assessed"]
#: The routes an innovation can take to spread (seed 004).
SpreadRoute = Literal["diffusion", "parent", "takeover", "growth"]
SPREAD_ROUTES: tuple[SpreadRoute, ...] = get_args(SpreadRoute)
#: Each route in a few words.
SPREAD_ROUTE_TITLES: dict[str, str] = {
    "diffusion": "uncontrolled diffusion (media, word of mouth, existing networks)",
    "parent": "direct diffusion by a parent organisation (networks, federations, licensing, franchising)",
    "takeover": "takeover by an existing organisation",
    "growth": "the owning organisation grows",
}
#: How well a route fits an innovation.
RouteFit = Literal["fits", "possible", "does not fit", "unknown"]
ROUTE_FITS: tuple[RouteFit, ...] = get_args(RouteFit)

# -- the value ledger ------------------------------------------------------------

#: How well an outcome's quantity is evidenced, strongest first (``none``: an
#: assumption nobody has checked yet).
EvidenceStrength = Literal["strong", "moderate", "weak", "none"]
EVIDENCE_STRENGTHS: tuple[EvidenceStrength, ...] = get_args(EvidenceStrength)
#: What each strength means, for the ledger's template and the docs.
EVIDENCE_TEXT: dict[str, str] = {
    "strong": "measured for this innovation against a comparison (a control group or a baseline)",
    "moderate": "measured for this innovation (monitoring data, a survey of the people served)",
    "weak": "estimated from other places or studies, or from the staff's own view",
    "none": "an assumption with no evidence yet",
}
