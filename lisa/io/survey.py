"""Survey-tool exports: one row per respondent, one column per relation.

Online survey tools (and lisa's own paper form typed into a spreadsheet)
give a table like::

    respondent,     work,                      innovation
    Ann Lee,        "Bob Ray; Cara Sen",       Bob Ray
    Bob Ray,        ann lee,                   "Dev Patel"

:func:`read_survey_export` turns it into ties on a study's roster. Each name
is matched **exactly** (to a roster name or id), then **ignoring case and
spacing**; a name that still does not match is reported with the closest
roster names (rapidfuzz), never guessed. "Someone not on the list" answers
(``other: …``) are kept out of the ties and counted, so the roster can be
extended. Relation columns are found by relation name, label or question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lisa.errors import Problem, StudyNotFound
from lisa.io.tables import Table, normalise_header, read_csv, read_sheet
from lisa.study import Study, Tie

RESPONDENT_COLUMNS = ("respondent", "respondent_id", "your_name", "name", "id", "respondent_name")
OTHER_PREFIXES = ("other:", "someone not on the list:", "not on the list:")
_SPLIT = re.compile(r"\s*(?:;|\n|\|)\s*")


@dataclass
class SurveyImport:
    """Ties matched from a survey export, who answered, and every problem met."""

    ties: list[Tie] = field(default_factory=list)
    respondents: list[str] = field(default_factory=list)  # roster ids
    relations: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    not_on_list: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _split_cell(cell: str) -> list[str]:
    cell = cell.strip()
    if not cell:
        return []
    parts = _SPLIT.split(cell) if _SPLIT.search(cell) else cell.split(",")
    return [p.strip() for p in parts if p.strip()]


class _Matcher:
    def __init__(self, roster: Study):
        self.roster = roster
        self.exact: dict[str, str] = {}
        self.loose: dict[str, list[str]] = {}
        for pid, name in zip(roster.ids, roster.names, strict=True):
            for text in (pid, name):
                if text:
                    self.exact.setdefault(text, pid)
                    ids = self.loose.setdefault(_key(text), [])
                    if pid not in ids:
                        ids.append(pid)
        self.choices = [n or i for i, n in zip(roster.ids, roster.names, strict=True)]

    def match(self, text: str) -> tuple[str | None, str, tuple[str, ...]]:
        """(id or None, how, suggestions)."""
        if text in self.exact:
            return self.exact[text], "exact", ()
        loose = self.loose.get(_key(text), [])
        if len(loose) == 1:
            return loose[0], "loose", ()
        if len(loose) > 1:
            return None, "ambiguous", tuple(loose)
        from rapidfuzz import fuzz, process

        close = process.extract(text, self.choices, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
        return None, "none", tuple(str(c[0]) for c in close)


def _unmatched(
    who: str, how: str, suggestions: tuple[str, ...], label: str, row: int, column: str, value: str
) -> Problem:
    """The problem for a name that did not match exactly one roster person."""
    reason = (
        "is not on the roster" if how == "none" else "matches more than one person on the roster"
    )
    return Problem(
        "unknown-person",
        f"{who} {reason}",
        label,
        row=row,
        column=column,
        value=value,
        suggestions=suggestions,
    )


def _read(path: Path) -> Table:
    if not path.exists():
        raise StudyNotFound(f"the survey export '{path}' does not exist")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = read_sheet(path, None)  # the first sheet, within the read limits
        assert table is not None
        return table
    return read_csv(path)


def read_survey_export(
    path: str | Path, roster: Study, respondent_column: str | None = None
) -> SurveyImport:
    """Match a survey export to ``roster``; see the module docs for the rules."""
    path = Path(path)
    table = _read(path)
    out = SurveyImport(problems=list(table.problems))
    if table.frame.width == 0 or table.frame.height == 0:
        return out
    label = table.label
    cols = table.columns
    if respondent_column is not None:
        resp_col = normalise_header(respondent_column)
        if resp_col not in cols:
            out.problems.append(
                Problem(
                    "missing-column",
                    f"no respondent column '{respondent_column}'",
                    label,
                    row=1,
                    column=respondent_column,
                    suggestions=tuple(table.original_columns[c] for c in cols[:3]),
                )
            )
            return out
    else:
        found = [c for c in RESPONDENT_COLUMNS if c in cols]
        if not found:
            out.problems.append(
                Problem(
                    "missing-column",
                    "cannot tell which column names the respondent; name it 'respondent' or "
                    "pass --respondent-column",
                    label,
                    row=1,
                )
            )
            return out
        resp_col = found[0]
    # relation columns, by name, label or question
    lookup: dict[str, str] = {}
    for r in roster.relations:
        for text in (r.name, r.label, r.question):
            if text:
                lookup[normalise_header(text)] = r.name
    rel_cols = {c: lookup[c] for c in cols if c in lookup and c != resp_col}
    ignored = [table.original_columns[c] for c in cols if c not in rel_cols and c != resp_col]
    if not rel_cols:
        out.problems.append(
            Problem(
                "missing-column",
                "no column is named after one of the study's relations ("
                + ", ".join(roster.relation_names)
                + ")",
                label,
                row=1,
            )
        )
        return out
    if ignored:
        out.problems.append(
            Problem(
                "ignored-columns",
                "these columns are not relations and were ignored: " + ", ".join(ignored),
                label,
                row=1,
                severity="warning",
            )
        )
    out.relations = list(dict.fromkeys(rel_cols.values()))
    matcher = _Matcher(roster)
    seen_resp: dict[str, int] = {}
    frame: pl.DataFrame = table.frame
    for i, row in enumerate(frame.iter_rows(named=True)):
        rownum = table.row_number(i)
        who = row[resp_col]
        if not who:
            out.problems.append(
                Problem("empty-id", "the respondent is blank", label, row=rownum, column=resp_col)
            )
            continue
        rid, how, sugg = matcher.match(who)
        if rid is None:
            out.problems.append(
                _unmatched(
                    f"the respondent '{who}'",
                    how,
                    sugg,
                    label,
                    rownum,
                    table.original_columns[resp_col],
                    who,
                )
            )
            continue
        if rid in seen_resp:
            out.problems.append(
                Problem(
                    "duplicate-person",
                    f"'{who}' answered twice (also row {seen_resp[rid]}); keep one answer",
                    label,
                    row=rownum,
                    column=table.original_columns[resp_col],
                    value=who,
                )
            )
            continue
        seen_resp[rid] = rownum
        out.respondents.append(rid)
        for col, rel in rel_cols.items():
            for text in _split_cell(row[col]):
                low = text.lower()
                prefix = next((p for p in OTHER_PREFIXES if low.startswith(p)), None)
                if prefix:
                    out.not_on_list.append(text[len(prefix) :].strip())
                    continue
                tid, how, sugg = matcher.match(text)
                if tid is None:
                    out.problems.append(
                        _unmatched(
                            f"'{text}'", how, sugg, label, rownum, table.original_columns[col], text
                        )
                    )
                    continue
                if tid == rid:
                    out.problems.append(
                        Problem(
                            "self-tie",
                            f"the respondent named themself ('{text}'); skipped",
                            label,
                            row=rownum,
                            column=table.original_columns[col],
                            value=text,
                            severity="warning",
                        )
                    )
                    continue
                out.ties.append(Tie(rid, tid, rel))
    if out.not_on_list:
        out.problems.append(
            Problem(
                "not-on-list",
                f"{len(out.not_on_list)} nomination(s) of someone not on the list were set aside; "
                "add them to people.csv if they belong in the study",
                label,
                severity="warning",
            )
        )
    return out


def write_survey_ties(imported: SurveyImport, study_dir: str | Path) -> Path:
    """Add imported ties to a study folder and mark the respondents as answered.

    A respondent's earlier ties in the imported relations are replaced (so
    importing the same export twice changes nothing). The study is validated
    before anything is written; the files are replaced atomically.
    """
    from lisa.errors import StudyInvalid
    from lisa.io.folder import load_study, study_frames, table_from_records, write_study
    from lisa.io.validate import build_study

    if any(p.severity == "error" for p in imported.problems):
        raise StudyInvalid(imported.problems)
    study = load_study(study_dir)
    frames = study_frames(study)
    ties = frames["ties"]
    resp = set(imported.respondents)
    ties = ties.filter(
        ~(pl.col("source").is_in(list(resp)) & pl.col("relation").is_in(imported.relations))
    )
    new = pl.DataFrame(
        {
            "source": [t.source for t in imported.ties],
            "target": [t.target for t in imported.ties],
            "relation": [t.relation for t in imported.ties],
            "weight": [t.weight for t in imported.ties],
        },
        schema={"source": pl.Utf8, "target": pl.Utf8, "relation": pl.Utf8, "weight": pl.Float64},
    )
    if "wave" in ties.columns:
        new = new.with_columns(wave=pl.lit(study.waves[-1]))
    ties = pl.concat([ties, new.select(ties.columns)])
    responded = [
        "yes" if (pid in resp or (study.response_known and bool(study.responded[i]))) else "no"
        for i, pid in enumerate(study.ids)
    ]
    people = frames["people"].with_columns(responded=pl.Series(responded))
    # the same checks as any study, on the new tables, before anything is written
    checked, problems = build_study(
        table_from_records("people.csv", people.to_dicts()),
        table_from_records("ties.csv", ties.to_dicts()),
        table_from_records("relations.csv", frames["relations"].to_dicts()),
        name=study.name,
        source=study.source,
    )
    if checked is None:
        raise StudyInvalid(problems)
    return write_study(checked, study_dir)
