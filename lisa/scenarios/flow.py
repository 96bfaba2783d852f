"""The network an idea travels on: who can pass it to whom, and how strongly.

A survey tie says "A names B" (A goes to B for advice, ideas, expertise). An
idea then travels the other way: B tells A. :func:`flow_graph` turns a
study's ties into *flow arcs* ``u → v`` ("u can pass the idea to v") in one of
three directions (:data:`Direction`):

``to-asker`` (the default)
    B → A for every "A names B": the named person is the source of advice,
    so ideas flow from them to the person who turns to them.
``to-named``
    A → B: the respondent passes ideas on to the people they name.
``both``
    Either way (direction ignored).

Ties of an undirected relation flow both ways under every direction. Each
arc carries an independent-cascade probability and a linear-threshold
influence weight, from one of three sources (:data:`ProbabilitySource`):
one probability for every tie (a setting), the tie weights (a weight ``w``
gives ``1 − (1 − p)^w``: each unit of weight is one more independent chance),
or a per-tie item column of ``ties.csv`` (a number from 0 to ``column_max``,
divided by ``column_max``). Where several ties join the same ordered pair (the
combined network, or repeated ties) the strongest is kept, as
:meth:`lisa.study.Study.arcs` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from lisa.errors import ConfigError
from lisa.study import Study

Direction = Literal["to-asker", "to-named", "both"]
ProbabilitySource = Literal["setting", "weight", "column"]

#: The flow each direction setting means, in words (docs, report, CLI).
DIRECTION_TEXT: dict[str, str] = {
    "to-asker": "ideas flow from the person named to the person who named them "
    "(A names B for advice: B tells A)",
    "to-named": "ideas flow from the person naming to the person named (A names B: A tells B)",
    "both": "ideas flow both ways along every tie",
}


@dataclass(frozen=True)
class FlowGraph:
    """Flow arcs in compressed sparse rows by sender.

    ``tails[indptr[u]:indptr[u + 1]]`` are all ``u``; ``heads`` are the people
    each arc reaches. ``prob`` is the independent-cascade chance of each arc,
    ``influence`` its linear-threshold weight (each receiver's incoming weights
    sum to 1, or there are none).
    """

    n: int
    indptr: np.ndarray  # int64, n + 1
    tails: np.ndarray  # int32
    heads: np.ndarray  # int32
    prob: np.ndarray  # float64
    influence: np.ndarray  # float64

    @property
    def arcs(self) -> int:
        return int(self.heads.shape[0])

    @classmethod
    def from_arcs(
        cls, n: int, tails: np.ndarray, heads: np.ndarray, prob: np.ndarray, strength: np.ndarray
    ) -> FlowGraph:
        """Build from arc lists (duplicates merged by their largest values, self-arcs dropped).

        Parameters
        ----------
        n
            Number of people.
        tails, heads
            Sender and receiver of each arc (0 … n-1).
        prob
            Independent-cascade probability of each arc, 0 to 1.
        strength
            Linear-threshold weight before normalisation (non-negative).

        Returns
        -------
        FlowGraph

        Examples
        --------
        >>> g = FlowGraph.from_arcs(3, np.array([0, 1]), np.array([1, 2]),
        ...                         np.array([0.5, 0.5]), np.ones(2))
        >>> g.arcs, g.indptr.tolist()
        (2, [0, 1, 2, 2])
        """
        tails, heads = np.asarray(tails, np.int64), np.asarray(heads, np.int64)
        prob, strength = np.asarray(prob, np.float64), np.asarray(strength, np.float64)
        keep = tails != heads
        tails, heads, prob, strength = tails[keep], heads[keep], prob[keep], strength[keep]
        key = tails * max(n, 1) + heads
        order = np.lexsort((-prob, key))
        key, prob, strength = key[order], prob[order], strength[order]
        first = np.ones(key.shape[0], bool)
        first[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(first)
        if key.size:
            strength = np.maximum.reduceat(strength, starts)
        key, prob = key[first], prob[first]
        tails, heads = key // max(n, 1), key % max(n, 1)
        total_in = np.bincount(heads, weights=strength, minlength=n)
        influence = np.divide(
            strength, total_in[heads], out=np.zeros_like(strength), where=total_in[heads] > 0
        )
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
        return cls(
            n,
            indptr,
            tails.astype(np.int32),
            heads.astype(np.int32),
            prob,
            influence,
        )


def _tie_numbers(study: Study, column: str, mask: np.ndarray) -> np.ndarray:
    """The per-tie item ``column`` as numbers; names the first bad cell when one is not."""
    columns = study.ties.attributes
    if column not in columns:
        known = ", ".join(columns) or "none"
        raise ConfigError(
            f"ties.csv has no column '{column}' to read tie probabilities from; its extra "
            f"columns are: {known}"
        )
    cells = columns[column]
    rows = np.flatnonzero(mask)
    out = np.empty(rows.shape[0], np.float64)
    for k, row in enumerate(rows):
        text = str(cells[row]).strip()
        try:
            out[k] = float(text)
        except ValueError:
            out[k] = np.nan
        if not np.isfinite(out[k]):
            raise ConfigError(
                f"tie column '{column}' must hold a number on every tie used; tie {row + 1} "
                f"has '{text[:40]}'"
            )
    return out


def tie_chances(
    study: Study,
    mask: np.ndarray,
    source: ProbabilitySource,
    p: float,
    column: str | None,
    column_max: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(independent-cascade probability, linear-threshold strength) of the ties in ``mask``.

    Raises :class:`~lisa.errors.ConfigError` for a missing column or a value
    outside 0 … ``column_max``.
    """
    count = int(mask.sum())
    if source == "setting":
        return np.full(count, p), np.ones(count)
    if source == "weight":
        w = study.ties.weight[mask].astype(np.float64)
        return 1.0 - (1.0 - p) ** w, w
    if column is None:
        raise ConfigError("probability=column needs the setting 'column' (a ties.csv column)")
    values = _tie_numbers(study, column, mask)
    bad = np.flatnonzero((values < 0) | (values > column_max))
    if bad.size:
        raise ConfigError(
            f"tie column '{column}' must lie from 0 to column_max={column_max:g}; "
            f"{bad.size} ties do not (the first holds {values[bad[0]]:g})"
        )
    return values / column_max, values


