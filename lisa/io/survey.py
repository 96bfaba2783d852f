"""Survey-tool exports: one row per respondent, one column per relation.

Online survey tools (and lisa's own paper form typed into a spreadsheet)
give a table like::

    respondent,     work,                      innovation
    Ann Lee,        "Bob Ray; Cara Sen",       Bob Ray
    Bob Ray,        ann lee,                   "Dev Patel"

:func:`read_survey_export` turns it into ties on a study's roster. Each name
is matched **exactly** (to a roster id or name), then **ignoring case, spacing
and Unicode form** (:func:`name_key`); a name that still does not match is
reported with the closest roster names (rapidfuzz), and a name two roster
people share is an ``ambiguous-person`` error listing both — never a guess.
"Someone not on the list" answers (``other: …``) are set aside, not dropped:
the import stores them in ``not_on_list.csv`` so the roster can be extended.
Relation columns are found by relation name, label or question.

:func:`merge_survey` merges an import into a study without touching files (a
database can use it); :func:`write_survey_ties` is load, merge, validate and
write for a study folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from lisa.errors import ConfigError, Problem, StudyInvalid, StudyNotFound
from lisa.io.tables import Table, normalise_header, read_csv, read_sheet
from lisa.study import Study, Tie, Ties, Unlisted
from lisa.text import name_key

RESPONDENT_COLUMNS = ("respondent", "respondent_id", "your_name", "name", "id", "respondent_name")
OTHER_PREFIXES = ("other:", "someone not on the list:", "not on the list:")
_SPLIT = re.compile(r"\s*(?:;|\n|\|)\s*")


@dataclass
class SurveyImport:
    """Ties matched from a survey export, who answered, and every problem met.

    ``set_aside`` holds the "not on the list" answers (their ``wave`` is set
    when the import is merged into a study).
    """

    ties: list[Tie] = field(default_factory=list)
    respondents: list[str] = field(default_factory=list)  # roster ids
    relations: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    set_aside: list[Unlisted] = field(default_factory=list)

    @property
    def not_on_list(self) -> list[str]:
        """The texts of the set-aside answers, in the order met."""
        return [u.text for u in self.set_aside]


def _split_cell(cell: str) -> list[str]:
    cell = cell.strip()
    if not cell:
        return []
    parts = _SPLIT.split(cell) if _SPLIT.search(cell) else cell.split(",")
    return [p.strip() for p in parts if p.strip()]


class _Matcher:
    """Roster lookup: exact id or name, then :func:`name_key`; never a guess."""

    def __init__(self, roster: Study):
        self.roster = roster
        self.exact: dict[str, set[int]] = {}
        self.loose: dict[str, set[int]] = {}
        for i, (pid, name) in enumerate(zip(roster.ids, roster.names, strict=True)):
            for text in (pid, name):
                if text:
                    self.exact.setdefault(text, set()).add(i)
                    self.loose.setdefault(name_key(text), set()).add(i)
        self.choices = [n or i for i, n in zip(roster.ids, roster.names, strict=True)]

    def match(self, text: str) -> tuple[str | None, str, tuple[str, ...]]:
        """``(id or None, how, suggestions)``; ``how`` is exact, loose, ambiguous or none.

        For an ambiguous name the suggestions are the ids of everyone it matches.
        """
        for how, found in (
            ("exact", self.exact.get(text)),
            ("loose", self.loose.get(name_key(text))),
        ):
            if found and len(found) == 1:
                return self.roster.ids[next(iter(found))], how, ()
            if found:
                return None, "ambiguous", tuple(self.roster.ids[i] for i in sorted(found))
        from rapidfuzz import fuzz, process

        close = process.extract(text, self.choices, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
        return None, "none", tuple(str(c[0]) for c in close)

    def problem(
        self, who: str, how: str, found: tuple[str, ...], where: tuple[str, int, str], value: str
    ) -> Problem:
        """The problem for a name that did not match exactly one roster person."""
        label, row, column = where
        if how != "ambiguous":
            return Problem(
                "unknown-person",
                f"{who} is not on the roster",
                label,
                row=row,
                column=column,
                value=value,
                suggestions=found,
            )
        people = "; ".join(
            f"{self.roster.names[i] or pid} of {self.roster.organisations[i] or 'no organisation'}"
            f" (id '{pid}')"
            for pid in found
            for i in [self.roster.index_of(pid)]
        )
        return Problem(
            "ambiguous-person",
            f"{who} matches {len(found)} people on the roster: {people}; "
            "write the person's id instead of the name",
            label,
            row=row,
            column=column,
            value=value,
            suggestions=found,
        )


def _read(path: Path) -> Table:
    if not path.exists():
        raise StudyNotFound(f"the survey export '{path}' does not exist")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = read_sheet(path, None)  # the first sheet, within the read limits
        assert table is not None
        return table
    return read_csv(path)


def _respondent_column(table: Table, given: str | None) -> tuple[str | None, Problem | None]:
    """The column naming the respondent: the one given, or the first usual name found."""
    if given is not None:
        column = normalise_header(given)
        if column in table.columns:
            return column, None
        return None, Problem(
            "missing-column",
            f"no respondent column '{given}'",
            table.label,
            row=1,
            column=given,
            suggestions=tuple(table.original_columns[c] for c in table.columns[:3]),
        )
    found = [c for c in RESPONDENT_COLUMNS if c in table.columns]
    if found:
        return found[0], None
    return None, Problem(
        "missing-column",
        "cannot tell which column names the respondent; name it 'respondent' or "
        "pass --respondent-column",
        table.label,
        row=1,
    )


def _relation_columns(
    table: Table, roster: Study, respondent: str
) -> tuple[dict[str, str], list[Problem]]:
    """Export column → relation name, found by relation name, label or question."""
    lookup: dict[str, str] = {}
    for r in roster.relations:
        for text in (r.name, r.label, r.question):
            if text:
                lookup[normalise_header(text)] = r.name
    columns = {c: lookup[c] for c in table.columns if c in lookup and c != respondent}
    if not columns:
        names = ", ".join(roster.relation_names)
        message = f"no column is named after one of the study's relations ({names})"
        return {}, [Problem("missing-column", message, table.label, row=1)]
    ignored = [
        table.original_columns[c] for c in table.columns if c not in columns and c != respondent
    ]
    if not ignored:
        return columns, []
    message = "these columns are not relations and were ignored: " + ", ".join(ignored)
    return columns, [Problem("ignored-columns", message, table.label, row=1, severity="warning")]


def _nominations(
    out: SurveyImport,
    matcher: _Matcher,
    rid: str,
    cells: dict[tuple[str, str], str],
    where: tuple[str, int],
) -> None:
    """One respondent's answers (``(column, relation)`` → cell) into ``out``."""
    label, row = where
    seen: set[tuple[str, str]] = set()
    for (column, rel), cell in cells.items():
        for text in _split_cell(cell):
            prefix = next((p for p in OTHER_PREFIXES if text.lower().startswith(p)), None)
            if prefix:
                out.set_aside.append(Unlisted(rid, rel, text[len(prefix) :].strip()))
                continue
            tid, how, found = matcher.match(text)
            if tid is None:
                out.problems.append(
                    matcher.problem(f"'{text}'", how, found, (label, row, column), text)
                )
            elif tid == rid:
                out.problems.append(
                    Problem(
                        "self-tie",
                        f"the respondent named themself ('{text}'); skipped",
                        label,
                        row=row,
                        column=column,
                        value=text,
                        severity="warning",
                    )
                )
            elif (tid, rel) in seen:
                out.problems.append(
                    Problem(
                        "duplicate-tie",
                        f"'{text}' is named twice for {rel}; counted once",
                        label,
                        row=row,
                        column=column,
                        value=text,
                        severity="warning",
                    )
                )
            else:
                seen.add((tid, rel))
                out.ties.append(Tie(rid, tid, rel))


