"""The assessment JSON document: written from the models, read back exactly.

``lisa assess FILE --json OUT`` writes one :class:`AssessmentDocument`
(``kind: lisa-assessment``, ``schema_version``); :func:`read_document` and
:func:`read_assessments` read such a file back into the same models, refusing
anything else with a named :class:`~lisa.assess.errors.AssessmentDocumentInvalid`.
Writing, reading and writing again gives the same bytes.

>>> import tempfile, pathlib
>>> from lisa.assess import assess_answers
>>> a = assess_answers({"answers": {"meta.innovation": "Hubs", "meta.place": "Town"}})
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.json"
>>> _ = write_json([a], path)
>>> [b] = read_assessments(path)
>>> b.model_dump() == a.model_dump(), b.combined is None
(True, True)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lisa.assess.errors import AssessmentDocumentInvalid
from lisa.assess.instrument import Instrument
from lisa.assess.locality import Locality, locality_summary
from lisa.assess.model import SCHEMA_VERSION, Assessment
from lisa.assess.settings import AssessmentSettings
from lisa.errors import Problem, StudyNotFound
from lisa.files import atomic_write_text

#: The document's ``kind``.
KIND = "lisa-assessment"
#: Largest assessment document read (bytes); one innovation is about 20 kB.
MAX_DOCUMENT_BYTES = 50_000_000


class AssessmentDocument(BaseModel):
    """One or more assessed innovations, with what they were assessed with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: str = Field(SCHEMA_VERSION, description="Version of this document's form.")
    kind: Literal["lisa-assessment"] = Field(
        "lisa-assessment", description="Always 'lisa-assessment'."
    )
    lisa_version: str = Field(description="The lisa that wrote it.")
    item_bank_version: int = Field(description="Version of the item bank used.")
    rules_version: int = Field(description="Version of the rules used.")
    settings: AssessmentSettings | None = Field(
        description="The settings used (null in documents from schema 1.0, which did not record them)."
    )
    network_source: str | None = Field(
        description="The findings file or study folder used, or null."
    )
    assessments: tuple[Assessment, ...] = Field(description="One per innovation.")
    localities: tuple[Locality, ...] = Field(description="One per place.")

    def to_json(self) -> str:
        """The document as the file holds it (indented, UTF-8 text, a final newline)."""
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def assessment_document(
    assessments: Sequence[Assessment],
    network_source: str | None = None,
    *,
    instrument: Instrument | None = None,
) -> AssessmentDocument:
    """The versioned document for one or more assessed innovations.

    Parameters
    ----------
    assessments
        The assessed innovations (each carries its closest cases).
    network_source
        Where the network findings came from, if any.
    instrument
        The instrument they were assessed with (its versions and settings
        are recorded); ``None``: the shipped one with default settings.

    Returns
    -------
    AssessmentDocument
        With the localities of the places among the assessments.
    """
    from lisa import __version__

    instrument = instrument or Instrument.load()
    return AssessmentDocument(
        lisa_version=__version__,
        item_bank_version=instrument.bank.version,
        rules_version=instrument.rules.version,
        settings=instrument.settings,
        network_source=network_source,
        assessments=tuple(assessments),
        localities=tuple(locality_summary(assessments)),
    )


def write_json(
    assessments: Sequence[Assessment],
    path: str | Path,
    network_source: str | None = None,
    *,
    instrument: Instrument | None = None,
) -> Path:
    """Write the assessment document to ``path`` (atomically).

    Parameters
    ----------
    assessments
        The assessed innovations.
    path
        The JSON file to write.
    network_source
        Where the network findings came from, if any.
    instrument
        The instrument they were assessed with; ``None``: the shipped one.

    Returns
    -------
    Path
        The path written.
    """
    doc = assessment_document(assessments, network_source, instrument=instrument)
    return atomic_write_text(path, doc.to_json())


def _invalid(code: str, message: str, path: Path, **where: Any) -> AssessmentDocumentInvalid:
    return AssessmentDocumentInvalid([Problem(code, message, str(path), **where)])


