"""Running the analysis from the dashboard: a background process, its progress, its report.

igraph holds the GIL, so the analysis runs in its own process (``spawn``),
never in the server's: it reads the study from the database, analyses it with
:func:`lisa.analyse` exactly as ``lisa analyse`` does, writes the report with
:func:`lisa.report.write_report` (pseudonymised, and with names for owners and
analysts who ask), and records progress in the ``runs`` table the progress
page reads. The study's submitted innovation assessments go into the report
as ``lisa report --assessment`` puts them there, assessed with the run's
network findings (:func:`lisa.db.assessments.study_assessments`; the
pseudonymised report numbers the assessors instead of naming them).
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from lisa.db.models import RunRow, StudyRow
from lisa.db.studies import owned_row
from lisa.web.app import db, render
from lisa.web.auth import audit, now, require_account, role_in, study_action

router = APIRouter(prefix="/studies/{slug}/runs")
REPORT_NAMED, REPORT_PSEUDONYMISED = "report.html", "report-pseudonymised.html"
#: The report runs inside a sandbox: its own scripts run, but never with the app's origin.
REPORT_CSP = "sandbox allow-scripts; default-src 'self' 'unsafe-inline' data:; frame-ancestors 'none'"


def run_analysis(url: str, run_id: int, folder: str) -> None:
    """The background process: analyse the run's study and write its reports (records failure)."""
    from lisa.analysis import analyse
    from lisa.config import AnalysisConfig
    from lisa.db.assessments import study_assessments
    from lisa.db.engine import engine_for, session_factory
    from lisa.db.studies import study_from_db
    from lisa.errors import LisaError
    from lisa.report import write_report

    sessions = session_factory(engine_for(url))

    def record(**fields: object) -> None:
        """Write fields of the run's row."""
        with sessions.begin() as s:
            row = s.get(RunRow, run_id)
            for k, v in fields.items():
                setattr(row, k, v)

    def progress(task: str, done: int, total: int) -> None:
        """The analysis's progress callback: record the task and count."""
        record(state="running", progress=f"{task} ({done}/{total})")

    try:
        with sessions() as s:
            run = s.get(RunRow, run_id)
            study_row = s.get(StudyRow, run.study_id) if run else None
            if study_row is None:
                return
            study = study_from_db(s, study_row.slug)
        record(state="running", progress="analysing")
        result = analyse(study, AnalysisConfig(), progress=progress)
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        record(progress="assessing the innovations")
        with sessions() as s:
            named, numbered = (study_assessments(s, study_row, result.findings, pseudonymous=p)
                               for p in (False, True))
        record(progress="writing the report")
        write_report(result, out / REPORT_PSEUDONYMISED, pseudonymise=True, assessments=numbered)
        write_report(result, out / REPORT_NAMED, assessments=named)
        record(state="done", progress="done", report_path=str(out), finished_at=now())
    except LisaError as exc:
        record(state="failed", error=str(exc), finished_at=now())
    except Exception as exc:  # noqa: BLE001 - a run must end with a state, whatever happened
        record(state="failed", error=f"the analysis stopped: {type(exc).__name__}", finished_at=now())


def _folder(request: Request, study: StudyRow, run_id: int) -> Path:
    return Path(request.app.state.settings.data_dir).resolve() / "runs" / study.slug / str(run_id)


@router.post("")
async def start_run(slug: str, request: Request, session: Session = Depends(db)) -> Response:
    """POST /studies/{slug}/runs: start the analysis in a background process (analyst)."""
    account, _, study, _ = await study_action(request, session, slug, "analyst")
    busy = session.scalar(select(RunRow.id).where(RunRow.study_id == study.id,
                                                  RunRow.state.in_(("queued", "running"))))
    if busy is not None:
        return RedirectResponse(f"/studies/{slug}/runs/{busy}", 303)
    run = RunRow(study_id=study.id, state="queued", progress="starting", started_at=now())
    session.add(run)
    audit(session, account, study, "run-analysis")
    session.commit()
    process = multiprocessing.get_context("spawn").Process(
        target=run_analysis, args=(request.app.state.settings.url(), run.id,
                                   str(_folder(request, study, run.id))), daemon=True)
    process.start()
    request.app.state.processes = [*getattr(request.app.state, "processes", []), process]
    return RedirectResponse(f"/studies/{slug}/runs/{run.id}", 303)


def _run(session: Session, study: StudyRow, run_id: int) -> RunRow:
    return owned_row(session, RunRow, run_id, study, "run")


@router.get("/{run_id}")
def run_page(slug: str, run_id: int, request: Request, session: Session = Depends(db)) -> Response:
    """GET /studies/{slug}/runs/{id}: a run's state and progress (refreshes while it runs)."""
    account = require_account(session, request)
    study, role = role_in(session, account, slug, "analyst")
    run = _run(session, study, run_id)
    page = render(request, "run.j2", study=study, run=run, role=role)
    if run.state in ("queued", "running"):
        page.headers["refresh"] = "2"
    return page


@router.get("/{run_id}/report")
def report(slug: str, run_id: int, request: Request, named: bool = False,
           session: Session = Depends(db)) -> Response:
    """The run's report: pseudonymised unless ``named=true`` (analysts and owners)."""
    account = require_account(session, request)
    study, _ = role_in(session, account, slug, "analyst")
    run = _run(session, study, run_id)
    if run.state != "done" or not run.report_path:
        raise HTTPException(404)
    path = Path(run.report_path) / (REPORT_NAMED if named else REPORT_PSEUDONYMISED)
    if not path.is_file():
        raise HTTPException(404)
    audit(session, account, study, "open-report", named=named)
    session.commit()
    return FileResponse(path, media_type="text/html", headers={"content-security-policy": REPORT_CSP})
