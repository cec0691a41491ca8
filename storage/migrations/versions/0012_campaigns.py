"""Campaigns: closing, sales comments, one active campaign per name, progress counted from indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ACTIVE = "status = 'active'"


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_campaign_closed_by_id_member", "member", ["closed_by_id"], ["id"])
    op.create_index(
        "ix_campaign_active_name",
        "campaign",
        ["workspace_id", sa.text("lower(name)")],
        unique=True,
        postgresql_where=sa.text(ACTIVE),
        sqlite_where=sa.text(ACTIVE),
    )
    op.create_index(
        "ix_campaign_active_ends",
        "campaign",
        ["ends_on"],
        postgresql_where=sa.text(ACTIVE),
        sqlite_where=sa.text(ACTIVE),
    )
    op.create_table(
        "campaign_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_campaign_comment_campaign", "campaign_comment", ["workspace_id", "campaign_id", "created_at"])
    # a rating carries its lead's campaign (as it carries its workspace): a campaign's quality reads its ratings
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a column with its reference in place, no table copy
        op.execute("ALTER TABLE feedback ADD COLUMN campaign_id INTEGER REFERENCES campaign (id)")
    else:
        op.add_column("feedback", sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), nullable=True))
    op.execute("UPDATE feedback SET campaign_id = (SELECT lead.campaign_id FROM lead WHERE lead.id = feedback.lead_id)")
    op.create_index("ix_feedback_campaign", "feedback", ["workspace_id", "campaign_id", "lead_id", "score"])
    # the wider index serves every query the old one did (same leading columns)
    op.create_index(
        "ix_lead_workspace_campaign_status", "lead", ["workspace_id", "campaign_id", "status", "marketer_id"]
    )
    op.drop_index("ix_lead_workspace_campaign", table_name="lead")
    op.create_index(
        "ix_lead_campaign_own",
        "lead",
        ["workspace_id", "campaign_id"],
        postgresql_where=sa.text("marketer_id IS NULL"),
        sqlite_where=sa.text("marketer_id IS NULL"),
    )


def downgrade() -> None:
    op.create_index("ix_lead_workspace_campaign", "lead", ["workspace_id", "campaign_id"])
    op.drop_index("ix_lead_campaign_own", table_name="lead")
    op.drop_index("ix_lead_workspace_campaign_status", table_name="lead")
    op.drop_index("ix_feedback_campaign", table_name="feedback")
    op.drop_table("campaign_comment")
    op.drop_index("ix_campaign_active_ends", table_name="campaign")
    op.drop_index("ix_campaign_active_name", table_name="campaign")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("campaign_id")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_constraint("fk_campaign_closed_by_id_member", type_="foreignkey")
        batch.drop_column("closed_by_id")
        batch.drop_column("closed_at")
