"""Competitive intel: competitors (one per normalised name and workspace) and their notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from storage.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "competitor",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("name", AutoString(length=80), nullable=False),
        sa.Column("key", AutoString(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "key"),
    )
    op.create_table(
        "intel_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("competitor_id", sa.Integer(), sa.ForeignKey("competitor.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_intel_note_competitor_at", "intel_note", ["workspace_id", "competitor_id", "created_at", "id"])
    op.create_index("ix_intel_note_workspace_at", "intel_note", ["workspace_id", "created_at"])


def downgrade() -> None:
    op.drop_table("intel_note")
    op.drop_table("competitor")
