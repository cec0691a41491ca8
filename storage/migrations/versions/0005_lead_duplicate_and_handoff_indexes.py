"""Indexes for the duplicate check of new leads (open leads by e-mail and by company, ignoring case) and for a
marketer's own hand-offs (`lead list handed`)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = "status IN ('handed_off', 'accepted', 'unassigned')"


def upgrade() -> None:
    op.create_index(
        "ix_lead_open_email",
        "lead",
        ["workspace_id", sa.text("lower(email)")],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index(
        "ix_lead_open_company",
        "lead",
        ["workspace_id", sa.text("lower(company)")],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index("ix_lead_marketer_created", "lead", ["workspace_id", "marketer_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_lead_marketer_created", table_name="lead")
    op.drop_index("ix_lead_open_company", table_name="lead")
    op.drop_index("ix_lead_open_email", table_name="lead")
