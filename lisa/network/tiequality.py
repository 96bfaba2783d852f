"""Tie quality: tie weights and per-tie items used where the literature uses them.

A study may say more about a tie than that it exists: a ``weight`` (how
often, how strong; ``ties.csv``) and items asked about each tie, such as how
often the two are in touch, how much one trusts the other, or how valuable
the contact is (:data:`lisa.vocabulary.TIE_ITEMS`, further columns of
``ties.csv``). The rest of the analysis counts ties as present or absent; this
module adds, for a study that has weights or items:

* **strength** — the weighted degree (Barrat et al. 2004; Opsahl, Agneessens
  & Skvoretz 2010): the sum of the weights of the arcs a person receives and
  sends, per relation and in the combined network (whose arc weight is the
  largest of its relations', as :meth:`lisa.study.Study.arcs` merges them);
* **weighted shortest paths**, when the ``weighted_paths`` setting is on —
  betweenness and closeness with each arc's length ``1 / weight`` (Opsahl et
  al. 2010 with α = 1; Newman 2001), so strong ties are short; normalised as
  the unweighted ones are (:mod:`lisa.network.centrality`);
* **average items** per person (over the ties they receive and the ties they
  give) and **between groups** (the mean weight and items of the ties from
  each layer or sector to each other).

For a study without weights or items nothing is added, so its analysis JSON
is unchanged.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from lisa.errors import Problem, StudyInvalid
from lisa.network.graph import Net, build_net
from lisa.network.results import ResultModel
from lisa.study import Study
from lisa.vocabulary import TIE_ITEMS

#: Groupings whose tie quality is tabulated.
GROUPINGS: tuple[str, ...] = ("layer", "sector")


class Strength(ResultModel):
    """Weighted degree: the sum of the weights of the arcs received and sent."""

    in_strength: float
    out_strength: float


class PersonTieQuality(ResultModel):
    """One person's ties, weighed."""

    combined: Strength = Field(description="Strength in the combined network.")
    relations: dict[str, Strength] = Field(description="Strength in each relation.")
    received: dict[str, float | None] = Field(
        description="Mean of each tie item over the ties the person receives (null: none rated)."
    )
    given: dict[str, float | None] = Field(
        description="Mean of each tie item over the ties the person gives."
    )
    weighted_betweenness: float | None = Field(
        description="Betweenness on the combined network with arc length 1/weight "
        "(null unless weighted_paths)."
    )
    weighted_closeness: float | None = Field(
        description="Incoming closeness with arc length 1/weight, Wasserman–Faust scaled "
        "(null unless weighted_paths)."
    )


class GroupTies(ResultModel):
    """The ties from one group to another (all relations), weighed."""

    ties: int
    mean_weight: float
    items: dict[str, float | None] = Field(description="Mean of each item over the rated ties.")


class TieQuality(ResultModel):
    """Tie weights and items where the study has them (docs/method.md, "Tie quality")."""

    weighted: bool = Field(description="Whether any tie has a weight other than 1.")
    items: list[str] = Field(description="The tie items found in ties.csv, e.g. trust.")
    weighted_paths: bool = Field(description="Whether weighted betweenness and closeness were computed.")
    people: dict[str, PersonTieQuality]
    groups: dict[str, dict[str, dict[str, GroupTies]]] = Field(
        description="Per grouping (layer, sector): from group → to group → the ties' quality."
    )


# -- reading the items ------------------------------------------------------------


def item_columns(study: Study) -> dict[str, str]:
    """The tie item columns of a study: item name → the column's header as written."""
    found: dict[str, str] = {}
    for header in study.ties.attributes:
        key = header.strip().lower()
        if key in TIE_ITEMS and key not in found:
            found[key] = header
    return found


def has_tie_quality(study: Study) -> bool:
    """Whether the study has tie weights other than 1 or any tie item column."""
    return bool(np.any(study.ties.weight != 1.0)) or bool(item_columns(study))


def _bad_item(study: Study, header: str, i: int, value: str) -> Problem:
    t = study.ties
    who = f"{study.ids[int(t.source[i])]} → {study.ids[int(t.target[i])]}"
    relation = study.relations[int(t.relation[i])].name
    return Problem(
        "bad-tie-item",
        f"the tie {who} ({relation}) has '{value}' for {header}: a tie item must be a number "
        "or blank",
        "ties.csv",
        column=header,
        value=value,
    )


def item_values(study: Study) -> dict[str, np.ndarray]:
    """Each tie item as numbers, one per tie (NaN where blank).

    Raises
    ------
    StudyInvalid
        A value that is not a finite number (``bad-tie-item``, at most 20 listed).
    """
    out: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    for item, header in item_columns(study).items():
        column = study.ties.attributes[header]
        values = np.full(column.shape[0], np.nan)
        for i, raw in enumerate(column.tolist()):
            text = str(raw).strip()
            if not text:
                continue
            try:
                values[i] = float(text)
            except ValueError:
                values[i] = np.inf
            if not np.isfinite(values[i]) and len(problems) < 20:
                problems.append(_bad_item(study, header, i, text))
        out[item] = values
    if problems:
        raise StudyInvalid(problems)
    return out


# -- the measures ------------------------------------------------------------------


