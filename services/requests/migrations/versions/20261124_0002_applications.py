"""Applications (依申请公开), idempotency keys and the personal-data read log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

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
    _create_audit_table()


def downgrade() -> None:
    _drop_audit_table()
    op.drop_table("idempotency_keys")
    op.drop_table("applications")


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
