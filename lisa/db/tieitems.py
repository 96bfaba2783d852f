"""Per-tie items: questions a relation asks about each person a respondent named.

A facilitator may attach items to a relation — how often they are in touch,
how much they trust the person, how much the relationship is worth to their
work (the kind of tie scores PARTNER collects). None is asked unless set up;
:data:`PRESETS` offers the three with editable wording and choices.

The answers are not a second data path: on submit each one becomes a tie
attribute (the tie column named by the item's ``key``, which ``lisa db
export`` writes to ``ties.csv`` and ``lisa db import`` reads back), and an
item marked ``is_weight`` sets the tie's weight from its choice — the one
weight the engine (``weighted_paths``) and diffusion (``probability=weight``)
already read. A numeric item such as trust reaches diffusion as
``probability=column``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from lisa.db.models import AnswerRow, RelationRow, StudyRow, TieItemRow, TieRow
from lisa.errors import ConfigError, InputInvalid, Problem
from lisa.io.tables import normalise_header
from lisa.io.validate import ALIASES, TIES_OPTIONAL, TIES_REQUIRED

#: What an item's key (its tie column) may be: lower-case letters, digits, underscores.
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: Most choices one item offers, and the longest value, label and wording.
MAX_CHOICES = 20
MAX_VALUE_CHARS = 40
MAX_LABEL_CHARS = 200
MAX_WORDING_CHARS = 1000
#: Most per-tie answers one post may carry (people named × items).
MAX_ANSWERS_PER_POST = 20000
#: The form field of one answer: ``item:<key>:<roster id>``.
FIELD_PREFIX = "item:"


@dataclass(frozen=True)
class Choice:
    """One answer an item offers: the value stored in the tie column, its label, its weight."""

    value: str
    label: str
    weight: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The choice as stored in ``tie_items.choices``."""
        return {"value": self.value, "label": self.label, "weight": self.weight}


@dataclass(frozen=True)
class Preset:
    """A ready-made item the set-up page offers."""

    key: str
    wording: str
    choices: tuple[Choice, ...]


def _scale(low: str, high: str) -> tuple[Choice, ...]:
    labels = {1: f"1 – {low}", 5: f"5 – {high}"}
    return tuple(Choice(str(i), labels.get(i, str(i)), float(i)) for i in range(1, 6))


#: The items offered by default (none is added unless the facilitator chooses it).
PRESETS: dict[str, Preset] = {
    "frequency": Preset("frequency", "How often are you in touch?", (
        Choice("daily", "Daily or almost daily", 4.0),
        Choice("weekly", "Weekly", 3.0),
        Choice("monthly", "Monthly", 2.0),
        Choice("less", "Less often", 1.0),
    )),
    "trust": Preset("trust", "How much do you trust them to do what they say?",
                    _scale("not at all", "completely")),
    "value": Preset("value", "How much is this relationship worth to your work?",
                    _scale("very little", "essential")),
}


def choices_of(item: TieItemRow) -> list[Choice]:
    """The item's choices as :class:`Choice` objects."""
    return [Choice(str(c["value"]), str(c["label"]), c.get("weight")) for c in item.choices]


def check_key(key: str) -> str:
    """``key`` when it can name a tie column of its own; raises :class:`ConfigError` otherwise."""
    reserved = {*TIES_REQUIRED, *TIES_OPTIONAL, *(k for k, v in ALIASES.items() if v in TIES_REQUIRED)}
    if not KEY.match(key):
        raise ConfigError(f"'{key[:60]}' cannot name a tie item: use lower-case letters, digits and "
                          "underscores (at most 40, starting with a letter)")
    if normalise_header(key) in reserved:
        raise ConfigError(f"'{key}' is a standard tie column: choose another name for the item")
    return key


def _weight(text: str, line: int) -> float:
    try:
        weight = float(text)
    except ValueError:
        raise ConfigError(f"choice line {line}: the weight '{text[:40]}' is not a number") from None
    if not math.isfinite(weight) or weight <= 0:
        raise ConfigError(f"choice line {line}: a weight must be a positive number")
    return weight


def parse_choices(text: str, *, weighted: bool = False) -> list[Choice]:
    """Choices typed one a line as ``value | label | weight`` (label and weight optional).

    Parameters
    ----------
    text
        The lines; blank lines are ignored.
    weighted
        Whether the item sets the tie weight (then every choice needs a weight).

    Returns
    -------
    list of Choice

    Raises
    ------
    ConfigError
        For no choices or too many, a blank, long or repeated value, a long
        label, or a weight that is missing (when ``weighted``) or not positive.

    Examples
    --------
    >>> [c.value for c in parse_choices("daily | Every day | 4\\nweekly")]
    ['daily', 'weekly']
    """
    out: list[Choice] = []
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines or len(lines) > MAX_CHOICES:
        raise ConfigError(f"an item needs 1 to {MAX_CHOICES} choices, one a line")
    for n, line in lines:
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 3:
            raise ConfigError(f"choice line {n}: write 'value | label | weight' (three parts at most)")
        value, label = parts[0], (parts[1] if len(parts) > 1 else "") or parts[0]
        if not value or len(value) > MAX_VALUE_CHARS or len(label) > MAX_LABEL_CHARS:
            raise ConfigError(f"choice line {n}: a value of 1 to {MAX_VALUE_CHARS} characters and a "
                              f"label of at most {MAX_LABEL_CHARS}")
        if any(c.value == value for c in out):
            raise ConfigError(f"choice line {n}: the value '{value}' is there twice")
        weight = _weight(parts[2], n) if len(parts) == 3 and parts[2] else None
        if weighted and weight is None:
            raise ConfigError(f"choice line {n}: an item that sets the tie weight needs a weight "
                              "for every choice")
        out.append(Choice(value, label, weight))
    return out


