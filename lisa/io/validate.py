"""Checking raw study tables and turning them into a :class:`~lisa.study.Study`.

One function, :func:`build_study`, takes the people, ties and (optional)
relations tables and returns the study together with *every* problem found:
errors (the data cannot be analysed as it is) and warnings (it can, but you
should know). Each problem names the file, the row as a spreadsheet shows it,
the column and the offending value, and suggests the closest valid value where
there is one. Nothing is fixed silently.

The checks, by file (codes in brackets, see ``docs/formats.md``):

people
    a required column missing or misspelt (``missing-column``,
    ``misspelt-column``); an empty id (``empty-id``); an id used twice
    (``duplicate-id``); an id holding an invisible character
    (``invisible-character``); two ids that look the same but are written
    differently (``lookalike-id``); the same person listed twice under two
    ids — same name and organisation, compared by :func:`name_key`
    (``duplicate-person``); a layer that is not one of the four
    (``unknown-layer``); a ``responded`` or ``outside`` value that is not
    yes/no (``bad-value``).
ties
    missing columns; a source or target not on the roster (``unknown-person``);
    a relation not in relations.csv (``unknown-relation``); more relations or
    waves than lisa analyses (``too-many-relations``, ``too-many-waves``); a
    person naming themself (``self-tie``); a weight that is not a positive
    number (``bad-weight``); waves that cannot be put in order
    (``unorderable-waves``, the rule is in :mod:`lisa.io.waves`); the same
    tie twice (``duplicate-tie``, a warning: the copies are merged).
relations
    missing name, a name used twice, a name with an invisible character, a
    ``directed`` value that is not yes/no.
any file
    what reading found (:mod:`lisa.io.tables`): empty, not text, not a CSV
    table, too large, control characters, ragged rows, workbook problems.

Ties are checked column-wise with polars, so a million-row file takes about
a second.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from lisa.errors import Problem
from lisa.io.limits import ReadLimits
from lisa.io.tables import MAX_PER_KIND, Reporter, Table
from lisa.io.waves import order_waves
from lisa.study import (
    DEFAULT_RELATIONS,
    OUTSIDE_COLUMN,
    WAVES_COLUMN,
    Relation,
    Study,
    Ties,
    present_in_wave,
    wave_cells,
)
from lisa.text import INVISIBLE, describe_char, name_key, strip_invisible
from lisa.vocabulary import LAYERS

__all__ = ["MAX_PER_KIND", "build_study", "group_problems", "id_key", "name_key", "parse_bool"]

PEOPLE_REQUIRED = ("id",)
PEOPLE_EXPECTED = ("id", "name", "organisation", "sector", "layer")
TIES_REQUIRED = ("source", "target", "relation")
TIES_OPTIONAL = ("weight", "wave")
RELATIONS_REQUIRED = ("name",)
RELATIONS_EXPECTED = ("name", "label", "question", "directed")

#: Column names people commonly use for the same thing.
ALIASES: dict[str, str] = {
    "organization": "organisation",
    "org": "organisation",
    "from": "source",
    "to": "target",
    "ego": "source",
    "alter": "target",
    "network": "relation",
    "type": "relation",
    "respondent": "responded",
    "response": "responded",
}

YES = {"yes", "y", "true", "t", "1"}
NO = {"no", "n", "false", "f", "0"}


def id_key(text: str) -> str:
    """How ids are compared to find look-alikes: NFC, invisible characters removed, case kept.

    >>> id_key("p1\\u200b") == id_key("p1")
    True
    """
    return unicodedata.normalize("NFC", strip_invisible(text))


def _suggest(value: str, choices: list[str] | tuple[str, ...], limit: int = 3) -> tuple[str, ...]:
    if not choices or not value:
        return ()
    found = process.extract(value, list(choices), scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
    return tuple(str(c[0]) for c in found)


def parse_bool(value: str) -> bool | None:
    """yes/no, true/false, 1/0 (any case); None when it is none of these."""
    v = value.strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    return None


def _check_columns(
    table: Table, required: tuple[str, ...], expected: tuple[str, ...], problems: list[Problem]
) -> bool:
    """Apply aliases, report missing or misspelt columns. True when usable."""
    renames = {
        c: ALIASES[c] for c in table.columns if c in ALIASES and ALIASES[c] not in table.columns
    }
    if renames:
        table.frame = table.frame.rename(renames)
    ok = True
    present = table.columns
    for col in expected:
        if col in present:
            continue
        others = [c for c in present if c not in expected]
        close = _suggest(col, others, limit=1)
        if close and fuzz.ratio(col, close[0]) >= 75:
            problems.append(
                Problem(
                    "misspelt-column",
                    f"no column '{col}'; the column '{table.original_columns.get(close[0], close[0])}' "
                    f"looks like a misspelling of it",
                    table.label,
                    row=1,
                    column=table.original_columns.get(close[0], close[0]),
                    suggestions=(col,),
                )
            )
            ok = ok and col not in required
        elif col in required:
            problems.append(
                Problem(
                    "missing-column",
                    f"the required column '{col}' is missing (the header has: "
                    f"{', '.join(table.original_columns.values()) or 'nothing'})",
                    table.label,
                    row=1,
                    column=col,
                )
            )
            ok = False
    return ok


def _invisible(value: str, what: str, table: Table, row: int, column: str) -> Problem | None:
    """The ``invisible-character`` problem when an id holds a character that shows as nothing."""
    found = INVISIBLE.search(value)
    if not found:
        return None
    return Problem(
        "invisible-character",
        f"the {what} '{value}' holds an invisible character ({describe_char(found.group())}); "
        "ids are matched exactly, so delete it",
        table.label,
        row=row,
        column=column,
        value=value,
    )


# -- people -------------------------------------------------------------------------


@dataclass
class _Roster:
    ids: list[str]
    names: list[str]
    organisations: list[str]
    sectors: list[str]
    layers: list[str | None]
    responded: np.ndarray
    response_known: bool
    response_unknown: np.ndarray
    attributes: dict[str, list[str]]


def _check_person_ids(people: Table, ids: list[str], rep: Reporter) -> None:
    """Empty, repeated, invisible-character and look-alike ids."""
    seen: dict[str, int] = {}
    alike: dict[str, tuple[str, int]] = {}
    for i, pid in enumerate(ids):
        row = people.row_number(i)
        if not pid:
            rep.add(Problem("empty-id", "this person has no id", people.label, row=row, column="id"))
            continue
        if pid in seen:
            rep.add(
                Problem(
                    "duplicate-id",
                    f"the id '{pid}' is also used on row {seen[pid]}; each person needs their own id",
                    people.label,
                    row=row,
                    column="id",
                    value=pid,
                )
            )
            continue
        seen[pid] = row
        hidden = _invisible(pid, "id", people, row, "id")
        if hidden:
            rep.add(hidden)
        key = id_key(pid)
        if key in alike:
            other, other_row = alike[key]
            rep.add(
                Problem(
                    "lookalike-id",
                    f"the id '{pid}' looks the same as the id '{other}' on row {other_row} but is "
                    "written with different characters (invisible ones, or accents encoded "
                    "differently); use one spelling for one person",
                    people.label,
                    row=row,
                    column="id",
                    value=pid,
                )
            )
        else:
            alike[key] = (pid, row)


def _check_duplicate_people(
    people: Table, ids: list[str], names: list[str], orgs: list[str], rep: Reporter
) -> None:
    """The same name and organisation (by :func:`name_key`) under two ids."""
    by_person: dict[tuple[str, str], int] = {}
    for i, (nm, org) in enumerate(zip(names, orgs, strict=True)):
        if not nm:
            continue
        key = (name_key(nm), name_key(org))
        if key in by_person:
            first = by_person[key]
            rep.add(
                Problem(
                    "duplicate-person",
                    f"'{nm}' of '{org or 'no organisation'}' is listed twice (also on row "
                    f"{people.row_number(first)}, id '{ids[first]}'); merge the two rows, or make "
                    "the names different if they are two people",
                    people.label,
                    row=people.row_number(i),
                    column="name",
                    value=nm,
                )
            )
        else:
            by_person[key] = i


def _parse_layers(people: Table, layer_raw: list[str], rep: Reporter) -> list[str | None]:
    layers: list[str | None] = []
    for i, raw in enumerate(layer_raw):
        v = raw.strip().lower()
        if v in LAYERS:
            layers.append(v)
            continue
        layers.append(None)
        if v:
            rep.add(
                Problem(
                    "unknown-layer",
                    f"'{raw}' is not a layer; use one of {', '.join(LAYERS)}, or leave it blank",
                    people.label,
                    row=people.row_number(i),
                    column=people.original_columns.get("layer", "layer"),
                    value=raw,
                    suggestions=_suggest(v, LAYERS, 1),
                )
            )
    return layers


def _parse_responded(people: Table, rep: Reporter) -> tuple[np.ndarray, bool, np.ndarray]:
    """(responded, whether the column exists, not recorded): a blank cell is neither yes nor no."""
    frame = people.frame
    responded = np.ones(frame.height, bool)
    unknown = np.zeros(frame.height, bool)
    if "responded" not in frame.columns:
        return responded, False, unknown
    for i, raw in enumerate(frame.get_column("responded").to_list()):
        if raw == "":
            responded[i], unknown[i] = False, True
            continue
        b = parse_bool(raw)
        if b is None:
            rep.add(
                Problem(
                    "bad-value",
                    f"'responded' must be yes or no, not '{raw}'",
                    people.label,
                    row=people.row_number(i),
                    column=people.original_columns.get("responded", "responded"),
                    value=raw,
                )
            )
        else:
            responded[i] = b
    return responded, True, unknown


def _check_outside(people: Table, rep: Reporter) -> None:
    """The optional ``outside`` column (:data:`lisa.study.OUTSIDE_COLUMN`) holds yes, no or blank."""
    if OUTSIDE_COLUMN not in people.frame.columns:
        return
    for i, raw in enumerate(people.frame.get_column(OUTSIDE_COLUMN).to_list()):
        if raw != "" and parse_bool(raw) is None:
            rep.add(
                Problem(
                    "bad-value",
                    f"'{OUTSIDE_COLUMN}' must be yes, no or blank, not '{raw}'",
                    people.label,
                    row=people.row_number(i),
                    column=people.original_columns.get(OUTSIDE_COLUMN, OUTSIDE_COLUMN),
                    value=raw,
                )
            )


def _check_people(people: Table, rep: Reporter) -> _Roster | None:
    """The roster's columns, ids, duplicates, layers and responses; None when unusable."""
    if not _check_columns(people, PEOPLE_REQUIRED, PEOPLE_EXPECTED, rep.problems):
        return None
    frame = people.frame

    def col(name_: str) -> list[str]:
        return frame.get_column(name_).to_list() if name_ in frame.columns else [""] * frame.height

    ids, names, orgs = col("id"), col("name"), col("organisation")
    _check_person_ids(people, ids, rep)
    _check_duplicate_people(people, ids, names, orgs, rep)
    layers = _parse_layers(people, col("layer"), rep)
    responded, response_known, unknown = _parse_responded(people, rep)
    _check_outside(people, rep)
    skip = {"id", "name", "organisation", "sector", "layer", "responded"}
    attributes = {
        people.original_columns.get(c, c): frame.get_column(c).to_list()
        for c in frame.columns
        if c not in skip
    }
    return _Roster(
        ids, names, orgs, col("sector"), layers, responded, response_known, unknown, attributes
    )


