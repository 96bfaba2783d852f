"""The analysis JSON's schema and reference, generated from the result models.

The pydantic models of :mod:`lisa.analysis`, :mod:`lisa.network.results` and
:mod:`lisa.findings` are the one home of the analysis JSON's shape. This
module derives from them the machine-readable JSON Schema
(``lisa/schema/analysis.schema.json``) and the reference page
(``docs/schema.md``); ``python -m lisa.schemas`` rewrites both, and a test
fails when the committed files differ from what the models say.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
SCHEMA_FILE = ROOT / "schema" / "analysis.schema.json"
DOC_FILE = ROOT.parent / "docs" / "schema.md"


def _all_required(node: Any) -> None:
    """Every field is always written, so every property is required (null when undefined)."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
        for value in node.values():
            _all_required(value)
    elif isinstance(node, list):
        for value in node:
            _all_required(value)


def _omitted_when_unset(schema: dict[str, Any]) -> None:
    """Fields written only when set (``exclude_if``: a block a study may not have) are optional."""
    from lisa.analysis import AnalysisResult
    from lisa.config import AnalysisConfig

    for model, node in (
        (AnalysisResult, schema),
        (AnalysisConfig, schema.get("$defs", {}).get("AnalysisConfig", {})),
    ):
        optional = {
            (f.alias or name) for name, f in model.model_fields.items() if f.exclude_if is not None
        }
        node["required"] = [k for k in node.get("required", []) if k not in optional]


def analysis_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the analysis JSON."""
    from lisa.analysis import HEADER, SCHEMA_VERSION, AnalysisResult

    schema = AnalysisResult.model_json_schema(mode="validation", by_alias=True)
    _all_required(schema)
    props = schema["properties"]
    props["schema_version"] = {
        "type": "string",
        "pattern": "^" + SCHEMA_VERSION.split(".")[0] + r"\.[0-9]+$",
        "description": "Semantic version of this document's shape.",
    }
    ordered = {k: props[k] for k in HEADER if k in props} | {
        k: v for k, v in props.items() if k not in HEADER
    }
    schema["properties"] = ordered
    schema["required"] = list(ordered)
    _omitted_when_unset(schema)
    major = SCHEMA_VERSION.split(".")[0]
    return schema_document(
        schema,
        f"analysis-{major}",
        "lisa analysis result",
        f"Output of `lisa analyse --json` (schema version {major}.x), generated from the result "
        "models; docs/schema.md explains every field.",
    )


def schema_document(body: dict[str, Any], name: str, title: str, description: str) -> dict[str, Any]:
    """A model's JSON Schema as a draft 2020-12 document of lisa's, with its id and title."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://lisa.example/schema/{name}.json",
        **{k: v for k, v in body.items() if k != "title"},
        "title": title,
        "description": description,
    }


def _type_of(prop: dict[str, Any]) -> str:
    """A field's type in words for the reference tables."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        kinds = [_type_of(p) for p in prop["anyOf"]]
        return " or ".join(dict.fromkeys(kinds))
    if "oneOf" in prop:
        return "one of " + ", ".join(_type_of(p) for p in prop["oneOf"])
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items", {})
        if "prefixItems" in prop:
            return "[" + ", ".join(_type_of(p) for p in prop["prefixItems"]) + "]"
        return f"list of {_type_of(items)}" if items else "list"
    if kind == "object":
        extra = prop.get("additionalProperties")
        return f"{{name: {_type_of(extra)}}}" if isinstance(extra, dict) else "object"
    return {"number": "number", "integer": "integer", "string": "text", "boolean": "true/false",
            "null": "null"}.get(str(kind), str(kind))  # fmt: skip


def _table(defn: dict[str, Any]) -> list[str]:
    lines = ["| field | type | meaning |", "| --- | --- | --- |"]
    for name, prop in defn.get("properties", {}).items():
        text = " ".join(str(prop.get("description", "")).split()).replace("|", "\\|")
        if "default" in prop and prop["default"] is not None and not isinstance(prop["default"], dict):
            text += f" Default: `{json.dumps(prop['default'])}`."
        lines.append(f"| `{name}` | {_type_of(prop)} | {text} |")
    return lines


INTRO = """\
# The analysis JSON (schema version {version})

<!-- Generated by `python -m lisa.schemas` from the result models; do not edit by hand. -->

`lisa analyse DIR --json FILE`, `lisa analyse DIR --out DIR` (as `analysis.json`) and
`lisa.analyse(study).write_json(path)` write this document; `AnalysisResult.from_json(path)`
reads it back exactly, so `lisa report`, `lisa export` and `lisa assess --network` can reuse it
(`--analysis FILE`) instead of analysing again. A machine-readable JSON Schema is in
`lisa/schema/analysis.schema.json`; both it and this page are generated from the pydantic models
in `lisa/analysis.py`, `lisa/network/results.py` and `lisa/findings.py`, and a test fails when
they drift.

`schema_version` follows semantic versioning: a new field is a minor change (2.x); a renamed or
removed field, or a changed meaning, is a major one. A stored result of another major version is
refused with a named error (run `lisa analyse` again). Every field is always present — except
`tie_quality`, written only for a study with tie weights or items, and the `weighted_paths`
setting, written only when on — and `null` means "not defined here" (the contact diversity of a person with no contacts, the random
baseline of a scenario with too few others).

