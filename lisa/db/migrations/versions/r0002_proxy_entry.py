"""Proxy entry: short-lived proxy links, and answers marked with the facilitator who entered them.

The column is added in batch mode, so the change also runs on SQLite (which
rebuilds the table).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proxy_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("proxy_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proxy_links_person_id"), ["person_id"], unique=False)
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proxy_account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_answers_proxy_account", "accounts", ["proxy_account_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_constraint("fk_answers_proxy_account", type_="foreignkey")
        batch_op.drop_column("proxy_account_id")
    with op.batch_alter_table("proxy_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_links_person_id"))
    op.drop_table("proxy_links")
