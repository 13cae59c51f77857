"""Statistics for supervision (DOMAIN.md, Supervision): counts, time to answer, on-time share and
satisfaction over the cases received in a period, for an agency and everything below it.

Percentiles are nearest-rank (the value at rank ⌈p·n⌉ of the sorted times), so every figure is one
of the cases' own times and a test can name it.
"""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime
from typing import Any

from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle
from services.feedback.models import CaseState, FeedbackCase, Rating
from services.feedback.schemas import AgencyCount, Durations, FeedbackStats
from shared.agencies import AgencyLookup
from shared.auth import Principal, Role, region_marker
from shared.calendar import WorkingCalendar
from shared.deadlines import yellow_until
from shared.errors import Forbidden, InvalidField

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


async def _scope_marker(
    principal: Principal, agency_id: int | None, lookup: AgencyLookup
) -> tuple[int | None, str | None]:
    """The agency whose subtree is counted, as a path marker; checked against the caller's scope.
    A clerk counts the own agency only (what its queue holds); inspectors and admins a subtree."""
    if principal.role == Role.CLERK:
        if agency_id is not None and agency_id != principal.agency_id:
            raise Forbidden("经办人员只能统计本机关", code="agency_scope")
        agency_id = principal.agency_id
    elif principal.role == Role.INSPECTOR:
        if agency_id is None:
            agency_id = principal.region_id
        elif not principal.watches(await lookup(agency_id)):
            raise Forbidden("只能统计本辖区的机关", code="region_scope")
    elif agency_id is not None:
        await lookup(agency_id)  # an unknown agency is a 422, not an empty table
    return agency_id, region_marker(agency_id) if agency_id is not None else None


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
    agency_id, marker = await _scope_marker(principal, agency_id, lookup)
    clerk = principal.role == Role.CLERK

    def scoped(query: Any) -> Any:
        if clerk:  # the clerk's own agency's cases, as its queue shows them
            query = query.where(FeedbackCase.agency_id == agency_id).where(
                or_(
                    col(FeedbackCase.accused_agency_id).is_(None),
                    col(FeedbackCase.accused_agency_id) != agency_id,
                )
            )
        elif marker is not None:
            query = query.where(col(FeedbackCase.agency_path).contains(marker))
        if from_date is not None:
            query = query.where(col(FeedbackCase.received_on) >= from_date)
        if to_date is not None:
            query = query.where(col(FeedbackCase.received_on) <= to_date)
        return query

    async def grouped(column: Any) -> dict[str, int]:
        rows = await session.exec(scoped(select(column, func.count()).group_by(column)))
        return {str(key): n for key, n in rows.all() if key is not None}

    by_kind = await grouped(FeedbackCase.kind)
    by_channel = await grouped(FeedbackCase.channel)
    by_state = await grouped(FeedbackCase.state)
    by_rating = await grouped(FeedbackCase.rating)
    by_agency_rows = await session.exec(
        scoped(select(FeedbackCase.agency_id, func.count()).group_by(FeedbackCase.agency_id)).order_by(
            col(FeedbackCase.agency_id)
        )
    )
    closed_state = FeedbackCase.state == str(CaseState.CLOSED)
    closed_on_time = (
        await session.exec(
            scoped(select(func.count()).where(closed_state).where(col(FeedbackCase.on_time).is_(True)))
        )
    ).one()
    open_states = col(FeedbackCase.state).in_([str(s) for s in lifecycle.OPEN])
    overdue = (
        await session.exec(
            scoped(select(func.count()).where(open_states).where(col(FeedbackCase.due_on) < today))
        )
    ).one()
    yellow = (
        await session.exec(
            scoped(
                select(func.count())
                .where(open_states)
                .where(col(FeedbackCase.due_on) >= today)
                .where(col(FeedbackCase.due_on) <= yellow_until(today, calendar))
            )
        )
    ).one()
    first = await session.exec(
        scoped(
            select(FeedbackCase.received_at, FeedbackCase.first_replied_at).where(
                col(FeedbackCase.first_replied_at).is_not(None)
            )
        )
    )
    closing = await session.exec(
        scoped(select(FeedbackCase.received_at, FeedbackCase.closed_at).where(closed_state))
    )
    total = sum(by_kind.values())
    closed = by_state.get(str(CaseState.CLOSED), 0)
    rated = sum(by_rating.values())
    satisfied = sum(n for code, n in by_rating.items() if Rating(code) in SATISFIED)
    return FeedbackStats(
        agency_id=agency_id,
        from_date=from_date,
        to_date=to_date,
        total=total,
        by_kind=by_kind,
        by_channel=by_channel,
        by_state=by_state,
        by_agency=[AgencyCount(agency_id=a, count=n) for a, n in by_agency_rows.all()],
        closed=closed,
        closed_on_time=closed_on_time,
        on_time_share=round(closed_on_time / closed, 4) if closed else None,
        first_reply=durations([(a, b) for a, b in first.all()]),
        close=durations([(a, b) for a, b in closing.all() if b is not None]),
        rated=rated,
        by_rating=by_rating,
        satisfaction_rate=round(satisfied / rated, 4) if rated else None,
        overdue_open=overdue,
        yellow_open=yellow,
    )
