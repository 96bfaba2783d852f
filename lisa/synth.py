"""Synthetic localities: seeded, reproducible places of 50 to 100,000 people.

A generated place has the four layers (systemic, sectoral, frontline,
public), realistic sectors (council, schools, health, police, VCS, business,
student council, residents), several organisations per sector, and the
seven default relations. Nobody in it is real: names are drawn from lists of
common first names and surnames.

Two presets, and two knobs that move between them:

``appendix-c`` (the default and the demo)
    Mirrors the area of the reports' Appendix C network experiment: people
    network a lot; a core of senior council officers and head teachers names
    each other in every network and is named by everyone else; the VCS,
    the student council and residents sit outside that core — they name
    core people but are rarely named back.
``open``
    A well-mixed place: who is sought after differs by relation, ties cross
    sectors and layers freely, and no group stands outside.

``core_closure`` (0–1)
    How much of a core member's attention stays inside the core
    (appendix-c: 0.85; open: no designated core).
``periphery_connection`` (0–1)
    How much of everyone else's attention goes beyond their own
    organisation and sector to the wider place (appendix-c: 0.2; open: 0.6).

Everything is drawn from ``numpy.random.default_rng(seed)`` in a fixed
order, so the same arguments always give the same study. Generation is
vectorised: 100,000 people take a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lisa.config import Seed
from lisa.errors import ConfigError
from lisa.randomness import rng_for
from lisa.study import DEFAULT_RELATIONS, WAVES_COLUMN, Study, Ties
from lisa.vocabulary import LAYERS

MIN_PEOPLE, MAX_PEOPLE = 50, 100_000
#: The labels of a generated study's two waves.
WAVE_LABELS: tuple[str, str] = ("2024", "2025")
Preset = Literal["appendix-c", "open"]

#: (sector, layer, share of the place). Shares sum to 1.
COMPOSITION: tuple[tuple[str, str, float], ...] = (
    ("council", "systemic", 0.03),
    ("council", "sectoral", 0.05),
    ("council", "frontline", 0.07),
    ("schools", "sectoral", 0.03),
    ("schools", "frontline", 0.19),
    ("health", "systemic", 0.01),
    ("health", "sectoral", 0.02),
    ("health", "frontline", 0.08),
    ("police", "systemic", 0.01),
    ("police", "sectoral", 0.01),
    ("police", "frontline", 0.05),
    ("vcs", "sectoral", 0.02),
    ("vcs", "frontline", 0.10),
    ("business", "sectoral", 0.02),
    ("business", "frontline", 0.04),
    ("student council", "public", 0.07),
    ("residents", "public", 0.20),
)

#: Mean nominations per respondent, by relation (a place that networks a lot).
NOMINATIONS = {
    "work": 6.0,
    "social": 4.0,
    "innovation": 4.5,
    "expertise": 5.0,
    "career": 3.0,
    "learning": 4.5,
    "strategic": 4.0,
}

#: How much each layer's members network, relative to the mean.
LAYER_ACTIVITY = {"systemic": 1.3, "sectoral": 1.2, "frontline": 1.0, "public": 0.75}

#: Affinity between layers for ties beyond one's own organisation and sector.
LAYER_AFFINITY = np.array(
    [
        [1.0, 0.8, 0.3, 0.15],
        [0.8, 1.0, 0.8, 0.3],
        [0.3, 0.8, 1.0, 0.8],
        [0.15, 0.3, 0.8, 1.0],
    ]
)

FIRST = (
    "Aisha Alan Alice Amir Amy Ann Ben Beth Bilal Carl Chloe Cara Dan Dev Diane Ella Emma Eric "
    "Fatima Finn Gary Grace Hannah Harry Ian Imran Isla Jack Jade James Jane Jo Josh Karen Kate "
    "Kyle Laura Leah Liam Lucy Maya Mark Mary Mo Nadia Neil Nina Noah Olga Omar Owen Paul Priya "
    "Rachel Raj Rob Rosa Ruth Sam Sara Sean Sophie Tom Tara Una Vic Will Yusuf Zara Zoe"
).split()
LAST = (
    "Ahmed Ali Allen Bailey Baker Begum Bell Brown Campbell Carter Chen Clarke Collins Cook Cox "
    "Davies Dixon Edwards Evans Fisher Fox Green Hall Harris Hill Hughes Hussain Jackson James "
    "Johnson Jones Kaur Khan Kelly King Lee Lewis Lloyd Marsh Martin Mason Miller Mills Moore "
    "Morgan Murphy Nowak Owen Parker Patel Phillips Price Reid Roberts Robinson Rose Scott Shah "
    "Singh Smith Stewart Taylor Thomas Turner Walker Ward Watson White Wilson Wood Wright Young"
).split()
PLACES = (
    "Northfield Southgate Eastbrook Westmere Hillside Riverside Oakwood Ashby Brookvale "
    "Castleton Elmhurst Fairview Greenbank Highcross Kingsway Lowfield Millbrook Newtown "
    "Parkside Queensway Redhill Stonebridge Thornbury Underhill Valley Whitecross"
).split()
VCS_NAMES = (
    "Food Bank",
    "Youth Trust",
    "Carers Centre",
    "Community Arts",
    "Refugee Welcome",
    "Credit Union",
    "Older People's Forum",
    "Family Support",
    "Mental Health Network",
    "Sports Club",
)


@dataclass(frozen=True)
class Knobs:
    core_closure: float
    periphery_connection: float
    core_pull: float  # share of a non-core person's nominations that go to the core
    popularity_sigma: float  # spread of how sought-after people are
    shared_popularity: bool  # the same people sought after in every relation


PRESETS: dict[str, Knobs] = {
    "appendix-c": Knobs(0.85, 0.08, 0.3, 0.5, True),
    "open": Knobs(0.0, 0.6, 0.0, 0.6, False),
}


def _organisations(
    sector: str, layer: str, count: int, n: int, rng: np.random.Generator
) -> list[str]:
    """Organisation of each of ``count`` people of one sector and layer."""
    if count == 0:
        return []
    if sector == "council":
        return ["Borough Council"] * count
    if sector == "police":
        return ["Police"] * count
    if sector == "student council":
        return ["Student Council"] * count
    k = {
        "schools": max(3, n // 60),
        "health": max(2, n // 150),
        "vcs": max(3, n // 80),
        "business": max(2, n // 100),
        "residents": max(2, n // 120),
    }[sector]
    which = rng.integers(0, k, size=count)
    out = []
    for w in which.tolist():
        place = PLACES[w % len(PLACES)] + ("" if w < len(PLACES) else f" {w // len(PLACES) + 1}")
        if sector == "schools":
            out.append(f"{place} {'Primary School' if w % 3 else 'Academy'}")
        elif sector == "health":
            out.append("NHS Foundation Trust" if w == 0 else f"{place} Medical Centre")
        elif sector == "vcs":
            out.append(f"{place} {VCS_NAMES[w % len(VCS_NAMES)]}")
        elif sector == "business":
            out.append(f"{place} Traders")
        else:
            out.append(f"{place} Residents' Association")
    return out


def _sample_within(
    group_of: np.ndarray, weight: np.ndarray, wanted: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each entry of ``wanted`` (a group code), a person of that group drawn ∝ weight."""
    order = np.argsort(group_of, kind="stable")
    g_sorted = group_of[order]
    cum = np.cumsum(weight[order])
    n_groups = int(group_of.max()) + 1
    starts = np.searchsorted(g_sorted, np.arange(n_groups), side="left")
    ends = np.searchsorted(g_sorted, np.arange(n_groups), side="right")
    lo = np.where(starts[wanted] > 0, cum[np.maximum(starts[wanted] - 1, 0)], 0.0)
    lo = np.where(starts[wanted] == 0, 0.0, lo)
    hi = cum[np.maximum(ends[wanted] - 1, 0)]
    u = lo + rng.random(wanted.shape[0]) * (hi - lo)
    pos = np.searchsorted(cum, u, side="right")
    pos = np.clip(pos, starts[wanted], np.maximum(ends[wanted] - 1, starts[wanted]))
    return order[pos]


