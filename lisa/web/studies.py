"""Facilitators' pages: the study list, set-up (roster, relations, consent, dates), links, members,
and the response dashboard."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lisa.config import AnalysisConfig
from lisa.db.models import (
    AccountRow,
    AnswerRow,
    InvitationRow,
    MembershipRow,
    PersonRow,
    ProxyLinkRow,
    RelationRow,
    RunRow,
    StudyRow,
    UnlistedRow,
)
from lisa.db.studies import (
    add_default_relations,
    add_unlisted_person,
    check_slug,
    delete_person,
    merge_unlisted,
    relation_records,
    replace_roster,
    roster_problems,
    slug_for,
    start_wave,
    study_from_db,
)
from lisa.errors import Problem, UnknownPerson
from lisa.io.folder import table_from_records
from lisa.io.tables import Table, neutralise_formulas, read_csv, read_sheet
from lisa.io.validate import build_study
from lisa.network.response import response_by, response_level
from lisa.network.results import Response as WaveResponse
from lisa.study import Study
from lisa.web.answers import wave_of
from lisa.web.app import db, form_text, render
from lisa.web.auth import (
    ROLE_HELP,
    ROLES,
    audit,
    check_csrf,
    now,
    require_account,
    role_in,
    study_action,
)
from lisa.web.security import new_token, token_hash

router = APIRouter()
#: Roster files accepted by upload, by suffix.
ROSTER_SUFFIXES = (".csv", ".xlsx")
#: How long a proxy link (entering a paper or phone answer for someone) works.
PROXY_HOURS = 2


@router.get("/")
def home(request: Request, session: Session = Depends(db)) -> Response:
    """GET /: the studies the signed-in facilitator has a role in, and the create form."""
    account = require_account(session, request)
    rows = session.execute(
        select(StudyRow, MembershipRow.role)
        .join(MembershipRow, MembershipRow.study_id == StudyRow.id)
        .where(MembershipRow.account_id == account.id)
        .order_by(StudyRow.name)
    ).all()
    return render(request, "home.j2", studies=rows)


@router.post("/studies")
async def create_study(request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies: a new study with the default relations; its creator is owner."""
    account = require_account(session, request)
    form = await request.form()
    check_csrf(request, form)
    name = form_text(form, "name", limit=200)
    if not name:
        raise HTTPException(422, "give the study a name")
    slug = check_slug(form_text(form, "slug", limit=80, required=False) or slug_for(name))
    if session.scalar(select(StudyRow.id).where(StudyRow.slug == slug)) is not None:
        raise HTTPException(422, f"the short name '{slug}' is taken: choose another")
    row = StudyRow(slug=slug, name=name, consent_text="", waves=[], current_wave=None,
                   response_known=True, person_columns=[], relation_columns=[], tie_columns=[],
                   created_at=now())
    session.add(row)
    session.flush()
    add_default_relations(session, row)
    session.add(MembershipRow(account_id=account.id, study_id=row.id, role="owner"))
    return _done(session, account, row, "create-study")


def _dashboard(session: Session, row: StudyRow) -> dict[str, Any]:
    """Response overall and by layer, sector and organisation, with lisa's thresholds."""
    config = AnalysisConfig()
    people = session.scalar(select(func.count()).where(PersonRow.study_id == row.id)) or 0
    context: dict[str, Any] = {"people": people, "config": config, "groups": {}, "silent": [],
                               "waves": []}
    if not people:
        return context
    study = study_from_db(session, row.slug)
    answered = int(study.responded.sum()) if study.response_known else people
    rate = answered / people
    context.update(
        answered=answered, rate=rate, level=response_level(rate, study.response_known, config),
        groups={label: response_by(study, attr, config) for attr, label in
                (("layer", "Layer"), ("sector", "Sector"), ("organisation", "Organisation"))},
        silent=_silent(study), waves=wave_response(session, row, study, config),
        proxied=_proxied(session, row),
    )
    return context


def _proxied(session: Session, row: StudyRow) -> list[tuple[str, str, str]]:
    """Who has answers of the current wave entered on their behalf (a paper or phone answer)."""
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(PersonRow.pid, PersonRow.name, PersonRow.organisation)
        .join(AnswerRow, AnswerRow.person_id == PersonRow.id)
        .where(AnswerRow.study_id == row.id, AnswerRow.proxy_entered,
               AnswerRow.wave == wave_of(row))
        .order_by(PersonRow.position))]