def _answers(
    out: SurveyImport, table: Table, roster: Study, respondent: str, relations: dict[str, str]
) -> None:
    """Every row: who answered (matched, once) and their nominations."""
    matcher = _Matcher(roster)
    seen: dict[str, int] = {}
    column = table.original_columns[respondent]
    for i, row in enumerate(table.frame.iter_rows(named=True)):
        rownum, who = table.row_number(i), row[respondent]
        if not who:
            out.problems.append(
                Problem(
                    "empty-id",
                    "the respondent is blank",
                    table.label,
                    row=rownum,
                    column=respondent,
                )
            )
            continue
        rid, how, found = matcher.match(who)
        if rid is None:
            where = (table.label, rownum, column)
            out.problems.append(matcher.problem(f"the respondent '{who}'", how, found, where, who))
            continue
        if rid in seen:
            out.problems.append(
                Problem(
                    "duplicate-person",
                    f"'{who}' answered twice (also row {seen[rid]}); keep one answer",
                    table.label,
                    row=rownum,
                    column=column,
                    value=who,
                )
            )
            continue
        seen[rid] = rownum
        out.respondents.append(rid)
        cells = {(table.original_columns[c], rel): row[c] for c, rel in relations.items()}
        _nominations(out, matcher, rid, cells, (table.label, rownum))