def _codes(values: list[str]) -> np.ndarray:
    _, inv = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return inv.astype(np.int64)


class GeneratorConfig(BaseModel):
    """The generator's knobs, validated (the CLI's ``lisa generate`` options)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n_people: int = Field(300, ge=MIN_PEOPLE, le=MAX_PEOPLE, description="Number of people.")
    seed: Seed = Field(0, description="The same seed gives the same place.")
    preset: Preset = Field("appendix-c", description="Shape of the place.")
    core_closure: float | None = Field(
        None, ge=0, le=1, description="How closed the core group is (overrides the preset)."
    )
    periphery_connection: float | None = Field(
        None, ge=0, le=1, description="How connected the periphery is (overrides the preset)."
    )
    response_rate: float = Field(1.0, ge=0, le=1, description="Share who answered the survey.")
    name: str | None = Field(None, description="The study's name (default: describes the place).")
    waves: int = Field(1, ge=1, le=2, description="Survey waves: 2 adds a second wave a year on.")
    turnover: float = Field(
        0.1, ge=0, le=0.9, description="Second wave: share of people who leave and are replaced."
    )
    tie_retention: float = Field(
        0.6, ge=0, le=1, description="Second wave: chance that a tie between stayers is kept."
    )
    second_periphery_connection: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Second wave: periphery_connection after a programme (default: unchanged).",
    )

    @property
    def knobs(self) -> Knobs:
        base = PRESETS[self.preset]
        return Knobs(
            base.core_closure if self.core_closure is None else self.core_closure,
            base.periphery_connection
            if self.periphery_connection is None
            else self.periphery_connection,
            base.core_pull,
            base.popularity_sigma,
            base.shared_popularity,
        )

    @property
    def has_core(self) -> bool:
        return self.preset == "appendix-c" or (self.core_closure or 0) > 0


@dataclass
class _Roster:
    ids: list[str]
    names: list[str]
    sectors: list[str]
    layers: list[str]
    orgs: list[str]
    roles: list[str]
    core: np.ndarray
    responded: np.ndarray


def _roster(config: GeneratorConfig, rng: np.random.Generator) -> _Roster:
    """Who lives and works in the place: sectors, layers, organisations, names, the core."""
    n = config.n_people
    shares = np.array([c[2] for c in COMPOSITION])
    counts = np.floor(shares * n).astype(int)
    counts[np.argsort(-(shares * n - counts))[: n - counts.sum()]] += 1
    sectors: list[str] = []
    layers: list[str] = []
    orgs: list[str] = []
    for (sector, layer, _), c in zip(COMPOSITION, counts.tolist(), strict=True):
        sectors += [sector] * c
        layers += [layer] * c
        orgs += _organisations(sector, layer, c, n, rng)
    width = max(4, len(str(n)))
    first = rng.integers(0, len(FIRST), size=n)
    last = rng.integers(0, len(LAST), size=n)
    names: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for i in range(n):
        base = f"{FIRST[first[i]]} {LAST[last[i]]}"
        seen[(base, orgs[i])] = seen.get((base, orgs[i]), 0) + 1
        names.append(base if seen[(base, orgs[i])] == 1 else f"{base} {seen[(base, orgs[i])]}")
    roles = [
        "head teacher"
        if s == "schools" and ly == "sectoral"
        else "senior officer"
        if s == "council" and ly in ("systemic", "sectoral")
        else ""
        for s, ly in zip(sectors, layers, strict=True)
    ]
    core = np.array([r != "" for r in roles], bool) if config.has_core else np.zeros(n, bool)
    if config.has_core and core.sum() > 40 + 0.01 * n:  # keep big places' cores plausible
        keep = rng.permutation(np.flatnonzero(core))[: int(40 + 0.01 * n)]
        core = np.zeros(n, bool)
        core[keep] = True
    responded = rng.random(n) < config.response_rate
    ids = [f"p{i + 1:0{width}d}" for i in range(n)]
    return _Roster(ids, names, sectors, layers, orgs, roles, core, responded)


def _targets(
    roster: _Roster,
    src: np.ndarray,
    pop: np.ndarray,
    config: GeneratorConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    """Whom each nomination in ``src`` names: the core, the organisation, the sector, or wider."""
    knobs, has_core = config.knobs, config.has_core
    core = roster.core
    org_code, sector_code = _codes(roster.orgs), _codes(roster.sectors)
    layer_code = np.array([LAYERS.index(v) for v in roster.layers], np.int64)
    u = rng.random(src.shape[0])
    if has_core:
        pull = knobs.core_pull if config.preset == "appendix-c" else 0.1
        p_core = np.where(core[src], knobs.core_closure, pull)
    else:
        p_core = np.zeros(src.shape[0])
    rest = 1 - p_core
    p_org = rest * (1 - knobs.periphery_connection) * 0.6
    p_sector = rest * (1 - knobs.periphery_connection) * 0.4
    choice = np.select(
        [u < p_core, u < p_core + p_org, u < p_core + p_org + p_sector], [0, 1, 2], default=3
    )
    tgt = np.empty(src.shape[0], np.int64)
    m = choice == 0
    if m.any():
        pools = np.zeros(core.shape[0], np.int64)  # everyone in one pool, for core draws
        tgt[m] = _sample_within(
            pools, np.where(core, pop, 0.0), np.zeros(int(m.sum()), np.int64), rng
        )
    m = choice == 1
    tgt[m] = _sample_within(org_code, pop, org_code[src[m]], rng)
    m = choice == 2
    tgt[m] = _sample_within(sector_code, pop, sector_code[src[m]], rng)
    m = choice == 3
    if m.any():
        aff = LAYER_AFFINITY[layer_code[src[m]]] * np.bincount(layer_code, minlength=4)
        aff /= aff.sum(axis=1, keepdims=True)
        want = (rng.random(int(m.sum()))[:, None] > np.cumsum(aff, axis=1)).sum(axis=1)
        weight = pop.copy()
        if has_core:
            weight[core] *= 0.3  # the core is reached through choice 0
        tgt[m] = _sample_within(layer_code, weight, np.minimum(want, 3), rng)
    return tgt


def _ties(roster: _Roster, config: GeneratorConfig, rng: np.random.Generator) -> Ties:
    """Every relation's nominations, drawn person by person in one vectorised pass each."""
    knobs = config.knobs
    n = config.n_people
    activity = np.array([LAYER_ACTIVITY[v] for v in roster.layers])
    activity[roster.core] *= 1.6
    outside = np.isin(np.asarray(roster.sectors, dtype=object), ["vcs", "student council", "residents"])
    shared_pop = rng.lognormal(0.0, knobs.popularity_sigma, n)
    srcs, tgts, rels = [], [], []
    for r_index, relation in enumerate(DEFAULT_RELATIONS):
        pop = (
            shared_pop if knobs.shared_popularity else rng.lognormal(0.0, knobs.popularity_sigma, n)
        ).copy()
        if config.has_core and config.preset == "appendix-c":
            pop[outside] *= 0.5  # rarely sought out by the rest
        src = np.repeat(np.arange(n), rng.poisson(NOMINATIONS[relation.name] * activity))
        tgt = _targets(roster, src, pop, config, rng)
        keep = (src != tgt) & roster.responded[src]
        srcs.append(src[keep])
        tgts.append(tgt[keep])
        rels.append(np.full(int(keep.sum()), r_index, np.int64))
    src_all, tgt_all, rel_all = np.concatenate(srcs), np.concatenate(tgts), np.concatenate(rels)
    _, first_idx = np.unique((rel_all * n + src_all) * n + tgt_all, return_index=True)
    first_idx.sort()
    return Ties(
        src_all[first_idx].astype(np.int32),
        tgt_all[first_idx].astype(np.int32),
        rel_all[first_idx].astype(np.int16),
        np.ones(first_idx.shape[0]),
        np.full(first_idx.shape[0], -1, np.int16),
    )


