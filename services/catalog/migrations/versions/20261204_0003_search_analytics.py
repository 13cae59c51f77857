"""Search analytics: the query log and result clicks (no personal data), indexed on time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
LOG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")  # SQLite: INTEGER PRIMARY KEY is the rowid


def upgrade() -> None:
    op.create_table(
        "search_log",
        sa.Column("id", LOG_ID, primary_key=True),
        sa.Column("searched_at", TS, nullable=False, index=True),
        sa.Column("q", sa.String(200), nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("page", sa.Integer, nullable=False, server_default="1"),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("relaxed", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "search_clicks",
        sa.Column("id", LOG_ID, primary_key=True),
        sa.Column("clicked_at", TS, nullable=False, index=True),
        sa.Column("q", sa.String(200), nullable=False),
        sa.Column("document_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("search_clicks")
    op.drop_table("search_log")
