"""Events and outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from alembic import op

from shared.events import create_event_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_tables(op)


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("events")