def read_survey_export(
    path: str | Path, roster: Study, respondent_column: str | None = None
) -> SurveyImport:
    """Match a survey export to ``roster``; see the module docs for the rules.

    Parameters
    ----------
    path
        The export: CSV, or an Excel workbook (its first sheet).
    roster
        The study whose people the names are matched to.
    respondent_column
        The column naming the respondent (default: the first of
        :data:`RESPONDENT_COLUMNS` present).

    Returns
    -------
    SurveyImport
        The matched ties, respondents, relations, set-aside answers and
        every problem (nothing is written).

    Raises
    ------
    StudyNotFound
        When the export does not exist.
    """
    table = _read(Path(path))
    out = SurveyImport(problems=list(table.problems))
    if table.frame.width == 0 or table.frame.height == 0:
        return out
    respondent, problem = _respondent_column(table, respondent_column)
    if respondent is None:
        out.problems.append(problem)  # type: ignore[arg-type]
        return out
    relations, problems = _relation_columns(table, roster, respondent)
    out.problems.extend(problems)
    if not relations:
        return out
    out.relations = list(dict.fromkeys(relations.values()))
    _answers(out, table, roster, respondent, relations)
    if out.set_aside:
        out.problems.append(
            Problem(
                "not-on-list",
                f"{len(out.set_aside)} nomination(s) of someone not on the list were set aside "
                "(an import stores them in not_on_list.csv); add them to people.csv if they "
                "belong in the study",
                table.label,
                severity="warning",
            )
        )
    return out


# -- merging ---------------------------------------------------------------------


def _import_wave(study: Study, wave: str | None) -> tuple[str | None, list[str], np.ndarray | None]:
    """The wave the import goes into, the study's waves after it, and the old→new wave index map."""
    if wave is not None and not wave.strip():
        raise ConfigError("--wave needs a label, e.g. --wave 2025")
    if not study.waves:
        if wave is None:
            return None, [], None
        raise ConfigError(
            f"this study has no waves, so answers imported as wave '{wave}' could not be told "
            "apart from its ties; to start waves, add a 'wave' column to ties.csv giving the "
            f"existing ties' wave (for example 2024), then import with --wave {wave}; or import "
            "without --wave to replace the respondents' earlier answers"
        )
    label = study.waves[-1] if wave is None else wave.strip()
    if label in study.waves:
        return label, list(study.waves), None
    from lisa.io.waves import order_waves

    ordered = order_waves([*study.waves, label])
    if ordered.order is None:
        raise ConfigError(f"cannot add the wave '{label}' to this study: {ordered.reason}")
    waves = ordered.order
    return label, waves, np.array([waves.index(w) for w in study.waves], np.int16)


