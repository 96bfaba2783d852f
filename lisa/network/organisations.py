"""Organisations as nodes: the person → organisation roll-up of a study.

Surveys of partnerships (PARTNER-style, one respondent per organisation) see
a place as a network of organisations; a survey of people can give that view
too. :func:`organisation_study` rolls a study up: each organisation on the
roster becomes one node, and the ties between people of two different
organisations become one arc between the organisations per relation, whose
weight is the sum of the people's tie weights — the number of person ties
when ties are unweighted. Ties within an organisation are not arcs (they are
counted in :class:`Rollup`); people with no organisation are left out.

:func:`analyse_organisations` analyses the rolled-up study with
:func:`lisa.analyse`, so the same metrics, roles and findings come out, read
for organisations. An organisation counts as responding when any of its
people did; its sector is its people's most common sector. What does not
carry over (docs/method.md, "Organisations as nodes"): organisations have no
layer, so the layer picture and the thin-links findings say nothing, and
brokerage and mixing are by sector only. Tie strength (the tie-quality block)
holds the number of person ties between organisations.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from lisa.config import AnalysisConfig
from lisa.errors import ConfigError
from lisa.network.results import ResultModel
from lisa.study import Study, Ties
from lisa.vocabulary import ORGANISATIONS

if TYPE_CHECKING:
    from lisa.analysis import AnalysisResult

#: What a network's nodes are: people (the survey's own view) or their organisations.
Level = Literal["person", "organisation"]

#: The only grouping an organisation network is read by (organisations have no layer).
ORGANISATION_GROUPINGS: tuple[str, ...] = ("sector",)


class OrganisationSummary(ResultModel):
    """One organisation of the roll-up."""

    people: int
    sector: str = Field(description="Its people's most common sector (ties: alphabetical).")
    respondents: int
    internal_ties: int = Field(description="Person ties within the organisation (all relations).")


class Rollup(ResultModel):
    """What the roll-up kept and left out."""

    organisations: dict[str, OrganisationSummary]
    people_without_organisation: int
    person_ties: int = Field(description="Person ties of the study (the analysed wave).")
    internal_ties: int = Field(description="Of which within one organisation (not arcs).")
    dropped_ties: int = Field(description="Of which with someone who has no organisation.")


def _sector(sectors: list[str]) -> str:
    counts = Counter(s for s in sectors if s)
    if not counts:
        return ""
    top = max(counts.values())
    return sorted(s for s, c in counts.items() if c == top)[0]


def _aggregate(study: Study, org_of: np.ndarray, k: int) -> tuple[Ties, np.ndarray, int]:
    """Organisation ties (weight = summed person weights), internal ties per org, dropped ties."""
    t = study.ties
    a, b = org_of[t.source], org_of[t.target]
    known = (a >= 0) & (b >= 0)
    internal = known & (a == b)
    between = known & (a != b)
    inside = np.bincount(a[internal], minlength=k)
    s, g, rel, w = a[between], b[between], t.relation[between].astype(np.int64), t.weight[between]
    mutual = np.array([not r.directed for r in study.relations], bool)
    # a mutual relation's tie is one pair: order it so A–B and B–A add up
    flip = mutual[rel] & (s > g)
    s, g = np.where(flip, g, s), np.where(flip, s, g)
    key = (rel * k + s) * k + g
    uniq, inverse = np.unique(key, return_inverse=True)
    weight = np.bincount(inverse, w, minlength=uniq.shape[0])
    rel_u, rest = uniq // (k * k), uniq % (k * k)
    ties = Ties(
        (rest // k).astype(np.int32),
        (rest % k).astype(np.int32),
        rel_u.astype(np.int16),
        weight.astype(np.float64),
        np.zeros(uniq.shape[0], np.int16) if study.waves else np.full(uniq.shape[0], -1, np.int16),
    )
    return ties, inside, int((~known).sum())


def organisation_study(study: Study) -> tuple[Study, Rollup]:
    """Roll a study (one wave of it) up to its organisations.

    Parameters
    ----------
    study
        A study restricted to one wave (:meth:`Study.for_wave`), or without waves.

    Returns
    -------
    (Study, Rollup)
        The organisations as a study (ids and names are the organisation names)
        and what the roll-up kept.

    Raises
    ------
    ConfigError
        Fewer than two organisations on the roster, or a study of several waves.

    Examples
    --------
    >>> import lisa
    >>> orgs, rollup = organisation_study(lisa.generate(120, seed=1))
    >>> orgs.n_people == len(rollup.organisations)
    True
    """
    if len(study.waves) > 1:
        raise ConfigError("roll up one wave at a time: use study.for_wave(wave) first")
    names = sorted({o for o in study.organisations if o})
    if len(names) < 2:
        raise ConfigError(
            f"'{study.name}' has {len(names)} organisation{'s' if len(names) != 1 else ''} on "
            "its roster: an organisation network needs the organisation column filled in"
        )
    code = {o: i for i, o in enumerate(names)}
    org_of = np.array([code.get(o, -1) for o in study.organisations], np.int64)
    k = len(names)
    ties, inside, dropped = _aggregate(study, org_of, k)
    members: list[list[int]] = [[] for _ in range(k)]
    for i, c in enumerate(org_of.tolist()):
        if c >= 0:
            members[c].append(i)
    sectors = [_sector([study.sectors[i] for i in m]) for m in members]
    answered = [int(study.responded[m].sum()) for m in members]
    orgs = Study(
        name=f"{study.name} (organisations)",
        ids=list(names),
        names=list(names),
        organisations=list(names),
        sectors=sectors,
        layers=[None] * k,
        relations=list(study.relations),
        ties=ties,
        responded=np.array([a > 0 for a in answered], bool),
        response_known=study.response_known,
        waves=list(study.waves),
        source=study.source,
        nodes=ORGANISATIONS,
    )
    rollup = Rollup(
        organisations={
            o: OrganisationSummary(
                people=len(members[i]), sector=sectors[i], respondents=answered[i],
                internal_ties=int(inside[i]),
            )
            for i, o in enumerate(names)
        },
        people_without_organisation=int((org_of < 0).sum()),
        person_ties=len(study.ties),
        internal_ties=int(inside.sum()),
        dropped_ties=dropped,
    )  # fmt: skip
    return orgs, rollup


def organisation_config(config: AnalysisConfig) -> AnalysisConfig:
    """The settings for an organisation network: the same, grouped by sector only."""
    return config.model_copy(update={"groupings": ORGANISATION_GROUPINGS})


def analyse_organisations(
    study: Study, config: AnalysisConfig | None = None
) -> tuple[AnalysisResult, Rollup]:
    """Analyse a study's organisation network (one wave: ``config.wave``, default the latest).

    Returns
    -------
    (AnalysisResult, Rollup)
        The analysis of the organisations as nodes, and what the roll-up kept.
    """
    from lisa.analysis import analyse

    config = config or AnalysisConfig()
    orgs, rollup = organisation_study(study.for_wave(config.wave))
    return analyse(orgs, organisation_config(config)), rollup