# -- relations ----------------------------------------------------------------------


def _relation_row(
    relations: Table, i: int, row_d: dict[str, str], seen: dict[str, int], rep: Reporter
) -> Relation | None:
    """One row of relations.csv as a Relation, or None (with a problem) when it is not one."""
    rname, row = row_d["name"], relations.row_number(i)
    if not rname:
        rep.add(Problem("empty-id", "this relation has no name", relations.label, row=row, column="name"))
        return None
    if rname in seen:
        rep.add(
            Problem(
                "duplicate-id",
                f"the relation '{rname}' is also defined on row {seen[rname]}",
                relations.label,
                row=row,
                column="name",
                value=rname,
            )
        )
        return None
    seen[rname] = row
    hidden = _invisible(rname, "relation name", relations, row, "name")
    if hidden:
        rep.add(hidden)
    directed = True
    raw_d = row_d.get("directed", "") or ""
    if raw_d:
        b = parse_bool(raw_d)
        if b is None:
            rep.add(
                Problem(
                    "bad-value",
                    f"'directed' must be yes or no, not '{raw_d}'",
                    relations.label,
                    row=row,
                    column="directed",
                    value=raw_d,
                )
            )
        else:
            directed = b
    default = next((r for r in DEFAULT_RELATIONS if r.name == rname), None)
    return Relation(
        name=rname,
        label=row_d.get("label") or (default.label if default else ""),
        question=row_d.get("question") or (default.question if default else ""),
        directed=directed,
    )


