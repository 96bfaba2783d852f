"""Errors raised by the assessment instrument (defined in :mod:`lisa.errors`)."""

from __future__ import annotations

from lisa.errors import AnswerError, AssessmentInvalid

__all__ = ["AnswerError", "AssessmentInvalid"]
