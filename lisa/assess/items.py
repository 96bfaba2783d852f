"""The assessment instrument: the item bank and the meaning of each scale.

The items live in ``lisa/assess/data/items.yaml``; this module reads them
(:func:`read_item_bank`) and turns a raw answer (whatever a YAML, CSV or
Excel cell holds) into a checked value, or says exactly why it cannot.

>>> from lisa.assess import Instrument
>>> bank = Instrument.load().bank
>>> bank["sign.trigger"].parse("5"), bank["sign.trigger"].normalise(5)
(5, 1.0)
>>> bank["type.kind"].parse("service, process")
('service', 'process')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lisa.errors import AnswerError, DefinitionInvalid
from lisa.io.yamlio import load_definition
from lisa.vocabulary import (
    CORNERS,
    FACTOR_ROLES,
    FACTORS,
    LINKS,
    PHASE_NAMES,
    STAGES,
    Corner,
    Factor,
    Link,
    ScaleCondition,
    Stage,
)

__all__ = [
    "CORNERS",
    "FACTORS",
    "FACTOR_ROLES",
    "LINKS",
    "PHASE_NAMES",
    "STAGES",
    "AnswerError",
    "Item",
    "ItemBank",
    "RetiredItem",
    "Scale",
    "WrongType",
    "parse_date",
    "parse_item_bank",
    "parse_phase",
    "read_item_bank",
    "suggest",
]


class WrongType(AnswerError):
    """An answer of the wrong kind altogether: a list or mapping where one value belongs."""


class Scale(BaseModel):
    """An answer scale of the item bank: free text, a date, agree5 or fixed choices."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""
    min: int | None = None
    max: int | None = None
    choices: tuple[str, ...] = ()
    multiple: bool = False


class Item(BaseModel):
    """One item of the bank: a stable id, its scale, the statement, help and source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    section: str
    scale: Scale
    text: str
    help: str
    source: str
    required: bool = False
    phase: int | None = Field(None, ge=0, le=4)
    corner: Corner | Literal["link"] | None = None
    link: Link | None = None
    factor: Factor | None = None
    role: Literal["key", "supporting", "shared"] | None = None
    milestone: str | None = None
    stage: Stage | None = None
    phases: tuple[int, ...] | None = None
    condition: ScaleCondition | None = None

    def counts_in(self, phase: int) -> bool:
        """Whether this (triangle) item counts in the corner strength at ``phase``."""
        return self.phases is None or phase in self.phases

    def parse(self, raw: Any) -> Any:
        """Check one raw answer against this item's scale and return the value.

        Returns ``None`` for an empty answer (left blank); raises
        :class:`AnswerError` with a reason when the answer does not fit, and
        :class:`WrongType` when it is a list or mapping where one value belongs.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, Mapping) or (
            isinstance(raw, list | tuple)
            and (not self.scale.multiple or any(isinstance(p, Mapping | list | tuple) for p in raw))
        ):
            shape = "a mapping" if isinstance(raw, Mapping) else "a list"
            raise WrongType(f"{shape}, where {self._expects()} belongs")
        name = self.scale.name
        if name == "text":
            return str(raw).strip()
        if name == "date":
            return parse_date(raw)
        if name == "agree5":
            return _parse_int(raw, self.scale)
        if self.scale.multiple:
            parts = raw if isinstance(raw, list | tuple) else re.split(r"[,;/]| and ", str(raw))
            values = [_parse_choice(p, self.scale) for p in parts if str(p).strip()]
            return tuple(v for v in self.scale.choices if v in values) or None
        return _parse_choice(raw, self.scale)

    def _expects(self) -> str:
        scale = self.scale
        if scale.name == "agree5":
            return f"a whole number from {scale.min} to {scale.max}"
        if scale.choices:
            return ("some of: " if scale.multiple else "one of: ") + ", ".join(scale.choices)
        return "a date" if scale.name == "date" else "text"

    def normalise(self, value: Any) -> float | None:
        """An agree5 answer on 0..1 (1 -> 0.0, 3 -> 0.5, 5 -> 1.0); None otherwise."""
        if self.scale.name != "agree5" or value is None:
            return None
        lo, hi = self.scale.min or 1, self.scale.max or 5
        return (float(value) - lo) / (hi - lo)


class RetiredItem(BaseModel):
    """An id of an earlier item bank: its old question and the ids that replace it.

    An answer to a retired id is checked against its old scale and given to
    each id of ``replaced_by`` that the answer file does not answer itself.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    scale: Scale
    text: str
    retired_in: int = Field(ge=1)
    replaced_by: tuple[str, ...] = Field(min_length=1)
    why: str

    def parse(self, raw: Any) -> Any:
        """Check an old answer against the retired item's scale (as :meth:`Item.parse`)."""
        return Item(
            id=self.id, section="retired", scale=self.scale, text=self.text, help=self.why, source=""
        ).parse(raw)


