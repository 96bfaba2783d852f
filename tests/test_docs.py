"""The docs cannot drift from the code: every command, setting and finding is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lisa.cli import app
from lisa.config import AnalysisConfig
from lisa.findings import FINDING_CODES

DOCS = Path(__file__).resolve().parent.parent / "docs"


def read(name: str) -> str:
    return (DOCS / name).read_text("utf-8")


def all_docs() -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(DOCS.glob("*.md")))


@pytest.mark.parametrize("code", FINDING_CODES)
def test_every_finding_code_has_a_section(code: str) -> None:
    assert f"## `{code}`" in read("findings.md")


def test_findings_doc_has_no_unknown_codes() -> None:
    documented = set(re.findall(r"^## `([a-z-]+)`", read("findings.md"), re.M))
    assert documented == set(FINDING_CODES)


def command_names() -> list[str]:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    names += [g.name for g in app.registered_groups if g.name]
    return names


@pytest.mark.parametrize("command", command_names())
def test_every_command_is_in_the_cli_reference(command: str) -> None:
    assert f"`lisa {command}" in read("cli.md")


@pytest.mark.parametrize("setting", list(AnalysisConfig.model_fields))
def test_every_setting_is_documented(setting: str) -> None:
    assert f"`{setting}`" in all_docs(), f"setting '{setting}' is not described in docs/"


def test_readme_quick_start_is_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text("utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]


def test_generated_schema_and_schema_doc_are_current() -> None:
    """lisa/schema/analysis.schema.json and docs/schema.md come from the result models."""
    from lisa.schemas import generated

    for path, text in generated().items():
        assert path.read_text("utf-8") == text, f"{path} is stale: run python -m lisa.schemas"


def _modules() -> list[str]:
    import lisa

    root = Path(lisa.__file__).resolve().parent
    return sorted(
        ".".join(p.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__")
        for p in root.rglob("*.py")
    )


@pytest.mark.parametrize("module", _modules())
def test_docstring_examples_run(module: str) -> None:
    """Every Examples section in the package's docstrings runs and gives what it shows."""
    import doctest
    import importlib

    result = doctest.testmod(
        importlib.import_module(module),
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.failed == 0


def test_the_cli_reference_is_generated_from_the_commands() -> None:
    """docs/cli.md's command reference is current: run python -m lisa.cli._docs after a change."""
    from lisa.cli._docs import DOC, page

    current = DOC.read_text("utf-8")
    assert page(current) == current


_NUMBER = re.compile(r"`([a-z_]+)` \((?:default )?(-?[0-9.]+)\s*(%|×)?")


def test_defaults_quoted_in_the_docs_are_the_code_defaults() -> None:
    """Wherever the docs write "`setting` (value)", the value is the setting's default."""
    defaults = {name: default for name, default, _ in AnalysisConfig.describe()}
    quoted = [
        (m.group(1), float(m.group(2)) / (100 if m.group(3) == "%" else 1), path.name)
        for path in sorted(DOCS.glob("*.md"))
        for m in _NUMBER.finditer(path.read_text("utf-8"))
        if m.group(1) in defaults
    ]
    assert len(quoted) >= 15
    wrong = [(n, v, f, defaults[n]) for n, v, f in quoted if abs(v - float(defaults[n])) > 1e-9]  # type: ignore[arg-type]
    assert wrong == []
