"""CSV imports of leads: one row per import, and the import each lead came from

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lead_import",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("file_name", AutoString(length=200), nullable=False),
        sa.Column("content_hash", AutoString(length=64), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_lead_import_workspace_hash", "lead_import", ["workspace_id", "content_hash"])
    op.add_column("lead", sa.Column("import_id", sa.Integer(), nullable=True))
    op.create_index("ix_lead_workspace_import", "lead", ["workspace_id", "import_id"])


def downgrade() -> None:
    op.drop_index("ix_lead_workspace_import", table_name="lead")
    with op.batch_alter_table("lead") as batch:
        batch.drop_column("import_id")
    op.drop_table("lead_import")
