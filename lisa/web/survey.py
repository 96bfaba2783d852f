"""The respondent's pages, reached only through their own link ``/s/{token}``.

Consent first; then the two-stage name generator (who they work with, then
each relation with those names offered and a search over the whole roster);
save and resume from the same link at any step; submit (idempotent) and
withdraw. Every page works as a plain form without JavaScript; ``search.js``
only makes the roster search live. A bad, expired or other study's link gets
the same 404 page as any unknown address, so a link reveals nothing about who
is on a roster; repeated guesses from one address get 429.

These are the busy routes (every respondent's phone), so they are ``async``
and hand their database work to :func:`lisa.web.app.off_loop`, with the
statements built once at import: on SQLite it runs on the event loop (no hop
through the thread pool and its GIL hand-overs), on PostgreSQL in the thread
pool (a network round trip must not stall the loop). Each route is one code
path for both. A route that writes calls :func:`lisa.db.engine.write_turn`
between its reads and its writes, which waits for SQLite's write lock without
blocking the loop; the writes and the commit then run in one piece of work,
without awaiting in between.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from lisa.db.engine import write_turn
from lisa.db.models import (
    AccountRow,
    AnswerRow,
    InvitationRow,
    PersonRow,
    ProxyLinkRow,
    RelationRow,
    StudyRow,
    TieItemRow,
)
from lisa.db.search import search_roster
from lisa.db.tieitems import described, study_items
from lisa.web.answers import (
    Submission,
    draft_for,
    save_step,
    submission,
    submit,
    unlisted_lines,
    wave_of,
    withdraw,
)
from lisa.web.app import db, form_text, off_loop, render
from lisa.web.auth import now, signed_in
from lisa.web.security import same, token_hash
from lisa.web.studies import survey_state

router = APIRouter(prefix="/s/{token}")
#: Most names one step (the first stage or one relation) accepts; a save replaces the step's
#: names, so this is also the most one respondent names in one relation (a bound against
#: hostile posts, far above any real nomination list; docs/web.md).
MAX_PICKS_PER_POST = 5000

# The queries every respondent's request runs, built once (SQLAlchemy then reuses their
# compiled form; building a statement costs more Python time than SQLite takes to run it).
_INVITED = (
    select(InvitationRow.token_hash, PersonRow, StudyRow, AnswerRow)
    .join(PersonRow, PersonRow.id == InvitationRow.person_id)
    .join(StudyRow, StudyRow.id == PersonRow.study_id)
    .outerjoin(AnswerRow, and_(AnswerRow.person_id == PersonRow.id,
                               AnswerRow.wave == func.coalesce(StudyRow.current_wave, "")))
    .where(InvitationRow.token_hash == bindparam("digest"))
)
_STEPS = select(RelationRow).where(RelationRow.study_id == bindparam("study")).order_by(RelationRow.position)
_PEOPLE = select(PersonRow).where(PersonRow.study_id == bindparam("study"),
                                  PersonRow.pid.in_(bindparam("pids", expanding=True)))
_KNOWN = select(PersonRow.pid).where(PersonRow.study_id == bindparam("study"),
                                     PersonRow.pid.in_(bindparam("pids", expanding=True)))
_HAS_ITEMS = select(TieItemRow.id).where(TieItemRow.relation_id == bindparam("relation")).limit(1)


@dataclass
class Respondent:
    """The link's person, study and answers."""

    token: str
    study: StudyRow
    person: PersonRow
    answer: AnswerRow | None
    csrf: str
    proxy: AccountRow | None = None


def form_token(token: str) -> str:
    """The CSRF value of a respondent's forms (bound to their link)."""
    return hashlib.sha256(b"lisa-form:" + token_hash(token).encode()).hexdigest()[:32]


