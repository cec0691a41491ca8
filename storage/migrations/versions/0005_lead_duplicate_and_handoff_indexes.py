"""An index for a marketer's own hand-offs (`lead list handed`, App Home)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_lead_marketer_created", "lead", ["workspace_id", "marketer_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_lead_marketer_created", table_name="lead")