def _check_relations(relations: Table | None, rep: Reporter) -> list[Relation] | None:
    """The relations declared in relations.csv; None when there is no usable file."""
    if relations is None or not relations.frame.width:
        return None
    if not _check_columns(relations, RELATIONS_REQUIRED, RELATIONS_EXPECTED, rep.problems):
        return None
    declared: list[Relation] = []
    seen: dict[str, int] = {}
    for i, row_d in enumerate(relations.frame.iter_rows(named=True)):
        relation = _relation_row(relations, i, row_d, seen, rep)
        if relation is not None:
            declared.append(relation)
    return declared


# -- the study ----------------------------------------------------------------------


def _no_ties_yet(ties: Table) -> None:
    """A ties table with its header and no rows is a roster whose survey is not in yet: a
    warning, not an error, so its first survey export can be imported."""
    ties.problems = [p for p in ties.problems if p.code != "empty-file"] + [
        Problem(
            "no-ties",
            "there are no ties yet: import the survey answers (lisa import-survey) before "
            "analysing",
            ties.label,
            severity="warning",
        )
    ]


def _check_roster_waves(
    people: Table, ties: Ties, waves: list[str], rep: Reporter
) -> None:
    """The roster's ``waves`` column against ties.csv's waves (see docs/formats.md).

    A wave the column names that ties.csv does not have is an error
    (``unknown-wave``: the analysis of any wave would refuse it); ties that name someone the column leaves out of the tie's wave are
    counted once (``tie-outside-wave``: they are left out of that wave).
    """
    if WAVES_COLUMN not in people.frame.columns:
        return
    column = people.original_columns.get(WAVES_COLUMN, WAVES_COLUMN)
    cells = people.frame.get_column(WAVES_COLUMN).to_list()
    labels = wave_cells(cells)
    known = set(waves)
    for i, named in enumerate(labels):
        for label in named:
            if label not in known:
                rep.add(
                    Problem(
                        "unknown-wave",
                        f"the roster's '{column}' column names the wave '{label}' for "
                        f"'{people.frame.get_column('id')[i]}', which is not a wave in ties.csv "
                        f"({', '.join(waves) or 'it has no wave column'})",
                        people.label,
                        row=people.row_number(i),
                        column=column,
                        value=cells[i],
                        suggestions=_suggest(label, waves, 1),
                    )
                )
                break
    if not waves or not len(ties.source):
        return
    absent = np.array([~present_in_wave(labels, wave) for wave in waves])
    valid = (ties.source >= 0) & (ties.target >= 0) & (ties.wave >= 0)
    w, s, t = ties.wave[valid], ties.source[valid], ties.target[valid]
    outside = int((absent[w, s] | absent[w, t]).sum())
    if outside:
        rep.add(
            Problem(
                "tie-outside-wave",
                f"{outside:,} tie(s) name someone the roster's '{column}' column leaves out of "
                "the tie's wave; they are not counted in that wave's analysis",
                people.label,
                column=column,
                severity="warning",
            )
        )