def wave_response(session: Session, row: StudyRow, study: Study, config: AnalysisConfig
                  ) -> list[tuple[str, WaveResponse | None]]:
    """Response in each wave, by lisa's own :func:`~lisa.network.response.response_summary`.

    The current wave's respondents are the roster's; an earlier wave's are the
    people who submitted in it. None for a wave whose answers were imported
    (the roster records one response per person: the current wave's).
    """
    from dataclasses import replace

    import numpy as np

    from lisa.network.response import response_summary

    submitted: dict[str, set[str]] = {}
    for wave, pid in session.execute(
        select(AnswerRow.wave, PersonRow.pid).join(PersonRow, PersonRow.id == AnswerRow.person_id)
        .where(AnswerRow.study_id == row.id, AnswerRow.state == "submitted")
    ):
        submitted.setdefault(wave, set()).add(pid)
    out: list[tuple[str, WaveResponse | None]] = []
    for wave in row.waves or []:
        if wave == row.current_wave:
            at = study
        elif wave in submitted:
            responded = np.array([pid in submitted[wave] for pid in study.ids], bool)
            at = replace(study, responded=responded, response_known=True,
                         response_unknown=np.zeros(study.n_people, bool))
        else:
            out.append((wave, None))
            continue
        # a wave with no ties yet is not among the study's waves: everyone is on its roster
        out.append((wave, response_summary(at.for_wave(wave) if wave in at.waves else at, config, 0)))
    return out


def _silent(study: Study) -> list[tuple[str, str, str]]:
    return [(study.ids[i], study.names[i], study.organisations[i]) for i in range(study.n_people)
            if study.response_known and not study.responded[i]]


