"""Validity history: each document's validity from a day on, so counts can be taken as of a date.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

The annual report counts 现行有效 on 31 December and 本年废止 by the day a repeal takes effect;
the current `documents.validity` answers neither for a past year. Existing documents are filled
from what is known: the validity before the first recorded change (or the current one) from the
day of publication (China time), then each `validity_changed` event from the day it was recorded.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SHANGHAI = ZoneInfo("Asia/Shanghai")
TS = sa.DateTime(timezone=True)
BATCH = 500


def upgrade() -> None:
    op.create_table(
        "document_validity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("validity", sa.String(20), nullable=False),
        sa.Column("previous", sa.String(20)),
        sa.Column("effective_on", sa.Date, nullable=False, index=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    _fill()


def _local_day(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite keeps UTC without a zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).date()


def _fill() -> None:
    bind = op.get_bind()
    documents = sa.table(
        "documents",
        sa.column("id", sa.Integer),
        sa.column("validity", sa.String),
        sa.column("status", sa.String),
        sa.column("published_at", TS),
    )
    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("aggregate_type", sa.String),
        sa.column("aggregate_id", sa.String),
        sa.column("action", sa.String),
        sa.column("actor_id", sa.String),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
        sa.column("at", TS),
    )
    history = sa.table(
        "document_validity",
        sa.column("document_id", sa.Integer),
        sa.column("validity", sa.String),
        sa.column("previous", sa.String),
        sa.column("effective_on", sa.Date),
        sa.column("recorded_by", sa.String),
        sa.column("recorded_at", TS),
    )
    now = datetime.now(UTC)
    last = 0
    while True:
        chunk = bind.execute(
            sa.select(documents.c.id, documents.c.validity, documents.c.published_at)
            .where(documents.c.published_at.is_not(None), documents.c.id > last)
            .order_by(documents.c.id)
            .limit(BATCH)
        ).all()
        if not chunk:
            return
        changes: dict[str, list] = {}
        for event in bind.execute(
            sa.select(events.c.aggregate_id, events.c.actor_id, events.c.before, events.c.after, events.c.at)
            .where(events.c.aggregate_type == "document", events.c.action == "validity_changed")
            .where(events.c.aggregate_id.in_([str(d.id) for d in chunk]))
            .order_by(events.c.id)
        ).all():
            changes.setdefault(event.aggregate_id, []).append(event)
        rows = []
        for document in chunk:
            found = changes.get(str(document.id), [])
            published_on = _local_day(document.published_at)
            first = ((found[0].before or {}).get("validity") if found else None) or document.validity
            rows.append(
                {
                    "document_id": document.id,
                    "validity": first,
                    "previous": None,
                    "effective_on": published_on,
                    "recorded_by": "migration",
                    "recorded_at": now,
                }
            )
            previous = first
            for event in found:
                validity = (event.after or {}).get("validity")
                if not validity or validity == previous:
                    continue
                rows.append(
                    {
                        "document_id": document.id,
                        "validity": validity,
                        "previous": previous,
                        "effective_on": max(published_on, _local_day(event.at)),
                        "recorded_by": event.actor_id or "migration",
                        "recorded_at": now,
                    }
                )
                previous = validity
        bind.execute(history.insert(), rows)
        last = chunk[-1].id


def downgrade() -> None:
    op.drop_table("document_validity")