def choices_text(item: TieItemRow) -> str:
    """The item's choices as the set-up form shows them (the inverse of :func:`parse_choices`)."""
    def line(c: Choice) -> str:
        weight = "" if c.weight is None else f" | {c.weight:g}"
        return f"{c.value} | {c.label}{weight}"

    return "\n".join(line(c) for c in choices_of(item))


def study_items(session: Session, study: StudyRow) -> dict[str, list[TieItemRow]]:
    """The study's items by relation name, in set-up order (relations without items left out)."""
    rows = session.execute(
        select(RelationRow.name, TieItemRow)
        .join(TieItemRow, TieItemRow.relation_id == RelationRow.id)
        .where(TieItemRow.study_id == study.id)
        .order_by(RelationRow.position, TieItemRow.position)
    ).all()
    out: dict[str, list[TieItemRow]] = {}
    for name, item in rows:
        out.setdefault(name, []).append(item)
    return out


def _relation(session: Session, study: StudyRow, name: str) -> RelationRow:
    from lisa.errors import UnknownRelation

    rel = session.scalar(select(RelationRow).where(RelationRow.study_id == study.id, RelationRow.name == name))
    if rel is None:
        names = list(session.scalars(select(RelationRow.name).where(RelationRow.study_id == study.id)))
        raise UnknownRelation(name[:100], names)
    return rel


def add_item(session: Session, study: StudyRow, relation: str, preset: str, key: str = "") -> TieItemRow:
    """Attach a preset item to a relation, under ``key`` (default: the preset's) (no commit).

    Its tie column joins the study's tie columns, so exports carry it.

    Raises
    ------
    ConfigError
        For an unknown preset, a bad key, or a key the relation already asks.
    UnknownRelation
        When the study has no such relation.
    """
    if preset not in PRESETS:
        raise ConfigError(f"'{preset[:40]}' is not an item lisa offers: one of {', '.join(PRESETS)}")
    template = PRESETS[preset]
    key = check_key(key.strip() or template.key)
    rel = _relation(session, study, relation)
    taken = session.scalars(select(TieItemRow).where(TieItemRow.relation_id == rel.id)).all()
    if any(item.key == key for item in taken):
        raise ConfigError(f"the relation '{rel.name}' already asks '{key}'")
    if any(c != key and normalise_header(c) == normalise_header(key) for c in study.tie_columns or []):
        raise ConfigError(f"the study already has a tie column spelled like '{key}': use its exact name")
    item = TieItemRow(study_id=study.id, relation_id=rel.id, position=len(taken), key=key,
                      wording=template.wording, choices=[c.as_dict() for c in template.choices],
                      is_weight=False)
    session.add(item)
    if key not in (study.tie_columns or []):
        study.tie_columns = [*(study.tie_columns or []), key]
    session.flush()
    return item


def _item(session: Session, study: StudyRow, item_id: int) -> TieItemRow:
    from lisa.db.studies import owned_row

    return owned_row(session, TieItemRow, item_id, study, "tie item")


def values_in_use(session: Session, item: TieItemRow) -> set[str]:
    """The values of ``item`` that saved answers or ties of its relation already hold."""
    rel = session.get(RelationRow, item.relation_id)
    name = rel.name if rel is not None else ""
    used: set[str] = set()
    for (attrs,) in session.execute(select(TieRow.attributes).where(TieRow.relation_id == item.relation_id)):
        if attrs.get(item.key, "") != "":
            used.add(str(attrs[item.key]))
    for (answers,) in session.execute(select(AnswerRow.answers).where(AnswerRow.study_id == item.study_id)):
        for given in (answers.get("items", {}).get(name, {}) or {}).values():
            if isinstance(given, dict) and given.get(item.key, "") != "":
                used.add(str(given[item.key]))
    return used


