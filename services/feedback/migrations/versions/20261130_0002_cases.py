"""Feedback cases, contact records (calls, letters, visits), published replies, attachments and
the personal-data read log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

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
    _create_audit_table()


def downgrade() -> None:
    _drop_audit_table()
    op.drop_table("feedback_attachments")
    op.drop_table("published_replies")
    op.drop_table("contact_records")
    op.drop_table("feedback_cases")


def _create_audit_table() -> None:
    """The personal-data read log with its indexes; the database refuses to change or delete a row."""
    op.create_table(
        "personal_data_reads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("record_type", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(60), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(200)),
        sa.Column("request_id", sa.String(128)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_personal_data_reads_record", "personal_data_reads", ["record_type", "record_id"])
    op.create_index("ix_personal_data_reads_actor_id", "personal_data_reads", ["actor_id"])
    op.create_index("ix_personal_data_reads_at", "personal_data_reads", ["at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION personal_data_reads_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'personal_data_reads are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE OR DELETE ON personal_data_reads "
            "FOR EACH ROW EXECUTE FUNCTION personal_data_reads_append_only()"
        )
        op.execute(
            "CREATE TRIGGER personal_data_reads_no_truncate BEFORE TRUNCATE ON personal_data_reads "
            "FOR EACH STATEMENT EXECUTE FUNCTION personal_data_reads_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER personal_data_reads_no_{verb.lower()} BEFORE {verb} ON personal_data_reads "
                "BEGIN SELECT RAISE(ABORT, 'personal_data_reads are append-only'); END"
            )


def _drop_audit_table() -> None:
    """The triggers go with the table; PostgreSQL's trigger function does not."""
    op.drop_table("personal_data_reads")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION personal_data_reads_append_only()")
