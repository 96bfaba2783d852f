"""The documents lisa's method comes from, as a reader-facing bibliography.

Rules, risks, recommendations and cases cite the source reports by a short
reference: the document's id and a section (``"002 §5.3"``). This module is
the one home of what those ids stand for — title, publisher, year and kind —
so a report can print a bibliography a council officer can look up, instead
of file names.

The ids are those of the plain-text copies in ``shared/seeds/``: 000 and 002
are two parts of the same final report.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict


class Document(BaseModel):
    """One source document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    publisher: str
    year: str
    kind: str
    part: str = ""

    def citation(self) -> str:
        """``Title (Publisher, year)``."""
        return f"{self.title} ({self.publisher}, {self.year})"

    def entry(self) -> str:
        """The bibliography line."""
        text = f"{self.publisher} ({self.year}). {self.title}. {self.kind}."
        return text + (f" {self.part}." if self.part else "")


#: The source documents by id.
DOCUMENTS: dict[str, Document] = {
    d.id: d
    for d in (
        Document(
            id="000",
            title="Transformers: how local areas innovate to address changing social needs",
            publisher="NESTA and the Young Foundation",
            year="2008",
            kind="Research report",
            part="Sections 5.4 to 7 (networks, what makes places innovative, recommendations)",
        ),
        Document(
            id="001",
            title="Making the most of local innovations: what makes places innovative and how "
            "local innovations can be best exploited",
            publisher="The Young Foundation and NESTA",
            year="2007",
            kind="Interim report",
        ),
        Document(
            id="002",
            title="Transformers: how local areas innovate to address changing social needs",
            publisher="NESTA and the Young Foundation",
            year="2008",
            kind="Research report",
            part="Sections 5 to 7 and appendices (the lifecycle, the strategic triangle, the "
            "cases, the Appendix C network experiment)",
        ),
        Document(
            id="003",
            title="Essays from councils on innovation in local government",
            publisher="IDeA, the Beacon Scheme and NESTA",
            year="c. 2009",
            kind="Pamphlet of essays",
        ),
        Document(
            id="004",
            title="Social innovation: new approaches to transforming public services",
            publisher="NESTA",
            year="2008",
            kind="Policy briefing",
        ),
    )
}

_REF = re.compile(r"\b(00\d)\b")


def documents_of(ref: str) -> list[Document]:
    """The documents a reference such as ``"002 §5.3; 004"`` names, in order."""
    return [DOCUMENTS[m] for m in dict.fromkeys(_REF.findall(ref)) if m in DOCUMENTS]


def cite(ref: str) -> str:
    """A reference in words: ``"002 §5.3"`` → ``"Transformers … (NESTA …, 2008), §5.3"``.

    >>> cite("004")
    'Social innovation: new approaches to transforming public services (NESTA, 2008)'
    """
    parts = []
    for piece in re.split(r"\s*[;,]\s*(?=00\d)", ref.strip()):
        docs = documents_of(piece)
        if not docs:
            parts.append(piece)
            continue
        section = _REF.sub("", piece, count=1).strip()
        joiner = " " if section.startswith("(") else ", "
        parts.append(docs[0].citation() + (joiner + section if section else ""))
    return "; ".join(parts)


def bibliography(refs: list[str] | None = None) -> list[Document]:
    """The documents cited by ``refs`` (all of them when None), each once, in id order."""
    if refs is None:
        return list(DOCUMENTS.values())
    wanted = {d.id for r in refs for d in documents_of(r)}
    return [d for i, d in sorted(DOCUMENTS.items()) if i in wanted]
