"""Review cases (行政复议 / 行政诉讼) about an application: annual-report table 四.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("concluded_on", sa.Date),
        sa.Column("note", sa.Text),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_cases_application_id", "review_cases", ["application_id"])
    op.create_index("ix_review_cases_filed_on", "review_cases", ["filed_on"])


def downgrade() -> None:
    op.drop_table("review_cases")
