"""Index for the clerk queue: an agency's applications newest first.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The queue reads one agency's applications ordered by (received_on, id) descending, a page
    # at a time: with this index that is an index range scan instead of a sort of every row.
    op.create_index("ix_applications_agency_received", "applications", ["agency_id", "received_on", "id"])


def downgrade() -> None:
    op.drop_index("ix_applications_agency_received", table_name="applications")
