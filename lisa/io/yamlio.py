"""Reading YAML strictly: every duplicate key and every alias is a named problem.

PyYAML silently keeps the last of two equal keys, and expands aliases, so a
short "billion laughs" file can stand for gigabytes. lisa's YAML files (answer
files, the item bank, the rules, the cases) need neither, so
:func:`load_yaml` refuses both with a :class:`~lisa.errors.Problem` naming the
line, before anything is built from the document. Dates (and, in answer
files, yes/no words) stay the text they were written as, so ``2023-02-30`` is
a bad date with a message rather than a crash inside PyYAML. Callers cap the
file size before parsing, so time and memory stay bounded.

>>> data, node, problems = load_yaml("a: 1\\na: 2\\n", "x.yaml")
>>> [(p.code, p.row) for p in problems]
[('duplicate-key', 2)]
>>> load_yaml("d: 2023-02-30\\nok: yes\\n", "x.yaml", words=True)[0]
{'d': '2023-02-30', 'ok': 'yes'}
"""

from __future__ import annotations

from typing import Any

import yaml

from lisa.errors import DefinitionInvalid, Problem

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader (libyaml when present) with timestamps kept as text."""


class _AnswerLoader(_StrictLoader):
    """For answer files: yes/no/on/off stay words too (no item is a yes/no switch)."""


def _as_written(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_written)
_AnswerLoader.add_constructor("tag:yaml.org,2002:bool", _as_written)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _structure_problems(root: yaml.Node, source: str) -> list[Problem]:
    """Aliases (a node reached twice) and duplicate keys, walking each node once."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            problems.append(
                Problem(
                    "yaml-alias",
                    f"a YAML alias (*name) reuses the value on line {_line(node)}: aliases are "
                    "not accepted, write the value out in full",
                    source,
                    row=_line(node),
                )
            )
            return problems  # one is enough, and stops any expansion at once
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        problems.append(
                            Problem(
                                "duplicate-key",
                                f"the key '{key.value}' appears twice (lines {keys[key.value]} "
                                f"and {_line(key)}); YAML would silently keep the last",
                                source,
                                row=_line(key),
                                value=str(key.value),
                            )
                        )
                    keys.setdefault(key.value, _line(key))
                stack.extend((value, key))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return sorted(problems, key=lambda p: p.row or 0)


def _bad_yaml(exc: yaml.YAMLError, source: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    row = mark.line + 1 if mark is not None else None
    return Problem("bad-yaml", f"not valid YAML: {reason}", source, row=row)


def load_yaml(
    text: str, source: str, *, words: bool = False
) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """Parse one YAML document strictly.

    Parameters
    ----------
    text
        The document (already decoded, already checked against a size cap).
    source
        The file name the problems should name.
    words
        Keep ``yes``/``no``/``true``/``false`` as the words written (answer
        files) instead of booleans (lisa's own definition files).

    Returns
    -------
    tuple
        ``(data, node, problems)``: the built data (``None`` when there are
        problems), the composed root node (for line numbers; ``None`` when the
        text is not YAML or empty) and the problems (``bad-yaml``,
        ``yaml-alias``, ``duplicate-key``).
    """
    loader = (_AnswerLoader if words else _StrictLoader)(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            return None, None, [_bad_yaml(exc, source)]
        if node is None:
            return None, None, []
        problems = _structure_problems(node, source)
        if problems:
            return None, node, problems
        try:
            return loader.construct_document(node), node, []
        except yaml.YAMLError as exc:  # e.g. an unhashable key
            return None, node, [_bad_yaml(exc, source)]
    finally:
        loader.dispose()


def load_definition(text: str, source: str) -> Any:
    """One of lisa's definition files (items, rules, a case), parsed strictly.

    Raises
    ------
    DefinitionInvalid
        When the file is not valid YAML, repeats a key or uses an alias.
    """
    data, _, problems = load_yaml(text, source)
    if problems:
        raise DefinitionInvalid("; ".join(str(p) for p in problems))
    return data