def merge_survey(study: Study, imported: SurveyImport, *, wave: str | None = None) -> Study:
    """The study with a survey import merged in; pure (reads and writes no files).

    In the imported relations and wave, each respondent's earlier ties and
    set-aside answers are replaced by the imported ones (so merging the same
    import twice changes nothing); ties of other relations, other waves and
    other people are kept, extra tie columns included (blank for new ties).
    Respondents are marked as answered; nobody else's response changes (in a
    study that recorded no response, the others become "not recorded").

    Parameters
    ----------
    study
        The study (its roster is the one the import was matched to).
    imported
        From :func:`read_survey_export`.
    wave
        The wave being imported (default: the study's latest). A new label
        creates the wave. A study without waves takes no ``wave``.

    Returns
    -------
    Study
        A new study; ``study`` is not changed.

    Raises
    ------
    StudyInvalid
        When the import has errors.
    ConfigError
        For a ``wave`` given to a study without waves.
    """
    if any(p.severity == "error" for p in imported.problems):
        raise StudyInvalid(imported.problems)
    label, waves, remap = _import_wave(study, wave)
    ties = study.ties if remap is None else replace(study.ties, wave=remap[study.ties.wave])
    w = waves.index(label) if label is not None else -1
    respondents = np.array([study.index_of(r) for r in imported.respondents], np.int64)
    relations = np.array([study.relation_index(r) for r in imported.relations], np.int16)
    earlier = np.isin(ties.source, respondents) & np.isin(ties.relation, relations)
    earlier &= ties.wave == w
    n = len(imported.ties)
    new = Ties(
        np.array([study.index_of(t.source) for t in imported.ties], np.int32),
        np.array([study.index_of(t.target) for t in imported.ties], np.int32),
        np.array([study.relation_index(t.relation) for t in imported.ties], np.int16),
        np.array([t.weight for t in imported.ties], np.float64),
        np.full(n, w, np.int16),
        {k: np.full(n, "", dtype=object) for k in ties.attributes},
    )
    answered = np.zeros(study.n_people, bool)
    answered[respondents] = True
    known = study.response_known
    who, rels = set(imported.respondents), set(imported.relations)
    kept = [
        u
        for u in study.not_on_list
        if not (u.respondent in who and u.relation in rels and u.wave == label)
    ]
    return replace(
        study,
        ties=ties.select(~earlier).concat(new),
        waves=waves,
        responded=(study.responded if known else np.zeros(study.n_people, bool)) | answered,
        response_unknown=(study.response_unknown if known else np.ones(study.n_people, bool))
        & ~answered,
        response_known=True,
        not_on_list=kept + [replace(u, wave=label) for u in imported.set_aside],
    )


def write_survey_ties(
    imported: SurveyImport, study_dir: str | Path, *, wave: str | None = None
) -> Path:
    """Merge a survey import into a study folder: load, merge, validate, write.

    See :func:`merge_survey` for what changes. The merged study is checked
    like any study before anything is written, and the folder is replaced as
    a whole (:func:`lisa.io.write_study`), with a line in its ``audit.log``
    (counts only). Another lisa process changing the same study waits.

    Raises
    ------
    StudyInvalid
        When the import or the merged study has errors (nothing is written).
    OutputError
        When the study is a workbook, or the folder cannot be written.
    """
    from lisa.io.folder import update_study

    if any(p.severity == "error" for p in imported.problems):
        raise StudyInvalid(imported.problems)

    def change(study: Study) -> tuple[Study, dict[str, int | str | None]]:
        merged = merge_survey(study, imported, wave=wave)
        return merged, {
            "wave": wave or (study.waves[-1] if study.waves else None),
            "respondents": len(imported.respondents),
            "ties_added": len(imported.ties),
            "ties_replaced": len(study.ties) + len(imported.ties) - len(merged.ties),
            "not_on_list": len(imported.set_aside),
        }

    update_study(study_dir, "import-survey", change)
    return Path(study_dir)
