"""Annual report: the written sections (一 总体情况, 五 存在的主要问题及改进情况, 六 其他需要报告的事项)
of an agency's report for a year, and the catalog document the report is published as.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

One row per agency and year; each edit also writes an event (before/after), which keeps the history.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annual_report_texts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("overview", sa.Text, nullable=False, server_default=""),
        sa.Column("problems", sa.Text, nullable=False, server_default=""),
        sa.Column("other_matters", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_by", sa.String(64)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.Column("catalog_document_id", sa.Integer),
        sa.Column("publication_requested_by", sa.String(64)),
        sa.Column("publication_requested_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("agency_id", "year", name="uq_annual_report_texts_agency_year"),
    )


def downgrade() -> None:
    op.drop_table("annual_report_texts")
