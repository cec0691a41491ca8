"""Outbox rows remember the lead their card is about, and which earlier message a row rewrites

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("lead_id", sa.Integer(), nullable=True))
    op.add_column("outbox", sa.Column("refreshes_id", sa.Integer(), nullable=True))
    op.create_index("ix_outbox_lead", "outbox", ["lead_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_lead", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("refreshes_id")
        batch.drop_column("lead_id")