@router.get("/studies/{slug}")
def dashboard(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """GET /studies/{slug}: response and set-up, as the facilitator's role allows."""
    account = require_account(session, request)
    row, role = role_in(session, account, slug)
    relations = session.scalars(select(RelationRow).where(RelationRow.study_id == row.id)
                                .order_by(RelationRow.position)).all()
    runs = session.scalars(select(RunRow).where(RunRow.study_id == row.id)
                           .order_by(RunRow.id.desc()).limit(5)).all()
    links = session.scalar(select(func.count()).where(InvitationRow.study_id == row.id)) or 0
    unlisted = session.scalar(select(func.count()).where(UnlistedRow.study_id == row.id)) or 0
    members = session.execute(
        select(AccountRow.email, MembershipRow.role)
        .join(MembershipRow, MembershipRow.account_id == AccountRow.id)
        .where(MembershipRow.study_id == row.id)
    ).all()
    return render(request, "study.j2", study=row, role=role, relations=relations, runs=runs,
                  links=links, unlisted=unlisted, proxy_hours=PROXY_HOURS, members=members, roles=ROLES, role_help=ROLE_HELP,
                  problems=[], is_open=survey_state(row) == "open", **_dashboard(session, row))


def survey_state(row: StudyRow) -> str:
    """``open``, ``not-yet`` (before its opening date) or ``closed`` (after its closing date, or
    its "delete answers after" date)."""
    moment = datetime.now(UTC)
    if row.delete_answers_after and moment >= _aware(row.delete_answers_after):
        return "closed"
    if row.opens_at and moment < _aware(row.opens_at):
        return "not-yet"
    if row.closes_at and moment >= _aware(row.closes_at):
        return "closed"
    return "open"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_roster(data: bytes, filename: str, relations: list[dict[str, object]]) -> tuple[Study | None, list[Problem]]:
    """Check an uploaded roster with lisa's own readers and checks (the messages of ``lisa validate``).

    Parameters
    ----------
    data
        The file's bytes (CSV, or an Excel workbook with a ``people`` sheet or one sheet).
    filename
        Its name as uploaded (only the suffix is used).
    relations
        The study's relations (``relations.csv`` rows).

    Returns
    -------
    tuple
        The study of the roster (no ties) or None, and every problem.
    """
    from lisa.db.studies import empty_ties_table

    suffix = Path(filename).suffix.lower()
    if suffix not in ROSTER_SUFFIXES:
        message = f"'{suffix or filename}' is not a roster file: upload a .csv file or an .xlsx workbook"
        return None, [Problem("bad-file", message, "people.csv")]
    with tempfile.TemporaryDirectory(prefix="lisa-roster-") as folder:
        path = Path(folder) / f"people{suffix}"
        path.write_bytes(data)
        people: Table | None = (
            read_csv(path, "people.csv") if suffix == ".csv"
            else read_sheet(path, "people") or read_sheet(path, None)
        )
        if people is None:
            return None, [Problem("bad-file", "the workbook has no sheets", "people.xlsx")]
        study, problems = build_study(people, empty_ties_table(),
                                      table_from_records("relations.csv", relations))
    return study, roster_problems(problems)


def _done(session: Session, account: AccountRow, row: StudyRow, action: str, **detail: Any) -> Response:
    """Audit and commit a set-up change, then back to the study's page."""
    audit(session, account, row, action, **detail)
    session.commit()
    return RedirectResponse(f"/studies/{row.slug}", 303)


@router.post("/studies/{slug}/roster")
async def upload_roster(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/roster: check an uploaded roster and store it, or list its problems (422)."""
    account, form, row, role = await study_action(request, session, slug, "owner")
    upload = form.get("roster")
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, "choose a roster file to upload")
    study, problems = check_roster(await upload.read(), upload.filename or "", relation_records(session, row))
    if study is None:
        audit(session, account, row, "roster-refused", problems=len(problems))
        session.commit()
        return render(request, "roster_problems.j2", 422, study=row, problems=problems)
    count = replace_roster(session, row, study)
    return _done(session, account, row, "roster-upload", people=count)


@router.post("/studies/{slug}/relations")
async def edit_relations(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/relations: change the relations' labels and questions (owner)."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    changed = 0
    for rel in session.scalars(select(RelationRow).where(RelationRow.study_id == row.id)):
        label = form_text(form, f"label-{rel.name}", limit=200, required=False) or rel.label
        question = form_text(form, f"question-{rel.name}", limit=1000, required=False) or rel.question
        if (label, question) != (rel.label, rel.question):
            rel.label, rel.question, changed = label, question, changed + 1
    return _done(session, account, row, "edit-relations", changed=changed)


def _date(form: object, name: str) -> datetime | None:
    text = form_text(form, name, limit=40, required=False)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        raise HTTPException(422, f"'{text}' is not a date (YYYY-MM-DD)") from None


@router.post("/studies/{slug}/settings")
async def edit_settings(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/settings: consent text and opening/closing dates (owner)."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    opens, closes = _date(form, "opens"), _date(form, "closes")
    if opens and closes and closes <= opens:
        raise HTTPException(422, "the survey must close after it opens")
    if closes and row.delete_answers_after and closes > _aware(row.delete_answers_after):
        raise HTTPException(422, "the survey must close before its answers are deleted")
    row.consent_text = form_text(form, "consent", limit=20000, required=False)
    row.opens_at, row.closes_at = opens, closes
    return _done(session, account, row, "edit-settings", fields=["consent", "opens", "closes"])


@router.post("/studies/{slug}/links")
async def issue_links(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """Survey links as CSV for a mail merge: new links for everyone who has none (or for all)."""
    from lisa.web.mail import issue_invitation, link_key

    account, form, row, _ = await study_action(request, session, slug, "owner")
    everyone = form.get("reissue") == "yes"
    have = set(session.scalars(select(InvitationRow.person_id).where(InvitationRow.study_id == row.id)))
    base = request.app.state.settings.base_url or str(request.base_url).rstrip("/")
    key = link_key(request.app.state.settings)
    rows = []
    people = session.scalars(select(PersonRow).where(PersonRow.study_id == row.id)
                             .order_by(PersonRow.position)).all()
    for person in people:
        if person.id in have and not everyone:
            continue
        _, token = issue_invitation(session, row, person, key, replace=True)
        rows.append((person.pid, person.name, person.organisation, f"{base}/s/{token}"))
    audit(session, account, row, "issue-links", links=len(rows), reissued=everyone)
    session.commit()
    return _links_csv(rows, slug)


def _links_csv(rows: list[tuple[str, str, str, str]], slug: str) -> Response:
    frame = pl.DataFrame(rows, schema={"id": pl.Utf8, "name": pl.Utf8, "organisation": pl.Utf8,
                                       "link": pl.Utf8}, orient="row")
    out = io.StringIO()
    safe = neutralise_formulas(frame)
    writer = csv.writer(out)
    writer.writerow(safe.columns)
    writer.writerows(safe.iter_rows())
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{slug}-links.csv"'})


@router.post("/studies/{slug}/members")
async def add_member(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/members: give an existing account a role in the study (owner)."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    role = form_text(form, "role", limit=20)
    if role not in ROLES:
        raise HTTPException(422, f"the role must be one of {', '.join(ROLES)}")
    other = session.scalar(select(AccountRow).where(AccountRow.email == form_text(form, "email", limit=320).lower()))
    if other is None:
        raise HTTPException(422, "no facilitator account has that address: they sign up first")
    member = session.scalar(select(MembershipRow).where(MembershipRow.study_id == row.id,
                                                        MembershipRow.account_id == other.id))
    if member is None:
        session.add(MembershipRow(account_id=other.id, study_id=row.id, role=role))
    else:
        member.role = role
    return _done(session, account, row, "set-role", role=role)


@router.post("/studies/{slug}/waves")
async def new_wave(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/waves: start a new survey wave (owner)."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    waves = start_wave(session, row, form_text(form, "wave", limit=100),
                       form_text(form, "earlier", limit=100, required=False) or None)
    return _done(session, account, row, "start-wave", waves=len(waves))


@router.post("/studies/{slug}/delete-person")
async def remove_person(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """Delete a person on request, everywhere in the study; the page says what went."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    try:
        removed = delete_person(session, row, form_text(form, "id", limit=200))
    except UnknownPerson as exc:
        raise HTTPException(422, str(exc)) from None
    audit(session, account, row, "delete-person", **removed)
    session.commit()
    return render(request, "deleted.j2", study=row, removed=removed)


@router.get("/studies/{slug}/unlisted")
def unlisted_queue(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """GET /studies/{slug}/unlisted: the "not on the list" answers to merge or add (owner)."""
    account = require_account(session, request)
    row, _ = role_in(session, account, slug, "owner")
    items = session.execute(
        select(UnlistedRow, PersonRow.name, PersonRow.pid)
        .join(PersonRow, PersonRow.id == UnlistedRow.respondent_id)
        .where(UnlistedRow.study_id == row.id)
        .order_by(UnlistedRow.id)
    ).all()
    return render(request, "unlisted.j2", study=row, items=items)


@router.post("/studies/{slug}/unlisted/{item}/merge")
async def merge_into(slug: str, item: int, request: Request, session: Session = Depends(db)) -> Response:
    """POST …/unlisted/{item}/merge: the answer names roster id ``id``; the tie follows (owner)."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    try:
        added = merge_unlisted(session, row, item, form_text(form, "id", limit=200))
    except UnknownPerson as exc:
        raise HTTPException(422, str(exc)) from None
    audit(session, account, row, "merge-not-on-list", ties=int(added))
    session.commit()
    return RedirectResponse(f"/studies/{slug}/unlisted", 303)


@router.post("/studies/{slug}/unlisted/{item}/add")
async def add_as_new(slug: str, item: int, request: Request, session: Session = Depends(db)) -> Response:
    """POST …/unlisted/{item}/add: add the named person to the roster, then merge (owner)."""
    account, form, row, _ = await study_action(request, session, slug, "owner")
    added = add_unlisted_person(session, row, item, form_text(form, "id", limit=200),
                                form_text(form, "name", limit=500),
                                form_text(form, "organisation", limit=500, required=False))
    audit(session, account, row, "add-from-not-on-list", ties=int(added))
    session.commit()
    return RedirectResponse(f"/studies/{slug}/unlisted", 303)


@router.post("/studies/{slug}/proxy")
async def proxy_entry(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/proxy: open the survey to enter a paper or phone answer for someone
    (owner); the answers are marked as entered by this account."""
    from datetime import timedelta

    account, form, row, _ = await study_action(request, session, slug, "owner")
    pid = form_text(form, "id", limit=200)
    person = session.scalar(select(PersonRow).where(PersonRow.study_id == row.id, PersonRow.pid == pid))
    if person is None:
        raise HTTPException(422, str(UnknownPerson(pid)))
    token = new_token()
    session.add(ProxyLinkRow(token_hash=token_hash(token), person_id=person.id, account_id=account.id,
                             expires_at=now() + timedelta(hours=PROXY_HOURS)))
    audit(session, account, row, "proxy-entry")
    session.commit()
    return RedirectResponse(f"/s/{token}", 303)


#: Download formats of the network: lisa.io.export_study's.
DOWNLOADS = {"graphml": "application/xml", "gexf": "application/xml", "csv": "application/zip"}


@router.get("/studies/{slug}/download")
def download(slug: str, request: Request, format: str = "graphml", named: bool = False,
             session: Session = Depends(db)) -> Response:
    """GET /studies/{slug}/download: the network for Gephi and co., pseudonymised unless
    ``named=true`` (analyst); CSV comes as a zip of the three tables."""
    import zipfile

    from lisa.io import export_study

    account = require_account(session, request)
    row, _ = role_in(session, account, slug, "analyst")
    if format not in DOWNLOADS:
        raise HTTPException(422, f"the format must be one of {', '.join(DOWNLOADS)}")
    study = study_from_db(session, slug)
    with tempfile.TemporaryDirectory(prefix="lisa-download-") as folder:
        target = Path(folder) / ("csv" if format == "csv" else f"network.{format}")
        export_study(study, target, format, pseudonymise=not named)
        if format == "csv":
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(target.iterdir()):
                    archive.write(path, path.name)
            data = buffer.getvalue()
        else:
            data = target.read_bytes()
    audit(session, account, row, "download", format=format, named=named)
    session.commit()
    suffix = "zip" if format == "csv" else format
    name = f"{slug}-{'named' if named else 'pseudonymised'}.{suffix}"
    return Response(data, media_type=DOWNLOADS[format],
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def answered_count(session: Session, row: StudyRow) -> int:
    """How many respondents have submitted in the study's current wave."""
    return session.scalar(select(func.count()).where(
        AnswerRow.study_id == row.id, AnswerRow.state == "submitted",
        AnswerRow.wave == (row.current_wave or ""))) or 0
