"""Alembic environment for lisa's database (run by ``lisa db upgrade`` and on server start).

The connection comes from :func:`lisa.db.upgrade` (``config.attributes["connection"]``);
batch mode is on so that table changes also run on SQLite. Imported on its own
(outside an Alembic run) it does nothing.
"""

from __future__ import annotations

from alembic import context

from lisa.db.models import Base
from lisa.errors import ConfigError


def run_migrations() -> None:
    """Run the migrations on the connection :func:`lisa.db.upgrade` handed over."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise ConfigError("lisa's migrations run through lisa.db.upgrade ('lisa db upgrade')")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # inside an Alembic run
    run_migrations()
