"""The holiday calendar changed: stored due dates of open cases follow it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement
from sqlmodel import and_, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle
from services.feedback.models import CalendarState, FeedbackCase
from shared.calendar import WorkingCalendar
from shared.db import row_id, utcnow
from shared.deadlines import DeadlineRuleViolation
from shared.events import record_event

RECOMPUTE_BATCH = 500


async def follow_calendar(
    session: AsyncSession, calendar: WorkingCalendar, today: date, *, since: datetime | None = None
) -> int | None:
    """Recomputes the stored due dates of open cases when the calendar differs from the one they
    were computed with (docs/time-limits.md, "Working days": a corrected calendar moves
    deadlines). Returns how many moved, or None when nothing had to be done.

    `since`: this process had been counting with an older calendar from then on. Another replica
    may already have recorded the new one and recomputed every open case; the cases changed here
    since then were counted with the old one all the same, and are recomputed."""
    fingerprint = calendar.fingerprint()
    stored = await session.get(CalendarState, 1, with_for_update=True)
    recorded = stored is not None and stored.fingerprint == fingerprint
    if recorded and since is None:
        await session.rollback()
        return None
    which: ColumnElement[bool] = col(FeedbackCase.state).in_([str(s) for s in lifecycle.OPEN])
    if recorded:
        which = and_(which, col(FeedbackCase.updated_at) >= since)
    moved, last_id = 0, 0
    while True:
        batch = (
            await session.exec(
                select(FeedbackCase)
                .where(which)
                .where(col(FeedbackCase.id) > last_id)
                .order_by(col(FeedbackCase.id))
                .limit(RECOMPUTE_BATCH)
            )
        ).all()
        if not batch:
            break
        events = await lifecycle.events_of(session, [row_id(c) for c in batch])
        for case in batch:
            try:
                found = lifecycle.deadline(case, events[row_id(case)], calendar, today)
            except DeadlineRuleViolation:
                continue  # a history that breaks a rule keeps its due date; the case view names the problem
            if (found.due, found.provisional) != (case.due_on, case.due_provisional):
                case.due_on, case.due_provisional = found.due, found.provisional
                session.add(case)
                moved += 1
        last_id = row_id(batch[-1])
    if stored is None:
        session.add(CalendarState(id=1, fingerprint=fingerprint))
    elif not recorded:
        stored.fingerprint, stored.updated_at = fingerprint, utcnow()
        session.add(stored)
    record_event(
        session,
        aggregate_type="calendar",
        aggregate_id=fingerprint[:16],
        action="due_dates_recomputed",
        actor=None,
        after={"moved": moved, **({"changed_since": since.isoformat()} if recorded and since else {})},
    )
    await session.commit()
    return moved
