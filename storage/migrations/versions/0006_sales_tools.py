"""Sales tools (T-<n> per workspace) and their clicks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

REMOVED = "removed_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("tool_seq", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "tool",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("url", AutoString(length=2000), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("tags", AutoString(length=400), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), nullable=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("removed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "number"),
    )
    op.create_index(
        "ix_tool_workspace_removed",
        "tool",
        ["workspace_id", "removed_at"],
        postgresql_where=sa.text(REMOVED),
        sqlite_where=sa.text(REMOVED),
    )
    op.create_index("ix_tool_workspace_owner", "tool", ["workspace_id", "owner_id"])
    op.create_index("ix_tool_workspace_campaign", "tool", ["workspace_id", "campaign_id"])
    op.create_table(
        "tool_click",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("tool_id", sa.Integer(), sa.ForeignKey("tool.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tool_click_tool_at", "tool_click", ["tool_id", "at"])
    op.create_index("ix_tool_click_workspace_at", "tool_click", ["workspace_id", "at"])
    op.create_index("ix_tool_click_member", "tool_click", ["workspace_id", "member_id", "tool_id"])


def downgrade() -> None:
    op.drop_table("tool_click")
    op.drop_table("tool")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("tool_seq")
