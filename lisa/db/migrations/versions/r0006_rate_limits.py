"""Rate limits in the database: failed sign-ins and unknown survey links, counted per hashed key.

Counted in a table rather than in memory, the limits hold across a restart
of the server and across its worker processes (``lisa serve --workers``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rate_failures", schema=None) as batch_op:
        batch_op.create_index("ix_rate_failures_lookup", ["bucket", "key_hash", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rate_failures_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_failures_at"))
        batch_op.drop_index("ix_rate_failures_lookup")
    op.drop_table("rate_failures")
