"""The assessment's JSON Schema and reference tables, generated from the models.

``lisa/schema/assessment.schema.json`` and the generated parts of
``docs/assessment.md`` (the items, the migration of retired ids, the settings, the risks and recommendations, and the
JSON field reference) are written from :class:`AssessmentDocument`,
:class:`AssessmentSettings` and the rules, so they cannot drift from the code:
``tests/test_assess_docs.py`` fails when a committed copy differs. After
changing a model, a setting or a rule, regenerate them::

    python -m lisa.assess.schema          # rewrite the schema file and the docs
    python -m lisa.assess.schema --check  # exit 1 if either is out of date
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic.fields import FieldInfo

from lisa.assess.document import AssessmentDocument
from lisa.assess.instrument import Instrument
from lisa.assess.model import SCHEMA_VERSION
from lisa.assess.settings import AssessmentSettings
from lisa.errors import LisaError
from lisa.schemas import _all_required, _table  # one way to tabulate a model, as docs/schema.md
from lisa.vocabulary import SPREAD_ROUTE_TITLES

#: The committed schema file, inside the package.
SCHEMA_FILE = "schema/assessment.schema.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a document as ``lisa assess --json`` writes it."""
    body = AssessmentDocument.model_json_schema(mode="serialization", by_alias=True)
    _all_required(body)  # every field is always written (null when undefined)
    major = SCHEMA_VERSION.split(".")[0]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://lisa.example/schema/assessment-{major}.json",
        **{k: v for k, v in body.items() if k != "title"},
        "title": "lisa assessment document",
        "description": f"Output of `lisa assess --json` (schema version {SCHEMA_VERSION}); "
        "generated from lisa.assess.document.AssessmentDocument - see docs/assessment.md.",
    }


