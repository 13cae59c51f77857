"""The audit log of personal-data reads: who saw which personal field of which record, when, why.

Every time staff are shown a decrypted personal field (an applicant's ID number, a reporter's
phone), the service adds one `PersonalDataRead` row per field with `record_read`, in the same
transaction as the rest of the request's work. Rows are append-only: the ORM refuses to update
or delete them, and so does the database (triggers made by `create_audit_table`, which a
service's Alembic migration calls).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, event
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import Principal
from shared.db import UTCDateTime, utcnow
from shared.events import AppendOnlyViolation
from shared.observability import request_id_var

TABLE = "personal_data_reads"


class PersonalDataRead(SQLModel, table=True):
    """One personal field of one record shown to one member of staff; never updated or deleted."""

    __tablename__ = TABLE
    __table_args__ = (sa.Index("ix_personal_data_reads_record", "record_type", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    record_type: str = Field(max_length=40)
    record_id: str = Field(max_length=64)
    field: str = Field(max_length=60)
    actor_id: str = Field(max_length=64, index=True)
    actor_role: str = Field(max_length=20)
    purpose: str | None = Field(default=None, max_length=200)
    request_id: str | None = Field(default=None, max_length=128)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))


@event.listens_for(PersonalDataRead, "before_update")
def _no_update(*_: Any) -> None:
    raise AppendOnlyViolation("personal_data_reads are append-only")


@event.listens_for(PersonalDataRead, "before_delete")
def _no_delete(*_: Any) -> None:
    raise AppendOnlyViolation("personal_data_reads are append-only")


def record_read(
    session: AsyncSession,
    *,
    actor: Principal,
    record_type: str,
    record_id: Any,
    fields: list[str],
    purpose: str | None = None,
) -> list[PersonalDataRead]:
    """Adds one row per field read (duplicates once) to the caller's transaction; commits nothing."""
    at = utcnow()
    rows = [
        PersonalDataRead(
            record_type=record_type,
            record_id=str(record_id),
            field=field,
            actor_id=actor.subject,
            actor_role=str(actor.role),
            purpose=purpose,
            request_id=request_id_var.get(),
            at=at,
        )
        for field in dict.fromkeys(fields)
    ]
    session.add_all(rows)
    return rows


def create_audit_table(op: Any) -> None:
    """Migration step: the `personal_data_reads` table, its indexes and append-only triggers."""
    op.create_table(
        TABLE,
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
    op.create_index("ix_personal_data_reads_record", TABLE, ["record_type", "record_id"])
    op.create_index("ix_personal_data_reads_actor_id", TABLE, ["actor_id"])
    op.create_index("ix_personal_data_reads_at", TABLE, ["at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{TABLE} are append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} are append-only'); END"
            )


def drop_audit_table(op: Any) -> None:
    """Downgrade step undoing `create_audit_table` (the audit log goes with it)."""
    op.drop_table(TABLE)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only()")
