"""Alembic environment for lisa's database (run by ``lisa db upgrade`` and on server start).

The connection comes from :func:`lisa.db.upgrade` (``config.attributes["connection"]``);
batch mode is on so that table changes also run on SQLite.
"""

from __future__ import annotations

from alembic import context

from lisa.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only lisa.db.upgrade runs these migrations
    raise RuntimeError("lisa's migrations run through lisa.db.upgrade (lisa db upgrade)")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
