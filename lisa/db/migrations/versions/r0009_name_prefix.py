"""Roster search of one or two letters on PostgreSQL: a prefix index on the lower-cased name.

A query shorter than three letters has no three-letter piece for the trigram index, so
PostgreSQL scanned the study's whole roster for it (about 57 ms at 20,000 people), and the
live search sends two letters first. The search now looks such a query up as the start of
the name (``lower(name) LIKE 'ab%'``), which this B-tree index serves (``text_pattern_ops``:
whatever the database's collation). SQLite scans one study's rows for it in a few
milliseconds and gets no index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX people_search_prefix ON people (study_id, lower(name) text_pattern_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX people_search_prefix")
