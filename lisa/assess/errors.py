"""Errors raised by the assessment instrument.

::

    InputInvalid (lisa.errors)
    └── AssessmentInvalid     an answer file has problems (carries them all, exit code 2)
"""

from __future__ import annotations

from lisa.errors import InputInvalid


class AssessmentInvalid(InputInvalid):
    """One or more answer files have problems; ``problems`` lists every one.

    Each :class:`~lisa.errors.Problem` names the file, the row (CSV/Excel line,
    or YAML line), the item id in its message and the offending value.
    """

    subject = "the assessment answers"
