"""Documents, versions, attachments, guides, vocabulary, synonyms, index counters.

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

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=False, index=True),
        sa.Column("index_no", sa.String(64), unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("doc_number", sa.String(100), index=True),
        sa.Column("written_on", sa.Date),
        sa.Column("information_date", sa.Date, nullable=False),
        sa.Column("category", sa.String(40), nullable=False, index=True),
        sa.Column("doc_type", sa.String(40), nullable=False, index=True),
        sa.Column("validity", sa.String(20), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20)),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("publish_at", TS, index=True),
        sa.Column("published_at", TS, index=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("submitted_by", sa.String(64)),
        sa.Column("reviewed_by", sa.String(64)),
        sa.Column("status_reason", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_documents_public_list", "documents", ["status", "scope", "published_at"])
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("document_id", "version"),
    )
    op.create_table(
        "index_counters",
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "guides",
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), primary_key=True),
        sa.Column("how_to_apply", sa.Text, nullable=False),
        sa.Column("office_address", sa.String(300), nullable=False),
        sa.Column("office_hours", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("email", sa.String(200)),
        sa.Column("postal_code", sa.String(10)),
        sa.Column("fees_note", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "vocabulary_terms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.UniqueConstraint("kind", "code"),
    )
    op.create_table(
        "synonym_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("terms", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "synonym_groups",
        "vocabulary_terms",
        "guides",
        "attachments",
        "index_counters",
        "document_versions",
        "documents",
    ):
        op.drop_table(table)
