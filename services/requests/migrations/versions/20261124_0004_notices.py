"""Decision notices (告知书) numbered per agency and year, and fee notices (收费通知书).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_counters",
        sa.Column("agency_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "decision_notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False, unique=True
        ),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("number", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("agency_id", "year", "seq", name="uq_decision_notices_number"),
    )
    op.create_table(
        "fee_notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("applications_this_month", sa.Integer),
        sa.Column("pages", sa.Integer),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("notified_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("paid_on", sa.Date),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fee_notices_application_id", "fee_notices", ["application_id"])
    op.create_index("ix_applications_assigned_to", "applications", ["assigned_to"])


def downgrade() -> None:
    op.drop_index("ix_applications_assigned_to", "applications")
    op.drop_table("fee_notices")
    op.drop_table("decision_notices")
    op.drop_table("notice_counters")
