"""The web platform's commands: ``lisa serve`` and ``lisa db upgrade|import|export|list|add-facilitator|send-invitations|purge``.

Thin commands over :mod:`lisa.web` and :mod:`lisa.db`: the server is
:func:`lisa.web.create_app` run by uvicorn; import and export go through
:func:`lisa.io.load_study` and :func:`lisa.io.write_study`, so a folder is
checked with the same messages (and exit codes) as ``lisa validate``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lisa.cli._app import app, console, handles_errors
from lisa.cli._options import StudyDir
from lisa.errors import ConfigError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine

    from lisa.web.settings import WebSettings

db_app = typer.Typer(help="The web platform's database: migrate, import and export studies.",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder of the SQLite database and reports (LISA_WEB_DATA_DIR)."),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="A PostgreSQL URL instead of SQLite (LISA_WEB_DATABASE_URL)."),
]
SettingsOption = Annotated[
    Path | None, typer.Option("--settings", help="A file of NAME=value web settings.")
]


def _settings(data_dir: Path | None, database_url: str | None, settings_file: Path | None = None,
              **more: object) -> WebSettings:
    from pydantic import ValidationError

    from lisa.web.settings import WebSettings

    given = {k: v for k, v in {"data_dir": data_dir, "database_url": database_url, **more}.items()
             if v is not None}
    try:
        if settings_file is not None:
            if not settings_file.is_file():
                raise ConfigError(f"the settings file '{settings_file}' does not exist")
            from lisa.web.settings import check_settings_file

            check_settings_file(settings_file)
            return WebSettings(_env_file=str(settings_file), **given)  # type: ignore[call-arg,arg-type]
        return WebSettings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"web setting '{'.'.join(map(str, first['loc']))}': {first['msg']}") from None


def _engine(settings: WebSettings) -> Engine:
    from lisa.db import engine_for, upgrade

    engine = engine_for(settings.url())
    upgrade(engine)
    return engine


@db_app.command("upgrade")
@handles_errors
def db_upgrade(data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """Bring the database to the newest schema (the server also does this when it starts)."""
    _engine(_settings(data_dir, database_url))
    console.print("The database is up to date.")


@db_app.command("import")
@handles_errors
def db_import(
    study_dir: StudyDir,
    name: Annotated[str | None, typer.Option("--name", help="Short name in the web app (default: from the study's name).")] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Import a study folder or workbook into the database (checked as 'lisa validate' checks it)."""
    from lisa.db import import_study, session_factory
    from lisa.db.export import platform_path, read_platform, store_platform
    from lisa.io import load_study

    study = load_study(study_dir)
    found = platform_path(study_dir, study_dir.is_file())
    platform = read_platform(found) if found.is_file() else None
    engine = _engine(_settings(data_dir, database_url))
    with session_factory(engine).begin() as session:
        row = import_study(session, study, name)
        if platform is not None:
            store_platform(session, row, platform)
        slug = row.slug
    console.print(f"Imported '{study.name}' as [bold]{slug}[/]: {study.n_people} people, "
                  f"{len(study.ties)} ties."
                  + (f" Survey set-up and answers from {found.name}." if platform else ""))


