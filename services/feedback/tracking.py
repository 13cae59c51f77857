"""Tracking without an account: the tracking number and the query code given once at receipt."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import notices, service
from services.feedback.models import STATE_LABELS, CaseState, FeedbackCase, FeedbackKind, Rating
from services.feedback.schemas import TrackingStatus
from shared.errors import NotFound
from shared.tracking import code_matches


async def find_tracked(session: AsyncSession, tracking_no: str, code: str) -> FeedbackCase:
    """Unknown number and wrong code answer alike (and take alike)."""
    case = (
        await session.exec(
            select(FeedbackCase).where(FeedbackCase.tracking_no == tracking_no.strip().upper())
        )
    ).first()
    if not code_matches(code, case.query_code_hash if case else None) or case is None:
        raise NotFound("事项编号或查询码不正确", code="tracking_not_found")
    return case


async def tracking_status(session: AsyncSession, case: FeedbackCase) -> TrackingStatus:
    """What the holder of the code sees: the progress, the reply, and the written notices."""
    rateable = CaseState(case.state) in (CaseState.REPLIED, CaseState.CLOSED) and case.rating is None
    return TrackingStatus(
        tracking_no=case.tracking_no,
        kind=FeedbackKind(case.kind),
        state=CaseState(case.state),
        state_label=STATE_LABELS[CaseState(case.state)],
        received_on=case.received_on,
        due=case.due_on,
        reply=case.reply,
        replied_on=case.replied_on,
        rating=Rating(case.rating) if case.rating else None,
        can_rate=rateable,
        can_reopen=rateable and case.round == 1,
        refusal=service.refusal_of(case),
        notices=await notices.list_for(session, case, tracked=True),
    )
