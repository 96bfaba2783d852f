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
    (``duplicate-id``); the same person listed twice under two ids — same
    name and organisation (``duplicate-person``); a layer that is not one of
    the four (``unknown-layer``); a ``responded`` value that is not yes/no
    (``bad-value``).
ties
    missing columns; a source or target not on the roster (``unknown-person``);
    a relation not in relations.csv (``unknown-relation``); a person naming
    themself (``self-tie``); a weight that is not a positive number
    (``bad-weight``); the same tie twice (``duplicate-tie``, a warning: the
    copies are merged).
relations
    missing name, a name used twice, a ``directed`` value that is not yes/no.
any file
    empty (``empty-file``), not UTF-8 (``encoding``), not a CSV table
    (``malformed-csv``).

Ties are checked column-wise with polars, so a million-row file takes about
a second.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from lisa.errors import Problem
from lisa.io.tables import Table
from lisa.study import DEFAULT_RELATIONS, Relation, Study, Ties
from lisa.vocabulary import LAYERS

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

#: Cap on problems reported per (file, code), so a wholly wrong file stays readable.
MAX_PER_KIND = 50


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


class _Reporter:
    """Collects problems, capping each kind per file with a summary line."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._counts: Counter[tuple[str | None, str]] = Counter()

    def add(self, problem: Problem) -> None:
        key = (problem.file, problem.code)
        self._counts[key] += 1
        if self._counts[key] <= MAX_PER_KIND:
            self.problems.append(problem)

    def full(self, file: str | None, code: str) -> bool:
        """Whether this kind is already at its cap (then count it without building it)."""
        return self._counts[(file, code)] >= MAX_PER_KIND

    def count(self, file: str | None, code: str) -> None:
        self._counts[(file, code)] += 1

    def finish(self) -> list[Problem]:
        for (file, code), n in self._counts.items():
            if n > MAX_PER_KIND:
                sev = next(p.severity for p in self.problems if p.file == file and p.code == code)
                self.problems.append(
                    Problem(
                        code,
                        f"... and {n - MAX_PER_KIND} more '{code}' problems like those above",
                        file,
                        severity=sev,
                    )
                )
        return self.problems


def build_study(
    people: Table,
    ties: Table | None,
    relations: Table | None = None,
    *,
    name: str = "study",
    source: str | None = None,
) -> tuple[Study | None, list[Problem]]:
    """Check the tables and build the study.

    Returns ``(study, problems)``; ``study`` is None when there is any error.
    """
    rep = _Reporter()
    for t in (people, ties, relations):
        if t is not None:
            for p in t.problems:
                rep.add(p)
    if any(p.severity == "error" for p in rep.problems) and (
        people.frame.width == 0 or (ties is not None and ties.frame.width == 0)
    ):
        return None, rep.finish()

    # -- people -------------------------------------------------------------
    people_ok = _check_columns(people, PEOPLE_REQUIRED, PEOPLE_EXPECTED, rep.problems)
    if not people_ok:
        return None, rep.finish()
    frame = people.frame
    n = frame.height
    ids = frame.get_column("id").to_list()

    def col(name_: str) -> list[str]:
        return frame.get_column(name_).to_list() if name_ in frame.columns else [""] * n

    names, orgs, sectors, layer_raw = col("name"), col("organisation"), col("sector"), col("layer")
    seen: dict[str, int] = {}
    for i, pid in enumerate(ids):
        row = i + 2
        if not pid:
            rep.add(
                Problem("empty-id", "this person has no id", people.label, row=row, column="id")
            )
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
        else:
            seen[pid] = row
    by_person: dict[tuple[str, str], int] = {}
    for i, (nm, org) in enumerate(zip(names, orgs, strict=True)):
        if not nm:
            continue
        key = (" ".join(nm.lower().split()), " ".join(org.lower().split()))
        if key in by_person:
            rep.add(
                Problem(
                    "duplicate-person",
                    f"'{nm}' of '{org or 'no organisation'}' is listed twice (also on row "
                    f"{by_person[key]}, id '{ids[by_person[key] - 2]}'); merge the two rows, or make "
                    "the names different if they are two people",
                    people.label,
                    row=i + 2,
                    column="name",
                    value=nm,
                )
            )
        else:
            by_person[key] = i + 2
    layers: list[str | None] = []
    for i, raw in enumerate(layer_raw):
        v = raw.strip().lower()
        if not v:
            layers.append(None)
        elif v in LAYERS:
            layers.append(v)
        else:
            layers.append(None)
            rep.add(
                Problem(
                    "unknown-layer",
                    f"'{raw}' is not a layer; use one of {', '.join(LAYERS)}, or leave it blank",
                    people.label,
                    row=i + 2,
                    column=people.original_columns.get("layer", "layer"),
                    value=raw,
                    suggestions=_suggest(v, LAYERS, 1),
                )
            )
    response_known = "responded" in frame.columns
    responded = np.ones(n, bool)
    unknown = np.zeros(n, bool)  # a blank cell: not recorded (neither yes nor no)
    if response_known:
        for i, raw in enumerate(col("responded")):
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
                        row=i + 2,
                        column=people.original_columns.get("responded", "responded"),
                        value=raw,
                    )
                )
            else:
                responded[i] = b
    skip = {"id", "name", "organisation", "sector", "layer", "responded"}
    attributes = {
        people.original_columns.get(c, c): frame.get_column(c).to_list()
        for c in frame.columns
        if c not in skip
    }

    # -- relations ----------------------------------------------------------
    declared: list[Relation] | None = None
    if relations is not None and relations.frame.width:
        if _check_columns(relations, RELATIONS_REQUIRED, RELATIONS_EXPECTED, rep.problems):
            declared = []
            rf = relations.frame
            rnames: dict[str, int] = {}
            for i, row_d in enumerate(rf.iter_rows(named=True)):
                rname = row_d["name"]
                if not rname:
                    rep.add(
                        Problem(
                            "empty-id",
                            "this relation has no name",
                            relations.label,
                            row=i + 2,
                            column="name",
                        )
                    )
                    continue
                if rname in rnames:
                    rep.add(
                        Problem(
                            "duplicate-id",
                            f"the relation '{rname}' is also defined on row {rnames[rname]}",
                            relations.label,
                            row=i + 2,
                            column="name",
                            value=rname,
                        )
                    )
                    continue
                rnames[rname] = i + 2
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
                                row=i + 2,
                                column="directed",
                                value=raw_d,
                            )
                        )
                    else:
                        directed = b
                default = next((r for r in DEFAULT_RELATIONS if r.name == rname), None)
                declared.append(
                    Relation(
                        name=rname,
                        label=row_d.get("label") or (default.label if default else ""),
                        question=row_d.get("question") or (default.question if default else ""),
                        directed=directed,
                    )
                )

    # -- ties ---------------------------------------------------------------
    if ties is None:
        ties_ok = False
    else:
        ties_ok = _check_columns(ties, TIES_REQUIRED, TIES_REQUIRED, rep.problems)
    if not ties_ok or ties is None:
        return None, rep.finish()
    study_ties, rel_list, waves = _check_ties(ties, ids, declared, rep)
    tie_extra = _extra_columns(ties, (*TIES_REQUIRED, *TIES_OPTIONAL))
    study_ties.attributes = {k: np.array(v, dtype=object) for k, v in tie_extra.items()}
    problems = rep.finish()
    if any(p.severity == "error" for p in problems):
        return None, problems
    study = Study(
        name=name,
        ids=ids,
        names=names,
        organisations=orgs,
        sectors=sectors,
        layers=layers,
        relations=rel_list,
        ties=study_ties,
        responded=responded,
        response_known=response_known,
        attributes=attributes,
        waves=waves,
        source=source,
        response_unknown=unknown,
        relation_attributes=(
            _extra_columns(relations, RELATIONS_EXPECTED)
            if declared is not None and relations is not None
            else {}
        ),
    )
    return study, problems


def _check_ties(
    table: Table, ids: list[str], declared: list[Relation] | None, rep: _Reporter
) -> tuple[Ties, list[Relation], list[str]]:
    label = table.label
    f = table.frame.with_row_index("row", offset=2)
    id_frame = pl.DataFrame(
        {"pid": ids, "idx": np.arange(len(ids), dtype=np.int32)},
        schema={"pid": pl.Utf8, "idx": pl.Int32},
    ).unique("pid", keep="first")
    f = (
        f.join(id_frame.rename({"pid": "source", "idx": "s"}), on="source", how="left")
        .join(id_frame.rename({"pid": "target", "idx": "t"}), on="target", how="left")
        .sort("row")
    )
    # unknown people
    for colname, idxcol in (("source", "s"), ("target", "t")):
        bad = f.filter(pl.col(idxcol).is_null())
        if bad.height:
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
                        f"'{value}' is not an id in people.csv"
                        if value
                        else f"the {colname} is empty",
                        label,
                        row=row,
                        column=table.original_columns.get(colname, colname),
                        value=value or None,
                        suggestions=suggest_cache[value],
                    )
                )
    # relations
    rel_values = f.get_column("relation")
    seen_rel = rel_values.unique(maintain_order=True).to_list()
    if declared is not None:
        relations = declared
        known = {r.name for r in declared}
        for value in seen_rel:
            if value not in known:
                rows = f.filter(pl.col("relation") == value).get_column("row")
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
    else:
        defaults = {r.name: r for r in DEFAULT_RELATIONS}
        for value in seen_rel:
            if not value:
                rows = f.filter(pl.col("relation") == value).get_column("row")
                rep.add(
                    Problem(
                        "unknown-relation",
                        f"the relation is empty ({rows.len()} row(s), first shown)",
                        label,
                        row=int(rows[0]),
                        column="relation",
                    )
                )
        named = [v for v in seen_rel if v]
        order = [r.name for r in DEFAULT_RELATIONS if r.name in named] + [
            v for v in named if v not in defaults
        ]
        relations = [defaults.get(v, Relation(name=v)) for v in order]
    rel_index = {r.name: i for i, r in enumerate(relations)}
    # self-ties
    selfs = f.filter(pl.col("s").is_not_null() & (pl.col("s") == pl.col("t")))
    for row, value in selfs.select("row", "source").iter_rows():
        rep.add(
            Problem(
                "self-tie",
                f"'{value}' names themself; remove the row (a person cannot be their own contact)",
                label,
                row=row,
                column=table.original_columns.get("target", "target"),
                value=value,
            )
        )
    # weights
    if "weight" in f.columns:
        w = f.get_column("weight")
        num = w.str.strip_chars().replace("", "1").cast(pl.Float64, strict=False)
        badw = f.filter(num.is_null() | num.is_nan() | (num <= 0) | num.is_infinite())
        for row, value in badw.select("row", "weight").iter_rows():
            rep.add(
                Problem(
                    "bad-weight",
                    f"the weight must be a positive number, not '{value}'",
                    label,
                    row=row,
                    column=table.original_columns.get("weight", "weight"),
                    value=value,
                )
            )
        weights = num.fill_null(1.0).fill_nan(1.0).to_numpy().astype(np.float64)
    else:
        weights = np.ones(f.height, np.float64)
    # waves
    waves: list[str] = []
    if "wave" in f.columns:
        wv = f.get_column("wave")
        present = [v for v in wv.unique(maintain_order=True).to_list() if v]
        if present:
            waves = sorted(present, key=_wave_key)
            blank = f.filter(pl.col("wave") == "")
            if blank.height:
                rep.add(
                    Problem(
                        "bad-value",
                        f"the wave is blank on {blank.height} row(s) while other rows name a wave "
                        f"(first shown); give every tie its wave",
                        label,
                        row=int(blank.get_column("row")[0]),
                        column="wave",
                    )
                )
            wave_idx = {w_: i for i, w_ in enumerate(waves)}
            wave_arr = wv.replace_strict(wave_idx, default=-1, return_dtype=pl.Int16).to_numpy()
        else:
            wave_arr = np.full(f.height, -1, np.int16)
    else:
        wave_arr = np.full(f.height, -1, np.int16)
    # duplicates (warning; merged by Study.arcs)
    dup = f.filter(
        pl.struct(
            "source", "target", "relation", *(["wave"] if "wave" in f.columns else [])
        ).is_duplicated()
    )
    if dup.height:
        first_row = int(dup.get_column("row")[0])
        rep.add(
            Problem(
                "duplicate-tie",
                f"{dup.height} rows repeat a tie already listed (same source, target, relation"
                f"{' and wave' if 'wave' in f.columns else ''}); the copies are merged, keeping the largest weight",
                label,
                row=first_row,
                severity="warning",
            )
        )
    s = f.get_column("s").fill_null(-1).to_numpy().astype(np.int32)
    t = f.get_column("t").fill_null(-1).to_numpy().astype(np.int32)
    r = (
        f.get_column("relation")
        .replace_strict(rel_index, default=-1, return_dtype=pl.Int16)
        .to_numpy()
        .astype(np.int16)
    )
    return Ties(s, t, r, weights, wave_arr.astype(np.int16)), relations, waves


def _wave_key(label: str) -> tuple[int, float | str]:
    """Waves sort numerically when they are numbers or dates, else as text."""
    try:
        return (0, float(label))
    except ValueError:
        return (1, label)


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
