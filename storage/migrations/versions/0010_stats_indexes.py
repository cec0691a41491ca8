"""Indexes for `stats` and the weekly report: events of a kind with their lead and actor, a lead's decisions, stage
moves with the stage reached, ratings by time, a campaign's leads with their time and status, and the open leads'
SLA columns — so each figure reads the rows of its period from an index, not the table

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN = "status IN ('handed_off', 'accepted', 'unassigned')"
STAGE = "kind = 'stage'"


def upgrade() -> None:
    op.create_index(
        "ix_lead_event_kind_created_lead",
        "lead_event",
        ["workspace_id", "kind", "created_at", "lead_id", "actor_id"],
        postgresql_include=["id"],
    )
    op.drop_index("ix_lead_event_workspace_kind_created", table_name="lead_event")  # a prefix of the one above
    op.create_index("ix_lead_event_lead_kind", "lead_event", ["lead_id", "kind", "id"])
    op.create_index(
        "ix_lead_event_stage",
        "lead_event",
        ["workspace_id", "created_at", "lead_id", "kind", "detail"],
        postgresql_where=sa.text(STAGE),
        sqlite_where=sa.text(STAGE),
    )
    op.create_index("ix_feedback_workspace_created", "feedback", ["workspace_id", "created_at", "lead_id", "score"])
    op.create_index("ix_lead_campaign_progress", "lead", ["workspace_id", "campaign_id", "created_at", "status"])
    op.drop_index("ix_lead_workspace_campaign", table_name="lead")  # a prefix of the one above
    op.create_index(
        "ix_lead_open_sla",
        "lead",
        ["workspace_id", "owner_id", "status", "handed_off_at", "accepted_at", "last_touch_at", "created_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_lead_open_sla", table_name="lead")
    op.create_index("ix_lead_workspace_campaign", "lead", ["workspace_id", "campaign_id"])
    op.drop_index("ix_lead_campaign_progress", table_name="lead")
    op.drop_index("ix_feedback_workspace_created", table_name="feedback")
    op.drop_index("ix_lead_event_stage", table_name="lead_event")
    op.drop_index("ix_lead_event_lead_kind", table_name="lead_event")
    op.create_index("ix_lead_event_workspace_kind_created", "lead_event", ["workspace_id", "kind", "created_at"])
    op.drop_index("ix_lead_event_kind_created_lead", table_name="lead_event")
