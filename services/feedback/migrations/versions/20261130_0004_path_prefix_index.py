"""A prefix index on the agency path, so a region's statistics read only that region's rows on
PostgreSQL (`agency_path LIKE '/1/2/%'`; the plain index serves equality only there).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_feedback_cases_agency_path_prefix ON feedback_cases (agency_path varchar_pattern_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_feedback_cases_agency_path_prefix")
