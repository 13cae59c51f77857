"""Applications (依申请公开), idempotency keys and the personal-data read log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from shared.audit import create_audit_table, drop_audit_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tracking_no", sa.String(32), nullable=False, unique=True),
        sa.Column("query_code_hash", sa.String(128), nullable=False),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("agency_path", sa.String(400), nullable=False),
        sa.Column("applicant_user_id", sa.String(64)),
        sa.Column("applicant_type", sa.String(40), nullable=False),
        sa.Column("applicant_name", sa.Text, nullable=False),
        sa.Column("id_type", sa.String(40), nullable=False),
        sa.Column("id_number", sa.Text, nullable=False),
        sa.Column("id_number_index", sa.String(64), nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("address", sa.Text),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("form", sa.String(20), nullable=False),
        sa.Column("delivery", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("rule_set", sa.String(40), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("outcome", sa.String(60)),
        sa.Column("assigned_to", sa.String(64)),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_applications_agency_id", "applications", ["agency_id"])
    op.create_index("ix_applications_agency_path", "applications", ["agency_path"])
    op.create_index("ix_applications_applicant_user_id", "applications", ["applicant_user_id"])
    op.create_index("ix_applications_id_number_index", "applications", ["id_number_index"])
    op.create_index("ix_applications_state", "applications", ["state"])
    op.create_index("ix_applications_agency_state", "applications", ["agency_id", "state"])
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
    )
    create_audit_table(op)


def downgrade() -> None:
    drop_audit_table(op)
    op.drop_table("idempotency_keys")
    op.drop_table("applications")