def build_study(
    people: Table,
    ties: Table | None,
    relations: Table | None = None,
    *,
    name: str = "study",
    source: str | None = None,
    limits: ReadLimits | None = None,
) -> tuple[Study | None, list[Problem]]:
    """Check the tables and build the study.

    Parameters
    ----------
    people, ties, relations
        The tables as read by :mod:`lisa.io.tables` (``relations`` optional).
    name, source
        The study's title, and where it was read from (for messages).
    limits
        Limits on relations and waves (default: :meth:`ReadLimits.current`).

    Returns
    -------
    tuple
        ``(study, problems)``; ``study`` is None when there is any error.
    """
    rep = Reporter()
    if ties is not None and ties.frame.width and not ties.frame.height:
        _no_ties_yet(ties)
    for t in (people, ties, relations):
        if t is not None:
            rep.add_table(t)
    if any(p.severity == "error" for p in rep.problems) and (
        people.frame.width == 0 or (ties is not None and ties.frame.width == 0)
    ):
        return None, rep.finish()
    roster = _check_people(people, rep)
    if roster is None:
        return None, rep.finish()
    declared = _check_relations(relations, rep)
    if ties is None or not _check_columns(ties, TIES_REQUIRED, TIES_REQUIRED, rep.problems):
        return None, rep.finish()
    checked = _check_ties(ties, roster.ids, declared, rep, limits or ReadLimits.current())
    if checked is not None:
        _check_roster_waves(people, checked[0], checked[2], rep)
    problems = rep.finish()
    if checked is None or any(p.severity == "error" for p in problems):
        return None, problems
    study_ties, rel_list, waves = checked
    tie_extra = _extra_columns(ties, (*TIES_REQUIRED, *TIES_OPTIONAL))
    study_ties.attributes = {k: np.array(v, dtype=object) for k, v in tie_extra.items()}
    study = Study(
        name=name,
        ids=roster.ids,
        names=roster.names,
        organisations=roster.organisations,
        sectors=roster.sectors,
        layers=roster.layers,
        relations=rel_list,
        ties=study_ties,
        responded=roster.responded,
        response_known=roster.response_known,
        attributes=roster.attributes,
        waves=waves,
        source=source,
        response_unknown=roster.response_unknown,
        relation_attributes=(
            _extra_columns(relations, RELATIONS_EXPECTED)
            if declared is not None and relations is not None
            else {}
        ),
    )
    return study, problems


