"""The closing date kept on the application row, so the annual report reads no events.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

`closed_on` is the `on` date of the application's closing event (decide, refer, withdraw, abandon),
written with that event from now on (services/requests/lifecycle.py). Existing rows are filled here
from their events.
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 1000
CLOSING_ACTIONS = ("decide", "refer", "withdraw", "abandon")


def upgrade() -> None:
    op.add_column("applications", sa.Column("closed_on", sa.Date))
    _fill()


def _fill() -> None:
    bind = op.get_bind()
    apps = sa.table("applications", sa.column("id", sa.Integer), sa.column("closed_on", sa.Date))
    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("aggregate_type", sa.String),
        sa.column("aggregate_id", sa.String),
        sa.column("action", sa.String),
        sa.column("after", sa.JSON),
    )
    last = 0
    while True:
        chunk = bind.execute(
            sa.select(events.c.id, events.c.aggregate_id, events.c.after)
            .where(events.c.aggregate_type == "application")
            .where(events.c.action.in_(CLOSING_ACTIONS))
            .where(events.c.id > last)
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not chunk:
            return
        closed: dict[int, date] = {}
        for event in chunk:  # in event order: a later closing event wins
            on = ((event.after or {}).get("clock") or {}).get("on")
            if on:
                closed[int(event.aggregate_id)] = date.fromisoformat(on)
        if closed:
            bind.execute(
                apps.update().where(apps.c.id == sa.bindparam("b_id")).values(closed_on=sa.bindparam("on")),
                [{"b_id": i, "on": on} for i, on in closed.items()],
            )
        last = chunk[-1].id


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("closed_on")
