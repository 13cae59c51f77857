"""复查 and 复核 (信访工作条例第三十五条、第三十六条): a sender unsatisfied with a 信访 case's written opinion may,
within 30 days of receiving it, ask the level above the agency that gave it for 复查; unsatisfied
with the 复查 opinion, within 30 days again, the level above that for 复核; after 复核 nothing more.

Each request becomes a case of its own at the receiving agency — its own tracking number and query
code, its 30-day limit (`lifecycle.PETITION_REVIEW`), its place in that agency's queue and in the
yellow/red lists, its reply and written opinion — linked to the case it contests. Days are natural
days, a last day off moving to the next working day (民法典第二百零三条), as for every 信访 limit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import intake, lifecycle, notices, service, tracking
from services.feedback.models import REVIEW_LEVEL_LABELS, CaseState, FeedbackCase, ReviewLevel
from services.feedback.schemas import MessageReceipt, ReviewRequestIn, TrackedReviewRequestIn
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.deadlines import add_days
from shared.errors import Conflict, InvalidField
from shared.events import record_event
from shared.personal_data import PersonalDataCipher
from shared.tracking import new_tracking_no

ANSWERED = frozenset({CaseState.REPLIED, CaseState.CLOSED})
NEXT_LEVEL = {None: ReviewLevel.REVIEW, ReviewLevel.REVIEW: ReviewLevel.FINAL_REVIEW}
OPINION_NAMES = {None: "办理意见", ReviewLevel.REVIEW: "复查意见"}


def _next_level(case: FeedbackCase, asked: ReviewLevel) -> ReviewLevel:
    """The level a request on this case's opinion goes to; the sender's `level` must name it."""
    current = ReviewLevel(case.review_level) if case.review_level else None
    if current == ReviewLevel.FINAL_REVIEW:
        raise Conflict(
            "复核意见为最终意见；对复核意见不服，仍以同一事实和理由提出的，不再受理（《信访工作条例》第三十六条）",
            code="review_concluded",
        )
    if current is None and lifecycle.rules_for(case.rule_set, None).acceptance_days is None:
        raise Conflict(
            "意见箱、来电的答复不适用复查；不满意的，可以在评价时要求重新办理",
            code="review_not_applicable",
        )
    level = NEXT_LEVEL[current]
    if asked != level:
        if asked == ReviewLevel.FINAL_REVIEW:
            raise Conflict("复核针对复查意见：请先向上一级机关请求复查", code="review_required_first")
        raise InvalidField(
            "level", "对复查意见不服的，请求复核（final_review）", code="final_review_expected"
        )
    return level


def _check_window(
    case: FeedbackCase, data: ReviewRequestIn, level: ReviewLevel, calendar: WorkingCalendar, today: date
) -> date:
    """The day the sender received the opinion, checked against the 30 days of 第三十五条 (复查) and 第三十六条 (复核)."""
    assert case.replied_on is not None
    opinion = OPINION_NAMES[ReviewLevel(case.review_level) if case.review_level else None]
    received = data.received_on or case.replied_on
    if received < case.replied_on:
        raise InvalidField("received_on", f"不能早于{opinion}出具的日期 {case.replied_on}")
    if received > today:
        raise InvalidField("received_on", "不能晚于今天")
    last = add_days(received, notices.REVIEW_DAYS, lifecycle.PETITION_REVIEW, calendar).day
    if today > last:
        raise InvalidField(
            "received_on",
            f"请求{REVIEW_LEVEL_LABELS[level]}须自收到{opinion}之日（{received}）起 {notices.REVIEW_DAYS} 日内提出，"
            f"期限已于 {last} 届满，不再受理",
            code="review_period_over",
        )
    return received


async def request_review(
    session: AsyncSession,
    case: FeedbackCase,
    data: ReviewRequestIn,
    actor: Principal | None,
    *,
    cipher: PersonalDataCipher,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> MessageReceipt:
    """Opens the 复查 (复核) case at the level above, with the event on both cases, in one commit."""
    level = _next_level(case, data.level)
    if CaseState(case.state) not in ANSWERED or case.replied_on is None or not case.reply:
        raise Conflict(
            f"尚未出具{OPINION_NAMES[ReviewLevel(case.review_level) if case.review_level else None]}，"
            f"不能请求{REVIEW_LEVEL_LABELS[level]}",
            code="no_opinion",
        )
    received = _check_window(case, data, level, calendar, today)
    earlier = (
        await session.exec(select(FeedbackCase.id).where(FeedbackCase.reviewed_case_id == case.id))
    ).first()
    if earlier is not None:
        raise Conflict(
            f"已对该意见请求过{REVIEW_LEVEL_LABELS[level]}（事项 {earlier}）", code="review_already_requested"
        )
    higher = notices.higher_agency(case.agency_path)
    if higher is None:
        raise Conflict(
            f"办理机关没有上一级机关，不能请求{REVIEW_LEVEL_LABELS[level]}", code="no_higher_agency"
        )
    agency_id, path = higher
    review = FeedbackCase(
        tracking_no=new_tracking_no(intake.TRACKING_PREFIX, today),
        query_code_hash="",
        kind=case.kind,
        channel=case.channel,
        agency_id=agency_id,
        agency_path=path,
        accused_agency_id=case.accused_agency_id,
        accused_agency_path=case.accused_agency_path,
        subject=f"{REVIEW_LEVEL_LABELS[level]}：{case.subject}"[:200],
        content=data.reason,
        content_hash=intake.content_hash(case.kind, agency_id, data.reason),
        anonymous=case.anonymous,
        sender_user_id=case.sender_user_id,
        rule_set=lifecycle.PETITION_REVIEW.key,
        state=str(CaseState.RECEIVED),
        received_at=now,
        received_on=today,
        review_level=str(level),
        reviewed_case_id=case.id,
        created_by=actor.subject if actor is not None else None,
        created_at=now,
        updated_at=now,
    )
    sender = service.sender_of(case, cipher, masked=False)
    if sender is not None:  # sealed again under the new case's own number
        service.set_sender(review, cipher, sender.name, sender.phone, sender.email, sender.address)
    details: dict[str, Any] = {"level": str(level), "opinion_received_on": received.isoformat()}
    try:
        review, code = await intake.create_case(
            session,
            review,
            action="review_opened",
            actor=actor,
            calendar=calendar,
            today=today,
            details={**details, "reviewed_case_id": case.id, "agency_id": agency_id},
        )
        record_event(
            session,
            aggregate_type=lifecycle.AGGREGATE,
            aggregate_id=case.id,
            action="review_requested",
            actor=actor,
            reason=data.reason,
            after={"round": case.round, "review_case_id": review.id, **details},
        )
        await session.commit()
    except IntegrityError:  # the same opinion contested twice at once
        await session.rollback()
        raise Conflict(
            f"已对该意见请求过{REVIEW_LEVEL_LABELS[level]}", code="review_already_requested"
        ) from None
    return intake.receipt_of(review, code)


async def request_tracked_review(
    session: AsyncSession,
    tracking_no: str,
    data: TrackedReviewRequestIn,
    **ctx: Any,
) -> MessageReceipt:
    """The request of a sender without an account, who proves it with the query code."""
    case = await tracking.find_tracked(session, tracking_no, data.code)
    request = ReviewRequestIn.model_validate(data.model_dump(exclude={"code"}))
    return await request_review(session, case, request, None, **ctx)