def generate(
    n_people: int = 300,
    seed: int = 0,
    preset: Preset = "appendix-c",
    *,
    core_closure: float | None = None,
    periphery_connection: float | None = None,
    response_rate: float = 1.0,
    name: str | None = None,
    waves: int = 1,
    turnover: float = 0.1,
    tie_retention: float = 0.6,
    second_periphery_connection: float | None = None,
) -> Study:
    """Generate a synthetic locality (see the module docs for the model).

    Parameters
    ----------
    n_people
        50 to 100,000.
    seed
        The same seed (and other arguments) gives the same place.
    preset
        ``appendix-c`` (a closed core, the demo) or ``open`` (well mixed).
    core_closure, periphery_connection
        0 to 1; override the preset's knobs.
    response_rate
        Share of people who answered; the others' nominations are missing.
    name
        The study's name.
    waves
        1, or 2 for a second survey wave (labelled ``2024`` and ``2025``):
        ``turnover`` of the people leave and as many join in their posts
        (same organisation, sector, layer and role; new ids), each tie between
        stayers is kept with probability ``tie_retention``, and the rest of the
        second wave's ties are drawn afresh from the same model — with
        ``second_periphery_connection`` in place of ``periphery_connection``
        when given (a programme that opened the place up). The roster's
        ``waves`` column says who took part in which wave.

    Returns
    -------
    Study

    Raises
    ------
    ConfigError
        A value outside its range or an unknown preset (the message names it).

    Examples
    --------
    >>> study = generate(120, seed=3, preset="open")
    >>> study.n_people, len(study.relations)
    (120, 7)
    >>> generate(120, seed=3, waves=2).waves
    ['2024', '2025']
    """
    try:
        config = GeneratorConfig(
            n_people=n_people,
            seed=seed,
            preset=preset,
            core_closure=core_closure,
            periphery_connection=periphery_connection,
            response_rate=response_rate,
            name=name,
            waves=waves,
            turnover=turnover,
            tie_retention=tie_retention,
            second_periphery_connection=second_periphery_connection,
        )
    except ValidationError as exc:
        raise ConfigError(_setting_error(exc)) from None
    return generate_from(config)


