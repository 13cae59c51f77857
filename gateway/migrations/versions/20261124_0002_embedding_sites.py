"""Embedding sites: third-party origins allowed to call the API from the browser (search widget).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embedding_sites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("origin", sa.String(255), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("api_key_hash", sa.String(64)),
        sa.Column("rate_limit", sa.String(40), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("origin", name="uq_embedding_sites_origin"),
        sa.UniqueConstraint("api_key_hash", name="uq_embedding_sites_api_key_hash"),
    )


def downgrade() -> None:
    op.drop_table("embedding_sites")
