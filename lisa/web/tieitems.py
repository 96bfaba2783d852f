"""Per-tie items in the browser: the facilitator's set-up page and the respondent's items page.

Set-up (owner): attach a preset item (how often, trust, value) to a
relation, change its wording, choices and whether it sets the tie weight, or
stop asking it. The respondent, after naming people for a relation that has
items, gets one compact page asking each item about each person named, as
plain radio buttons (no script; every question skippable), saved into the
same draft as the rest of the survey; submit turns them into tie attributes
(:mod:`lisa.db.tieitems`). Proxy links reach the page as they reach the
others.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from lisa.db.engine import write_turn
from lisa.db.models import AnswerRow, PersonRow, RelationRow
from lisa.db.tieitems import (
    FIELD_PREFIX,
    MAX_ANSWERS_PER_POST,
    PRESETS,
    add_item,
    choices_of,
    choices_text,
    edit_item,
    read_answers,
    remove_item,
    study_items,
)
from lisa.web.answers import save_items
from lisa.web.app import db, form_text, off_loop, render
from lisa.web.auth import audit, require_account, role_in, study_action
from lisa.web.survey import Respondent, check_form, consented, mark, respondent

router = APIRouter()


# -- the facilitator's set-up -------------------------------------------------------


@router.get("/studies/{slug}/tie-items")
def setup_page(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """GET /studies/{slug}/tie-items: each relation's per-tie items, to add, edit or remove (owner)."""
    account = require_account(session, request)
    row, _ = role_in(session, account, slug, "owner")
    relations = session.scalars(select(RelationRow).where(RelationRow.study_id == row.id)
                                .order_by(RelationRow.position)).all()
    items = study_items(session, row)
    return render(request, "tie_items_setup.j2", study=row, relations=relations, items=items,
                  presets=PRESETS, choices_text=choices_text)


@router.post("/studies/{slug}/tie-items")
async def add(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/tie-items: attach a preset item to a relation (owner)."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    item = add_item(session, row, form_text(form, "relation", limit=200),
                    form_text(form, "preset", limit=40), form_text(form, "key", limit=40, required=False))
    audit(session, account, row, "add-tie-item", item=item.key)
    session.commit()
    return RedirectResponse(f"/studies/{slug}/tie-items", 303)


@router.post("/studies/{slug}/tie-items/{item_id}")
async def change(slug: str, item_id: int, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/tie-items/{id}: save its wording and choices, or remove it (owner)."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    if form.get("go") == "remove":
        key = remove_item(session, row, item_id)
        audit(session, account, row, "remove-tie-item", item=key)
    else:
        item = edit_item(session, row, item_id, form_text(form, "wording", limit=1000),
                         form_text(form, "choices", limit=20000), form.get("is_weight") == "yes")
        audit(session, account, row, "edit-tie-item", item=item.key, weight=item.is_weight)
    session.commit()
    return RedirectResponse(f"/studies/{slug}/tie-items", 303)


# -- the respondent's page ----------------------------------------------------------


def _relation(session: Session, r: Respondent, step: int) -> RelationRow:
    relations = session.scalars(select(RelationRow).where(RelationRow.study_id == r.study.id)
                                .order_by(RelationRow.position)).all()
    if not 1 <= step <= len(relations):
        raise HTTPException(404)
    return relations[step - 1]


def _named(session: Session, r: Respondent, relation: RelationRow, answers: dict[str, object]) -> list[PersonRow]:
    chosen = answers.get("relations", {}).get(relation.name, [])  # type: ignore[attr-defined]
    if not chosen:
        return []
    rows = session.scalars(select(PersonRow).where(PersonRow.study_id == r.study.id, PersonRow.pid.in_(chosen)))
    by_pid = {p.pid: p for p in rows}
    return [by_pid[p] for p in chosen if p in by_pid and p != r.person.pid]


@router.get("/s/{token}/step/{step}/items")
def items_page(token: str, step: int, request: Request, session: Session = Depends(db)) -> Response:
    """GET /s/{token}/step/{n}/items: the relation's items about each person named (or on, if none)."""
    r = respondent(request, session, token)
    answer = consented(r)
    relation = _relation(session, r, step)
    items = study_items(session, r.study).get(relation.name, [])
    people = _named(session, r, relation, answer.answers)
    if not items or not people:
        return RedirectResponse(f"/s/{token}/step/{step + 1}", 303)
    given = answer.answers.get("items", {}).get(relation.name, {})
    return render(request, "tie_items.j2", r=r, step=step, relation=relation, people=people,
                  items=[(item, choices_of(item)) for item in items], given=given, prefix=FIELD_PREFIX)


def _given(session: Session, r: Respondent, answer: AnswerRow, step: int,
           form: Any) -> tuple[RelationRow, dict[str, dict[str, str]] | None]:
    """The step's relation and the answers sent about the people named (``None``: skipped)."""
    relation = _relation(session, r, step)
    items = study_items(session, r.study).get(relation.name, [])
    named = [p.pid for p in _named(session, r, relation, answer.answers)]
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    if any(len(k) > 300 or len(v) > 100 for k, v in fields):
        raise HTTPException(422, "an answer sent is longer than any choice")
    return relation, None if form.get("go") == "skip" else read_answers(fields, items, named)


def _save_items(session: Session, r: Respondent, answer: AnswerRow, relation: RelationRow,
                given: dict[str, dict[str, str]]) -> None:
    save_items(answer, relation.name, given)
    mark(r, answer)
    session.commit()


@router.post("/s/{token}/step/{step}/items")
async def save_items_page(token: str, step: int, request: Request, session: Session = Depends(db)) -> Response:
    """POST /s/{token}/step/{n}/items: save the answers (all skippable), then back, on or stop."""
    r = await off_loop(request, respondent, request, session, token)
    form = await request.form(max_fields=MAX_ANSWERS_PER_POST + 10)
    check_form(r, form)
    answer = consented(r)
    relation, given = await off_loop(request, _given, session, r, answer, step, form)
    if given is not None:
        await write_turn(session)  # the write lock without blocking the event loop
        await off_loop(request, _save_items, session, r, answer, relation, given)
    go = form.get("go", "next")
    if go == "later":
        return render(request, "saved.j2", r=r)
    return RedirectResponse(f"/s/{token}/step/{step if go == 'back' else step + 1}", 303)
