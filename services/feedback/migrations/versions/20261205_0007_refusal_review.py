"""不予受理 with its written notice, 办理意见书, and 复查/复核 requests as cases of their own.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feedback_cases", sa.Column("refusal_reason", sa.String(30), nullable=True))
    op.add_column("feedback_cases", sa.Column("refusal_text", sa.Text, nullable=True))
    op.add_column("feedback_cases", sa.Column("review_level", sa.String(20), nullable=True))
    op.add_column("feedback_cases", sa.Column("reviewed_case_id", sa.Integer, nullable=True))
    op.create_index("ix_feedback_cases_reviewed_case_id", "feedback_cases", ["reviewed_case_id"], unique=True)
    op.create_table(
        "feedback_notice_counters",
        sa.Column("agency_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "feedback_notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("number", sa.String(200), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("agency_id", "year", "seq", name="uq_feedback_notices_number"),
        sa.UniqueConstraint("case_id", "kind", "round", name="uq_feedback_notices_case_kind_round"),
    )
    op.create_index("ix_feedback_notices_case_id", "feedback_notices", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_feedback_notices_case_id", "feedback_notices")
    op.drop_table("feedback_notices")
    op.drop_table("feedback_notice_counters")
    op.drop_index("ix_feedback_cases_reviewed_case_id", "feedback_cases")
    with op.batch_alter_table("feedback_cases") as batch:
        batch.drop_column("reviewed_case_id")
        batch.drop_column("review_level")
        batch.drop_column("refusal_text")
        batch.drop_column("refusal_reason")
