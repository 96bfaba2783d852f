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
from numbers import Integral
from typing import Literal

import numpy as np

from lisa.errors import ConfigError
from lisa.study import DEFAULT_RELATIONS, Study, Ties
from lisa.vocabulary import LAYERS

MIN_PEOPLE, MAX_PEOPLE = 50, 100_000
#: Seeds are whole numbers 0 .. 2**64 - 1 (numpy's generators refuse negative seeds).
MAX_SEED = 2**64 - 1
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


def generate(
    n_people: int = 300,
    seed: int = 0,
    preset: Preset = "appendix-c",
    *,
    core_closure: float | None = None,
    periphery_connection: float | None = None,
    response_rate: float = 1.0,
    name: str | None = None,
) -> Study:
    """Generate a synthetic locality (see the module docs for the model).

    Raises :class:`~lisa.errors.ConfigError` for a size outside 50–100,000,
    a seed outside 0–2**64-1, an unknown preset, or a knob outside 0–1.
    """
    if not MIN_PEOPLE <= n_people <= MAX_PEOPLE:
        raise ConfigError(
            f"a generated place has {MIN_PEOPLE:,} to {MAX_PEOPLE:,} people, not {n_people:,}"
        )
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= int(seed) <= MAX_SEED:
        raise ConfigError(f"the seed must be a whole number from 0 to {MAX_SEED:,}, not {seed!r}")
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset '{preset}': use one of {', '.join(PRESETS)}")
    for label, v in (
        ("core_closure", core_closure),
        ("periphery_connection", periphery_connection),
        ("response_rate", response_rate),
    ):
        if v is not None and not 0 <= v <= 1:
            raise ConfigError(f"{label} must be between 0 and 1, not {v}")
    knobs = PRESETS[preset]
    closure = knobs.core_closure if core_closure is None else core_closure
    reach_out = knobs.periphery_connection if periphery_connection is None else periphery_connection
    has_core = preset == "appendix-c" or (core_closure is not None and core_closure > 0)
    rng = np.random.default_rng(seed)
    n = n_people

    # -- people -------------------------------------------------------------
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
    ids = [f"p{i + 1:0{width}d}" for i in range(n)]
    first = rng.integers(0, len(FIRST), size=n)
    last = rng.integers(0, len(LAST), size=n)
    names: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for i in range(n):
        base = f"{FIRST[first[i]]} {LAST[last[i]]}"
        key = (base, orgs[i])
        seen[key] = seen.get(key, 0) + 1
        names.append(base if seen[key] == 1 else f"{base} {seen[key]}")
    roles = [
        "head teacher"
        if s == "schools" and ly == "sectoral"
        else "senior officer"
        if s == "council" and ly in ("systemic", "sectoral")
        else ""
        for s, ly in zip(sectors, layers, strict=True)
    ]
    sector_arr = np.asarray(sectors, dtype=object)
    layer_code = np.array([LAYERS.index(v) for v in layers], np.int64)
    org_code, sector_code = _codes(orgs), _codes(sectors)
    core = np.array([r != "" for r in roles], bool) if has_core else np.zeros(n, bool)
    if has_core and core.sum() > 40 + 0.01 * n:  # keep big places' cores plausible
        keep = rng.permutation(np.flatnonzero(core))[: int(40 + 0.01 * n)]
        core = np.zeros(n, bool)
        core[keep] = True
    responded = rng.random(n) < response_rate

    # -- ties ---------------------------------------------------------------
    activity = np.array([LAYER_ACTIVITY[v] for v in layers])
    activity[core] *= 1.6
    outside = np.isin(sector_arr, ["vcs", "student council", "residents"])
    shared_pop = rng.lognormal(0.0, knobs.popularity_sigma, n)
    srcs, tgts, rels = [], [], []
    pools = np.zeros(n, np.int64)  # everyone in one pool, for core draws
    for r_index, relation in enumerate(DEFAULT_RELATIONS):
        pop = (
            shared_pop if knobs.shared_popularity else rng.lognormal(0.0, knobs.popularity_sigma, n)
        )
        pop = pop.copy()
        if has_core and preset == "appendix-c":
            pop[outside] *= 0.5  # rarely sought out by the rest
        k = rng.poisson(NOMINATIONS[relation.name] * activity)
        src = np.repeat(np.arange(n), k)
        u = rng.random(src.shape[0])
        is_core_src = core[src]
        if has_core:
            p_core = np.where(
                is_core_src, closure, knobs.core_pull if preset == "appendix-c" else 0.1
            )
        else:
            p_core = np.zeros(src.shape[0])
        rest = 1 - p_core
        p_org = rest * (1 - reach_out) * 0.6
        p_sector = rest * (1 - reach_out) * 0.4
        choice = np.select(
            [u < p_core, u < p_core + p_org, u < p_core + p_org + p_sector], [0, 1, 2], default=3
        )
        tgt = np.empty(src.shape[0], np.int64)
        m = choice == 0
        if m.any():
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
            cum = np.cumsum(aff, axis=1)
            want = (rng.random(int(m.sum()))[:, None] > cum).sum(axis=1)
            weight = pop.copy()
            if has_core:
                weight[core] *= 0.3  # the core is reached through choice 0
            tgt[m] = _sample_within(layer_code, weight, np.minimum(want, 3), rng)
        keep = (src != tgt) & responded[src]
        srcs.append(src[keep])
        tgts.append(tgt[keep])
        rels.append(np.full(int(keep.sum()), r_index, np.int64))
    src_all = np.concatenate(srcs)
    tgt_all = np.concatenate(tgts)
    rel_all = np.concatenate(rels)
    key = (rel_all * n + src_all) * n + tgt_all
    _, first_idx = np.unique(key, return_index=True)
    first_idx.sort()
    ties = Ties(
        src_all[first_idx].astype(np.int32),
        tgt_all[first_idx].astype(np.int32),
        rel_all[first_idx].astype(np.int16),
        np.ones(first_idx.shape[0]),
        np.full(first_idx.shape[0], -1, np.int16),
    )
    return Study(
        name=name or f"Generated place ({preset}, {n} people, seed {seed})",
        ids=ids,
        names=names,
        organisations=orgs,
        sectors=sectors,
        layers=list(layers),
        relations=list(DEFAULT_RELATIONS),
        ties=ties,
        responded=responded,
        response_known=True,
        attributes={"role": roles},
        waves=[],
        source=None,
    )