@db_app.command("export")
@handles_errors
def db_export(
    name: Annotated[str, typer.Argument(help="The study's short name in the database.", show_default=False)],
    out: Annotated[Path, typer.Argument(help="The study folder (or .xlsx file) to write.", show_default=False)],
    xlsx: Annotated[bool, typer.Option("--xlsx", help="Write one Excel workbook instead of a folder.")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Export a study from the database as a study folder (or workbook) that 'lisa analyse' reads.

    The survey's set-up and answers (consent, dates, waves, per-tie items, answers, innovations,
    retention) go to platform.json in the folder (beside a workbook: NAME-platform.json), which
    'lisa db import' reads back. Submitted innovation assessments are written too, one YAML
    answer file per assessor that 'lisa assess' reads: into the folder's assessments/ (beside a
    workbook: NAME-assessments/).
    """
    from lisa.db import session_factory, study_from_db
    from lisa.db.assessments import EXPORT_FOLDER, export_assessments
    from lisa.db.export import platform_path, write_platform
    from lisa.db.studies import find_study
    from lisa.io import write_study

    engine = _engine(_settings(data_dir, database_url))
    with session_factory(engine)() as session:
        study = study_from_db(session, name)
        written = write_study(study, out, "xlsx" if xlsx else "csv")
        row = find_study(session, name)
        platform = write_platform(session, row, platform_path(out, xlsx), study.waves)
        answers = (out.with_name(f"{out.stem}-{EXPORT_FOLDER}") if xlsx else out / EXPORT_FOLDER)
        files = export_assessments(session, row, answers)
    console.print(f"Written {written}")
    if platform is not None:
        console.print(f"Written the survey's set-up and answers to {platform}")
    if files:
        console.print(f"Written {len(files)} assessment answer file(s) to {answers}")


@db_app.command("list")
@handles_errors
def db_list(data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """The studies in the database, by short name."""
    from sqlalchemy import select

    from lisa.db import session_factory
    from lisa.db.models import StudyRow

    engine = _engine(_settings(data_dir, database_url))
    with session_factory(engine)() as session:
        for row in session.scalars(select(StudyRow).order_by(StudyRow.slug)):
            console.print(f"{row.slug}  {row.name}", markup=False, highlight=False)


def _set_password(engine: Engine, email: str, password: str) -> None:
    from sqlalchemy import select

    from lisa.db import session_factory
    from lisa.db.models import AccountRow
    from lisa.web.auth import now
    from lisa.web.security import hash_password

    with session_factory(engine).begin() as session:
        account = session.scalar(select(AccountRow).where(AccountRow.email == email))
        if account is None:
            session.add(AccountRow(email=email, password_hash=hash_password(password), created_at=now()))
        else:
            account.password_hash = hash_password(password)


@db_app.command("add-facilitator")
@handles_errors
def db_add_facilitator(
    email: Annotated[str, typer.Argument(help="The facilitator's e-mail address.", show_default=False)],
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a facilitator account (or give it a new password); prints a random password once."""
    email = email.strip().lower()
    if "@" not in email:
        raise ConfigError(f"'{email}' is not an e-mail address")
    password = secrets.token_urlsafe(12)
    _set_password(_engine(_settings(data_dir, database_url)), email, password)
    console.print(f"Account {email}, password: {password}", markup=False, highlight=False)


#: How long an idle connection stays open: longer than uvicorn's 5 s, so that a respondent's
#: next request, already sent while the server was busy, is not cut off.
KEEP_ALIVE_SECONDS = 30


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def seed_demo(engine: Engine, people: int = 120, seed: int = 7) -> tuple[str, str, str]:
    """The demo study (lisa's synthetic place, some answers in) and its owner; returns
    (study short name, e-mail, new password)."""
    from sqlalchemy import select

    from lisa.db import import_study, session_factory
    from lisa.db.models import AccountRow, MembershipRow, StudyRow
    from lisa.synth import generate

    email, password, slug = "demo@lisa.local", secrets.token_urlsafe(12), "demo"
    _set_password(engine, email, password)
    with session_factory(engine).begin() as session:
        account = session.scalar(select(AccountRow).where(AccountRow.email == email))
        row = session.scalar(select(StudyRow).where(StudyRow.slug == slug))
        if row is None:
            study = generate(people, seed=seed, preset="appendix-c", response_rate=0.7,
                             name="Demo place (Appendix C shape)")
            row = import_study(session, study, slug)
            row.consent_text = "This is a demonstration survey about a made-up place."
        if account is not None and session.scalar(select(MembershipRow.id).where(
                MembershipRow.study_id == row.id, MembershipRow.account_id == account.id)) is None:
            session.add(MembershipRow(account_id=account.id, study_id=row.id, role="owner"))
    return slug, email, password


#: How long a worker may take to answer its supervisor's health check (uvicorn's 5 s is
#: too short for a worker still importing on a busy machine: it is killed and restarted).
WORKER_START_SECONDS = 60
#: The environment variable that hands the settings to ``--workers`` processes.
WORKER_SETTINGS = "LISA_SERVE_WORKER_SETTINGS"
WorkersOption = Annotated[
    int,
    typer.Option("--workers", min=1, max=64,
                 help="Server processes sharing the port (each its own event loop; see docs/web.md)."),
]


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


