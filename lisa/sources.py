"""The documents lisa's method comes from, as a reader-facing bibliography.

Rules, risks, recommendations and cases cite the source reports by a short
reference: the document's id and a section (``"002 §5.3"``). This module is
the one home of what those ids stand for — title, publisher, year and kind —
so a report can print a bibliography a council officer can look up, instead
of file names.

The ids 000 to 004 are those of the plain-text copies in ``shared/seeds/``: 000
and 002 are two parts of the same final report. 005 and 006 are the published
guidance the value ledger (:mod:`lisa.value`) follows: the SROI Guide and HM
Treasury's Green Book.
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
        Document(
            id="005",
            title="A guide to Social Return on Investment",
            publisher="Nicholls, J., Lawlor, E., Neitzert, E. and Goodspeed, T.; Cabinet Office "
            "(The SROI Network)",
            year="2012",
            kind="Guide",
            part="The six stages of an SROI analysis: inputs, outcomes and indicators, financial "
            "proxies, deadweight, displacement, attribution, drop-off, discounting, the ratio",
        ),
        Document(
            id="006",
            title="The Green Book: central government guidance on appraisal and evaluation",
            publisher="HM Treasury",
            year="2022",
            kind="Guidance",
            part="Discounting: 3.5% a year, and lower rates for the long term",
        ),
    )
}

_REF = re.compile(r"\b(00\d)\b")


def documents_of(ref: str) -> list[Document]:
    """The documents a reference such as ``"002 §5.3; 004"`` names, in order."""
    return [DOCUMENTS[m] for m in dict.fromkeys(_REF.findall(ref)) if m in DOCUMENTS]


def pieces(ref: str) -> list[tuple[Document | None, str]]:
    """A reference split into (document, section) pieces, in order.

    ``"002 §6.1 (new kinds of funding); 004"`` gives the 002 document with
    ``"§6.1 (new kinds of funding)"`` and the 004 document with ``""``; a piece
    naming no known document comes back as ``(None, piece)``.

    >>> [(d.id if d else None, s) for d, s in pieces("001 §3; 004")]
    [('001', '§3'), ('004', '')]
    """
    out: list[tuple[Document | None, str]] = []
    for piece in re.split(r"\s*[;,]\s*(?=00\d)", ref.strip()):
        docs = documents_of(piece)
        if not docs:
            out.append((None, piece))
            continue
        out.append((docs[0], _REF.sub("", piece, count=1).strip()))
    return out


def cite(ref: str) -> str:
    """A reference in words: ``"002 §5.3"`` → ``"Transformers … (NESTA …, 2008), §5.3"``.

    >>> cite("004")
    'Social innovation: new approaches to transforming public services (NESTA, 2008)'
    """
    parts = []
    for doc, section in pieces(ref):
        if doc is None:
            parts.append(section)
            continue
        joiner = " " if section.startswith("(") else ", "
        parts.append(doc.citation() + (joiner + section if section else ""))
    return "; ".join(p for p in parts if p)


def bibliography(refs: list[str] | None = None) -> list[Document]:
    """The documents cited by ``refs`` (all of them when None), each once, in id order."""
    if refs is None:
        return list(DOCUMENTS.values())
    wanted = {d.id for r in refs for d in documents_of(r)}
    return [d for i, d in sorted(DOCUMENTS.items()) if i in wanted]
