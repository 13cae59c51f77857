"""The holiday calendar the deadlines count with: admin-entered overrides over `chinese_calendar`,
over the statutory holidays for a year neither covers; a year stays provisional until an admin
confirms it as wholly entered.

Deadlines are derived from the events and the calendar; entering a year's calendar rewrites, in the
same transaction, the deadline columns the application rows keep for lists, and the next read of
an application's own deadline counts with it too. The loaded `WorkingCalendar` is cached on `app.state`:
dropped on a write in this process, re-read by other workers and replicas within `CACHE_TTL` seconds
(which then rewrite what they stored with the old calendar in between, see `current`).
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import lifecycle
from services.requests.models import CLOSED_STATES, Application, CalendarDay, CalendarYear
from services.requests.schemas import CalendarDayPublic, CalendarYearIn, CalendarYearPublic, StatutoryHoliday
from shared.auth import Principal
from shared.calendar import WorkingCalendar, start_of_local_day, statutory_holidays
from shared.db import utcnow
from shared.errors import InvalidField
from shared.events import record_event

CACHE_TTL = 30.0  # seconds another replica may count with a calendar an admin has just changed


def known_to_library(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


async def load(session: AsyncSession) -> WorkingCalendar:
    rows = (await session.exec(select(CalendarDay))).all()
    confirmed = (await session.exec(select(CalendarYear.year))).all()
    return WorkingCalendar({row.day: row.working for row in rows}, confirmed)


async def current(state: Any) -> WorkingCalendar:
    """The cached calendar, re-read from the database when older than `CACHE_TTL`.

    When the re-read finds that another process (a worker or a replica) changed the calendar, this
    process may have stored due dates counted with the old one since its last read: those rows are
    rewritten with the new calendar before it is used."""
    cached: tuple[float, WorkingCalendar, datetime] | None = getattr(state, "calendar_cache", None)
    now = time.monotonic()
    if cached is not None and now - cached[0] < CACHE_TTL:
        return cached[1]
    read_at = utcnow()
    async with state.sessionmaker() as session:
        calendar = await load(session)
        if cached is not None and cached[1].fingerprint() != calendar.fingerprint():
            # Requests already under way at the last read may have committed after it: a margin.
            since = cached[2] - timedelta(seconds=CACHE_TTL)
            await lifecycle.refresh_stored(session, calendar, col(Application.updated_at) >= since)
            await session.commit()
    state.calendar_cache = (now, calendar, read_at)
    return calendar


async def fill_never_computed(sessionmaker: Any) -> int:
    """Computes the deadline columns of the applications that never had them (rows written before
    migration 0007 added the columns): a migration keeps only the schema of its day, while these
    columns come from today's deadline rules, so the process fills them when it starts. Returns how
    many rows it wrote (none once done: every write since computes them)."""
    async with sessionmaker() as session:
        filled = await lifecycle.refresh_stored(
            session, await load(session), col(Application.deadline_stage).is_(None)
        )
        await session.commit()
    return filled


def invalidate(state: Any) -> None:
    state.calendar_cache = None


def _public(row: CalendarDay) -> CalendarDayPublic:
    return CalendarDayPublic(
        day=row.day, working=row.working, name=row.name, updated_by=row.updated_by, updated_at=row.updated_at
    )


async def year_days(session: AsyncSession, year: int) -> list[CalendarDay]:
    query = (
        select(CalendarDay)
        .where(col(CalendarDay.day) >= date(year, 1, 1), col(CalendarDay.day) <= date(year, 12, 31))
        .order_by(col(CalendarDay.day))
    )
    return list((await session.exec(query)).all())


async def get_year(session: AsyncSession, year: int) -> CalendarYearPublic:
    rows = await year_days(session, year)
    known = known_to_library(year)
    confirmed = await session.get(CalendarYear, year)
    return CalendarYearPublic(
        year=year,
        known_to_library=known,
        entered=bool(rows),
        confirmed=confirmed is not None,
        confirmed_by=confirmed.confirmed_by if confirmed else None,
        confirmed_at=confirmed.confirmed_at if confirmed else None,
        provisional=not known and confirmed is None,
        statutory=[StatutoryHoliday(day=d, name=n) for d, n in statutory_holidays(year).items()],
        days=[_public(row) for row in rows],
    )


def _snapshot(rows: list[CalendarDay]) -> list[dict[str, Any]]:
    return [{"day": r.day.isoformat(), "working": r.working, "name": r.name} for r in rows]


async def replace_year(
    session: AsyncSession, year: int, data: CalendarYearIn | None, actor: Principal
) -> CalendarYearPublic:
    """Replaces (or, with no data, deletes) the year's overrides and its confirmation, with its event,
    in one transaction: a year is confirmed only when the admin says the whole year is entered."""
    days = data.days if data is not None else []
    seen: set[date] = set()
    for i, item in enumerate(days):
        if item.day.year != year:
            raise InvalidField(f"days.{i}.day", f"{item.day} 不在 {year} 年内")
        if item.day in seen:
            raise InvalidField(f"days.{i}.day", f"{item.day} 重复")
        seen.add(item.day)
    before = await year_days(session, year)
    before_snapshot = _snapshot(before)
    was_confirmed = await session.get(CalendarYear, year)
    confirm = data is not None and data.confirmed
    for old in before:
        await session.delete(old)
    if was_confirmed is not None and not confirm:
        await session.delete(was_confirmed)
    await session.flush()
    rows = [
        CalendarDay(day=item.day, working=item.working, name=item.name, updated_by=actor.subject)
        for item in sorted(days, key=lambda d: d.day)
    ]
    session.add_all(rows)
    if confirm:
        if was_confirmed is None:
            session.add(CalendarYear(year=year, confirmed_by=actor.subject))
        else:
            was_confirmed.confirmed_by, was_confirmed.confirmed_at = actor.subject, utcnow()
    await session.flush()
    # The stored deadlines counted with the old calendar: rewrite, in this transaction, every
    # application whose clock may have counted a day of this year (received by its end, and open,
    # or closed with a due date or a last change in it or later).
    start = date(year, 1, 1)
    await lifecycle.refresh_stored(
        session,
        await load(session),
        and_(
            col(Application.received_on) <= date(year, 12, 31),
            or_(
                col(Application.state).not_in([str(s) for s in CLOSED_STATES]),
                col(Application.due_on).is_(None),
                col(Application.due_on) >= start,
                col(Application.updated_at) >= start_of_local_day(start),
            ),
        ),
    )
    record_event(
        session,
        aggregate_type="calendar",
        aggregate_id=year,
        action="replace" if data is not None else "delete",
        actor=actor,
        before={"days": before_snapshot, "confirmed": was_confirmed is not None},
        after={"days": _snapshot(rows), "confirmed": confirm},
    )
    await session.commit()
    return await get_year(session, year)
