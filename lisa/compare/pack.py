"""Benchmark packs: places' indicators in a small file that holds no personal data.

A pack lets places pool their figures and compare without sharing survey
data. It is a JSON document (``docs/compare.md``; its JSON Schema,
``lisa/schema/pack.schema.json``, is generated from :class:`BenchmarkPack`)
holding, per place, only its name, its size, its relations and the indicators
of :mod:`lisa.compare.indicators` — numbers for the whole place.

It is checked twice:

* **on write** (:func:`write_pack`), against the rosters it came from: no
  place under the small-cell threshold :data:`lisa.privacy.MIN_CELL`, no
  answer-based figure from fewer respondents than that, and no text in the
  pack — place names, relation names, the pack's name — that holds a roster
  id or a person's name;
* **on read** (:func:`read_pack`), without the rosters: the format and its
  major version, a size limit, exactly the known fields (an added field such
  as a list of ids is refused), known indicator keys only, finite numbers,
  short plain text, and the same small-cell rules.

Any breach is a :class:`PackInvalid` (exit 2) listing every problem; nothing
is written.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from lisa.compare.indicators import BY_KEY, FROM_ANSWERS, PlaceIndicators
from lisa.errors import InputInvalid, Problem, StudyNotFound
from lisa.files import atomic_write_text
from lisa.network.results import ResultModel
from lisa.privacy import MIN_CELL
from lisa.study import Study
from lisa.text import visible

#: What the ``format`` field of every pack says.
PACK_FORMAT = "lisa-benchmark-pack"
#: Version of the pack's shape (semantic versioning: 1.x reads every 1.y).
PACK_VERSION = "1.0"
#: The largest pack read (a pack of 1,000 places is about 1 MB).
MAX_PACK_BYTES = 16 * 1024**2
#: The longest name of a place, relation or pack.
MAX_TEXT = 200


class PackInvalid(InputInvalid):
    """A benchmark pack cannot be written or read: it would hold, or holds, what it must not."""

    subject = "the benchmark pack"


class BenchmarkPack(ResultModel):
    """A benchmark pack: the indicators of one or more places, nothing about any person."""

    format: Literal["lisa-benchmark-pack"] = Field(
        "lisa-benchmark-pack", description="What the file is: always this text."
    )
    pack_version: str = Field(PACK_VERSION, description="Semantic version of this shape.")
    lisa_version: str = Field(description="The lisa that wrote the pack.")
    name: str = Field(description="The set of places, as it is cited in comparisons.")
    min_cell: int = Field(description="Small-cell threshold the pack was checked with.")
    places: list[PlaceIndicators] = Field(description="One record per place, in the order given.")


def _text_problems(text: str, where: str) -> list[Problem]:
    if len(text) > MAX_TEXT or not text.strip() or visible(text) != text:
        return [Problem("bad-text", f"{where}: empty, longer than {MAX_TEXT} or not plain text",
                        value=text[:40])]  # fmt: skip
    return []


def _place_problems(place: PlaceIndicators, min_cell: int, label: str) -> list[Problem]:
    where = f"place '{place.name[:40]}'"
    found = _text_problems(place.name, where)
    for rel in place.relations:
        found += _text_problems(rel, f"{where}, relation")
    if place.people < min_cell:
        found.append(Problem("small-place", f"{where} has {place.people} people, fewer than "
                             f"the small-cell threshold {min_cell}", label))  # fmt: skip
    if place.respondents > place.people or place.respondents < 0:
        found.append(Problem("bad-value", f"{where}: respondents outside 0..people", label))
    unknown = sorted(set(place.values) - set(BY_KEY))
    if unknown or set(place.networking_by_relation) != set(place.relations):
        found.append(Problem("unknown-indicator", f"{where}: indicators not of this pack "
                             f"version: {', '.join(unknown) or 'networking_by_relation'}", label))  # fmt: skip
    numbers = [*place.values.values(), *place.networking_by_relation.values()]
    if any(v is not None and not math.isfinite(v) for v in numbers):
        found.append(Problem("bad-value", f"{where}: a value is not a finite number", label))
    if place.respondents < min_cell:
        answer_based = [k for k in FROM_ANSWERS if place.values.get(k) is not None]
        if answer_based or any(v is not None for v in place.networking_by_relation.values()):
            found.append(Problem("small-cell", f"{where}: figures from {place.respondents} "
                                 f"respondents (fewer than {min_cell})", label))  # fmt: skip
    return found


def check_pack(pack: BenchmarkPack, label: str = "pack") -> list[Problem]:
    """Every problem a pack has on its own (the read-side check)."""
    found = _text_problems(pack.name, "the pack's name")
    if pack.min_cell < MIN_CELL:
        found.append(Problem("small-cell", f"checked with min_cell {pack.min_cell}, below "
                             f"lisa's {MIN_CELL}", label))  # fmt: skip
    names = [p.name for p in pack.places]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        found.append(Problem("duplicate-place", f"place '{dup[:40]}' appears more than once", label))
    for place in pack.places:
        found += _place_problems(place, max(pack.min_cell, MIN_CELL), label)
    return found


def _person_words(studies: Sequence[Study]) -> list[tuple[re.Pattern[str], str]]:
    """A pattern for every roster id and name, matched as whole words, case ignored."""
    words = {w.strip() for s in studies for w in [*s.ids, *s.names] if w and w.strip()}
    return [(re.compile(r"(?<!\w)" + re.escape(w) + r"(?!\w)", re.IGNORECASE), w) for w in words]


def personal_problems(pack: BenchmarkPack, studies: Sequence[Study]) -> list[Problem]:
    """Every text in the pack that holds a roster id or a person's name (the write-side check).

    The problems say where, never which person (the message is printed).
    """
    texts = [("the pack's name", pack.name)]
    for p in pack.places:
        texts += [(f"a place's name ({p.people} people)", p.name)]
        texts += [(f"a relation of a place of {p.people} people", r) for r in p.relations]
    patterns = _person_words(studies)
    return [
        Problem("personal-data", f"{where} holds a roster id or a person's name")
        for where, text in texts
        if any(pattern.search(text) for pattern, _ in patterns)
    ]


def make_pack(
    places: Sequence[PlaceIndicators], name: str, studies: Sequence[Study] = ()
) -> BenchmarkPack:
    """A pack of ``places``, checked against the rosters they came from.

    Raises
    ------
    PackInvalid
        A place is too small, a figure rests on too few respondents, or a text
        holds a roster id or name.
    """
    from lisa import __version__

    pack = BenchmarkPack(lisa_version=__version__, name=name, min_cell=MIN_CELL,
                         places=list(places))  # fmt: skip
    problems = check_pack(pack) + personal_problems(pack, studies)
    if problems:
        raise PackInvalid(problems)
    return pack


def write_pack(pack: BenchmarkPack, path: str | Path, studies: Sequence[Study] = ()) -> Path:
    """Check the pack again (and against ``studies``) and write it atomically."""
    problems = check_pack(pack, str(path)) + personal_problems(pack, studies)
    if problems:
        raise PackInvalid(problems)
    return atomic_write_text(path, pack.model_dump_json(indent=1) + "\n")


def _refused(code: str, message: str, label: str) -> PackInvalid:
    return PackInvalid([Problem(code, message, label)])


def read_pack(path: str | Path) -> BenchmarkPack:
    """Read and check a benchmark pack.

    Raises
    ------
    StudyNotFound
        No file there.
    PackInvalid
        Not a pack, another major version, too large, or a pack that breaks the rules.
    """
    path = Path(path)
    if not path.is_file():
        raise StudyNotFound(f"no benchmark pack at '{path}'")
    label = str(path)
    if path.stat().st_size > MAX_PACK_BYTES:
        raise _refused("file-too-large", f"larger than a pack can be ({MAX_PACK_BYTES:,} bytes)",
                       label)  # fmt: skip
    return pack_from_text(path.read_bytes(), label)


def pack_from_text(data: bytes, label: str = "pack") -> BenchmarkPack:
    """Parse and check a pack's bytes (see :func:`read_pack`)."""
    if len(data) > MAX_PACK_BYTES:
        raise _refused("file-too-large", "larger than a pack can be", label)
    try:
        head = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _refused("encoding", "not UTF-8 text: not a benchmark pack", label) from None
    except (ValueError, RecursionError) as exc:
        raise _refused("malformed-json", f"not valid JSON: {str(exc)[:80]}", label) from None
    if not isinstance(head, dict) or head.get("format") != PACK_FORMAT:
        raise _refused("not-a-pack", f"not a benchmark pack (no \"format\": \"{PACK_FORMAT}\")",
                       label)  # fmt: skip
    version = str(head.get("pack_version", ""))
    if version.split(".")[0] != PACK_VERSION.split(".")[0]:
        raise _refused("pack-version", f"pack version '{version[:20]}' is not "
                       f"{PACK_VERSION.split('.')[0]}.x: write it again with this lisa", label)  # fmt: skip
    try:
        pack = BenchmarkPack.model_validate(head)
    except ValidationError as exc:
        raise PackInvalid(
            [Problem("bad-value", f"{'.'.join(map(str, e['loc']))}: {e['msg']}", label)
             for e in exc.errors()[:20]]  # fmt: skip
        ) from None
    problems = check_pack(pack, label)
    if problems:
        raise PackInvalid(problems)
    return pack
