"""Dashboard sign-in links already used (single use); the indexes behind its Source filter and its table of
leads breaching SLA

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from storage.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The leads breaching SLA now, one partial index per way of breaching (storage/models/leads.py).
SLA_INDEXES = (
    ("ix_lead_sla_waiting", "coalesce(handed_off_at, created_at)", "status = 'handed_off'"),
    ("ix_lead_sla_untouched", "coalesce(accepted_at, created_at)", "status = 'accepted' AND last_touch_at IS NULL"),
    ("ix_lead_sla_stale", "last_touch_at", "status = 'accepted' AND last_touch_at IS NOT NULL"),
)


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
    for name, clock, where in SLA_INDEXES:
        op.create_index(
            name, "lead", ["workspace_id", sa.text(clock)], postgresql_where=sa.text(where), sqlite_where=sa.text(where)
        )


def downgrade() -> None:
    for name, _clock, _where in SLA_INDEXES:
        op.drop_index(name, table_name="lead")
    op.drop_index("ix_lead_workspace_source", table_name="lead")
    op.drop_table("dashboard_signin")