def _parse_int(raw: Any, scale: Scale) -> int:
    if isinstance(raw, bool):
        raise AnswerError(f"expected a whole number from {scale.min} to {scale.max}")
    try:
        number = float(str(raw).strip())
    except ValueError:
        raise AnswerError(f"expected a whole number from {scale.min} to {scale.max}") from None
    if not number.is_integer():
        raise AnswerError(f"expected a whole number from {scale.min} to {scale.max}")
    value = int(number)
    if scale.min is not None and scale.max is not None and not scale.min <= value <= scale.max:
        raise AnswerError(f"out of range: the scale runs from {scale.min} to {scale.max}")
    return value


def _parse_choice(raw: Any, scale: Scale) -> str:
    text = str(raw).strip().lower()
    if text not in scale.choices:
        raise AnswerError("not one of: " + ", ".join(scale.choices))
    return text


_DATE_FORMATS = (("%Y-%m-%d", r"\d{4}-\d{1,2}-\d{1,2}"), ("%Y-%m", r"\d{4}-\d{1,2}"), ("%Y", r"\d{4}"))


def parse_date(raw: Any) -> dt.date:
    """A year, year-month or full date, from YAML, CSV or Excel, as a ``date``.

    Raises :class:`AnswerError` for text that is no date, and says so when it
    has a date's form but names a day or month that does not exist.

    >>> parse_date("2004-06"), parse_date(2004)
    (datetime.date(2004, 6, 1), datetime.date(2004, 1, 1))
    >>> parse_date("2023-02-30")
    Traceback (most recent call last):
    lisa.errors.AnswerError: not a date that exists (no day 30 in month 2 of 2023)
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    for fmt, form in _DATE_FORMATS:
        if re.fullmatch(form, text):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                raise AnswerError(_impossible(text)) from None
    raise AnswerError("expected a date such as 2004, 2004-06 or 2004-06-30")


def _impossible(text: str) -> str:
    parts = [int(p) for p in text.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return f"not a date that exists (there is no month {parts[1]})"
    if len(parts) == 3:
        return f"not a date that exists (no day {parts[2]} in month {parts[1]} of {parts[0]})"
    return "not a date that exists"


def parse_phase(raw: Any) -> int:
    """A lifecycle phase given as 0..4 or by name ('mobilisation')."""
    if isinstance(raw, bool):
        raise AnswerError("expected a phase 0-4 or its name")
    text = str(raw).strip().lower()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if text.isdigit() and int(text) in PHASE_NAMES:
        return int(text)
    for number, name in PHASE_NAMES.items():
        if text in (name, name.split()[0]):
            return number
    raise AnswerError("expected a phase 0-4 or its name (" + ", ".join(PHASE_NAMES.values()) + ")")


@dataclass(frozen=True)
class ItemBank:
    """All items, by id, in questionnaire order."""

    version: int
    scales: Mapping[str, Scale]
    items: Mapping[str, Item] = field(default_factory=dict)
    retired: Mapping[str, RetiredItem] = field(default_factory=dict)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.items

    def __getitem__(self, item_id: str) -> Item:
        return self.items[item_id]

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> list[str]:
        return list(self.items)

    def section(self, name: str) -> list[Item]:
        return [i for i in self.items.values() if i.section == name]

    def phase_signs(self, phase: int, role: str | None = None) -> list[Item]:
        """The sign items of ``phase``; only its ``key`` or ``supporting`` ones when given."""
        return [
            i
            for i in self.items.values()
            if i.section == "sign" and i.phase == phase and (role is None or i.role == role)
        ]

    def stage_items(self, stage: str) -> list[Item]:
        """The items that are evidence of a Utterback-Abernathy stage."""
        return [i for i in self.items.values() if i.section == "stage" and i.stage == stage]

    def successors(self, item_id: str) -> tuple[str, ...]:
        """The ids that replace a retired id (empty for an id of this bank)."""
        retired = self.retired.get(item_id)
        return retired.replaced_by if retired else ()

    def corner_items(self, corner: str) -> list[Item]:
        return [i for i in self.items.values() if i.corner == corner]

    def link_item(self, link: str) -> Item:
        return next(i for i in self.items.values() if i.link == link)

    def factor_item(self, factor: str) -> Item:
        return next(i for i in self.items.values() if i.factor == factor)

    @property
    def required(self) -> list[Item]:
        return [i for i in self.items.values() if i.required]


def parse_item_bank(data: Any, source: str = "items.yaml") -> ItemBank:
    """Build and check an :class:`ItemBank` from a parsed items file.

    Raises
    ------
    DefinitionInvalid
        When a scale or item is malformed (the message names it) or an id repeats.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list):
        raise DefinitionInvalid(f"{source}: an item bank needs 'version', 'scales' and 'items'")
    try:
        scales = {
            str(name): Scale.model_validate({"name": name, **spec})
            for name, spec in dict(data["scales"]).items()
        }
        version = int(data["version"])
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise DefinitionInvalid(f"{source}: bad scales or version ({exc})") from None
    items: dict[str, Item] = {}
    for spec in data["items"]:
        item = _with_scale(Item, spec, scales, f"{source}: item")
        if item.id in items:
            raise DefinitionInvalid(f"{source}: duplicate item id '{item.id}' in the item bank")
        items[item.id] = item
    _check_complete(items, source)
    retired = _parse_retired(data.get("retired") or [], scales, items, source)
    return ItemBank(version=version, scales=scales, items=items, retired=retired)


