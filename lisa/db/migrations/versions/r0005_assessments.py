"""Innovation assessments: a study's innovations, and their assessors' links and answers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "innovations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("study_id", "name"),
    )
    with op.batch_alter_table("innovations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_innovations_study_id"), ["study_id"], unique=False)
    op.create_table(
        "assessors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("innovation_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["innovation_id"], ["innovations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("innovation_id", "label"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("assessors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessors_innovation_id"), ["innovation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assessors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessors_innovation_id"))
    op.drop_table("assessors")
    with op.batch_alter_table("innovations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_innovations_study_id"))
    op.drop_table("innovations")