People are keyed by their roster `id` (strings, even when they look like numbers) — or, in a
pseudonymised result (`privacy.pseudonymised` is true), by pseudonyms such as `P0042`, listed in
a shuffled order, with `study.source` and `study.fingerprint` null (`docs/privacy.md`).
Closeness follows networkx and is 0, not null, for a person nobody can reach.

## Changes in 2.2

- `intermediaries` (new, `docs/method.md`, "Intermediaries"): the people and organisations
  placed to act as intermediaries for spreading an innovation — brokers between sectors and
  between layers, people tied across many organisations or to people outside the place (the
  roster's optional `outside` column) — each with its `reasons`, its numbers and a `why`, and
  the levels they had to reach (`cuts`). People are named only at response level
  `individuals`; below it `people` is empty and the counts by reason, sector and layer remain.
  `null` in a result written by 2.1 (which still reads back).
- The finding `no-intermediaries` (`docs/findings.md`).
- Exact or sampled is decided once per place, on its combined network: every network of a
  sampled place has the same `samples` (the `exact_limit` budget on the combined network's
  arcs, never fewer than `samples`, now 64), so `computation.samples` holds for all of them.

## Changes in 2.1

- Each network's `network.uncertain_gatekeepers`: where betweenness is estimated (large places),
  the people the estimate puts among the gatekeepers but the bootstrap over the sampled sources
  does not confirm (`config.role_stability`, `config.role_replicates`). They do not hold the
  `gatekeeper` role in `roles` and are never named. Empty when betweenness is exact.
- Estimated betweenness uses as many sampled sources as the `exact_limit` budget buys (never
  fewer than `samples`), and resilience measures reach on a sample of 500 people above 500
  people (was: above 2,000), so no place takes longer than a slightly larger one.
- Places above 2,000 people are written as compact JSON (no indentation). `lisa analyse
  --table FILE` and `--out DIR` (as `people.parquet`) write every person's numbers in every
  network as a Parquet table: `network`, `id`, the scalar metrics, `roles`,
  `diversity_<grouping>`, `brokerage_<grouping>_<role>`, `core_networks` (combined rows).

## Changes from 1.x (migration)

- `core_consistency.overlap` is a list of records `{{a, b, jaccard}}` (was an object keyed
  `"A|B"`, which broke for a relation named with `|`); `core_consistency.stable_core_by` is new
  (the stable core's composition per grouping).
- `resilience.scenarios[]` have `kind` (`stable-core`, `top-hubs`, `group`), `grouping` and
  `group` (was one `name` such as `"group:sector=vcs"`). Each scenario's random baseline comes
  from its own seeded stream, so its numbers differ slightly from 1.x.
- `layers.horizontal` and `layers.vertical` are replaced by `layers.links`: one record per
  within-layer or adjacent-layer link with its `density`, `ratio` to the overall density and the
  analysis' `verdict` (thin, moderate, dense); `layers.thin_links_ratio` is the setting used.
- Each finding has a `headline` (`{{value, text}}`), `people_not_named` (was
  `evidence.people_not_named`), and a typed `evidence` per code (below); `excluded-group`'s
  evidence is `{{groups: [...]}}` (was keyed by group label), the `thin-*-links` evidence lists
  the thin `LayerLink`s.
- New top-level `recommendations` (what the findings call for, from the rules of
  `lisa assess`), `privacy` (pseudonymised results), and `study.fingerprint`; `study.waves`
  lists all the study's waves, `study.wave` the one analysed.

## The document

"""


def schema_markdown() -> str:
    """docs/schema.md: the intro above, then one table per block of the JSON."""
    from lisa.analysis import SCHEMA_VERSION

    schema = analysis_schema()
    lines = [INTRO.format(version=SCHEMA_VERSION).rstrip(), "", *_table(schema), ""]
    for name, defn in schema["$defs"].items():
        lines += [f"## {name}", ""]
        doc = " ".join(str(defn.get("description", "")).split())
        if doc:
            lines += [doc, ""]
        if "properties" in defn:
            lines += [*_table(defn), ""]
        else:
            lines += [f"Type: {_type_of(defn)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def generated() -> dict[Path, str]:
    """Each generated file and the text it should hold."""
    return {
        SCHEMA_FILE: json.dumps(analysis_schema(), indent=2, ensure_ascii=False) + "\n",
        DOC_FILE: schema_markdown(),
    }


def regenerate(files: dict[Path, str], args: list[str], command: str) -> int:
    """Rewrite each generated file, or with ``--check`` in ``args`` list the stale ones (exit 1)."""
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text("utf-8") != text]
    if "--check" in args:
        for p in stale:
            print(f"out of date: {p} (run {command})")
        return 1 if stale else 0
    from lisa.files import atomic_write_text

    for p, text in files.items():
        atomic_write_text(p, text)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m lisa.schemas [--check]``: rewrite (or check) the generated files."""
    return regenerate(generated(), sys.argv[1:] if argv is None else argv, "python -m lisa.schemas")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
