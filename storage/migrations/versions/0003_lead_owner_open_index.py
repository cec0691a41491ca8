"""A partial index for one person's open leads (`lead list mine`)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = "status IN ('handed_off', 'accepted', 'unassigned')"


def upgrade() -> None:
    op.create_index(
        "ix_lead_owner_open",
        "lead",
        ["workspace_id", "owner_id", "created_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_lead_owner_open", table_name="lead")
