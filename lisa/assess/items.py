"""The assessment instrument: the item bank and the meaning of each scale.

The items live in ``lisa/assess/data/items.yaml``; this module loads them and
turns a raw answer (whatever a YAML, CSV or Excel cell holds) into a checked
value, or says exactly why it cannot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from lisa.errors import AnswerError, DefinitionInvalid
from lisa.vocabulary import CORNERS, FACTOR_ROLES, FACTORS, LINKS, PHASE_NAMES, STAGES

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
    "Scale",
    "load_item_bank",
    "parse_date",
    "parse_phase",
    "suggest",
]



@dataclass(frozen=True)
class Scale:
    name: str
    description: str
    min: int | None = None
    max: int | None = None
    choices: tuple[str, ...] = ()
    multiple: bool = False


@dataclass(frozen=True)
class Item:
    id: str
    section: str
    scale: Scale
    text: str
    help: str
    source: str
    required: bool = False
    phase: int | None = None
    corner: str | None = None
    link: str | None = None
    factor: str | None = None

    def parse(self, raw: Any) -> Any:
        """Check one raw answer against this item's scale and return the value.

        Returns ``None`` for an empty answer (left blank); raises
        :class:`AnswerError` with a reason when the answer does not fit.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
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

    def normalise(self, value: Any) -> float | None:
        """An agree5 answer on 0..1 (1 -> 0.0, 3 -> 0.5, 5 -> 1.0); None otherwise."""
        if self.scale.name != "agree5" or value is None:
            return None
        lo, hi = self.scale.min or 1, self.scale.max or 5
        return (float(value) - lo) / (hi - lo)


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


_DATE_FORMATS = (("%Y-%m-%d", 3), ("%Y-%m", 2), ("%Y", 1))


def parse_date(raw: Any) -> dt.date:
    """A year, year-month or full date, from YAML, CSV or Excel, as a ``date``."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    for fmt, _ in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise AnswerError("expected a date such as 2004, 2004-06 or 2004-06-30")


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

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.items

    def __getitem__(self, item_id: str) -> Item:
        return self.items[item_id]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> list[str]:
        return list(self.items)

    def section(self, name: str) -> list[Item]:
        return [i for i in self.items.values() if i.section == name]

    def phase_signs(self, phase: int) -> list[Item]:
        return [i for i in self.items.values() if i.section == "sign" and i.phase == phase]

    def corner_items(self, corner: str) -> list[Item]:
        return [i for i in self.items.values() if i.corner == corner]

    def link_item(self, link: str) -> Item:
        return next(i for i in self.items.values() if i.link == link)

    def factor_item(self, factor: str) -> Item:
        return next(i for i in self.items.values() if i.factor == factor)

    @property
    def required(self) -> list[Item]:
        return [i for i in self.items.values() if i.required]


def _build(data: Mapping[str, Any]) -> ItemBank:
    scales = {
        name: Scale(
            name=name,
            description=spec.get("description", ""),
            min=spec.get("min"),
            max=spec.get("max"),
            choices=tuple(spec.get("choices", ())),
            multiple=bool(spec.get("multiple", False)),
        )
        for name, spec in data["scales"].items()
    }
    items: dict[str, Item] = {}
    for spec in data["items"]:
        if spec["id"] in items:
            raise DefinitionInvalid(f"duplicate item id '{spec['id']}' in the item bank")
        items[spec["id"]] = Item(
            id=spec["id"],
            section=spec["section"],
            scale=scales[spec["scale"]],
            text=spec["text"],
            help=spec["help"],
            source=spec["source"],
            required=bool(spec.get("required", False)),
            phase=spec.get("phase"),
            corner=spec.get("corner"),
            link=spec.get("link"),
            factor=spec.get("factor"),
        )
    return ItemBank(version=int(data["version"]), scales=scales, items=items)


@lru_cache(maxsize=1)
def load_item_bank() -> ItemBank:
    """The item bank shipped with lisa (``lisa/assess/data/items.yaml``)."""
    text = resources.files("lisa.assess").joinpath("data/items.yaml").read_text("utf-8")
    return _build(yaml.safe_load(text))


def suggest(item_id: str, known: Sequence[str], limit: int = 3) -> tuple[str, ...]:
    """The closest known item ids to a mistyped one."""
    from rapidfuzz import process

    matches = process.extract(item_id, list(known), limit=limit, score_cutoff=60)
    return tuple(m[0] for m in matches)