# -- ties ---------------------------------------------------------------------------


def _join_people(table: Table, ids: list[str]) -> pl.DataFrame:
    """The ties with their spreadsheet ``row`` and roster indexes ``s`` and ``t`` (null: unknown)."""
    id_frame = pl.DataFrame(
        {"pid": ids, "idx": np.arange(len(ids), dtype=np.int32)},
        schema={"pid": pl.Utf8, "idx": pl.Int32},
    ).unique("pid", keep="first")
    # only the columns the checks read: a user's own column named 's', 't' or 'row' stays out
    known = [c for c in (*TIES_REQUIRED, *TIES_OPTIONAL) if c in table.frame.columns]
    f = table.frame.select(known).with_columns(table.row_numbers())
    return (
        f.join(id_frame.rename({"pid": "source", "idx": "s"}), on="source", how="left")
        .join(id_frame.rename({"pid": "target", "idx": "t"}), on="target", how="left")
        .sort("row")
    )


def _unknown_person(value: str, colname: str, lookalikes: dict[str, str]) -> str:
    if not value:
        return f"the {colname} is empty"
    message = f"'{value}' is not an id in people.csv"
    alike = lookalikes.get(id_key(value))
    if alike is not None:
        message += (
            f" (it differs from the id '{alike}' only by invisible characters or by how its "
            "accents are encoded)"
        )
    return message


def _check_tie_people(table: Table, f: pl.DataFrame, ids: list[str], rep: Reporter) -> None:
    """A source or target that is empty or not on the roster."""
    label = table.label
    lookalikes: dict[str, str] | None = None
    for colname, idxcol in (("source", "s"), ("target", "t")):
        bad = f.filter(pl.col(idxcol).is_null())
        if not bad.height:
            continue
        if lookalikes is None:
            lookalikes = {id_key(i): i for i in ids}
        suggest_cache: dict[str, tuple[str, ...]] = {}
        for row, value in bad.select("row", colname).iter_rows():
            code = "unknown-person" if value else "empty-id"
            if rep.full(label, code):  # skip the fuzzy search for problems not shown
                rep.count(label, code)
                continue
            if value not in suggest_cache:
                suggest_cache[value] = _suggest(value, ids)
            rep.add(
                Problem(
                    code,
                    _unknown_person(value, colname, lookalikes),
                    label,
                    row=row,
                    column=table.original_columns.get(colname, colname),
                    value=value or None,
                    suggestions=suggest_cache[value],
                )
            )


