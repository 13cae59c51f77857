"""Fee notices: how they were delivered and when the applicant received them, and reductions or
waivers (国办函〔2020〕109号《政府信息公开信息处理费管理办法》).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

The 20 working days to pay count from the applicant's receipt of the notice, so `due_on` becomes
unknown (NULL) until a paper notice's receipt is recorded. Notices issued before this revision had
their period counted from the issue day: they are kept as delivered online, received that day, so
their due dates do not move.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fee_notices") as batch:
        batch.add_column(sa.Column("delivery", sa.String(20), nullable=False, server_default="online"))
        batch.add_column(sa.Column("received_on", sa.Date))
        batch.add_column(sa.Column("relief_amount", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("relief_reason_code", sa.String(40)))
        batch.add_column(sa.Column("relief_reason", sa.Text))
        batch.add_column(sa.Column("relief_on", sa.Date))
        batch.add_column(sa.Column("relief_by", sa.String(64)))
        batch.alter_column("due_on", existing_type=sa.Date, nullable=True)
    notices = sa.table("fee_notices", sa.column("notified_on", sa.Date), sa.column("received_on", sa.Date))
    op.execute(notices.update().values(received_on=notices.c.notified_on))


def downgrade() -> None:
    # The old column cannot be empty: a notice still awaiting its receipt gets its issue day.
    notices = sa.table(
        "fee_notices",
        sa.column("notified_on", sa.Date),
        sa.column("due_on", sa.Date),
    )
    op.execute(notices.update().where(notices.c.due_on.is_(None)).values(due_on=notices.c.notified_on))
    with op.batch_alter_table("fee_notices") as batch:
        batch.alter_column("due_on", existing_type=sa.Date, nullable=False)
        for name in ("relief_by", "relief_on", "relief_reason", "relief_reason_code", "relief_amount"):
            batch.drop_column(name)
        batch.drop_column("received_on")
        batch.drop_column("delivery")
