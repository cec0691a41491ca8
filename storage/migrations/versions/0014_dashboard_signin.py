"""Dashboard sign-in links already used (single use); the index behind its Source filter

Revision ID: 0014
Revises: 0010
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from storage.types import UTCDateTime

revision = "0014"
down_revision = "0010"  # re-chained after the stats branch (0010) was merged in
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_signin",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("nonce", AutoString(length=64), nullable=False),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("nonce"),
    )
    op.create_index("ix_dashboard_signin_workspace_id", "dashboard_signin", ["workspace_id"])
    op.create_index("ix_lead_workspace_source", "lead", ["workspace_id", "source"])


def downgrade() -> None:
    op.drop_index("ix_lead_workspace_source", table_name="lead")
    op.drop_table("dashboard_signin")