def _address(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


def guarded_digest(request: Request, token: str, session: Session | None = None) -> str:
    """A link's token as stored (its sha256; ``""`` when too long to be one), after the guess limit.

    Raises 429 while the request's address has used up its failed guesses. With
    ``session``, the limit is read on the request's own connection.
    """
    conn = session.connection() if session is not None else None
    if request.app.state.token_limit.blocked(_address(request), conn=conn):
        raise HTTPException(429)
    return token_hash(token) if len(token) <= 100 else ""


def dead_link(request: Request) -> HTTPException:
    """Count a failed guess against the request's address; returns the 404 to raise."""
    request.app.state.token_limit.fail(_address(request))
    return HTTPException(404)


def _invited(session: Session, digest: str) -> tuple[str, PersonRow, StudyRow | None, AnswerRow | None] | None:
    """The invitation's stored hash, person, study and current-wave answers, in one query."""
    found = session.execute(_INVITED, {"digest": digest}).first()
    return None if found is None else (found[0], found[1], found[2], found[3])


def respondent(request: Request, session: Session, token: str) -> Respondent:
    """The person a link belongs to; the same 404 for any link that is not a live one."""
    digest = guarded_digest(request, token, session)
    invited = _invited(session, digest) if digest else None
    proxy, answer, study = None, None, None
    if invited is not None and same(invited[0], digest):
        _, person, study, answer = invited
    else:
        found, proxy = _proxy_person(request, session, digest)
        if found is None:
            raise dead_link(request)
        person, study = found, session.get(StudyRow, found.study_id)
        if study is not None:
            answer = session.scalar(select(AnswerRow).where(AnswerRow.person_id == person.id,
                                                            AnswerRow.wave == wave_of(study)))
    if study is None or person.study_id != study.id:
        raise HTTPException(404)
    state = survey_state(study)
    if state == "closed":
        raise HTTPException(410, f"The survey '{study.name}' is closed: answers can no longer be given or changed.")
    if state == "not-yet":
        raise HTTPException(403, f"The survey '{study.name}' has not opened yet.")
    return Respondent(token, study, person, answer, form_token(token), proxy)


def _proxy_person(request: Request, session: Session, digest: str) -> tuple[PersonRow | None, AccountRow | None]:
    """The person of a live proxy link, when the facilitator who made it is the one signed in."""
    link = session.get(ProxyLinkRow, digest) if digest else None
    if link is None or not same(link.token_hash, digest):
        return None, None
    expires = link.expires_at if link.expires_at.tzinfo else link.expires_at.replace(tzinfo=UTC)
    account = signed_in(session, request)
    if expires <= now() or account is None or account.id != link.account_id:
        return None, None
    return session.get(PersonRow, link.person_id), account


def mark(r: Respondent, answer: AnswerRow) -> None:
    """Answers entered through a proxy link carry the facilitator who entered them."""
    if r.proxy is not None:
        answer.proxy_account_id, answer.proxy_entered = r.proxy.id, True


def _steps(session: Session, study: StudyRow) -> list[RelationRow]:
    return list(session.scalars(_STEPS, {"study": study.id}))


def check_form(r: Respondent, form: object) -> None:
    """403 unless the form carries the CSRF value of the respondent's link."""
    sent = form.get("csrf")  # type: ignore[attr-defined]
    if not isinstance(sent, str) or not same(sent, r.csrf):
        raise HTTPException(403, "the form's security token is missing: open your link again")


def consented(r: Respondent) -> AnswerRow:
    """The respondent's answers once they consented; back to the consent page otherwise."""
    if r.answer is None or r.answer.consent_at is None or r.answer.state == "withdrawn":
        raise HTTPException(303, headers={"location": f"/s/{r.token}"})
    return r.answer


@router.get("")
async def start(token: str, request: Request, session: Session = Depends(db)) -> Response:
    """GET /s/{token}: the consent page, or straight back into the survey once consented."""
    return await off_loop(request, _start, request, session, token)


def _start(request: Request, session: Session, token: str) -> Response:
    r = respondent(request, session, token)
    if r.answer is not None and r.answer.consent_at is not None and r.answer.state != "withdrawn":
        return RedirectResponse(f"/s/{token}/step/0", 303)
    withdrawn = r.answer is not None and r.answer.state == "withdrawn"
    return render(request, "consent.j2", r=r, withdrawn=withdrawn)


@router.post("/consent")
async def consent(token: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /s/{token}/consent: record consent and start (or restart) the survey."""
    r = await off_loop(request, respondent, request, session, token)
    check_form(r, await request.form())
    await write_turn(session)
    return await off_loop(request, _consent, session, r)


def _consent(session: Session, r: Respondent) -> Response:
    answer = r.answer or draft_for(session, r.study, r.person)
    if answer.state == "withdrawn":
        answer.state, answer.answers = "draft", {}
    answer.consent_at = now()
    mark(r, answer)
    session.commit()
    return RedirectResponse(f"/s/{r.token}/step/0", 303)


def _people(session: Session, study: StudyRow, pids: list[str]) -> dict[str, PersonRow]:
    if not pids:
        return {}
    return {p.pid: p for p in session.scalars(_PEOPLE, {"study": study.id, "pids": pids})}


def _known(session: Session, study: StudyRow, pids: list[str]) -> set[str]:
    """Which of ``pids`` are on the study's roster."""
    return set(session.scalars(_KNOWN, {"study": study.id, "pids": pids})) if pids else set()


@router.get("/step/{step}")
async def step_page(token: str, step: int, request: Request, q: str = "", session: Session = Depends(db)) -> Response:
    """GET /s/{token}/step/{n}: the name generator (0), a relation (1..), or the review page."""
    return await off_loop(request, _step_page, request, session, token, step, q)


def _step_page(request: Request, session: Session, token: str, step: int, q: str) -> Response:
    r = respondent(request, session, token)
    answer = consented(r)
    relations = _steps(session, r.study)
    if not 0 <= step <= len(relations) + 1:
        raise HTTPException(404)
    if step == len(relations) + 1:
        return _review(request, session, r, answer, relations)
    key = "names" if step == 0 else relations[step - 1].name
    chosen = answer.answers.get("names", []) if step == 0 else answer.answers.get("relations", {}).get(key, [])
    offered = list(dict.fromkeys([*chosen, *([] if step == 0 else answer.answers.get("names", []))]))
    found = [m for m in search_roster(session, r.study.id, q[:64]) if m.pid not in offered and m.pid != r.person.pid] if q.strip() else []
    people = _people(session, r.study, offered)
    return render(request, "step.j2", r=r, step=step, total=len(relations) + 1,
                  relation=None if step == 0 else relations[step - 1], key=key,
                  offered=[people[p] for p in offered if p in people], chosen=set(chosen),
                  last_wave=set(answer.answers.get("last_wave", {}).get(key, [])),
                  found=found, q=q[:64], unlisted="\n".join(answer.answers.get("unlisted", {}).get(key, [])))


def _review(request: Request, session: Session, r: Respondent, answer: AnswerRow,
            relations: list[RelationRow]) -> Response:
    chosen = answer.answers.get("relations", {})
    pids = list({p for ps in chosen.values() for p in ps})
    people = _people(session, r.study, pids)
    summary = [(rel, [people[p] for p in chosen.get(rel.name, []) if p in people]) for rel in relations]
    items, given = study_items(session, r.study), answer.answers.get("items", {})
    about = {(rel.name, p.pid): described(items.get(rel.name, []), given.get(rel.name, {}).get(p.pid, {}))
             for rel, named in summary for p in named}
    return render(request, "review.j2", r=r, summary=summary, step=len(relations) + 1,
                  submitted=answer.state == "submitted", about=about)


@router.post("/step/{step}")
async def save(token: str, step: int, request: Request, session: Session = Depends(db)) -> Response:
    """POST /s/{token}/step/{n}: save one step's choices, then search, go back, on, or stop for later."""
    r = await off_loop(request, respondent, request, session, token)
    form = await request.form()
    check_form(r, form)
    answer = consented(r)
    checked = await off_loop(request, _save_checks, session, r, step, form)
    await write_turn(session)
    return await off_loop(request, _save, request, session, r, answer, checked, step, form)


def _save_checks(session: Session, r: Respondent, step: int,
                 form: Any) -> tuple[list[RelationRow], list[str], list[str]]:
    """The study's relations, the names picked and the names typed, once the step and the
    names sent are checked (404, 422)."""
    relations = _steps(session, r.study)
    if not 0 <= step <= len(relations):
        raise HTTPException(404)
    picked = [v for v in form.getlist("pick") if isinstance(v, str)]
    if len(picked) > MAX_PICKS_PER_POST or any(len(v) > 200 for v in picked):
        raise HTTPException(422)
    known = _known(session, r.study, list(set(picked)))
    if any(p not in known for p in picked):
        raise HTTPException(422, "a name sent is not on this survey's list")
    return relations, picked, unlisted_lines(form_text(form, "unlisted", limit=20000, required=False))


def _save(request: Request, session: Session, r: Respondent, answer: AnswerRow,
          checked: tuple[list[RelationRow], list[str], list[str]], step: int, form: Any) -> Response:
    token, (relations, picked, unlisted) = r.token, checked
    key = "names" if step == 0 else relations[step - 1].name
    save_step(answer, key, picked, unlisted)
    mark(r, answer)
    session.commit()
    go = form.get("go", "next")
    if go == "search":
        from urllib.parse import quote

        q = form_text(form, "q", limit=64, required=False)
        return RedirectResponse(f"/s/{token}/step/{step}?q={quote(q)}#results", 303)
    if go == "later":
        return render(request, "saved.j2", r=r)
    if go != "back" and step > 0 and picked and session.scalar(_HAS_ITEMS, {"relation": relations[step - 1].id}):
        return RedirectResponse(f"/s/{token}/step/{step}/items", 303)  # the per-tie items next
    target = max(step - 1, 0) if go == "back" else step + 1
    return RedirectResponse(f"/s/{token}/step/{target}", 303)


@router.post("/submit")
async def finish(token: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /s/{token}/submit: turn the answers into ties (again: the same ties)."""
    r = await off_loop(request, respondent, request, session, token)
    check_form(r, await request.form())
    answer = consented(r)
    planned = await off_loop(request, submission, session, r.study, r.person, answer)
    await write_turn(session)
    return await off_loop(request, _finish, request, session, r, answer, planned)


def _finish(request: Request, session: Session, r: Respondent, answer: AnswerRow, planned: Submission) -> Response:
    ties = submit(session, r.study, r.person, answer, planned)
    mark(r, answer)
    session.commit()
    return render(request, "thanks.j2", r=r, ties=ties)


@router.post("/withdraw")
async def leave(token: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /s/{token}/withdraw: withdraw consent; the respondent's own answers are deleted."""
    r = await off_loop(request, respondent, request, session, token)
    check_form(r, await request.form())
    if r.answer is not None:
        await write_turn(session)
        await off_loop(request, _withdraw, session, r, r.answer)
    return render(request, "withdrawn.j2", r=r)


def _withdraw(session: Session, r: Respondent, answer: AnswerRow) -> None:
    withdraw(session, r.study, r.person, answer)
    session.commit()


@router.get("/search")
async def search(token: str, request: Request, q: str = "", session: Session = Depends(db)) -> Response:
    """Live roster search for ``search.js``: names and organisations of this study only."""
    return await off_loop(request, _search, request, session, token, q)


def _search(request: Request, session: Session, token: str, q: str) -> JSONResponse:
    r = respondent(request, session, token)
    consented(r)
    found = [m for m in search_roster(session, r.study.id, q[:64]) if m.pid != r.person.pid]
    return JSONResponse([{"pid": m.pid, "name": m.name, "organisation": m.organisation} for m in found])