def generate_from(config: GeneratorConfig) -> Study:
    """The place a validated :class:`GeneratorConfig` describes (see :func:`generate`)."""
    rng = np.random.default_rng(config.seed)
    roster = _roster(config, rng)
    ties = _ties(roster, config, rng)
    attributes = {"role": roster.roles}
    waves: list[str] = []
    if config.waves == 2:
        roster, ties, present = _second_wave(config, roster, ties)
        waves = list(WAVE_LABELS)
        attributes = {"role": roster.roles, WAVES_COLUMN: present}
    return Study(
        name=config.name
        or f"Generated place ({config.preset}, {config.n_people} people, seed {config.seed})",
        ids=roster.ids,
        names=roster.names,
        organisations=roster.orgs,
        sectors=roster.sectors,
        layers=list(roster.layers),
        relations=list(DEFAULT_RELATIONS),
        ties=ties,
        responded=roster.responded,
        response_known=True,
        attributes=attributes,
        waves=waves,
        source=None,
    )


def _joiners(roster: _Roster, leavers: np.ndarray, rng: np.random.Generator) -> _Roster:
    """One newcomer per leaver, in the leaver's post: same organisation, sector, layer and role."""
    n, k = len(roster.ids), int(leavers.shape[0])
    width = max(4, len(str(n)))
    taken = set(zip(roster.names, roster.orgs, strict=True))
    first = rng.integers(0, len(FIRST), size=k)
    last = rng.integers(0, len(LAST), size=k)
    names = []
    for j, i in enumerate(leavers.tolist()):
        base, count = f"{FIRST[first[j]]} {LAST[last[j]]}", 1
        name = base
        while (name, roster.orgs[i]) in taken:
            count += 1
            name = f"{base} {count}"
        taken.add((name, roster.orgs[i]))
        names.append(name)
    pick = leavers.tolist()
    return _Roster(
        ids=[f"p{n + j + 1:0{width}d}" for j in range(k)],
        names=names,
        sectors=[roster.sectors[i] for i in pick],
        layers=[roster.layers[i] for i in pick],
        orgs=[roster.orgs[i] for i in pick],
        roles=[roster.roles[i] for i in pick],
        core=roster.core[leavers],
        responded=np.zeros(k, bool),  # drawn by the caller
    )


