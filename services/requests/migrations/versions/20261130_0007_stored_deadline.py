"""The deadline kept on the application row, so the clerk queue reads no events.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

The columns are a cache of `compute_deadline` over the application's events, rewritten with every
event and every calendar change (services/requests/lifecycle.py). Existing rows keep them empty
("not computed yet", which every reader judges from the events) until the process fills them when
it starts (`holidays.fill_never_computed`): the deadline rules are the code's, not this revision's.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("due_on", sa.Date))
    op.add_column(
        "applications",
        sa.Column("due_provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("applications", sa.Column("paused_since", sa.Date))
    op.add_column("applications", sa.Column("deadline_stage", sa.String(30)))
    op.create_index("ix_applications_agency_due", "applications", ["agency_id", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_applications_agency_due", table_name="applications")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("deadline_stage")
        batch.drop_column("paused_since")
        batch.drop_column("due_provisional")
        batch.drop_column("due_on")
