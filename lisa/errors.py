"""lisa's one exception hierarchy.

::

    LisaError                      base of everything lisa raises on purpose
    ├── InputInvalid               input files have problems (carries them all)
    │   ├── StudyInvalid           … the study data
    │   └── AssessmentInvalid      … an innovation's answer files
    ├── NotFound                   a file, folder or name that is not there
    │   ├── StudyNotFound          a study folder or one of its files is missing
    │   ├── UnknownPerson          an id that is not on the roster
    │   ├── UnknownRelation        a relation the study does not define
    │   ├── UnknownGroup           a group (sector, organisation, layer …) nobody belongs to
    │   └── UnknownCase            a case the library does not hold
    ├── ConfigError                a bad setting or option (names it and its value)
    │   └── AmbiguousPerson        a name that fits several people on the roster
    ├── AnswerError                one answer that does not fit its item's scale
    ├── OutputError                an output cannot be written where it was asked for
    ├── DefinitionInvalid          lisa's own data files (rules, items, cases) are broken
    └── MissingDependency          an optional part is not installed (the PDF's libraries)

The classes carry no exit codes or HTTP statuses: the edges decide those
(``lisa.cli`` maps each class to an exit code, see ``docs/cli.md``), so the
same error can become a message and exit 2 on the command line and a 422 in a
web app. Nothing else should escape as a traceback from a documented entry
point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from lisa.text import visible

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
        return visible(text)  # a control or zero-width character shows as <U+200B>

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


class InputInvalid(LisaError):
    """Input files have one or more problems; ``problems`` lists them all."""

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


class AssessmentInvalid(InputInvalid):
    """One or more answer files have problems; ``problems`` lists every one.

    Each :class:`Problem` names the file, the row (CSV/Excel line, or YAML
    line), the item id in its message and the offending value.
    """

    subject = "the assessment answers"


class NotFound(LisaError):
    """Something asked for is not there (a file, a folder, a person, a relation, a case)."""


class StudyNotFound(NotFound):
    """A study folder or one of its required files does not exist."""


class _NamedNotFound(NotFound, KeyError):
    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


def _did_you_mean(suggestions: Sequence[str]) -> str:
    if not suggestions:
        return ""
    return " — did you mean: " + ", ".join(f"'{s}'" for s in suggestions) + "?"


class UnknownPerson(_NamedNotFound):
    """An id that is not on the study's roster."""

    def __init__(self, person_id: str, suggestions: Sequence[str] = ()):
        self.person_id = person_id
        self.suggestions = list(suggestions)
        super().__init__(f"no person with id '{person_id}' in this study" + _did_you_mean(suggestions))


class UnknownRelation(_NamedNotFound):
    """A relation name the study does not define."""

    def __init__(self, name: str, known: Sequence[str] = ()):
        self.name = name
        msg = f"no relation named '{name}' in this study"
        if known:
            msg += "; the study has: " + ", ".join(known)
        super().__init__(msg)


class UnknownGroup(_NamedNotFound):
    """A group (a sector, organisation, layer or attribute value) that nobody in the study has."""

    def __init__(self, group: str, grouping: str = "group", suggestions: Sequence[str] = ()):
        self.group, self.grouping = group, grouping
        self.suggestions = list(suggestions)
        super().__init__(
            f"no {grouping} '{group}' in this study" + _did_you_mean(suggestions)
        )


class UnknownCase(_NamedNotFound):
    """No case of that name in the library."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()):
        self.name = name
        super().__init__(
            f"no case named '{name}' in the library"
            + _did_you_mean(suggestions)
            + " (see 'lisa cases list')"
        )


class ConfigError(LisaError, ValueError):
    """A bad analysis, generator or rule setting, or option; the message names it and its value."""


class AmbiguousPerson(ConfigError):
    """A name given for a person that fits several people: use one of their ids."""

    def __init__(self, name: str, ids: Sequence[str] = ()):
        self.name, self.ids = name, list(ids)
        super().__init__(
            f"'{name}' is the name of {len(self.ids) or 'several'} people"
            + (": use one of the ids " + ", ".join(f"'{i}'" for i in self.ids) if self.ids else "")
        )


class AnswerError(LisaError, ValueError):
    """A raw answer that does not fit its item's scale (the message says why)."""


class OutputError(LisaError):
    """An output cannot be written where it was asked for (the message says why)."""


class DefinitionInvalid(LisaError, ValueError):
    """One of lisa's own definition files (rules, item bank, cases) is malformed."""


class MissingDependency(LisaError):
    """An optional part of lisa needs a package or system library that is not installed."""


class UnknownWave(_NamedNotFound):
    """A survey wave label the study does not have."""

    def __init__(self, label: str, known: Sequence[str] = ()):
        self.label = label
        msg = f"no wave '{label}' in this study"
        msg += "; it has waves: " + ", ".join(known) if known else "; it has no waves"
        super().__init__(msg)


class DeliveryFailed(LisaError):
    """Some e-mails could not be sent (each one's state and error class is recorded)."""


class RunFailed(LisaError):
    """Some independent parts of a fanned-out computation failed, so its result would be
    incomplete; the others ran to the end (each failure is listed)."""

    def __init__(self, message: str, failures: Sequence[str] = ()):
        self.failures = list(failures)
        super().__init__(message)