def _subset(roster: _Roster, rows: np.ndarray) -> _Roster:
    pick = rows.tolist()
    return _Roster(
        ids=[roster.ids[i] for i in pick],
        names=[roster.names[i] for i in pick],
        sectors=[roster.sectors[i] for i in pick],
        layers=[roster.layers[i] for i in pick],
        orgs=[roster.orgs[i] for i in pick],
        roles=[roster.roles[i] for i in pick],
        core=roster.core[rows],
        responded=roster.responded[rows],
    )


def _join(a: _Roster, b: _Roster) -> _Roster:
    return _Roster(
        a.ids + b.ids, a.names + b.names, a.sectors + b.sectors, a.layers + b.layers,
        a.orgs + b.orgs, a.roles + b.roles, np.concatenate([a.core, b.core]),
        np.concatenate([a.responded, b.responded]),
    )  # fmt: skip


def _second_wave(
    config: GeneratorConfig, roster: _Roster, first: Ties
) -> tuple[_Roster, Ties, list[str]]:
    """Add a second wave: turnover in people, some ties kept, new ties drawn afresh.

    Drawn from its own stream (``rng_for(seed, "synth", "second wave")``), so
    the first wave is exactly the single-wave place of the same seed.
    Returns everyone on the roster, both waves' ties and each person's waves.
    """
    rng = rng_for(config.seed, "synth", "second wave")
    n = len(roster.ids)
    leavers = np.sort(rng.choice(n, size=int(round(config.turnover * n)), replace=False))
    joiners = _joiners(roster, leavers, rng)
    joiners.responded = rng.random(len(joiners.ids)) < config.response_rate
    everyone = _join(roster, joiners)
    stays = np.ones(n, bool)
    stays[leavers] = False
    members = np.concatenate([np.flatnonzero(stays), np.arange(n, n + len(joiners.ids))])
    later = config.model_copy(
        update={
            "n_people": int(members.shape[0]),
            "periphery_connection": config.second_periphery_connection
            if config.second_periphery_connection is not None
            else config.periphery_connection,
        }
    )
    fresh = _ties(_subset(everyone, members), later, rng)
    # fresh ties replace the old ties not kept; a newcomer (fresh index >= stayers) has only fresh ones
    newcomer = members >= n
    new = (rng.random(len(fresh)) >= config.tie_retention) | newcomer[fresh.source]
    new |= newcomer[fresh.target]
    keep = stays[first.source] & stays[first.target] & (rng.random(len(first)) < config.tie_retention)
    src = np.concatenate([first.source[keep], members[fresh.source[new]]]).astype(np.int64)
    tgt = np.concatenate([first.target[keep], members[fresh.target[new]]]).astype(np.int64)
    rel = np.concatenate([first.relation[keep], fresh.relation[new]]).astype(np.int64)
    total = len(everyone.ids)
    _, idx = np.unique((rel * total + src) * total + tgt, return_index=True)
    idx.sort()
    second = Ties(
        src[idx].astype(np.int32), tgt[idx].astype(np.int32), rel[idx].astype(np.int16),
        np.ones(idx.shape[0]), np.ones(idx.shape[0], np.int16),
    )  # fmt: skip
    first = Ties(first.source, first.target, first.relation, first.weight,
                 np.zeros(len(first), np.int16))  # fmt: skip
    both = ";".join(WAVE_LABELS)
    present = [both if s else WAVE_LABELS[0] for s in stays.tolist()]
    present += [WAVE_LABELS[1]] * len(joiners.ids)
    return everyone, first.concat(second), present


def _setting_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    if field == "n_people":
        return (
            f"a generated place has {MIN_PEOPLE:,} to {MAX_PEOPLE:,} people, not {first.get('input')}"
        )
    if field == "seed":
        return str(first["msg"])
    if field == "preset":
        return f"unknown preset '{first.get('input')}': use one of {', '.join(PRESETS)}"
    return f"{field} must be {first['msg'].lower().removeprefix('input should be ')}, not {first.get('input')}"
