"""Statistics for supervision (docs/architecture.md, "Supervision"): counts, time to answer, on-time share and
satisfaction over the cases received in a period, for an agency and everything below it.

The median is the middle value (the mean of the two middle ones for an even count); the 95th
percentile is nearest-rank (the value at rank ⌈0.95·n⌉ of the sorted times), so it is one of the
cases' own times and a test can name it. On PostgreSQL both are computed in the database
(`percentile_cont(0.5)`, `percentile_disc(0.95)`: the same definitions); every count comes from
one grouped scan.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, extract
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle, queries
from services.feedback.models import CaseState, FeedbackCase, Rating
from services.feedback.schemas import AgencyCount, Durations, FeedbackStats
from shared.agencies import AgencyLookup
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar
from shared.deadlines import Flag
from shared.errors import Forbidden, InvalidField
from shared.scope import in_scope, subtree_condition

SATISFIED = frozenset({Rating.SATISFIED, Rating.BASICALLY_SATISFIED})


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def durations(pairs: list[tuple[datetime, datetime]]) -> Durations:
    hours = [(end - start).total_seconds() / 3600 for start, end in pairs]
    if not hours:
        return Durations(count=0, median_hours=None, p95_hours=None)
    return Durations(
        count=len(hours),
        median_hours=round(statistics.median(hours), 2),
        p95_hours=round(nearest_rank(hours, 0.95), 2),
    )


async def _scope(
    principal: Principal, agency_id: int | None, lookup: AgencyLookup
) -> tuple[int | None, str | None]:
    """(the agency counted, the path prefix of its subtree), checked against the caller's scope.
    A clerk counts the own agency only (what its queue holds); inspectors and admins a subtree."""
    if principal.role == Role.CLERK:
        if agency_id is not None and not in_scope(principal, agency_id, None):
            raise Forbidden("经办人员只能统计本机关", code="agency_scope")
        return principal.agency_id, None
    if principal.role == Role.INSPECTOR:
        agency_id = principal.region_id if agency_id is None else agency_id
        if agency_id is None:
            raise Forbidden("监察人员没有辖区", code="region_scope")
        path = await lookup(agency_id)
        if not in_scope(principal, agency_id, path):
            raise Forbidden("只能统计本辖区的机关", code="region_scope")
        return agency_id, path
    if agency_id is None:
        return None, None
    return agency_id, await lookup(agency_id)  # an unknown agency is a 422, not an empty table


async def compute(
    session: AsyncSession,
    *,
    principal: Principal,
    agency_id: int | None,
    from_date: date | None,
    to_date: date | None,
    lookup: AgencyLookup,
    calendar: WorkingCalendar,
    today: date,
) -> FeedbackStats:
    if from_date is not None and to_date is not None and from_date > to_date:
        raise InvalidField("from", "开始日期不能晚于结束日期")
    agency_id, _path = await _scope(principal, agency_id, lookup)  # the path: checked, counted by id
    clerk = principal.role == Role.CLERK

    def scoped(query: Any) -> Any:
        if clerk:  # the clerk's own agency's cases, as its queue shows them
            query = queries.scope(query, principal)
        elif agency_id is not None:  # the agency and all below it
            query = query.where(subtree_condition(agency_id, col(FeedbackCase.agency_path)))
        if from_date is not None:
            query = query.where(col(FeedbackCase.received_on) >= from_date)
        if to_date is not None:
            query = query.where(col(FeedbackCase.received_on) <= to_date)
        return query

    state = col(FeedbackCase.state)
    is_open = state.in_([str(s) for s in lifecycle.OPEN])
    closed = state == str(CaseState.CLOSED)

    def flagged(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    keys = (
        FeedbackCase.kind,
        FeedbackCase.channel,
        FeedbackCase.state,
        FeedbackCase.agency_id,
        FeedbackCase.rating,
    )
    rows = (
        await session.exec(
            scoped(
                select(  # type: ignore[call-overload]  # sqlmodel's select() is typed for at most four columns
                    *keys,
                    func.count(),
                    flagged(and_(closed, col(FeedbackCase.on_time).is_(True))),
                    flagged(and_(is_open, lifecycle.flag_condition(Flag.RED, calendar, today))),
                    flagged(and_(is_open, lifecycle.flag_condition(Flag.YELLOW, calendar, today))),
                ).group_by(*keys)
            )
        )
    ).all()
    by: dict[str, Counter[str]] = {name: Counter() for name in ("kind", "channel", "state", "rating")}
    by_agency: Counter[int] = Counter()
    closed_on_time = overdue = yellow = 0
    for kind, channel, state_, agency, rating, n, on_time, red, soon in rows:
        by["kind"][kind] += n
        by["channel"][channel] += n
        by["state"][state_] += n
        if rating is not None:
            by["rating"][rating] += n
        by_agency[agency] += n
        closed_on_time, overdue, yellow = (
            closed_on_time + (on_time or 0),
            overdue + (red or 0),
            yellow + (soon or 0),
        )

    first_reply = await _durations(session, scoped, col(FeedbackCase.first_replied_at), None)
    to_close = await _durations(session, scoped, col(FeedbackCase.closed_at), closed)
    total = sum(by["kind"].values())
    n_closed = by["state"].get(str(CaseState.CLOSED), 0)
    rated = sum(by["rating"].values())
    satisfied = sum(n for code, n in by["rating"].items() if Rating(code) in SATISFIED)
    return FeedbackStats(
        agency_id=agency_id,
        from_date=from_date,
        to_date=to_date,
        total=total,
        by_kind=dict(by["kind"]),
        by_channel=dict(by["channel"]),
        by_state=dict(by["state"]),
        by_agency=[AgencyCount(agency_id=a, count=n) for a, n in sorted(by_agency.items())],
        closed=n_closed,
        closed_on_time=closed_on_time,
        on_time_share=round(closed_on_time / n_closed, 4) if n_closed else None,
        first_reply=first_reply,
        close=to_close,
        rated=rated,
        by_rating=dict(by["rating"]),
        satisfaction_rate=round(satisfied / rated, 4) if rated else None,
        overdue_open=overdue,
        yellow_open=yellow,
    )


async def _durations(session: AsyncSession, scoped: Any, end: Any, condition: Any) -> Durations:
    """Hours from receipt to `end`: in the database on PostgreSQL, from the rows elsewhere."""
    query_filter = [end.is_not(None)] + ([condition] if condition is not None else [])
    dialect = (await session.connection()).dialect.name
    if dialect != "postgresql":
        pairs = await session.exec(scoped(select(FeedbackCase.received_at, end).where(*query_filter)))
        return durations([(a, b) for a, b in pairs.all()])
    hours = extract("epoch", end - col(FeedbackCase.received_at)) / 3600
    count, median, p95 = (
        await session.exec(
            scoped(
                select(
                    func.count(),
                    func.percentile_cont(0.5).within_group(hours),
                    func.percentile_disc(0.95).within_group(hours),
                ).where(*query_filter)
            )
        )
    ).one()
    if not count:
        return Durations(count=0, median_hours=None, p95_hours=None)
    return Durations(count=count, median_hours=round(float(median), 2), p95_hours=round(float(p95), 2))