def _first_rows(f: pl.DataFrame, value: str) -> pl.Series:
    return f.filter(pl.col("relation") == value).get_column("row")


def _declared_relations(
    f: pl.DataFrame, label: str, declared: list[Relation], seen: list[str], rep: Reporter
) -> list[Relation]:
    known = {r.name for r in declared}
    for value in seen:
        if value in known:
            continue
        rows = _first_rows(f, value)
        rep.add(
            Problem(
                "unknown-relation",
                f"'{value}' is not a relation in relations.csv ({rows.len()} row(s), first shown)"
                if value
                else f"the relation is empty ({rows.len()} row(s), first shown)",
                label,
                row=int(rows[0]),
                column="relation",
                value=value or None,
                suggestions=_suggest(value, sorted(known)),
            )
        )
    return declared


def _named_relations(
    table: Table, f: pl.DataFrame, seen: list[str], rep: Reporter
) -> list[Relation]:
    """Without relations.csv: the relations ties.csv names, the defaults first (all seven
    defaults when there are no ties yet, so a roster can take its first survey)."""
    defaults = {r.name: r for r in DEFAULT_RELATIONS}
    if not seen:
        return list(DEFAULT_RELATIONS)
    for value in seen:
        row = int(_first_rows(f, value)[0])
        if not value:
            n = _first_rows(f, value).len()
            rep.add(
                Problem(
                    "unknown-relation",
                    f"the relation is empty ({n} row(s), first shown)",
                    table.label,
                    row=row,
                    column="relation",
                )
            )
            continue
        hidden = _invisible(value, "relation", table, row, "relation")
        if hidden:
            rep.add(hidden)
    named = [v for v in seen if v]
    order = [r.name for r in DEFAULT_RELATIONS if r.name in named] + [
        v for v in named if v not in defaults
    ]
    return [defaults.get(v, Relation(name=v)) for v in order]


def _tie_relations(
    table: Table, f: pl.DataFrame, declared: list[Relation] | None, rep: Reporter, limits: ReadLimits
) -> list[Relation] | None:
    """The study's relations, checked against relations.csv when there is one."""
    seen = f.get_column("relation").unique(maintain_order=True).to_list()
    if len(seen) > limits.max_relations or len(declared or ()) > limits.max_relations:
        n = max(len(seen), len(declared or ()))
        rep.add(
            Problem(
                "too-many-relations",
                f"the study names {n:,} different relations (first: "
                + ", ".join(f"'{v}'" for v in seen[:5])
                + f"); lisa analyses each on its own, up to {limits.max_relations} (setting "
                "LISA_MAX_RELATIONS) — is the relation column the right one?",
                table.label,
                column="relation",
            )
        )
        return None
    if declared is not None:
        return _declared_relations(f, table.label, declared, seen, rep)
    return _named_relations(table, f, seen, rep)


def _check_self_ties(table: Table, f: pl.DataFrame, rep: Reporter) -> None:
    selfs = f.filter(pl.col("s").is_not_null() & (pl.col("s") == pl.col("t")))
    for row, value in selfs.select("row", "source").iter_rows():
        rep.add(
            Problem(
                "self-tie",
                f"'{value}' names themself; remove the row (a person cannot be their own contact)",
                table.label,
                row=row,
                column=table.original_columns.get("target", "target"),
                value=value,
            )
        )


def _tie_weights(table: Table, f: pl.DataFrame, rep: Reporter) -> np.ndarray:
    """Each tie's weight (1 when blank or absent); a weight that is not positive is an error."""
    if "weight" not in f.columns:
        return np.ones(f.height, np.float64)
    w = f.get_column("weight")
    num = w.str.strip_chars().replace("", "1").cast(pl.Float64, strict=False)
    badw = f.filter(num.is_null() | num.is_nan() | (num <= 0) | num.is_infinite())
    for row, value in badw.select("row", "weight").iter_rows():
        rep.add(
            Problem(
                "bad-weight",
                f"the weight must be a positive number, not '{value}'",
                table.label,
                row=row,
                column=table.original_columns.get("weight", "weight"),
                value=value,
            )
        )
    return num.fill_null(1.0).fill_nan(1.0).to_numpy().astype(np.float64)


