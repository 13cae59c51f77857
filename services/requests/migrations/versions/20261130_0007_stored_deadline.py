"""The deadline kept on the application row, so the clerk queue reads no events.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

The columns are a cache of `compute_deadline` over the application's events, rewritten with every
event and every calendar change (services/requests/lifecycle.py). Existing rows are filled here from
their events and the calendar as entered.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.add_column("applications", sa.Column("due_on", sa.Date))
    op.add_column(
        "applications",
        sa.Column("due_provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("applications", sa.Column("paused_since", sa.Date))
    op.add_column("applications", sa.Column("deadline_stage", sa.String(30)))
    op.create_index("ix_applications_agency_due", "applications", ["agency_id", "due_on"])
    _fill()


def _fill() -> None:
    from services.requests.lifecycle import clock_events, stored_deadline
    from shared.calendar import WorkingCalendar

    bind = op.get_bind()
    days = sa.table("calendar_days", sa.column("day", sa.Date), sa.column("working", sa.Boolean))
    apps = sa.table(
        "applications",
        sa.column("id", sa.Integer),
        sa.column("rule_set", sa.String),
        sa.column("due_on", sa.Date),
        sa.column("due_provisional", sa.Boolean),
        sa.column("paused_since", sa.Date),
        sa.column("deadline_stage", sa.String),
    )
    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("aggregate_type", sa.String),
        sa.column("aggregate_id", sa.String),
        sa.column("action", sa.String),
        sa.column("after", sa.JSON),
    )
    calendar = WorkingCalendar({row.day: row.working for row in bind.execute(sa.select(days))})
    last = 0
    while True:
        chunk = bind.execute(
            sa.select(apps.c.id, apps.c.rule_set).where(apps.c.id > last).order_by(apps.c.id).limit(BATCH)
        ).all()
        if not chunk:
            return
        histories: dict[str, list] = {str(row.id): [] for row in chunk}
        for event in bind.execute(
            sa.select(events.c.aggregate_id, events.c.action, events.c.after)
            .where(events.c.aggregate_type == "application")
            .where(events.c.aggregate_id.in_(list(histories)))
            .order_by(events.c.id)
        ):
            histories[event.aggregate_id].append(event)
        rows = [
            {"b_id": row.id, **stored_deadline(row.rule_set, clock_events(histories[str(row.id)]), calendar)}
            for row in chunk
        ]
        bind.execute(
            apps.update()
            .where(apps.c.id == sa.bindparam("b_id"))
            .values(
                due_on=sa.bindparam("due_on"),
                due_provisional=sa.bindparam("due_provisional"),
                paused_since=sa.bindparam("paused_since"),
                deadline_stage=sa.bindparam("deadline_stage"),
            ),
            rows,
        )
        last = chunk[-1].id


def downgrade() -> None:
    op.drop_index("ix_applications_agency_due", table_name="applications")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("deadline_stage")
        batch.drop_column("paused_since")
        batch.drop_column("due_provisional")
        batch.drop_column("due_on")
