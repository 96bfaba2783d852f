"""Errors raised by the assessment instrument (all derive from :mod:`lisa.errors`)."""

from __future__ import annotations

from lisa.errors import AnswerError, AssessmentInvalid, InputInvalid

__all__ = ["AnswerError", "AssessmentDocumentInvalid", "AssessmentInvalid"]


class AssessmentDocumentInvalid(InputInvalid):
    """A file given as an assessment JSON is not one lisa can read back.

    ``problems`` says why: not JSON (``bad-json``), not a lisa assessment
    (``not-an-assessment``, ``wrong-kind``), a version this lisa does not know
    (``unknown-schema-version``), a field that does not fit (``bad-field``), or
    a file that is too large or not UTF-8 (``too-large``, ``encoding``). The
    command line maps it, like every :class:`~lisa.errors.InputInvalid`, to
    exit code 2.
    """

    subject = "the assessment document"
