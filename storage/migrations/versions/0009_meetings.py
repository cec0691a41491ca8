"""The quarterly meetings and the reminders sent for each booking

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEDULED = "status = 'scheduled'"


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", AutoString(length=64), nullable=False),
        sa.Column("organiser_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("ics_token", AutoString(length=64), nullable=False),
        sa.Column("next_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("booking_nag_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("ics_token"),
    )
    op.create_index("ix_meeting_workspace_starts", "meeting", ["workspace_id", "starts_at"])
    op.create_index(
        "ux_meeting_scheduled_start",
        "meeting",
        ["workspace_id", "starts_at"],
        unique=True,
        postgresql_where=sa.text(SCHEDULED),
        sqlite_where=sa.text(SCHEDULED),
    )
    for column in ("next_due_at", "booking_nag_due_at"):
        due = f"{column} IS NOT NULL"
        op.create_index(
            f"ix_meeting_{column.removesuffix('_at')}",
            "meeting",
            [column],
            postgresql_where=sa.text(due),
            sqlite_where=sa.text(due),
        )
    op.create_table(
        "meeting_reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("kind", AutoString(length=10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("meeting_id", "kind", "sequence"),
    )


def downgrade() -> None:
    op.drop_table("meeting_reminder")
    op.drop_table("meeting")
