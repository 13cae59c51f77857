"""Lists of cases in the caller's scope: the work queue with its filters and flags, and the yellow
and red cases for supervision (电子监察)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle, service
from services.feedback.models import (
    KIND_LABELS,
    STATE_LABELS,
    CaseState,
    Channel,
    FeedbackCase,
    FeedbackKind,
    Rating,
)
from services.feedback.schemas import CaseSummary
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar
from shared.db import row_id
from shared.deadlines import Flag, flag_for_due
from shared.pagination import PageParams
from shared.scope import scope_condition
from shared.supervision import OverdueList, SupervisionItem, listed_flag

# Any select over feedback cases: the rows themselves, or counts grouped by their columns.
Query = TypeVar("Query", bound=Select[Any])


def scope(query: Query, principal: Principal) -> Query:
    if principal.role == Role.PUBLIC:
        return query.where(col(FeedbackCase.sender_user_id) == principal.subject)
    own = scope_condition(principal, col(FeedbackCase.agency_id), col(FeedbackCase.agency_path))
    if own is None:
        return query.where(col(FeedbackCase.id) < 0)
    if principal.role == Role.CLERK:  # never a report that names the clerk's own agency
        return query.where(own).where(
            or_(
                col(FeedbackCase.accused_agency_id).is_(None),
                col(FeedbackCase.accused_agency_id) != principal.agency_id,
            )
        )
    # an inspector also sees reports about an agency of the region
    accused = scope_condition(
        principal, col(FeedbackCase.accused_agency_id), col(FeedbackCase.accused_agency_path)
    )
    assert accused is not None  # the rule that scoped `own` scopes this too
    return query.where(or_(own, accused))


def _flag(case: FeedbackCase, calendar: WorkingCalendar, today: date) -> Flag:
    if CaseState(case.state) not in lifecycle.OPEN:
        return Flag.CLOSED
    return flag_for_due(case.due_on, today, calendar, lifecycle.rule_set_of(case).warn_working_days)


def _flag_filter(query: Any, flag: str, calendar: WorkingCalendar, today: date) -> Any:
    query = query.where(col(FeedbackCase.state).in_([str(s) for s in lifecycle.OPEN]))
    return query.where(lifecycle.flag_condition(flag, calendar, today))


async def list_cases(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    state: CaseState | None,
    kind: FeedbackKind | None,
    channel: Channel | None,
    flag: str | None,
    mine: bool,
    calendar: WorkingCalendar,
    today: date,
) -> tuple[list[CaseSummary], int]:
    query = scope(select(FeedbackCase), principal)
    if state is not None:
        query = query.where(FeedbackCase.state == str(state))
    if kind is not None:
        query = query.where(FeedbackCase.kind == str(kind))
    if channel is not None:
        query = query.where(FeedbackCase.channel == str(channel))
    if mine:
        query = query.where(FeedbackCase.owner_id == principal.subject)
    if flag is not None:
        query = _flag_filter(query, flag, calendar, today)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (
        await session.exec(
            query.order_by(col(FeedbackCase.received_at).desc(), col(FeedbackCase.id).desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
    ).all()
    staff = principal.role != Role.PUBLIC
    items = [
        CaseSummary(
            id=row_id(c),
            tracking_no=c.tracking_no,
            kind=FeedbackKind(c.kind),
            channel=Channel(c.channel),
            agency_id=c.agency_id,
            subject=c.subject,
            state=CaseState(c.state),
            owner_id=c.owner_id if staff else None,
            received_on=c.received_on,
            due=c.due_on,
            flag=str(_flag(c, calendar, today)),
            provisional=c.due_provisional,
            rating=Rating(c.rating) if c.rating else None,
            labels=service.labels_of(c),
        )
        for c in rows
    ]
    return items, total


async def overdue(
    session: AsyncSession,
    *,
    principal: Principal,
    flag: str | None,
    limit: int,
    calendar: WorkingCalendar,
    today: date,
) -> OverdueList:
    """Open cases in the caller's scope that are yellow or red today, nearest due first."""
    query = scope(select(FeedbackCase), principal)
    query = query.where(col(FeedbackCase.state).in_([str(s) for s in lifecycle.OPEN]))
    flags = [flag] if flag else [Flag.RED, Flag.YELLOW]
    query = query.where(or_(*(lifecycle.flag_condition(f, calendar, today) for f in flags)))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (
        await session.exec(query.order_by(col(FeedbackCase.due_on), col(FeedbackCase.id)).limit(limit))
    ).all()
    return OverdueList(items=[_supervision_item(c, calendar, today) for c in rows], total=total)


def _supervision_item(c: FeedbackCase, calendar: WorkingCalendar, today: date) -> SupervisionItem:
    assert c.due_on is not None  # a yellow or red case has a due date
    return SupervisionItem(
        service="feedback",
        item_type=lifecycle.AGGREGATE,
        id=row_id(c),
        tracking_no=c.tracking_no,
        agency_id=c.agency_id,
        title=f"{KIND_LABELS[FeedbackKind(c.kind)]}：{c.subject}",
        state=c.state,
        state_label=STATE_LABELS[CaseState(c.state)],
        due=c.due_on,
        flag=listed_flag(_flag(c, calendar, today)),
        provisional=c.due_provisional,
        owner_id=c.owner_id,
        url=f"/api/v1/feedback/messages/{c.id}",
    )
