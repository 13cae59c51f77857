"""The sender's rating of a reply, which closes the case or, 不满意 with `reopen`, sends it back to
be handled once more."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle, tracking
from services.feedback.lifecycle import Step
from services.feedback.models import CaseState, FeedbackCase, Rating
from services.feedback.schemas import RatingIn, TrackedRatingIn, TrackingStatus
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.deadlines import ClockEvent, ClockEventKind
from shared.errors import Conflict, InvalidField

REOPEN_DAYS = 15  # an unsatisfied sender may ask for the case to be handled again this long after the reply


async def rate(
    session: AsyncSession,
    case: FeedbackCase,
    data: RatingIn,
    actor: Principal | None,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """The sender's rating closes the case; 不满意 with `reopen` sends it back to its handler once,
    with a fresh time limit from today."""
    if case.rating is not None:
        raise Conflict("已评价过本次答复", code="already_rated")
    details: dict[str, Any] = {"rating": str(data.rating), "comment": data.comment}
    values: dict[str, Any] = {
        "rating": str(data.rating),
        "rating_comment": data.comment,
        "rated_at": now,
    }
    if data.reopen:
        if data.rating != Rating.UNSATISFIED:
            raise InvalidField("reopen", "只有不满意时可以要求重新办理")
        if case.round > 1:
            raise Conflict("每个事项只能重新办理一次", code="already_reopened")
        if case.replied_on is not None and today > case.replied_on + timedelta(days=REOPEN_DAYS):
            raise Conflict(
                f"答复已超过 {REOPEN_DAYS} 天，不能再要求重新办理；可以评价，或另行留言",
                code="reopen_period_over",
            )
        clock = [ClockEvent(ClockEventKind.RECEIVED, today)]
        if lifecycle.rules_for(case.rule_set, case.level).acceptance_days is not None:
            clock.append(ClockEvent(ClockEventKind.ACCEPTED, today))
        # The unsatisfied rating stays in the event; the case is open again and will be rated again.
        values = {
            "round": 2,
            "rating": None,
            "rating_comment": None,
            "rated_at": None,
            "closed_at": None,
            "on_time": None,
        }
        step = Step(
            "rate",
            actor,
            today,
            at=now,
            reason=data.comment,
            clock=clock,
            target=CaseState.ASSIGNED if case.owner_id else CaseState.RECEIVED,
            values=values,
            details={**details, "reopened": True},
            event_action="reopen",
        )
    else:
        if case.state == CaseState.REPLIED:
            values["closed_at"] = now
        step = Step(
            "rate",
            actor,
            today,
            at=now,
            reason=data.comment,
            target=CaseState.CLOSED,
            values=values,
            details=details,
        )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def rate_tracked(
    session: AsyncSession,
    tracking_no: str,
    data: TrackedRatingIn,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> TrackingStatus:
    """The rating of a sender without an account, who proves it with the query code."""
    case = await tracking.find_tracked(session, tracking_no, data.code)
    answer = RatingIn.model_validate(data.model_dump(exclude={"code"}))
    case = await rate(session, case, answer, None, calendar=calendar, today=today, now=now)
    return await tracking.tracking_status(session, case)
