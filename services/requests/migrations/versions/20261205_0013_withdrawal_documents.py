"""The applicant's documents kept with an application say what they were sent for: a correction
(补正材料) or a withdrawal received on paper (the letter or signed form a clerk records).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("correction_files") as batch:
        batch.add_column(sa.Column("purpose", sa.String(20), nullable=False, server_default="correction"))


def downgrade() -> None:
    files = sa.table("correction_files", sa.column("purpose", sa.String))
    op.execute(files.delete().where(files.c.purpose != "correction"))
    with op.batch_alter_table("correction_files") as batch:
        batch.drop_column("purpose")
