"""The audit log of personal-data reads: who saw which personal field of which record, when, why.

Every time staff are shown a decrypted personal field (an applicant's ID number, a reporter's
phone), the service adds one `PersonalDataRead` row per field with `record_read`, in the same
transaction as the rest of the request's work. Rows are append-only: the ORM refuses to update
or delete them, and so does the database (triggers made by the Alembic migration that creates
the table in each service that keeps it).
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
