"""Years an admin confirmed as wholly entered: until then a year the library does not know stays
provisional, however many of its dates were entered (issue 12, point 10).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

A year with entered dates was taken as known before this revision; it is not confirmed here, so its
deadlines show as provisional again until an admin confirms it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("confirmed_by", sa.String(64)),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
