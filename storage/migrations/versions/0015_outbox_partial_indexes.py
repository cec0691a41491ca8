"""The outbox's member and lead indexes hold only the rows that have a member or a lead: channel posts and rows
about no lead no longer cost an index entry each

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_outbox_member", ["workspace_id", "target_member_id", "id"], "target_member_id IS NOT NULL"),
    ("ix_outbox_lead", ["lead_id"], "lead_id IS NOT NULL"),
)


def upgrade() -> None:
    for name, columns, where in INDEXES:
        op.drop_index(name, table_name="outbox")
        op.create_index(name, "outbox", columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade() -> None:
    for name, columns, _where in INDEXES:
        op.drop_index(name, table_name="outbox")
        op.create_index(name, "outbox", columns)
