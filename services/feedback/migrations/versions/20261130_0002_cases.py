"""Feedback cases, contact records (calls, letters, visits), published replies, attachments and
the personal-data read log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from shared.audit import create_audit_table, drop_audit_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "feedback_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tracking_no", sa.String(32), nullable=False, unique=True),
        sa.Column("query_code_hash", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("agency_path", sa.String(400), nullable=False),
        sa.Column("intake", sa.Boolean, nullable=False),
        sa.Column("accused_agency_id", sa.Integer),
        sa.Column("accused_agency_path", sa.String(400)),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("sender_user_id", sa.String(64)),
        sa.Column("sender_name", sa.Text),
        sa.Column("sender_phone", sa.Text),
        sa.Column("sender_email", sa.Text),
        sa.Column("sender_address", sa.Text),
        sa.Column("consent_to_publish", sa.Boolean, nullable=False),
        sa.Column("rule_set", sa.String(40), nullable=False),
        sa.Column("level", sa.String(30)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.String(64)),
        sa.Column("round", sa.Integer, nullable=False),
        _at("received_at"),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date),
        sa.Column("due_provisional", sa.Boolean, nullable=False),
        _at("first_replied_at", True),
        sa.Column("replied_on", sa.Date),
        sa.Column("reply", sa.Text),
        _at("closed_at", True),
        sa.Column("on_time", sa.Boolean),
        sa.Column("rating", sa.String(30)),
        sa.Column("rating_comment", sa.Text),
        _at("rated_at", True),
        sa.Column("return_visited_on", sa.Date),
        sa.Column("contact_record_id", sa.Integer),
        sa.Column("created_by", sa.String(64)),
        _at("created_at"),
        _at("updated_at"),
    )
    for column in (
        "agency_id",
        "agency_path",
        "accused_agency_id",
        "accused_agency_path",
        "sender_user_id",
        "state",
        "owner_id",
        "received_on",
        "due_on",
        "contact_record_id",
    ):
        op.create_index(f"ix_feedback_cases_{column}", "feedback_cases", [column])
    op.create_index("ix_feedback_cases_agency_state", "feedback_cases", ["agency_id", "state"])
    op.create_index(
        "ix_feedback_cases_content_hash_created", "feedback_cases", ["content_hash", "created_at"]
    )
    op.create_table(
        "contact_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("agency_path", sa.String(400), nullable=False),
        _at("occurred_at"),
        sa.Column("duration_seconds", sa.Integer),
        sa.Column("contact_number", sa.Text),
        sa.Column("contact_name", sa.Text),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("disposition", sa.String(20), nullable=False),
        sa.Column("transferred_to", sa.String(200)),
        sa.Column("case_id", sa.Integer),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        _at("created_at"),
    )
    for column in ("agency_id", "agency_path", "occurred_at", "case_id"):
        op.create_index(f"ix_contact_records_{column}", "contact_records", [column])
    op.create_table(
        "published_replies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, nullable=False, unique=True),
        sa.Column("agency_id", sa.Integer, nullable=False),
        sa.Column("agency_path", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("asked_on", sa.Date, nullable=False),
        sa.Column("replied_on", sa.Date, nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        _at("published_at"),
    )
    for column in ("agency_id", "agency_path", "kind"):
        op.create_index(f"ix_published_replies_{column}", "published_replies", [column])
    op.create_table(
        "feedback_attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_by", sa.String(64)),
        _at("created_at"),
    )
    op.create_index("ix_feedback_attachments_case_id", "feedback_attachments", ["case_id"])
    create_audit_table(op)


def downgrade() -> None:
    drop_audit_table(op)
    op.drop_table("feedback_attachments")
    op.drop_table("published_replies")
    op.drop_table("contact_records")
    op.drop_table("feedback_cases")
