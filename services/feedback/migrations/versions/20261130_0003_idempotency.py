"""Idempotency keys: mobile apps retry a message or a record without creating it twice.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op

from shared.idempotency import create_idempotency_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table(op)


def downgrade() -> None:
    op.drop_table("idempotency_keys")
