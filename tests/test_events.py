"""The event log is append-only on every backend; the outbox relay delivers at least once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from shared.auth import Principal, Role
from shared.events import AppendOnlyViolation, Event, OutboxMessage, OutboxRelay, record_event

ACTOR = Principal(subject="7", role=Role.CLERK, username="clerk7", agency_id=3)


async def test_an_event_and_its_outbox_message_are_written_in_the_callers_transaction(catalog) -> None:
    maker = catalog.app.state.sessionmaker
    async with maker() as session:
        record_event(
            session,
            aggregate_type="document",
            aggregate_id=1,
            action="published",
            actor=ACTOR,
            topic="catalog.document",
        )
        await session.rollback()
    async with maker() as session:
        assert (await session.exec(select(Event))).all() == []
        assert (await session.exec(select(OutboxMessage))).all() == []
        record_event(
            session,
            aggregate_type="document",
            aggregate_id=1,
            action="published",
            actor=ACTOR,
            topic="catalog.document",
            after={"title": "通知"},
        )
        await session.commit()
    async with maker() as session:
        event = (await session.exec(select(Event))).one()
        assert (event.actor_id, event.actor_role, event.action) == ("7", "clerk", "published")
        assert (await session.exec(select(OutboxMessage))).one().payload["after"] == {"title": "通知"}


async def test_events_cannot_be_updated_or_deleted_by_orm_or_sql(catalog) -> None:
    maker = catalog.app.state.sessionmaker
    async with maker() as session:
        record_event(session, aggregate_type="x", aggregate_id=1, action="made", actor=None)
        await session.commit()
    async with maker() as session:
        event = (await session.exec(select(Event))).one()
        event.action = "rewritten"
        session.add(event)
        with pytest.raises(AppendOnlyViolation):
            await session.commit()
    for statement in ("UPDATE events SET action = 'rewritten'", "DELETE FROM events"):
        async with maker() as session:
            with pytest.raises(sa.exc.DBAPIError):
                await (await session.connection()).execute(sa.text(statement))
                await session.commit()


async def test_the_relay_delivers_in_batches_and_retries_a_failed_batch_whole(catalog) -> None:
    maker = catalog.app.state.sessionmaker
    async with maker() as session:
        for i in range(3):
            record_event(
                session, aggregate_type="doc", aggregate_id=i, action="published", actor=ACTOR, topic="t"
            )
        record_event(session, aggregate_type="doc", aggregate_id=9, action="x", actor=ACTOR, topic="other")
        await session.commit()
    seen: list[str] = []
    failures = {"1": 1}

    async def handler(messages: list[OutboxMessage]) -> None:
        for message in messages:
            if failures.get(message.key, 0) > 0:
                failures[message.key] -= 1
                raise RuntimeError("consumer down")
        seen.extend(m.key for m in messages)

    relay = OutboxRelay(maker, {"t": handler}, max_backoff_seconds=0.0)
    assert await relay.deliver_once() == 0  # the batch failed whole: nothing marked delivered
    assert await relay.deliver_once() == 3
    assert seen == ["0", "1", "2"]
    assert await relay.deliver_once() == 0
    async with maker() as session:
        rows = {m.key: m for m in (await session.exec(select(OutboxMessage))).all()}
    assert rows["1"].attempts == 2 and "consumer down" in (rows["1"].last_error or "")
    assert rows["9"].delivered_at is None  # no consumer for that topic here: kept for one that has it


async def test_the_running_relay_delivers_soon_after_a_commit(catalog) -> None:
    import asyncio

    maker = catalog.app.state.sessionmaker
    delivered = asyncio.Event()

    async def handler(messages: list[OutboxMessage]) -> None:
        delivered.set()

    relay = OutboxRelay(maker, {"t": handler}, poll_seconds=0.05)
    relay.start()
    try:
        async with maker() as session:
            record_event(session, aggregate_type="doc", aggregate_id=1, action="a", actor=ACTOR, topic="t")
            await session.commit()
        relay.wake()
        await asyncio.wait_for(delivered.wait(), timeout=5)
    finally:
        await relay.stop()
