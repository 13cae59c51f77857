"""A report by phone, letter or visit may name the accused agency (as mailbox reports do).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contact_records", sa.Column("accused_agency_id", sa.Integer, nullable=True))
    op.create_index("ix_contact_records_accused_agency_id", "contact_records", ["accused_agency_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_records_accused_agency_id", "contact_records")
    op.drop_column("contact_records", "accused_agency_id")