def strength(n: int, src: np.ndarray, tgt: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(in-strength, out-strength) of ``n`` people from weighted arcs."""
    return np.bincount(tgt, w, minlength=n), np.bincount(src, w, minlength=n)


def weighted_paths(net: Net, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Betweenness and incoming closeness with arc length ``1 / weight`` (exact).

    Normalised as :mod:`lisa.network.centrality` does the unweighted ones:
    betweenness over ``(n-1)(n-2)``, closeness Wasserman–Faust scaled by the
    share of the others who can reach the person.
    """
    from lisa.network.centrality import reachers

    n = net.n
    if n < 3 or net.m == 0:
        return np.zeros(n), np.zeros(n)
    length = (1.0 / weight).tolist()
    g = net.graph
    between = np.asarray(g.betweenness(directed=True, weights=length), float) / ((n - 1) * (n - 2))
    inv_mean = np.nan_to_num(
        np.asarray(g.closeness(mode="in", weights=length, normalized=True), float), nan=0.0
    )
    return between, inv_mean * (reachers(net) / (n - 1))


def _means(
    keys: np.ndarray, size: int, items: dict[str, np.ndarray], picks: np.ndarray
) -> dict[str, np.ndarray]:
    """Per key, the mean of each item over the rated entries ``picks`` (NaN: none rated)."""
    out = {}
    for item, values in items.items():
        v = values[picks]
        rated = np.isfinite(v)
        total = np.bincount(keys[rated], v[rated], minlength=size)
        count = np.bincount(keys[rated], minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[item] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out


def _value(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _tie_arcs(study: Study) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every tie as an arc (a mutual relation's ties both ways): source, target, tie position."""
    t = study.ties
    mutual = np.array([not r.directed for r in study.relations], bool)
    back = np.flatnonzero(mutual[t.relation]) if len(t) else np.zeros(0, np.int64)
    src = np.concatenate([t.source, t.target[back]]).astype(np.int64)
    tgt = np.concatenate([t.target, t.source[back]]).astype(np.int64)
    pos = np.concatenate([np.arange(len(t)), back]).astype(np.int64)
    keep = src != tgt
    return src[keep], tgt[keep], pos[keep]


def _groups(
    study: Study, items: dict[str, np.ndarray], arcs: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> dict[str, dict[str, dict[str, GroupTies]]]:
    """Per grouping, the quality of the ties from each group to each group."""
    src, tgt, pos = arcs
    out: dict[str, dict[str, dict[str, GroupTies]]] = {}
    for grouping in GROUPINGS:
        values = study.group_values(grouping)
        names = sorted({v for v in values if v})
        if not names:
            continue
        code = {g: k for k, g in enumerate(names)}
        of = np.array([code.get(v, -1) for v in values], np.int64)
        a, b = of[src], of[tgt]
        ok = (a >= 0) & (b >= 0)
        k = len(names)
        cell = a[ok] * k + b[ok]
        count = np.bincount(cell, minlength=k * k)
        weight = np.bincount(cell, study.ties.weight[pos[ok]], minlength=k * k)
        means = _means(cell, k * k, items, pos[ok])
        out[grouping] = {
            names[i]: {
                names[j]: GroupTies(
                    ties=int(count[i * k + j]),
                    mean_weight=float(weight[i * k + j] / count[i * k + j]),
                    items={it: _value(m[i * k + j]) for it, m in means.items()},
                )
                for j in range(k)
                if count[i * k + j]
            }
            for i in range(k)
        }
    return out


Pair = tuple[np.ndarray, np.ndarray]


def _strengths(study: Study) -> tuple[Pair, dict[str, Pair], Net, np.ndarray]:
    """Combined and per-relation strengths, the combined net and its arc weights."""
    n = study.n_people
    src, tgt, w = study.arcs(None)
    combined = strength(n, src, tgt, w)
    relations = {}
    for r in study.relations:
        s, t, rw = study.arcs(r.name)
        relations[r.name] = strength(n, s, t, rw)
    return combined, relations, build_net("combined", n, src, tgt), w


def tie_quality(study: Study, weighted_paths_on: bool = False) -> TieQuality | None:
    """The tie-quality block of the analysis, or None when the study has no weights or items.

    Parameters
    ----------
    study
        The study, restricted to the analysed wave.
    weighted_paths_on
        Also compute weighted betweenness and closeness (arc length 1/weight).

    Returns
    -------
    TieQuality or None

    Raises
    ------
    StudyInvalid
        A tie item that is not a number (``bad-tie-item``).
    """
    if not has_tie_quality(study):
        return None
    items = item_values(study)
    n = study.n_people
    combined, relations, net, w = _strengths(study)
    arcs = _tie_arcs(study)
    received = _means(arcs[1], n, items, arcs[2])
    given = _means(arcs[0], n, items, arcs[2])
    between = close = None
    if weighted_paths_on:
        between, close = weighted_paths(net, w)
    people = {
        pid: PersonTieQuality(
            combined=Strength(in_strength=float(combined[0][i]), out_strength=float(combined[1][i])),
            relations={
                r: Strength(in_strength=float(s[0][i]), out_strength=float(s[1][i]))
                for r, s in relations.items()
            },
            received={it: _value(v[i]) for it, v in received.items()},
            given={it: _value(v[i]) for it, v in given.items()},
            weighted_betweenness=None if between is None else float(between[i]),
            weighted_closeness=None if close is None else float(close[i]),
        )
        for i, pid in enumerate(study.ids)
    }
    return TieQuality(
        weighted=bool(np.any(study.ties.weight != 1.0)),
        items=[item_columns(study)[k] for k in TIE_ITEMS if k in item_columns(study)],
        weighted_paths=weighted_paths_on,
        people=people,
        groups=_groups(study, items, arcs),
    )
