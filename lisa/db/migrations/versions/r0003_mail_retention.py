"""Invitations by e-mail and retention dates.

* ``messages``: one row per invitation or reminder e-mail (queued, sending,
  sent, failed with the SMTP error's class, or skipped with a reason); no
  address and no link is stored.
* ``invitations.nonce``: the link of an invitation is derived from the
  server's link key and this nonce, so a reminder can carry the same link
  while the database still holds only the link's hash.
* ``studies``: the study's e-mail templates, its "delete answers after" date,
  whether the roster goes too, and when answers were deleted.

Batch mode, so the change also runs on SQLite.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("wave", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_messages_study_id"), ["study_id"], unique=False)
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nonce", sa.String(length=64), nullable=True))
    with op.batch_alter_table("studies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_templates", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("delete_answers_after", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("delete_roster_too", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("answers_deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("studies", schema=None) as batch_op:
        batch_op.drop_column("answers_deleted_at")
        batch_op.drop_column("delete_roster_too")
        batch_op.drop_column("delete_answers_after")
        batch_op.drop_column("mail_templates")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("nonce")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_study_id"))
        batch_op.drop_index(batch_op.f("ix_messages_person_id"))
    op.drop_table("messages")
