"""Review cases (行政复议 / 行政诉讼) about an application: recorded by the clerks of the application's
agency, read by them and the region's inspectors; each change writes an event in the same transaction."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import service
from services.requests.models import (
    REVIEW_KIND_LABELS,
    REVIEW_RESULT_LABELS,
    Application,
    ReviewCase,
    ReviewKind,
    ReviewResult,
)
from services.requests.schemas import ReviewCaseIn, ReviewCasePublic, ReviewCaseResultIn
from shared.auth import Principal
from shared.db import row_id, utcnow
from shared.errors import InvalidField, NotFound
from shared.events import record_event

AGGREGATE = "review_case"


def public(case: ReviewCase) -> ReviewCasePublic:
    return ReviewCasePublic(
        id=row_id(case),
        application_id=case.application_id,
        kind=ReviewKind(case.kind),
        kind_label=REVIEW_KIND_LABELS[ReviewKind(case.kind)],
        filed_on=case.filed_on,
        result=ReviewResult(case.result),
        result_label=REVIEW_RESULT_LABELS[ReviewResult(case.result)],
        concluded_on=case.concluded_on,
        note=case.note,
        created_by=case.created_by,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def _snapshot(case: ReviewCase) -> dict[str, str | None]:
    return {
        "kind": case.kind,
        "filed_on": case.filed_on.isoformat(),
        "result": case.result,
        "concluded_on": case.concluded_on.isoformat() if case.concluded_on else None,
    }


async def create(
    session: AsyncSession, application: Application, data: ReviewCaseIn, actor: Principal, today: date
) -> ReviewCasePublic:
    if data.filed_on > today:
        raise InvalidField("filed_on", "不能晚于今天")
    if data.filed_on < application.received_on:
        raise InvalidField("filed_on", f"不能早于收到申请的日期 {application.received_on}")
    case = ReviewCase(
        application_id=row_id(application),
        kind=str(data.kind),
        filed_on=data.filed_on,
        result=str(ReviewResult.PENDING),
        note=data.note,
        created_by=actor.subject,
    )
    session.add(case)
    await session.flush()
    record_event(
        session,
        aggregate_type=AGGREGATE,
        aggregate_id=case.id,
        action="review_case_filed",
        actor=actor,
        reason=data.note,
        after={**_snapshot(case), "application_id": application.id},
    )
    await session.commit()
    await session.refresh(case)
    return public(case)


async def load_for_clerk(session: AsyncSession, case_id: int, actor: Principal) -> ReviewCase:
    """The case, if the caller is a clerk who may handle its application; otherwise 404 / 403."""
    case = await session.get(ReviewCase, case_id)
    if case is None:
        raise NotFound(f"复议诉讼案件 {case_id} 不存在", code="review_case_not_found")
    try:
        await service.load_as_clerk(session, case.application_id, actor)
    except NotFound:
        raise NotFound(f"复议诉讼案件 {case_id} 不存在", code="review_case_not_found") from None
    return case


async def record_result(
    session: AsyncSession, case: ReviewCase, data: ReviewCaseResultIn, actor: Principal, today: date
) -> ReviewCasePublic:
    if data.result == ReviewResult.PENDING:
        if data.concluded_on is not None:
            raise InvalidField("concluded_on", "尚未审结的案件不能有审结日期")
        concluded = None
    else:
        concluded = data.concluded_on or today
        if concluded > today:
            raise InvalidField("concluded_on", "不能晚于今天")
        if concluded < case.filed_on:
            raise InvalidField("concluded_on", f"不能早于申请复议或起诉的日期 {case.filed_on}")
    before = _snapshot(case)
    case.result = str(data.result)
    case.concluded_on = concluded
    if data.note is not None:
        case.note = data.note
    case.updated_at = utcnow()
    session.add(case)
    record_event(
        session,
        aggregate_type=AGGREGATE,
        aggregate_id=case.id,
        action="review_case_result",
        actor=actor,
        reason=data.note,
        before=before,
        after=_snapshot(case),
    )
    await session.commit()
    await session.refresh(case)
    return public(case)


async def list_for(session: AsyncSession, application: Application) -> list[ReviewCasePublic]:
    rows = await session.exec(
        select(ReviewCase)
        .where(ReviewCase.application_id == application.id)
        .order_by(col(ReviewCase.filed_on), col(ReviewCase.id))
    )
    return [public(c) for c in rows.all()]
