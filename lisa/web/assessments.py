"""Innovation assessments in the browser: innovations, one link per assessor, the form, the result.

The facilitator adds an innovation to a study and issues one link per
assessor (``/a/{token}``: the respondents' token machinery — 256 bits, stored
as sha256, compared in constant time, the same 404 for any dead link, rate
limited). The form is generated from the item bank of :mod:`lisa.assess`
section by section and scale by scale, so items added to the bank appear
without a change here. What the form sends becomes the mapping
:func:`lisa.assess.answers_from_mapping` checks — the reader ``lisa assess``
uses — so a wrong answer gets the same problem code and message as in a file,
and nothing is stored until the answers pass. Several assessors are combined by
:func:`lisa.db.assessments.study_assessments`, which calls the CLI's
:func:`lisa.assess.assess_sets`; the result page shows the typed result and the
disagreements as they are.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lisa.assess import AssessmentInvalid, Instrument, answers_from_mapping, assess_sets
from lisa.assess.items import PHASE_NAMES, Item, ItemBank
from lisa.assess.template import SECTION_TITLES
from lisa.db.assessments import (
    FIXED_ITEMS,
    AssessorRow,
    InnovationRow,
    answer_mapping,
    assessors_of,
    checked_sets,
    innovations_of,
)
from lisa.db.models import StudyRow
from lisa.db.studies import owned_row
from lisa.errors import Problem
from lisa.io.tables import neutralise_formulas
from lisa.sources import cite
from lisa.vocabulary import CORNERS, LINKS, link_words
from lisa.web.app import db, form_text, render
from lisa.web.auth import audit, now, require_account, role_in, study_action
from lisa.web.security import new_token, same, token_hash
from lisa.web.survey import dead_link, form_token, guarded_digest

router = APIRouter()
#: Form fields: ``a:<item id>`` an answer; ``h-date-N``, ``h-phase-N``, ``h-note-N`` history rows.
ANSWER_PREFIX = "a:"
#: History rows the form offers beyond those already answered, and the most it reads.
HISTORY_SPARE, HISTORY_MAX = 3, 30
#: Longest single answer accepted (characters); a longer one is refused whole (422).
MAX_ANSWER_CHARS = 5000
#: Most fields one post may carry (the bank's items, their choices and the history rows fit easily).
MAX_FIELDS = 2000
#: Most assessor links one request issues.
MAX_LINKS = 200


def _instrument(request: Request) -> Instrument:
    """The shipped instrument, loaded once per app."""
    found = getattr(request.app.state, "instrument", None)
    if found is None:
        found = request.app.state.instrument = Instrument.load()
    return found


# ------------------------------------------------------------------ the facilitator


def _innovation(session: Session, study: StudyRow, innovation_id: int) -> InnovationRow:
    return owned_row(session, InnovationRow, innovation_id, study, "innovation")


@router.get("/studies/{slug}/innovations")
def innovations_page(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """GET /studies/{slug}/innovations: the study's innovations and how many assessors answered."""
    account = require_account(session, request)
    study, role = role_in(session, account, slug)
    rows = []
    for innovation in innovations_of(session, study):
        assessors = assessors_of(session, innovation)
        rows.append((innovation, len(assessors), sum(a.state == "submitted" for a in assessors)))
    return render(request, "innovations.j2", study=study, role=role, rows=rows)


