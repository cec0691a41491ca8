"""API keys (hashed, one active label per workspace) and the Idempotency-Keys of API leads

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from storage.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ACTIVE = "revoked_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("label", AutoString(length=60), nullable=False),
        sa.Column("prefix", AutoString(length=20), nullable=False),
        sa.Column("key_hash", AutoString(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index("ix_api_key_workspace_id", "api_key", ["workspace_id"])
    op.create_index(
        "ux_api_key_active_label",
        "api_key",
        ["workspace_id", sa.text("lower(label)")],
        unique=True,
        postgresql_where=sa.text(ACTIVE),
        sqlite_where=sa.text(ACTIVE),
    )
    op.create_table(
        "api_idempotency",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("key", AutoString(length=200), nullable=False),
        sa.Column("body_hash", AutoString(length=64), nullable=False),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=True),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("api_idempotency")
    op.drop_index("ux_api_key_active_label", table_name="api_key")
    op.drop_index("ix_api_key_workspace_id", table_name="api_key")
    op.drop_table("api_key")
