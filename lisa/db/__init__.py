"""The web platform's storage: SQLAlchemy models, Alembic migrations, study import/export.

* :func:`engine_for` — an engine for a database URL (SQLite in WAL mode with
  foreign keys on, or PostgreSQL through psycopg 3).
* :func:`upgrade` — run the migrations shipped in ``lisa/db/migrations``
  (``lisa db upgrade``; the server runs it on start).
* :func:`import_study` / :func:`export_study` — a study folder or workbook into
  the database and back, losslessly (:mod:`lisa.db.studies`).
* :func:`search_roster` — typo-tolerant roster search within one study
  (:mod:`lisa.db.search`).
"""

from lisa.db.engine import engine_for, session_factory, sqlite_url, upgrade
from lisa.db.search import search_roster
from lisa.db.studies import export_study, import_study, study_from_db

__all__ = [
    "engine_for",
    "export_study",
    "import_study",
    "search_roster",
    "session_factory",
    "sqlite_url",
    "study_from_db",
    "upgrade",
]
