"""The quarterly pulse survey: rounds, asks (who was asked, and the "has answered" mark) and anonymous answers

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from storage.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_round",
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("quarter", AutoString(length=7), nullable=False),
        sa.Column("asked_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("workspace_id", "quarter"),
    )
    op.create_table(
        "survey_ask",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("quarter", AutoString(length=7), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("asked_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("workspace_id", "quarter", "member_id"),
    )
    op.create_table(
        "survey_answer",
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("quarter", AutoString(length=7), nullable=False),
        sa.Column("handle", AutoString(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", AutoString(length=1000), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "quarter", "handle"),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="ck_survey_answer_score"),
    )


def downgrade() -> None:
    op.drop_table("survey_answer")
    op.drop_table("survey_ask")
    op.drop_table("survey_round")
