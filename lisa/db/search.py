"""Typo-tolerant roster search within one study, on SQLite or PostgreSQL.

One function, :func:`search_roster`, in front of two indexes built by the first
migration: SQLite's FTS5 ``trigram`` table ``people_search`` and PostgreSQL's
``pg_trgm`` index on ``lower(name)``. The index finds candidates sharing
three-letter pieces with the query — also, for a short query, with one letter
left out or two neighbouring letters swapped, so a swapped, doubled or extra
letter still finds the name ("Dnaa" finds "Dana") — and
:mod:`rapidfuzz` ranks them. Only one study's people are ever searched, and
only their roster id, name and organisation come back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils
from sqlalchemy import TextClause, func, select, text
from sqlalchemy.orm import Session

from lisa.db.models import PersonRow

#: The longest query looked at (longer text is cut).
MAX_QUERY = 64
#: Candidates fetched from the index before ranking.
CANDIDATES = 200
#: Queries up to this long are also looked up with each letter left out in turn; longer
#: ones keep enough three-letter pieces through a typo, and their variants would
#: multiply the pieces (and the rows the index must rank) several times over.
VARIANTS_UP_TO = 7
#: Queries up to this long are also looked up with two neighbouring letters swapped.
SWAPS_UP_TO = 4
#: A name matched by a swapped short query (:func:`swapped`) scores this much below the
#: same match by the query itself.
SWAP_PENALTY = 5.0
#: Lowest rapidfuzz score (0-100) of a name shown as a match.
MIN_SCORE = 60.0
#: PostgreSQL: how close (pg_trgm's ``word_similarity``, 0-1) the query must be to a part
#: of a name for the name to be a candidate.
PG_WORD_SIMILARITY = 0.3


_FTS_QUERY = (
    "SELECT p.pid, p.name, p.organisation FROM people_search s JOIN people p ON p.id = s.rowid "
    "WHERE people_search MATCH ? AND s.study_id = ? ORDER BY s.rank LIMIT ?"
)


@dataclass(frozen=True)
class Match:
    """One person found: roster id, name and organisation (nothing else leaves the study)."""

    pid: str
    name: str
    organisation: str


def variants(query: str) -> list[str]:
    """``query`` in lower case and, for a short one, with each letter left out (4 to
    :data:`VARIANTS_UP_TO` letters) and two neighbouring letters swapped (3 to
    :data:`SWAPS_UP_TO` letters), in turn
    (duplicates dropped). A short word has few three-letter pieces, and one typo can change
    them all ("dnaa" shares none with "dana"); some variant keeps one.

    Examples
    --------
    >>> variants("Dnaa")  # "dana"
    ['dnaa', 'naa', 'daa', 'dna', 'ndaa', 'dana']
    >>> variants("Zeo")
    ['zeo', 'ezo', 'zoe']
    >>> variants("Robisnon Grace")
    ['robisnon grace']
    """
    q = query.lower()
    if not 2 < len(q) <= VARIANTS_UP_TO:
        return [q]
    left_out = [q[:i] + q[i + 1 :] for i in range(len(q))] if len(q) > 3 else []
    return list(dict.fromkeys([q, *left_out, *swapped(q)]))


def swapped(query: str) -> list[str]:
    """``query`` in lower case with two neighbouring letters swapped, each pair in turn, for
    a query of 3 to :data:`SWAPS_UP_TO` letters (from 5 letters some variant with a letter
    left out keeps a three-letter piece through a swap already); else none.

    >>> swapped("Mray")
    ['rmay', 'mary', 'mrya']
    """
    q = query.lower()
    if not 2 < len(q) <= SWAPS_UP_TO:
        return []
    return [q[:i] + q[i + 1] + q[i] + q[i + 2 :] for i in range(len(q) - 1)]


def trigrams(query: str) -> list[str]:
    """The three-letter pieces of ``query`` and, for a short one, of its :func:`variants`.

    Examples
    --------
    >>> trigrams("abcd")[:3]
    ['abc', 'bcd', 'bcd']
    >>> trigrams("Robisnon Grace")[:4]
    ['rob', 'obi', 'bis', 'isn']
    """
    return [v[i : i + 3] for v in variants(query) for i in range(len(v) - 2)]


def _fts_phrase(piece: str) -> str:
    return '"' + piece.replace('"', '""') + '"'


def _prefix_candidates(session: Session, study_id: int, q: str) -> list[tuple[str, str, str]]:
    """The names that start with ``q`` (too short for a three-letter piece), on either backend
    (PostgreSQL through its prefix index, migration 0009)."""
    # lower() on both sides, by the database (SQLite's lower-cases ASCII only, as its LIKE)
    like = func.lower(_escaped(q) + "%")
    rows = session.execute(
        select(PersonRow.pid, PersonRow.name, PersonRow.organisation)
        .where(PersonRow.study_id == study_id, func.lower(PersonRow.name).like(like, escape="\\"))
        .order_by(PersonRow.name)
        .limit(CANDIDATES)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _sqlite_candidates(session: Session, study_id: int, q: str) -> list[tuple[str, str, str]]:
    """Names sharing a three-letter piece with ``q`` (three letters or more) or a variant."""
    pieces = list(dict.fromkeys(trigrams(q)))
    match = "name : (" + " OR ".join(map(_fts_phrase, pieces)) + ")"
    # straight through the driver: up to CANDIDATES rows, each wrapped in a Row object by
    # SQLAlchemy, cost as much again as the index lookup itself
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        return cursor.execute(_FTS_QUERY, (match, study_id, CANDIDATES)).fetchall()
    finally:
        cursor.close()


def _escaped(piece: str) -> str:
    return piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _postgres_query(count: int) -> TextClause:
    """The candidates' query for ``count`` variants of the query (:func:`variants`).

    A name is a candidate when the query is close to a part of it (``<%``,
    pg_trgm's ``word_similarity``: typing the start of a name finds it), or
    when it holds the query or, for a short one, one of its variants' three-
    letter pieces (``LIKE ANY``: what SQLite's trigram index looks up). Both
    are conditions of the trigram index (a bitmap scan ORs them). The
    candidates kept are those closest to the query or a variant (a variant
    against a whole word of the name: ``strict_word_similarity``); among
    names equally close (every "X Singh" for "Uan Singh") the one closest to
    the whole query first (``similarity``, which counts the trigrams a longer
    name has in addition), so the name meant is not cut off by the limit in
    alphabetical order.
    """
    found = _PG_QUERIES.get(count)
    if found is None:
        closest = ", ".join(["word_similarity(:v0, lower(name))",
                             *(f"strict_word_similarity(:v{i}, lower(name))" for i in range(1, count))])
        found = _PG_QUERIES[count] = text(
            "SELECT pid, name, organisation FROM people "
            "WHERE study_id = :study AND (:v0 <% lower(name) OR lower(name) LIKE ANY (:pieces)) "
            f"ORDER BY greatest({closest}) DESC, similarity(:v0, lower(name)) DESC, name LIMIT :n"
        )
    return found


_PG_QUERIES: dict[int, TextClause] = {}
#: The threshold of ``<%`` and the index forced, for the search's transaction.
_PG_SETTINGS = text(
    f"SELECT set_config('pg_trgm.word_similarity_threshold', '{PG_WORD_SIMILARITY}', true), "
    "set_config('enable_seqscan', 'off', true)"
)


def _postgres_candidates(session: Session, study_id: int, q: str) -> list[tuple[str, str, str]]:
    # The planner guesses a few hundred rows for a short name and scans the whole roster,
    # computing word_similarity on every row (54 ms at 20,000 people, against about 3 ms
    # through the trigram index): for this one query, the index. (One statement: each is a
    # round trip.)
    session.execute(_PG_SETTINGS)
    each = variants(q)
    pieces = [q.lower()] + (list(dict.fromkeys(trigrams(q))) if len(each) > 1 else [])
    rows = session.execute(
        _postgres_query(len(each)),
        {"pieces": [f"%{_escaped(p)}%" for p in pieces], "study": study_id, "n": CANDIDATES,
         **{f"v{i}": v for i, v in enumerate(each)}},
    )
    found = [tuple(r) for r in rows]
    session.execute(text("SET LOCAL enable_seqscan = on"))
    return found  # type: ignore[return-value]


def search_roster(session: Session, study_id: int, query: str, limit: int = 20) -> list[Match]:
    """The people of one study whose names best match ``query``, typos allowed.

    Parameters
    ----------
    session
        An open session (SQLite or PostgreSQL).
    study_id
        The study searched; no other study's people can come back.
    query
        What the respondent typed (cut to :data:`MAX_QUERY` characters).
    limit
        The most matches returned.

    Returns
    -------
    list of Match
        Best first; empty for a blank query.

    Examples
    --------
    A respondent typing ``smtih`` finds ``Anna Smith`` (see tests/web/test_search.py).
    """
    q = " ".join(query.split())[:MAX_QUERY]
    if not q:
        return []
    if len(q) < 3:
        found = _prefix_candidates(session, study_id, q)
    elif session.get_bind().dialect.name == "postgresql":
        found = _postgres_candidates(session, study_id, q)
    else:
        found = _sqlite_candidates(session, study_id, q)
    names = [name for _, name, _ in found]
    scores = process.cdist([q], names, scorer=fuzz.WRatio, processor=utils.default_process)[0]
    turned = [v for v in swapped(q) if v != q.lower()]
    if turned and names:  # "Mray" is as good as "Mary" for Mary, a little less than exact
        alt = process.cdist(turned, names, scorer=fuzz.WRatio, processor=utils.default_process)
        scores = np.maximum(scores, alt.max(axis=0) - SWAP_PENALTY)
    scored = []
    for (pid, name, org), score in zip(found, scores.tolist(), strict=True):
        if score >= MIN_SCORE or name.lower().startswith(q.lower()):
            scored.append((-score, name, pid, org))
    scored.sort()
    return [Match(pid, name, org) for _, name, pid, org in scored[:limit]]
