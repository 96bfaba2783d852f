"""Who is placed to act as an intermediary for spreading an innovation.

The reports find that the people and bodies who spot, assess and adapt
innovations — and carry them between fields and places — are scarce in local
public services (002 §6.1, "Supporting intermediaries"; 004, "A lack of
intermediary bodies"; 003, "the missing middle"). In a network survey that
position is visible. A person is *placed to act as an intermediary* when the
combined network shows at least one of:

* **between-sectors** — Gould–Fernandez brokerage between sectors
  (representative + gatekeeper + liaison open two-paths; Gould & Fernandez
  1989) at or above the ``intermediary_quantile`` of the people with a tie,
  and above zero;
* **between-layers** — the same between the four layers;
* **across-organisations** — tied (either way) to people of at least
  ``intermediary_min_organisations`` other organisations, and at or above the
  ``intermediary_quantile`` of the place on that count (measured when the
  roster names at least two organisations);
* **outside-the-place** — tied to at least ``intermediary_min_outside`` people
  the roster marks as outside the place (the optional ``outside`` column,
  :data:`lisa.study.OUTSIDE_COLUMN`); people marked outside themselves are
  not given this reason.

An **organisation** is placed to act as an intermediary when, in the
organisation network (:func:`lisa.network.organisations.organisation_study`:
organisations as nodes), its between-sector brokerage is at or above the
``intermediary_quantile`` of the organisations with a tie (and above zero), or
its people's summed between-layer brokerage is.

Naming follows the response rule of :mod:`lisa.network.response`, read from
the analysis's own response level: people are named only when it is
``individuals``; at ``patterns`` only counts (by reason, sector and layer) are
given; at ``unreliable`` only the overall count. People whose gatekeeper role
the bootstrap does not confirm (``NetworkStats.uncertain_gatekeepers``) are
never named and are counted apart. An organisation of one person is named only
when individuals may be.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lisa.config import AnalysisConfig
from lisa.network.brokerage import ROLES
from lisa.network.graph import Net, build_net, group_index
from lisa.network.resilience import BETWEEN_ROLES
from lisa.network.results import (
    Intermediaries,
    IntermediaryCuts,
    IntermediaryOrganisation,
    IntermediaryPerson,
    Response,
)
from lisa.study import Study
from lisa.vocabulary import INTERMEDIARY_REASON_TEXT, INTERMEDIARY_REASONS, IntermediaryReason

if TYPE_CHECKING:
    from lisa.network.organisations import Rollup

#: The groupings whose between-group brokerage makes an intermediary, with their reason.
BROKERED: dict[str, IntermediaryReason] = {"sector": "between-sectors", "layer": "between-layers"}


# -- measuring -------------------------------------------------------------------------


def between_counts(counts: np.ndarray) -> np.ndarray:
    """Between-group brokerage per person from n×5 Gould–Fernandez counts.

    Parameters
    ----------
    counts
        One row per person, columns in :data:`lisa.network.brokerage.ROLES`.

    Returns
    -------
    numpy.ndarray
        The representative + gatekeeper + liaison counts of each person
        (:data:`lisa.network.resilience.BETWEEN_ROLES`).

    Examples
    --------
    >>> between_counts(np.array([[5, 1, 2, 3, 4]])).tolist()
    [9]
    """
    return counts[:, [ROLES.index(r) for r in BETWEEN_ROLES]].sum(axis=1)


def _top(
    values: np.ndarray, active: np.ndarray, q: float, floor: int = 0
) -> tuple[np.ndarray, int]:
    """Who is at or above the ``q`` quantile of the counts ``values`` among ``active`` (and
    at least ``floor``, and above zero), and that level (a whole count)."""
    cut = math.ceil(float(np.quantile(values[active], q)) - 1e-9) if active.any() else 0
    cut = max(cut, floor, 1)
    return active & (values >= cut), cut


def _organisations_reached(net: Net, organisations: Sequence[str]) -> np.ndarray:
    """Distinct other (named) organisations among each person's contacts."""
    codes_of, org = group_index(organisations)
    blank = np.flatnonzero(codes_of == "")
    sym = net.symmetric.tocoo()
    i, j = sym.row.astype(np.int64), sym.col.astype(np.int64)
    keep = org[j] != org[i]
    if blank.size:
        keep &= org[j] != blank[0]
    pairs = np.unique(i[keep] * len(codes_of) + org[j][keep])
    return np.bincount(pairs // len(codes_of), minlength=net.n).astype(np.int64)


def _organised(study: Study) -> bool:
    """Whether the roster names at least two organisations (else there is nothing to span)."""
    return len({o for o in study.organisations if o}) >= 2


def _n(value: float | None) -> str:
    """A threshold in words: thousands separated, decimals only where it has them."""
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _why_person(p: IntermediaryPerson, cuts: IntermediaryCuts) -> str:
    parts = []
    if "between-sectors" in p.reasons:
        parts.append(
            f"brokers between sectors ({p.sector_brokerage:,} open two-paths; needed "
            f"{_n(cuts.sector_brokerage)})"
        )
    if "between-layers" in p.reasons:
        parts.append(
            f"brokers between layers ({p.layer_brokerage:,} open two-paths; needed "
            f"{_n(cuts.layer_brokerage)})"
        )
    if "across-organisations" in p.reasons:
        parts.append(
            f"tied to people of {p.organisations_reached:,} other organisations (needed "
            f"{_n(cuts.organisations_reached)})"
        )
    if "outside-the-place" in p.reasons:
        parts.append(f"tied to {p.outside_contacts} people outside the place")
    return "; ".join(parts)


class _PersonScores:
    """The four numbers of every person and who reaches each cut."""

    def __init__(
        self,
        study: Study,
        net: Net,
        brokerage: Mapping[str, np.ndarray],
        config: AnalysisConfig,
    ):
        n, q = net.n, config.intermediary_quantile
        active = net.contacts > 0
        self.study = study
        self.hits: dict[IntermediaryReason, np.ndarray] = {}
        self.between: dict[str, np.ndarray] = {}
        cuts: dict[str, int | None] = {}
        for grouping, reason in BROKERED.items():
            self.between[grouping] = np.zeros(n, np.int64)
            cuts[f"{grouping}_brokerage"] = None
            if grouping in brokerage:
                self.between[grouping] = between_counts(brokerage[grouping])
                self.hits[reason], cuts[f"{grouping}_brokerage"] = _top(
                    self.between[grouping], active, q
                )
        self.reached = _organisations_reached(net, study.organisations)
        cuts["organisations_reached"] = None
        if _organised(study):
            self.hits["across-organisations"], cuts["organisations_reached"] = _top(
                self.reached, active, q, config.intermediary_min_organisations
            )
        self.outside_mask = study.outside_place()
        self.outside = None
        cuts["outside_contacts"] = None
        if self.outside_mask is not None:
            self.outside = (net.symmetric @ self.outside_mask.astype(np.int64)).astype(np.int64)
            self.hits["outside-the-place"] = ~self.outside_mask & (
                self.outside >= config.intermediary_min_outside
            )
            cuts["outside_contacts"] = config.intermediary_min_outside
        self.cuts = cuts

    @property
    def measured(self) -> list[IntermediaryReason]:
        return [r for r in INTERMEDIARY_REASONS if r in self.hits]

    def placed(self) -> np.ndarray:
        any_hit = np.zeros(self.study.n_people, bool)
        for mask in self.hits.values():
            any_hit |= mask
        return any_hit

    def person(self, i: int, cuts: IntermediaryCuts) -> IntermediaryPerson:
        s = self.study
        p = IntermediaryPerson(
            reasons=[r for r in self.measured if self.hits[r][i]],
            sector=s.sectors[i],
            layer=s.layers[i],
            sector_brokerage=int(self.between["sector"][i]),
            layer_brokerage=int(self.between["layer"][i]),
            organisations_reached=int(self.reached[i]),
            outside_contacts=None if self.outside is None else int(self.outside[i]),
            outside=bool(self.outside_mask[i]) if self.outside_mask is not None else False,
            why="",
        )
        p.why = _why_person(p, cuts)
        return p


def _strength(p: IntermediaryPerson | IntermediaryOrganisation) -> tuple[int, int]:
    return (-len(p.reasons), -(p.sector_brokerage + p.layer_brokerage))


def _org_why(o: IntermediaryOrganisation, cuts: dict[IntermediaryReason, int]) -> str:
    count = {"between-sectors": o.sector_brokerage, "between-layers": o.layer_brokerage}
    words = [
        f"{INTERMEDIARY_REASON_TEXT[r]} ({count[r]:,} open two-paths; needed {_n(cuts[r])})"
        for r in o.reasons
    ]
    return "; ".join(words) + f"; tied to organisations of {o.sectors_reached} other sectors"


@dataclass(frozen=True)
class OrganisationNetwork:
    """The place's organisation network and what the intermediaries read from it.

    None of it depends on the people's networks being measured, so
    :func:`lisa.network.engine.analyse_network` builds it while they are.
    """

    orgs: Study
    rollup: Rollup
    net: Net
    #: Between-sector Gould–Fernandez brokerage of each organisation.
    sector_brokerage: np.ndarray
    #: Other sectors each organisation is tied to.
    reached: np.ndarray


def organisation_network(study: Study) -> OrganisationNetwork | None:
    """The organisation network of ``study``; None when the roster names fewer than two."""
    from lisa.network import brokerage as gf
    from lisa.network.organisations import organisation_study

    if not _organised(study):
        return None
    orgs, rollup = organisation_study(study)
    src, tgt, _ = orgs.arcs(None)
    net = build_net("organisations", orgs.n_people, src, tgt, True)
    sector = between_counts(gf.brokerage(net, {"sector": orgs.sectors})["sector"])
    # organisations' "other organisations" are here other sectors
    return OrganisationNetwork(orgs, rollup, net, sector, _organisations_reached(net, orgs.sectors))


def _organisations(
    study: Study,
    layer_between: np.ndarray | None,
    config: AnalysisConfig,
    prepared: OrganisationNetwork | None = None,
) -> tuple[dict[str, IntermediaryOrganisation], dict[IntermediaryReason, int]]:
    """Organisations placed to bridge sectors or layers, and the levels they had to reach."""
    built = prepared if prepared is not None else organisation_network(study)
    if built is None:
        return {}, {}
    orgs, rollup, net, reached = built.orgs, built.rollup, built.net, built.reached
    active, q = net.contacts > 0, config.intermediary_quantile
    values: dict[IntermediaryReason, np.ndarray] = {"between-sectors": built.sector_brokerage}
    if layer_between is not None:
        code = {o: i for i, o in enumerate(orgs.ids)}
        of = np.array([code.get(o, -1) for o in study.organisations], np.int64)
        known = of >= 0
        summed = np.bincount(of[known], layer_between[known], minlength=orgs.n_people)
        values["between-layers"] = summed.astype(np.int64)
    tops: dict[IntermediaryReason, tuple[np.ndarray, int]] = {
        r: _top(v, active, q) for r, v in values.items()
    }
    cuts = {r: cut for r, (_, cut) in tops.items()}
    out = {}
    for k, name in enumerate(orgs.ids):
        reasons = [r for r in BROKERED.values() if r in tops and tops[r][0][k]]
        if not reasons:
            continue
        org = IntermediaryOrganisation(
            people=rollup.organisations[name].people,
            sector=orgs.sectors[k],
            reasons=reasons,
            sector_brokerage=int(values["between-sectors"][k]),
            layer_brokerage=int(values["between-layers"][k]) if "between-layers" in values else 0,
            sectors_reached=int(reached[k]),
            why="",
        )
        org.why = _org_why(org, cuts)
        out[name] = org
    return dict(sorted(out.items(), key=lambda kv: (*_strength(kv[1]), kv[0]))), cuts


def _count(rows: list[tuple[str, IntermediaryPerson]], field: str) -> dict[str, int]:
    return dict(Counter(getattr(p, field) or "(none)" for _, p in rows).most_common())


def find_intermediaries(
    study: Study,
    net: Net,
    brokerage: Mapping[str, np.ndarray],
    uncertain: Sequence[str],
    response: Response,
    config: AnalysisConfig,
    organisations: OrganisationNetwork | None = None,
) -> Intermediaries:
    """The people and organisations placed to act as intermediaries (module docs).

    Parameters
    ----------
    study
        The analysed study (one wave; imputed ties included if the analysis imputes).
    net
        Its combined network.
    brokerage
        The combined network's Gould–Fernandez counts per grouping (n×5, :data:`ROLES`).
    uncertain
        The combined network's uncertain gatekeepers (never named).
    response
        The analysis's response summary: its level decides what is named.
    config
        The thresholds (``intermediary_*``).
    organisations
        The study's :func:`organisation_network`, when already built (else built here).

    Returns
    -------
    Intermediaries
    """
    scores = _PersonScores(study, net, brokerage, config)
    placed = scores.placed()
    doubtful = np.zeros(study.n_people, bool)
    for pid in uncertain:
        doubtful[study.index_of(pid)] = True
    n_uncertain = int((placed & doubtful).sum())
    placed &= ~doubtful
    orgs, org_cuts = _organisations(
        study,
        scores.between["layer"] if "between-layers" in scores.hits else None,
        config,
        organisations,
    )
    cuts = IntermediaryCuts(
        **scores.cuts,  # type: ignore[arg-type]
        organisation_sector_brokerage=org_cuts.get("between-sectors"),
        organisation_layer_brokerage=org_cuts.get("between-layers"),
    )
    level = response.level
    named = level == "individuals"
    rows = [(study.ids[i], scores.person(i, cuts)) for i in np.flatnonzero(placed).tolist()]
    rows.sort(key=lambda kv: (*_strength(kv[1]), kv[0]))
    patterns = level != "unreliable"
    single = [o for o, v in orgs.items() if v.people == 1] if not named else []
    return Intermediaries(
        level=level,
        named=named,
        measured=scores.measured,
        cuts=cuts,
        count=len(rows),
        people=dict(rows) if named else {},
        not_named=0 if named else len(rows),
        uncertain=n_uncertain,
        by_reason={r: sum(r in p.reasons for _, p in rows) for r in scores.measured},
        by_sector=_count(rows, "sector") if patterns else {},
        by_layer=_count(rows, "layer") if patterns else {},
        organisations={o: v for o, v in orgs.items() if o not in single},
        organisations_not_named=len(single),
        most_organisations_reached=int(scores.reached.max(initial=0)),
    )
