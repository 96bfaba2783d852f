"""lisa's one exception hierarchy.

::

    LisaError                      base of everything lisa raises on purpose
    ├── InputInvalid               input files have problems (carries them all)
    │   └── StudyInvalid           … the study data (lisa.assess adds AssessmentInvalid)
    ├── StudyNotFound              a study folder or file is missing
    ├── UnknownPerson              an id that is not on the roster
    ├── UnknownRelation            a relation the study does not define
    └── ConfigError                a bad analysis setting (names the setting and value)

The command line turns these into a message and a non-zero exit code
(see ``docs/cli.md``); library users catch them. Nothing else should escape as
a traceback from a documented entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows.

    ``row`` is the 1-based line number in the file as a spreadsheet would show
    it (the header is row 1, so the first data row is row 2).
    """

    code: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"
    suggestions: tuple[str, ...] = field(default_factory=tuple)

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.value is not None and f"'{self.value}'" not in self.message:
            text += f" (value: '{self.value}')"
        if self.suggestions:
            text += " — did you mean: " + ", ".join(f"'{s}'" for s in self.suggestions) + "?"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "suggestions": list(self.suggestions),
        }


class LisaError(Exception):
    """Base class of every error lisa raises deliberately."""

    exit_code = 1


class StudyNotFound(LisaError):
    """A study folder or one of its required files does not exist."""

    exit_code = 3


class InputInvalid(LisaError):
    """Input files have one or more problems; ``problems`` lists them all."""

    exit_code = 2
    #: What was wrong, for the message head ("3 problems in the study data").
    subject = "the input"

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in {self.subject}"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in errors))


class StudyInvalid(InputInvalid):
    """The study data has one or more problems; ``problems`` lists them all."""

    subject = "the study data"


class UnknownPerson(LisaError, KeyError):
    """An id that is not on the study's roster."""

    exit_code = 2

    def __init__(self, person_id: str, suggestions: Sequence[str] = ()):
        self.person_id = person_id
        self.suggestions = list(suggestions)
        msg = f"no person with id '{person_id}' in this study"
        if suggestions:
            msg += " — did you mean: " + ", ".join(f"'{s}'" for s in suggestions) + "?"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return self.args[0]


class UnknownRelation(LisaError, KeyError):
    """A relation name the study does not define."""

    exit_code = 2

    def __init__(self, name: str, known: Sequence[str] = ()):
        self.name = name
        msg = f"no relation named '{name}' in this study"
        if known:
            msg += "; the study has: " + ", ".join(known)
        super().__init__(msg)

    def __str__(self) -> str:
        return self.args[0]


class ConfigError(LisaError, ValueError):
    """A bad analysis or generator setting; the message names it and its value."""

    exit_code = 2
