"""Agency rule sets: the rule set each agency chose, from a day on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

An application takes the rule set in force on its received date (docs/time-limits.md, "Rule sets"), so the
setting keeps its history: one row per change, never updated. An agency without a row keeps the
Regulation's `national-2019`, which is what every existing application was given: nothing to fill.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_rule_sets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=False, index=True),
        sa.Column("rule_set", sa.String(40), nullable=False),
        sa.Column("previous", sa.String(40), nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agency_rule_sets")