def edit_item(session: Session, study: StudyRow, item_id: int, wording: str, choices: str,
              is_weight: bool) -> TieItemRow:
    """Change an item's wording, choices and whether it sets the tie weight (no commit).

    Labels and weights may change at any time; a value answers already hold
    may not be dropped (those answers would lose their meaning).

    Raises
    ------
    ConfigError
        For blank or long wording, bad choices (:func:`parse_choices`), a value
        in use dropped, or a second weight item in one relation.
    NotFound
        When the study has no such item.
    """
    item = _item(session, study, item_id)
    wording = " ".join(wording.split())
    if not wording or len(wording) > MAX_WORDING_CHARS:
        raise ConfigError(f"an item's wording is 1 to {MAX_WORDING_CHARS} characters")
    parsed = parse_choices(choices, weighted=is_weight)
    dropped = values_in_use(session, item) - {c.value for c in parsed}
    if dropped:
        raise ConfigError(f"answers already hold {', '.join(sorted(dropped)[:5])!s} for '{item.key}': "
                          "keep those choices (their labels may change)")
    if is_weight:
        other = session.scalar(select(TieItemRow.key).where(
            TieItemRow.relation_id == item.relation_id, TieItemRow.is_weight.is_(True),
            TieItemRow.id != item.id))
        if other is not None:
            raise ConfigError(f"'{other}' already sets this relation's tie weight: only one item can")
    item.wording, item.choices, item.is_weight = wording, [c.as_dict() for c in parsed], is_weight
    session.flush()
    return item


def remove_item(session: Session, study: StudyRow, item_id: int) -> str:
    """Stop asking an item (no commit); returns its key. Refused once answers hold values for it.

    Raises
    ------
    ConfigError
        When answers or ties already hold values for it.
    NotFound
        When the study has no such item.
    """
    item = _item(session, study, item_id)
    if values_in_use(session, item):
        raise ConfigError(f"answers already hold values for '{item.key}': it can no longer be removed")
    key = item.key
    session.delete(item)
    session.flush()
    still = session.scalar(select(TieItemRow.id).where(TieItemRow.study_id == study.id, TieItemRow.key == key))
    held = any(a.get(key, "") != "" for (a,) in session.execute(
        select(TieRow.attributes).where(TieRow.study_id == study.id)))
    if still is None and not held:
        study.tie_columns = [c for c in study.tie_columns or [] if c != key]
    return key


def _problem(code: str, message: str, column: str | None = None, value: str | None = None) -> Problem:
    return Problem(code, message, "tie items", column=column, value=value)


def read_answers(fields: Iterable[tuple[str, str]], items: list[TieItemRow],
                 named: list[str]) -> dict[str, dict[str, str]]:
    """A respondent's per-tie answers from the form fields ``item:<key>:<roster id>``.

    Parameters
    ----------
    fields
        The posted (name, value) pairs; other fields are ignored. A blank value
        is a skipped question.
    items
        The relation's items.
    named
        The roster ids the respondent named in the relation.

    Returns
    -------
    dict
        ``{roster id: {key: value}}`` for the answers given.

    Raises
    ------
    InputInvalid
        Every problem at once: ``unknown-item`` (no such item), ``unknown-choice``
        (a value the item does not offer), ``not-named`` (an answer about someone
        not named in this relation — which never says whether they are on the
        roster), ``too-many-answers``.
    """
    offered = {item.key: {c.value for c in choices_of(item)} for item in items}
    wanted = set(named)
    out: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    count = 0
    for name, value in fields:
        if not name.startswith(FIELD_PREFIX):
            continue
        count += 1
        if count > MAX_ANSWERS_PER_POST:
            _refuse([_problem("too-many-answers", f"more than {MAX_ANSWERS_PER_POST} answers in one post")])
        key, _, pid = name[len(FIELD_PREFIX):].partition(":")
        if key not in offered:
            problems.append(_problem("unknown-item", "an answer to a question this survey does not ask",
                                     column=key[:40]))
        elif pid not in wanted:
            problems.append(_problem("not-named", "an answer about someone you did not name for this "
                                     "question", column=key))
        elif value.strip() and value.strip() not in offered[key]:
            problems.append(_problem("unknown-choice", f"'{value.strip()[:40]}' is not one of the choices",
                                     column=key))
        elif value.strip():
            out.setdefault(pid, {})[key] = value.strip()
    if problems:
        _refuse(problems)
    return out


def _refuse(problems: list[Problem]) -> NoReturn:
    raise InputInvalid(problems[:20])


def tie_values(items: list[TieItemRow], given: Mapping[str, str]) -> tuple[float, dict[str, str]]:
    """The weight and tie attributes of one tie from a respondent's answers about that person.

    An unanswered weight item leaves the weight at 1 (the default of every tie).
    """
    weight, attributes = 1.0, {}
    for item in items:
        value = str(given.get(item.key, ""))
        choice = next((c for c in choices_of(item) if c.value == value), None)
        if choice is None:
            continue
        attributes[item.key] = value
        if item.is_weight and choice.weight is not None:
            weight = float(choice.weight)
    return weight, attributes


def described(items: list[TieItemRow], given: Mapping[str, str]) -> str:
    """A respondent's answers about one person as the labels they chose, ``; ``-separated."""
    labels = []
    for item in items:
        choice = next((c for c in choices_of(item) if c.value == given.get(item.key)), None)
        if choice is not None:
            labels.append(choice.label)
    return "; ".join(labels)
