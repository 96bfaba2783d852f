"""Proxy entry: the mark that an answer was entered on someone's behalf is a column of its own.

Until now the mark was only the link to the facilitator's account
(``proxy_account_id``), so it went when the account was deleted and did not come back
when a study was imported into a database without that account. ``proxy_entered``
keeps it; existing proxy entries are marked from their account link.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proxy_entered", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE answers SET proxy_entered = TRUE WHERE proxy_account_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("proxy_entered")
