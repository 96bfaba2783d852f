"""Errors raised by the assessment instrument.

::

    LisaError (lisa.errors)
    └── AssessmentInvalid     an answer file has problems (carries them all, exit code 2)
"""

from __future__ import annotations

from collections.abc import Sequence

from lisa.errors import LisaError, Problem


class AssessmentInvalid(LisaError):
    """One or more answer files have problems; ``problems`` lists every one.

    Each :class:`~lisa.errors.Problem` names the file, the row (CSV/Excel line,
    or YAML line), the item id in its message and the offending value.
    """

    exit_code = 2

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the assessment answers"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in errors))