def flow_graph(
    study: Study,
    relation: str | None = None,
    *,
    direction: Direction = "to-asker",
    source: ProbabilitySource = "setting",
    p: float = 0.1,
    column: str | None = None,
    column_max: float = 1.0,
) -> FlowGraph:
    """The flow arcs of one relation (or all combined, ``None``) of a study.

    Parameters
    ----------
    study
        The study.
    relation
        A relation name, or None for the combined network.
    direction
        See :data:`Direction` and the module notes.
    source, p, column, column_max
        Where each arc's chance comes from (see :func:`tie_chances`).

    Returns
    -------
    FlowGraph

    Raises
    ------
    UnknownRelation
        The study has no such relation.
    ConfigError
        The probability column is missing or holds a value that is not a chance.

    Examples
    --------
    >>> import lisa
    >>> g = flow_graph(lisa.generate(60, seed=1), "innovation", p=0.2)
    >>> g.n, bool(g.arcs > 0), float(g.prob.max())
    (60, True, 0.2)
    """
    t = study.ties
    if relation is None:
        mask = np.ones(len(t), bool)
    else:
        mask = t.relation == study.relation_index(relation)
    prob, strength = tie_chances(study, mask, source, p, column, column_max)
    src, tgt, rel = t.source[mask], t.target[mask], t.relation[mask]
    undirected = np.array([not r.directed for r in study.relations], bool)
    both_ways = undirected[rel] if rel.size else np.zeros(0, bool)
    if direction == "to-asker":
        tails, heads = tgt, src
    else:
        tails, heads = src, tgt
    back = np.ones(src.shape[0], bool) if direction == "both" else both_ways
    return FlowGraph.from_arcs(
        study.n_people,
        np.concatenate([tails, heads[back]]),
        np.concatenate([heads, tails[back]]),
        np.concatenate([prob, prob[back]]),
        np.concatenate([strength, strength[back]]),
    )