def _check_header(data: Any, path: Path) -> None:
    """The kind and version, before any field is read."""
    if not isinstance(data, dict):
        raise _invalid(
            "not-an-assessment",
            f"the file holds a JSON {type(data).__name__}, not a lisa assessment document "
            "(write one with 'lisa assess FILE --json OUT')",
            path,
        )
    if data.get("kind") != KIND:
        raise _invalid(
            "wrong-kind",
            f"'kind' is {data.get('kind')!r}, not '{KIND}': this is not a document of "
            "'lisa assess --json'",
            path,
            column="kind",
            value=None if data.get("kind") is None else str(data.get("kind"))[:80],
        )
    version = data.get("schema_version")
    major, _, minor = str(version).partition(".")
    ours_major, _, ours_minor = SCHEMA_VERSION.partition(".")
    if not (major.isdigit() and minor.isdigit()) or major != ours_major or int(minor) > int(ours_minor):
        raise _invalid(
            "unknown-schema-version",
            f"schema_version {version!r} is not one this lisa reads ({ours_major}.0 to "
            f"{SCHEMA_VERSION}); use the lisa that wrote it, or a newer one",
            path,
            column="schema_version",
            value=str(version)[:80],
        )


def _field_problems(exc: ValidationError, path: Path) -> list[Problem]:
    problems = []
    for error in exc.errors()[:20]:
        where = ".".join(str(p) for p in error["loc"])
        value = error.get("input")
        shown = json.dumps(value, ensure_ascii=False, default=str)
        problems.append(
            Problem(
                "bad-field",
                f"field '{where}': {error['msg']}",
                str(path),
                column=where,
                value=shown if len(shown) <= 80 else shown[:79] + "…",
            )
        )
    return problems


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise StudyNotFound(f"assessment file not found: {path}")
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise _invalid(
            "too-large",
            f"the file is {size / 1e6:.0f} MB; an assessment document is at most "
            f"{MAX_DOCUMENT_BYTES / 1e6:.0f} MB",
            path,
        )
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid(
            "encoding", f"not UTF-8 text (byte {exc.start}): not a JSON file from lisa", path
        ) from None


def read_document(path: str | Path) -> AssessmentDocument:
    """Read an assessment document written by ``lisa assess --json``.

    A document of an earlier minor version (1.0) is read as the current one;
    fields it did not have are ``None``.

    Parameters
    ----------
    path
        The JSON file.

    Returns
    -------
    AssessmentDocument
        Exactly the document written; its assessments' in-memory parts
        (``combined``, ``context``) are ``None``.

    Raises
    ------
    StudyNotFound
        When the file does not exist.
    AssessmentDocumentInvalid
        When it is not JSON, not a lisa assessment document, of a schema
        version this lisa does not read, or a field does not fit; each
        :class:`~lisa.errors.Problem` names the code, file and field.
    """
    path = Path(path)
    text = _read_text(path)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        raise _invalid("bad-json", f"not valid JSON: {getattr(exc, 'msg', exc)}", path, row=line) from None
    _check_header(data, path)
    if data["schema_version"] != SCHEMA_VERSION:  # an earlier minor version: same fields, fewer
        data = {**data, "schema_version": SCHEMA_VERSION, "settings": data.get("settings")}
        text = json.dumps(data, ensure_ascii=False)
    try:
        return AssessmentDocument.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise AssessmentDocumentInvalid(_field_problems(exc, path)) from None


def read_assessments(path: str | Path) -> list[Assessment]:
    """The assessments of a document written by ``lisa assess --json``.

    Parameters
    ----------
    path
        The JSON file.

    Returns
    -------
    list of Assessment
        Exactly as written (see :func:`read_document`).

    Raises
    ------
    StudyNotFound
        When the file does not exist.
    AssessmentDocumentInvalid
        When it is not a lisa assessment document this lisa reads (see
        :func:`read_document`).
    """
    return list(read_document(path).assessments)
