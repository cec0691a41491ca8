"""A channel post can go to several channels as one outbox row: ``channels_ahead`` holds the channels still ahead
of it, ``channels_done`` the ones it has been delivered to (or given up on)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("channels_ahead", sa.Text(), nullable=True))
        batch.add_column(sa.Column("channels_done", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("channels_done")
        batch.drop_column("channels_ahead")
