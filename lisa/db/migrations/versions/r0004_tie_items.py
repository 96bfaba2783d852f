"""Per-tie items: what a relation asks about each person named (how often, trust, value).

The answers themselves are tie attributes (``ties.attributes``), so they export as
tie columns; this table holds the items' wording and choices.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tie_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("is_weight", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["relation_id"], ["relations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("relation_id", "key"),
    )
    with op.batch_alter_table("tie_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tie_items_relation_id"), ["relation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tie_items_study_id"), ["study_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tie_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tie_items_study_id"))
        batch_op.drop_index(batch_op.f("ix_tie_items_relation_id"))
    op.drop_table("tie_items")