def _wave_problem(table: Table, code: str, message: str, row: int | None = None) -> Problem:
    column = table.original_columns.get("wave", "wave")
    return Problem(code, message, table.label, row=row, column=column)


def _tie_waves(
    table: Table, f: pl.DataFrame, rep: Reporter, limits: ReadLimits
) -> tuple[list[str], np.ndarray] | None:
    """The waves in time order and each tie's wave index (-1: none); None when unorderable."""
    none = np.full(f.height, -1, np.int16)
    if "wave" not in f.columns:
        return [], none
    wv = f.get_column("wave")
    present = [v for v in wv.unique(maintain_order=True).to_list() if v]
    if not present:
        return [], none
    if len(present) > limits.max_waves:
        message = (
            f"ties.csv names {len(present):,} different waves, more than lisa reads "
            f"({limits.max_waves}, setting LISA_MAX_WAVES) — is the wave column the right one?"
        )
        rep.add(_wave_problem(table, "too-many-waves", message))
        return None
    ordered = order_waves(present)
    if ordered.order is None:
        rep.add(_wave_problem(table, "unorderable-waves", ordered.reason))
        return None
    blank = f.filter(pl.col("wave") == "")
    if blank.height:
        message = (
            f"the wave is blank on {blank.height} row(s) while other rows name a wave "
            "(first shown); give every tie its wave"
        )
        rep.add(_wave_problem(table, "bad-value", message, int(blank.get_column("row")[0])))
    wave_idx = {w_: i for i, w_ in enumerate(ordered.order)}
    wave_arr = wv.replace_strict(wave_idx, default=-1, return_dtype=pl.Int16).to_numpy()
    return ordered.order, wave_arr.astype(np.int16)


def _check_duplicate_ties(f: pl.DataFrame, label: str, rep: Reporter) -> None:
    """The same tie twice is a warning: :meth:`Study.arcs` merges the copies."""
    keys = ["source", "target", "relation", *(["wave"] if "wave" in f.columns else [])]
    dup = f.filter(pl.struct(*keys).is_duplicated())
    if not dup.height:
        return
    rep.add(
        Problem(
            "duplicate-tie",
            f"{dup.height} rows repeat a tie already listed (same source, target, relation"
            f"{' and wave' if 'wave' in f.columns else ''}); the copies are merged, keeping the largest weight",
            label,
            row=int(dup.get_column("row")[0]),
            severity="warning",
        )
    )


def _check_ties(
    table: Table, ids: list[str], declared: list[Relation] | None, rep: Reporter, limits: ReadLimits
) -> tuple[Ties, list[Relation], list[str]] | None:
    """Every check on ties.csv, and the ties as roster indexes; None when they cannot be built."""
    f = _join_people(table, ids)
    _check_tie_people(table, f, ids, rep)
    relations = _tie_relations(table, f, declared, rep, limits)
    _check_self_ties(table, f, rep)
    weights = _tie_weights(table, f, rep)
    waves = _tie_waves(table, f, rep, limits)
    _check_duplicate_ties(f, table.label, rep)
    if relations is None or waves is None:
        return None
    rel_index = {r.name: i for i, r in enumerate(relations)}
    s = f.get_column("s").fill_null(-1).to_numpy().astype(np.int32)
    t = f.get_column("t").fill_null(-1).to_numpy().astype(np.int32)
    r = (
        f.get_column("relation")
        .replace_strict(rel_index, default=-1, return_dtype=pl.Int16)
        .to_numpy()
        .astype(np.int16)
    )
    return Ties(s, t, r, weights, waves[1]), relations, waves[0]


def _extra_columns(table: Table, known: tuple[str, ...]) -> dict[str, list[str]]:
    """The table's further columns (header as written → cells), in file order, kept on rewrite."""
    return {
        table.original_columns.get(c, c): table.frame.get_column(c).to_list()
        for c in table.columns
        if c not in known
    }


def group_problems(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Problems by file, in the order met (for printing)."""
    out: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        out[p.file or ""].append(p)
    return dict(out)