def schema_text() -> str:
    """The schema file's text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- docs


def field_reference() -> str:
    """Markdown: the document and every part of it, a table of fields each.

    The tables are those of the analysis JSON's reference (``docs/schema.md``),
    made by the same function from the JSON Schema.
    """
    schema = json_schema()
    blocks = ["#### AssessmentDocument\n\n" + "\n".join(_table(schema))]
    for name, defn in schema["$defs"].items():
        doc = " ".join(str(defn.get("description", "")).split("\n\n")[0].split())
        if name == AssessmentSettings.__name__:
            blocks.append(f"#### {name}\n\nThe settings, as in [Settings](#settings).")
            continue
        blocks.append(f"#### {name}\n\n{doc}\n\n" + "\n".join(_table(defn)))
    return "\n\n".join(blocks)


def _range(f: FieldInfo) -> str:
    bounds = {b: getattr(m, b) for m in f.metadata for b in ("ge", "gt", "le") if hasattr(m, b)}
    low = f"≥ {bounds['ge']:g}" if "ge" in bounds else f"> {bounds['gt']:g}" if "gt" in bounds else ""
    high = f"≤ {bounds['le']:g}" if "le" in bounds else ""
    return ", ".join(x for x in (low, high) if x)


def settings_reference() -> str:
    """Markdown: every assessment setting with its default, range and meaning."""
    rows = [
        f"| `{name}` | {f.default!r} | {_range(f)} | {f.description or ''} |"
        for name, f in AssessmentSettings.model_fields.items()
    ]
    return "\n".join(["| setting | default | range | meaning |", "|---|---|---|---|", *rows])


def _flow(cond: Any) -> str:
    return yaml.safe_dump(cond, default_flow_style=True, width=10_000).strip()


def rules_reference(raw: Mapping[str, Any] | None = None) -> str:
    """Markdown: the risks and recommendations of the rules, limits as written."""
    raw = raw if raw is not None else Instrument.load().rules.raw

    def phases(rule: Mapping[str, Any]) -> str:
        return ", ".join(str(p) for p in rule["phases"])

    risks = [
        f"| `{r['id']}` — {r['title']} | {phases(r)} | {_flow(r['when'])} | seed {r['source']} |"
        for r in raw["risks"]
    ]
    recs = [
        f"| `{r['id']}` — {r['title']} | {r['cluster']} | {phases(r)} | {_flow(r['when'])} "
        f"| seed {r['source']} |"
        for r in raw["recommendations"]
    ]
    return "\n".join(
        ["| risk | phases | shows when | source |", "|---|---|---|---|", *risks, "",
         "| recommendation | cluster | phases | chosen when | source |", "|---|---|---|---|---|",
         *recs]
    )  # fmt: skip


def spread_reference(raw: Mapping[str, Any] | None = None) -> str:
    """Markdown: the spreading risks, recommendations and routes, limits as written."""
    raw = raw if raw is not None else Instrument.load().spread.raw
    risks = [
        f"| `{r['id']}` — {r['title']} | {r['condition']} | {_flow(r['when'])} | seed {r['source']} |"
        for r in raw["risks"]
    ]
    recs = [
        f"| `{r['id']}` — {r['title']} | {r['condition']} | {_flow(r['when'])} | seed {r['source']} |"
        for r in raw["recommendations"]
    ]
    routes = [
        f"| `{name}` — {SPREAD_ROUTE_TITLES[name]} | "
        + "; ".join(f"{n['need']}: {_flow(n['when'])}" for n in r["requires"])
        + " | " + "; ".join(f"{a['why']}: {_flow(a['when'])}" for a in r["against"])
        + f" | seed {r['source']} |"
        for name, r in raw["routes"].items()
    ]
    return "\n".join(
        ["| risk | condition | shows when | source |", "|---|---|---|---|", *risks, "",
         "| recommendation | condition | chosen when | source |", "|---|---|---|---|", *recs, "",
         "| route | requires | against it | source |", "|---|---|---|---|", *routes]
    )  # fmt: skip


def _scale_cell(item: Any) -> str:
    extra = []
    if item.phase is not None:
        extra.append(f"phase {item.phase}" + (f", {item.role}" if item.role else ""))
    if item.milestone is not None:
        extra.append(f"milestone {item.milestone}")
    if item.stage is not None:
        extra.append(item.stage)
    if item.condition is not None:
        extra.append(item.condition)
    if item.phases is not None:
        extra.append("counts in phases " + ", ".join(map(str, item.phases)))
    return item.scale.name + (f" ({'; '.join(extra)})" if extra else "")


def items_reference() -> str:
    """Markdown: every item of the shipped bank, its scale (and role), statement and source."""
    bank = Instrument.load().bank
    rows = [
        f"| `{i.id}` | {_scale_cell(i)} | {i.text} | seed {i.source} |" for i in bank
    ]
    return "\n".join(["| id | scale | statement | source |", "|---|---|---|---|", *rows])


def migration_reference() -> str:
    """Markdown: each retired id, the ids its answer goes to, and why it was retired."""
    bank = Instrument.load().bank
    rows = [
        f"| `{r.id}` | {r.retired_in} | {', '.join(f'`{n}`' for n in r.replaced_by)} | {r.why} |"
        for r in bank.retired.values()
    ]
    return "\n".join(
        ["| retired id | retired in | its answer goes to | why |", "|---|---|---|---|", *rows]
    )


#: The generated blocks of docs/assessment.md, between ``<!-- generated: NAME -->``
#: and ``<!-- end generated: NAME -->``.
DOC_BLOCKS: dict[str, Callable[[], str]] = {
    "items": items_reference,
    "migration": migration_reference,
    "settings": settings_reference,
    "rules": rules_reference,
    "spread": spread_reference,
    "fields": field_reference,
}


def render_docs(text: str, blocks: Mapping[str, Callable[[], str]] = DOC_BLOCKS) -> str:
    """``text`` with every generated block replaced by what the code says now."""
    for name, make in blocks.items():
        pattern = re.compile(
            rf"(<!-- generated: {name} -->\n)(?:.*?\n)?(<!-- end generated: {name} -->)", re.S
        )
        match = pattern.search(text)
        if match is None:
            raise LisaError(f"docs/assessment.md has no generated block '{name}'")
        text = text[: match.end(1)] + make() + "\n" + text[match.start(2) :]
    return text


#: The committed independent fillings and the two evaluators whose agreement the docs show.
INDEPENDENT = ("tests/data/assess/independent", ("A", "B"))


def agreement_block(root: Path) -> dict[str, Callable[[], str]]:
    """The docs' agreement table block, when the repository's fillings are there (a checkout).

    Parameters
    ----------
    root
        The repository root (holding ``tests/data/assess/independent``).

    Returns
    -------
    dict
        ``{"agreement": make}`` for :func:`render_docs`; empty outside a checkout.
    """
    from lisa.assess.agreement import agreement_table

    folder, evaluators = root / INDEPENDENT[0], INDEPENDENT[1]
    if not folder.is_dir():
        return {}
    return {"agreement": lambda: agreement_table(folder, evaluators)}


def _targets(root: Path) -> list[tuple[Path, str]]:
    docs = root / "docs" / "assessment.md"
    schema = Path(str(resources.files("lisa").joinpath(SCHEMA_FILE)))
    blocks = {**DOC_BLOCKS, **agreement_block(root)}
    return [(schema, schema_text()), (docs, render_docs(docs.read_text("utf-8"), blocks))]


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the schema file and the docs' generated blocks."""
    from lisa.files import atomic_write_text

    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(__file__).resolve().parents[2]
    stale = []
    for path, text in _targets(root):
        current = path.read_text("utf-8") if path.exists() else ""
        if current != text:
            stale.append(path)
            if "--check" not in args:
                atomic_write_text(path, text)
    for path in stale:
        print(("out of date: " if "--check" in args else "wrote ") + str(path))
    return 1 if stale and "--check" in args else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