_Model = TypeVar("_Model", Item, RetiredItem)


def _with_scale(model: type[_Model], spec: Any, scales: Mapping[str, Scale], what: str) -> _Model:
    """One item (or retired item) of the file, its scale looked up, or a named error."""
    where = f"{what} '{spec.get('id') if isinstance(spec, Mapping) else spec}'"
    if not isinstance(spec, Mapping) or spec.get("scale") not in scales:
        raise DefinitionInvalid(f"{where}: needs a 'scale', one of {', '.join(scales)}")
    try:
        return model.model_validate({**spec, "scale": scales[spec["scale"]]})
    except ValidationError as exc:
        raise DefinitionInvalid(f"{where}: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from None


def _parse_retired(
    specs: Any, scales: Mapping[str, Scale], items: Mapping[str, Item], source: str
) -> dict[str, RetiredItem]:
    """The retired ids: each with a known scale, never an id in use, replaced by ids in use."""
    if not isinstance(specs, list):
        raise DefinitionInvalid(f"{source}: 'retired' must be a list of retired items")
    retired: dict[str, RetiredItem] = {}
    for spec in specs:
        old = _with_scale(RetiredItem, spec, scales, f"{source}: retired item")
        where = f"{source}: retired item '{old.id}'"
        if old.id in items or old.id in retired:
            raise DefinitionInvalid(f"{where}: the id is in use; a retired id is never reused")
        for new in old.replaced_by:
            if new not in items:
                raise DefinitionInvalid(f"{where}: replaced by '{new}', which is no item of the bank")
            if items[new].scale != old.scale:
                raise DefinitionInvalid(f"{where}: '{new}' has another scale than the retired item")
        retired[old.id] = old
    return retired


#: Items the method reads by id (the rest it finds by section, phase, corner, link, factor).
NAMED_ITEMS = (
    "meta.innovation",
    "meta.place",
    "meta.service",
    "meta.assessor",
    "meta.date",
    "type.kind",
    "type.extent",
)


def _check_complete(items: Mapping[str, Item], source: str) -> None:
    missing = [i for i in NAMED_ITEMS if i not in items]
    for what, names, key in (("link", LINKS, "link"), ("factor", FACTORS, "factor")):
        for name in names:
            if sum(getattr(i, key) == name for i in items.values()) != 1:
                missing.append(f"exactly one item for the {what} '{name}'")
    for phase in PHASE_NAMES:
        if not any(i.section == "sign" and i.phase == phase and i.role == "key" for i in items.values()):
            missing.append(f"a key sign of phase {phase}")
    milestones: dict[str, list[Item]] = {}
    for item in items.values():
        if item.milestone is not None:
            milestones.setdefault(item.milestone, []).append(item)
    for milestone, members in milestones.items():
        if len(members) < 2 or any(m.role != "key" or m.phase != members[0].phase for m in members):
            missing.append(f"two or more key signs of one phase for the milestone '{milestone}'")
    if missing:
        raise DefinitionInvalid(f"{source}: the item bank lacks " + "; ".join(missing))


def read_item_bank(path: Path | Traversable) -> ItemBank:
    """Read and check an items file (``lisa/assess/data/items.yaml`` or a researcher's own).

    Raises
    ------
    DefinitionInvalid
        When the file is not strict YAML or breaks the item bank's form.
    """
    return parse_item_bank(load_definition(path.read_text("utf-8"), str(path)), str(path))


def suggest(item_id: str, known: Sequence[str], limit: int = 3) -> tuple[str, ...]:
    """The closest known item ids to a mistyped one.

    >>> suggest("sign.triger", ["sign.trigger", "meta.place"])
    ('sign.trigger',)
    """
    from rapidfuzz import process

    matches = process.extract(item_id, list(known), limit=limit, score_cutoff=60)
    return tuple(m[0] for m in matches)
