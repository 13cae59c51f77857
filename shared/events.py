"""The append-only event log and the transactional outbox, with the relay that delivers it.

Every state change writes an `Event` (who, role, when, what, before/after) in the same
transaction as the change; when other parts must learn of it, also an `OutboxMessage`.
The relay delivers outbox rows at least once; consumers must be idempotent (they get the
message id to deduplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Column, event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import Principal
from shared.db import UTCDateTime, backend_name, table_of, utcnow
from shared.observability import request_id_var

log = logging.getLogger("gongkai.outbox")


class Event(SQLModel, table=True):
    """One row per state change; never updated or deleted."""

    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    aggregate_type: str = Field(max_length=40, index=True)
    aggregate_id: str = Field(max_length=64, index=True)
    action: str = Field(max_length=60)
    actor_id: str | None = Field(default=None, max_length=64)
    actor_role: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    request_id: str | None = Field(default=None, max_length=128)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class OutboxMessage(SQLModel, table=True):
    """A message to deliver after its transaction commits (at least once)."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_pending", "delivered_at", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=80, index=True)
    key: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    available_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    attempts: int = 0
    last_error: str | None = None


class AppendOnlyViolation(RuntimeError):
    pass


@event.listens_for(Event, "before_update")
def _no_update(*_: Any) -> None:
    raise AppendOnlyViolation("events are append-only")


@event.listens_for(Event, "before_delete")
def _no_delete(*_: Any) -> None:
    raise AppendOnlyViolation("events are append-only")


def record_event(
    session: AsyncSession,
    *,
    aggregate_type: str,
    aggregate_id: Any,
    action: str,
    actor: Principal | None,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    topic: str | None = None,
) -> Event:
    """Adds the event (and, with `topic`, its outbox message) to the caller's transaction."""
    row = Event(
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        action=action,
        actor_id=actor.subject if actor else None,
        actor_role=actor.role if actor else None,
        reason=reason,
        before=before,
        after=after,
        request_id=request_id_var.get(),
    )
    session.add(row)
    if topic:
        session.add(
            OutboxMessage(
                topic=topic,
                key=str(aggregate_id),
                payload={
                    "aggregate_type": aggregate_type,
                    "aggregate_id": str(aggregate_id),
                    "action": action,
                    "after": after,
                },
            )
        )
    return row


_EVENT_INSERT = sa.insert(table_of(Event))  # compiled once, values bound


async def append_event(
    session: AsyncSession,
    *,
    aggregate_type: str,
    aggregate_id: Any,
    action: str,
    actor: Principal | None,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """`record_event` for hot paths (without an outbox message): the row is written at once in the
    caller's transaction with one prepared statement, instead of an ORM object flushed at commit,
    which cost as much as the rest of a submission."""
    connection = await session.connection()
    await connection.execute(
        _EVENT_INSERT,
        {
            "aggregate_type": aggregate_type,
            "aggregate_id": str(aggregate_id),
            "action": action,
            "actor_id": actor.subject if actor else None,
            "actor_role": actor.role if actor else None,
            "reason": reason,
            "before": before,
            "after": after,
            "request_id": request_id_var.get(),
            "at": utcnow(),
        },
    )


# A consumer gets the pending messages of its topic in id order, a batch at a time; it must be
# idempotent (a failed batch is delivered again, whole).
Handler = Callable[[list[OutboxMessage]], Awaitable[None]]


class OutboxRelay:
    """Polls undelivered outbox rows of the topics it has handlers for and delivers them."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        handlers: dict[str, Handler],
        *,
        poll_seconds: float = 0.5,
        batch_size: int = 50,
        max_backoff_seconds: float = 60.0,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.handlers = handlers
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.max_backoff = max_backoff_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def deliver_once(self) -> int:
        """Delivers one batch; returns how many messages were delivered."""
        if not self.handlers:
            return 0
        delivered = 0
        async with self.sessionmaker() as session:
            query = (
                select(OutboxMessage)
                .where(col(OutboxMessage.delivered_at).is_(None))
                .where(col(OutboxMessage.topic).in_(list(self.handlers)))
                .where(col(OutboxMessage.available_at) <= utcnow())
                .order_by(col(OutboxMessage.id))
                .limit(self.batch_size)
            )
            if backend_name(session) == "postgresql":
                query = query.with_for_update(skip_locked=True)
            messages = (await session.exec(query)).all()
            by_topic: dict[str, list[OutboxMessage]] = {}
            for message in messages:
                by_topic.setdefault(message.topic, []).append(message)
            for topic, group in by_topic.items():
                try:
                    await self.handlers[topic](group)
                except Exception as exc:  # a consumer failure must not stop the relay
                    for message in group:
                        message.attempts += 1
                        message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                        backoff = min(self.max_backoff, 0.5 * 2 ** min(message.attempts, 10))
                        message.available_at = utcnow() + timedelta(seconds=backoff)
                    log.warning(
                        "outbox delivery failed", extra={"fields": {"topic": topic, "error": str(exc)}}
                    )
                else:
                    for message in group:
                        message.delivered_at = utcnow()
                        message.attempts += 1
                    delivered += len(group)
                session.add_all(group)
            await session.commit()
        return delivered

    async def run(self) -> None:
        while not self._stopping:
            try:
                while not self._stopping and await self.deliver_once() == self.batch_size:
                    pass
            except Exception:
                log.exception("outbox relay pass failed")
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()

    def start(self) -> None:
        if self._task is None and self.handlers:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Lets the batch in flight finish (a consumer may be mid-write), then stops."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace_seconds)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