@router.post("/studies/{slug}/innovations")
async def add_innovation(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/innovations: add an innovation to assess (owner)."""
    account, form, study, _ = await study_action(request, session, slug, "owner")
    name = form_text(form, "name", limit=200)
    if not name:
        raise HTTPException(422, "give the innovation a name")
    taken = session.scalar(select(func.count()).where(InnovationRow.study_id == study.id,
                                                      InnovationRow.name == name))
    if taken:
        raise HTTPException(422, "the study already has an innovation of that name")
    session.add(InnovationRow(study_id=study.id, name=name, created_at=now(),
                              description=form_text(form, "description", required=False)))
    audit(session, account, study, "add-innovation")
    session.commit()
    return RedirectResponse(f"/studies/{slug}/innovations", 303)


@router.post("/studies/{slug}/innovations/{innovation_id}/links")
async def issue_assessor_links(slug: str, innovation_id: int, request: Request,
                               session: Session = Depends(db)) -> Response:
    """POST …/innovations/{id}/links: one new link per assessor label (one a line), as CSV (owner)."""
    account, form, study, _ = await study_action(request, session, slug, "owner")
    innovation = _innovation(session, study, innovation_id)
    labels = list(dict.fromkeys(
        line.strip() for line in form_text(form, "assessors", limit=20000).splitlines() if line.strip()))
    if not labels or len(labels) > MAX_LINKS or any(len(x) > 200 for x in labels):
        raise HTTPException(422, f"give 1 to {MAX_LINKS} assessors, one a line, each up to 200 characters")
    existing = {a.label for a in assessors_of(session, innovation)}
    if existing & set(labels):
        raise HTTPException(422, "an assessor of that label already has a link for this innovation")
    base = request.app.state.settings.base_url or str(request.base_url).rstrip("/")
    rows = []
    for label in labels:
        token = new_token()
        session.add(AssessorRow(innovation_id=innovation.id, label=label, state="new", answers={},
                                token_hash=token_hash(token), created_at=now()))
        rows.append((innovation.name, label, f"{base}/a/{token}"))
    audit(session, account, study, "issue-assessor-links", links=len(rows))
    session.commit()
    return _links_csv(rows, f"{slug}-assessors")


@router.post("/studies/{slug}/innovations/{innovation_id}/assessors/{assessor_id}/link")
async def reissue_assessor_link(slug: str, innovation_id: int, assessor_id: int, request: Request,
                                session: Session = Depends(db)) -> Response:
    """POST …/innovations/{id}/assessors/{aid}/link: a new link for one assessor, as CSV (owner).

    The old link stops working at once (its hash is replaced: it gets the 404 of any
    dead link); the answers saved so far stay with the assessor. The audit line
    names no one.
    """
    account, _, study, _ = await study_action(request, session, slug, "owner")
    innovation = _innovation(session, study, innovation_id)
    row = session.get(AssessorRow, assessor_id)
    if row is None or row.innovation_id != innovation.id:
        raise HTTPException(404, f"no assessor {assessor_id} of this innovation")
    token = new_token()
    row.token_hash = token_hash(token)
    audit(session, account, study, "reissue-assessor-link", links=1)
    session.commit()
    base = request.app.state.settings.base_url or str(request.base_url).rstrip("/")
    return _links_csv([(innovation.name, row.label, f"{base}/a/{token}")], f"{slug}-assessor")


@router.post("/studies/{slug}/innovations/{innovation_id}/delete")
async def delete_innovation(slug: str, innovation_id: int, request: Request,
                            session: Session = Depends(db)) -> Response:
    """POST …/innovations/{id}/delete: the innovation goes, with its assessors, links and answers (owner)."""
    account, _, study, _ = await study_action(request, session, slug, "owner")
    innovation = _innovation(session, study, innovation_id)
    assessors = assessors_of(session, innovation)
    for row in assessors:
        session.delete(row)
    session.delete(innovation)
    audit(session, account, study, "delete-innovation", assessors=len(assessors))
    session.commit()
    return RedirectResponse(f"/studies/{slug}/innovations", 303)


def _links_csv(rows: list[tuple[str, str, str]], stem: str) -> Response:
    import polars as pl

    frame = neutralise_formulas(pl.DataFrame(rows, orient="row", schema={
        "innovation": pl.Utf8, "assessor": pl.Utf8, "link": pl.Utf8}))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(frame.columns)
    writer.writerows(frame.iter_rows())
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{stem}.csv"'})


@router.get("/studies/{slug}/innovations/{innovation_id}")
def result_page(slug: str, innovation_id: int, request: Request,
                session: Session = Depends(db)) -> Response:
    """GET …/innovations/{id}: the combined assessment (analyst), as ``lisa assess`` combines it."""
    account = require_account(session, request)
    study, role = role_in(session, account, slug, "analyst")
    innovation = _innovation(session, study, innovation_id)
    instrument = _instrument(request)
    sets, problems = checked_sets(session, study, innovation, instrument)
    if any(p.severity == "error" for p in problems):
        raise AssessmentInvalid(problems)
    assessment = assess_sets(sets, instrument=instrument)[0] if sets else None
    return render(request, "innovation.j2", study=study, role=role, innovation=innovation,
                  assessors=assessors_of(session, innovation), a=assessment,
                  bank=instrument.bank, cite=cite, corners=CORNERS, links=LINKS,
                  link_words=link_words, shown=_shown)


def _shown(value: Any) -> str:
    """An answer as the result page shows it (several choices joined)."""
    if isinstance(value, tuple | list):
        return "/".join(str(v) for v in value)
    return str(value)


# ------------------------------------------------------------------ the assessor


@dataclass
class Assessor:
    """A live assessor link: its row, innovation, study and form token."""

    token: str
    row: AssessorRow
    innovation: InnovationRow
    study: StudyRow
    csrf: str


def assessor(request: Request, session: Session, token: str) -> Assessor:
    """The assessor a link belongs to; the same 404 as any unknown address otherwise (429 when guessing)."""
    digest = guarded_digest(request, token)
    row = session.scalar(select(AssessorRow).where(AssessorRow.token_hash == digest)) if digest else None
    if row is None or not same(row.token_hash, digest):
        raise dead_link(request)
    innovation = session.get(InnovationRow, row.innovation_id)
    study = session.get(StudyRow, innovation.study_id) if innovation else None
    if innovation is None or study is None:
        raise HTTPException(404)
    return Assessor(token, row, innovation, study, form_token(token))


@dataclass
class Field:
    """One item as the form shows it."""

    item: Item
    kind: str  # "scale", "choice", "multiple", "date", "text"
    options: list[str]
    value: Any
    source: str


@dataclass
class Section:
    """A section of the bank as one fieldset of the form."""

    name: str
    title: str
    fields: list[Field]


def form_sections(bank: ItemBank, answers: dict[str, Any]) -> list[Section]:
    """The bank's items grouped by section, in the bank's order, with the answers so far.

    The kind of input follows the scale alone (a numeric scale: one radio per point;
    choices: radios, or checkboxes when several apply; a date; free text).
    """
    sections: dict[str, Section] = {}
    for item in bank:
        if item.id in FIXED_ITEMS:
            continue
        scale = item.scale
        if scale.min is not None and scale.max is not None:
            kind, options = "scale", [str(n) for n in range(scale.min, scale.max + 1)]
        elif scale.choices:
            kind, options = ("multiple" if scale.multiple else "choice"), list(scale.choices)
        else:
            kind, options = ("date" if scale.name == "date" else "text"), []
        value = answers.get(item.id, "")
        if kind == "multiple" and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        section = sections.setdefault(
            item.section, Section(item.section, SECTION_TITLES.get(item.section, item.section), []))
        section.fields.append(Field(item, kind, options, value, cite(item.source) or item.source))
    return list(sections.values())


def history_rows(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history as the form's rows: those given, then a few blank ones."""
    given = [{k: str(e.get(k) or "") for k in ("date", "phase", "note")} for e in history]
    spare = [{"date": "", "phase": "", "note": ""}] * HISTORY_SPARE
    return (given + spare)[: max(HISTORY_MAX, len(given))]


def _form_page(request: Request, a: Assessor, raw: dict[str, Any], problems: list[Problem],
               status: int = 200, saved: bool = False) -> Response:
    bank = _instrument(request).bank
    return render(request, "assess_form.j2", status, who=a, sections=form_sections(bank, raw.get("answers") or {}),
                  history=history_rows(list(raw.get("history") or [])), phases=PHASE_NAMES,
                  problems=problems, saved=saved, prefix=ANSWER_PREFIX)


@router.get("/a/{token}")
def assessor_form(token: str, request: Request, session: Session = Depends(db)) -> Response:
    """GET /a/{token}: the assessment form, with the answers saved so far."""
    a = assessor(request, session, token)
    return _form_page(request, a, a.row.answers, [])


def _texts(name: str, values: list[Any]) -> list[str]:
    """A field's values, stripped, blanks dropped; 422 for an upload or an overlong answer."""
    if any(not isinstance(v, str) or len(v) > MAX_ANSWER_CHARS for v in values):
        raise HTTPException(
            422, f"the answer to '{name[:80]}' is not text of at most {MAX_ANSWER_CHARS} characters")
    return [v.strip() for v in values if v.strip()]


def _value(texts: list[str], several: bool) -> Any:
    """One answer: a list for a several-choice item (or when one value was sent twice), else text."""
    if several or len(texts) > 1:
        return texts or None
    return texts[0] if texts else None


def answers_from_form(form: Any, bank: ItemBank) -> dict[str, Any]:
    """What the form sent as ``{"answers": ..., "history": ...}`` (the reader checks it, not this).

    An ``a:<id>`` field becomes the answer to ``<id>`` — an id the bank does
    not know is passed on, so the reader names it (``unknown-item``); a
    several-choice item always becomes a list. History rows with a date or a
    phase become entries in order.
    """
    answers: dict[str, Any] = {}
    for key in dict.fromkeys(k for k in form.keys() if isinstance(k, str) and k.startswith(ANSWER_PREFIX)):
        item_id = key[len(ANSWER_PREFIX):]
        if item_id in FIXED_ITEMS:
            continue
        several = item_id in bank and bank[item_id].scale.multiple
        value = _value(_texts(item_id, form.getlist(key)), several)
        if value is not None:
            answers[item_id] = value
    history = []
    for n in range(HISTORY_MAX):
        entry = {k: _value(_texts(k, form.getlist(f"h-{k}-{n}")), False)
                 for k in ("date", "phase", "note")}
        if entry["date"] or entry["phase"]:
            history.append({k: v for k, v in entry.items() if v})
    return {"answers": answers, "history": history}


@router.post("/a/{token}")
async def assessor_save(token: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /a/{token}: check the answers with lisa's reader; save them, or submit (idempotent)."""
    a = assessor(request, session, token)
    form = await request.form(max_fields=MAX_FIELDS, max_files=0)
    sent = form.get("csrf")
    if not isinstance(sent, str) or not same(sent, a.csrf):
        raise HTTPException(403, "the form's security token is missing: open your link again")
    instrument = _instrument(request)
    raw = answers_from_form(form, instrument.bank)
    _, problems = answers_from_mapping(answer_mapping(raw, a.innovation, a.study, a.row.label),
                                       source="the form", instrument=instrument)
    if any(p.severity == "error" for p in problems):
        return _form_page(request, a, raw, problems, 422)
    submit = form.get("go") == "submit" or a.row.state == "submitted"
    a.row.answers, a.row.updated_at = raw, now()
    if submit:
        a.row.state = "submitted"
        a.row.submitted_at = a.row.submitted_at or now()
    elif a.row.state == "new":
        a.row.state = "draft"
    session.commit()
    if submit:
        return render(request, "assess_thanks.j2", who=a)
    return _form_page(request, a, raw, problems, saved=True)
