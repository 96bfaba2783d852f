"""What the reports recommend for each network finding.

One table, keyed by the finding's stable code (``docs/findings.md``): the
recommendation, the cluster of the main report's recommendations it belongs
to, and the section it comes from. When an innovation assessment supplies its
own recommendations (``lisa assess``), the report shows those first; these
cover the network side. The wording is ours; the sources are the NESTA /
Young Foundation main report (section 6.1, "Recommended directions of
travel", and Appendix C, the network experiment).
"""

from __future__ import annotations

from dataclasses import dataclass

CLUSTERS = {
    1: "Pressure for change and authority to act",
    2: "Internal capacity",
    3: "External networks of money, people and skills",
}

MAIN = "NESTA / Young Foundation, main report"


@dataclass(frozen=True)
class Recommendation:
    code: str  # the finding it answers
    title: str
    action: str
    cluster: int
    source: str

    @property
    def cluster_name(self) -> str:
        return CLUSTERS[self.cluster]


RECOMMENDATIONS: tuple[Recommendation, ...] = (
    Recommendation(
        "excluded-group",
        "Bring the excluded groups into the innovation networks",
        "Mobilise the public and the voluntary sector as participants, not bystanders: "
        "small, easily obtained grants for frontline and user groups, and a route for "
        "their ideas to reach people with authority to act.",
        3,
        f"{MAIN}, §6.1 'Mobilising the public' and 'New kinds of funding'; Appendix C",
    ),
    Recommendation(
        "exclusive-core",
        "Open the core group to other sources of ideas",
        "Use intermediaries and brokers who spot, assess and adapt ideas from other "
        "sectors and places, and collaboratives across places, so the consistent core "
        "does not become a closed clique.",
        3,
        f"{MAIN}, §6.1 'Supporting intermediaries'; Appendix C",
    ),
    Recommendation(
        "core-departure-risk",
        "Plan for the core group moving on",
        "Spread the core's roles: succession plans, communities of practice and a senior "
        "person who cultivates innovation, so ties do not depend on a few post-holders.",
        2,
        f"{MAIN}, §6.1 'Second, internal capacities'; Appendix C (sustainability)",
    ),
    Recommendation(
        "low-connected-difference",
        "Connect the differences that already exist",
        "Create deliberate cross-sector meeting points — joint projects, communities of "
        "practice, parallel trials with shared learning — so diverse people are tied "
        "to each other, not only present.",
        3,
        f"{MAIN}, §6.1 'Supporting intermediaries' and 'New kinds of funding'; Appendix C",
    ),
    Recommendation(
        "thin-horizontal-links",
        "Help peers in the same layer learn from each other",
        "Practitioner networks and communities of practice within the thin layers "
        "(the fragmented grassroots seen in Pittsburgh).",
        2,
        f"{MAIN}, §6.1 (communities of practice, practitioner networks)",
    ),
    Recommendation(
        "thin-vertical-links",
        "Build links between the layers",
        "Give frontline staff and the public a channel to those with authority to act, "
        "and commission for innovation so local ideas can show their worth (the weak "
        "links between layers seen in Gouda).",
        1,
        f"{MAIN}, §6.1 'Mobilising the public' and 'Training good commissioners'",
    ),
    Recommendation(
        "isolated-people",
        "Reach the people nobody named",
        "Check whether they are new, part-time or outside the survey's scope; invite "
        "them into the networks that matter to their work.",
        2,
        f"{MAIN}, Appendix C (network survey method)",
    ),
    Recommendation(
        "low-response",
        "Raise response before acting on individuals",
        "Follow up the thin groups and consider reciprocity imputation; until then, "
        "act on broad patterns only.",
        2,
        "Network survey practice (see docs/method.md)",
    ),
    Recommendation(
        "high-networking",
        "Keep and use the high level of networking",
        "A strength: use these networks to spread promising ideas and to bring in "
        "pressure and feedback from outside the core.",
        1,
        f"{MAIN}, Appendix C ('a high level of networking around innovation')",
    ),
)

BY_CODE: dict[str, Recommendation] = {r.code: r for r in RECOMMENDATIONS}


def for_findings(codes: list[str]) -> list[Recommendation]:
    """The recommendations answering these finding codes, in the findings' order."""
    return [BY_CODE[c] for c in codes if c in BY_CODE]