def worker_app() -> FastAPI:
    """The app of one ``lisa serve --workers N`` process (uvicorn calls this factory in each).

    The settings come from the serving command (in :data:`WORKER_SETTINGS`);
    the command has already brought the database to the newest schema.
    """
    import json

    from lisa.web import create_app
    from lisa.web.settings import WebSettings

    _logging()
    return create_app(WebSettings(**json.loads(os.environ[WORKER_SETTINGS])), migrate=False)


@app.command()
@handles_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Seed a demo study and a facilitator account, and print the login.")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
    settings_file: SettingsOption = None,
    workers: WorkersOption = 1,
) -> None:
    """Run the web survey platform (facilitators' pages and respondents' survey links)."""
    import uvicorn

    from lisa.web import create_app

    more: dict[str, object] = {}
    if _loopback(host) and "LISA_WEB_SECURE_COOKIES" not in os.environ and settings_file is None:
        more["secure_cookies"] = False  # plain http on this machine only
    settings = _settings(data_dir, database_url, settings_file, **more)
    application = create_app(settings)
    address = f"http://{host}:{port}"
    console.print(f"lisa web platform on [bold]{address}[/] (data: {settings.database_url and 'PostgreSQL' or settings.data_dir})"
                  + (f", {workers} worker processes" if workers > 1 else ""))
    if demo:
        slug, email, password = seed_demo(application.state.engine)
        console.print(f"Demo study: {address}/studies/{slug}")
        console.print(f"Sign in as {email} with password {password}", markup=False, highlight=False)
    _logging()
    options: dict[str, Any] = {"host": host, "port": port, "access_log": False, "log_config": None,
               "timeout_keep_alive": KEEP_ALIVE_SECONDS}
    if workers == 1:
        uvicorn.run(application, **options)
        return
    application.state.engine.dispose()
    os.environ[WORKER_SETTINGS] = settings.model_dump_json()
    uvicorn.run("lisa.cli.web:worker_app", factory=True, workers=workers,
                timeout_worker_healthcheck=WORKER_START_SECONDS, **options)


@db_app.command("send-invitations")
@handles_errors
def db_send_invitations(
    name: Annotated[str, typer.Argument(help="The study's short name in the database.", show_default=False)],
    reminder: Annotated[bool, typer.Option("--reminder", help="Remind the people who have neither answered nor withdrawn.")] = False,
    replace_links: Annotated[bool, typer.Option("--replace-links", help="Give everyone a new link first (old links stop working).")] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseOption = None,
    settings_file: SettingsOption = None,
) -> None:
    """E-mail survey links (or reminders) through the SMTP server of the web settings."""
    from lisa.db import session_factory
    from lisa.web.mail import LEFT_OUT, Queued, send_now

    if reminder and replace_links:
        raise ConfigError("--replace-links goes with invitations, not with --reminder")

    def queued(result: Queued) -> None:
        """Say what was queued and who was left out."""
        console.print(f"Queued {result.queued} message(s).")
        for reason, n in sorted(result.skipped.items()):
            console.print(f"  {n} left out: they {LEFT_OUT[reason]}", markup=False, highlight=False)

    settings = _settings(data_dir, database_url, settings_file)
    sessions = session_factory(_engine(settings))
    counts = send_now(sessions, settings, name, "reminder" if reminder else "invitation",
                      replace_links=replace_links, on_queued=queued)
    console.print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "Nothing to send.")
    if counts.get("failed"):
        from lisa.errors import DeliveryFailed

        raise DeliveryFailed(f"{counts['failed']} message(s) failed: the study's e-mail page says why")


@db_app.command("purge")
@handles_errors
def db_purge(data_dir: DataDirOption = None, database_url: DatabaseOption = None) -> None:
    """Delete the answers of every study past its "delete answers after" date (the server also
    does this on start and on a schedule)."""
    from lisa.db import session_factory
    from lisa.web.retention import new_holder, purge_once

    done = purge_once(session_factory(_engine(_settings(data_dir, database_url))), new_holder())
    if done is None:
        console.print("A server process is purging now: nothing done here (it deletes the same).")
        return
    for slug, counts in done.items():
        said = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
        console.print(f"{slug}: deleted {said}", markup=False, highlight=False)
    if not done:
        console.print("Nothing to delete.")
