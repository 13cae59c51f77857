"""Published replies: a handled case's question and answer, masked, made public with the
sender's consent. Kept apart from the case record (`service`) because publication is read anonymously and has its
own table and listing."""

from __future__ import annotations

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle
from services.feedback.models import (
    KIND_LABELS,
    STATE_LABELS,
    CaseState,
    FeedbackCase,
    FeedbackKind,
    PublishedReply,
)
from services.feedback.schemas import PublicationIn, PublishedReplyPublic
from services.feedback.service import require_handler, sender_context
from shared.auth import Principal
from shared.db import row_id
from shared.errors import Conflict, NotFound
from shared.events import record_event
from shared.pagination import PageParams
from shared.personal_data import PersonalDataCipher, mask_name, mask_phone, mask_text
from shared.scope import subtree_condition


def _mask_for_publication(text: str, case: FeedbackCase, cipher: PersonalDataCipher) -> str:
    """Numbers by pattern, and the sender's own name and phone wherever the text repeats them."""
    masked = mask_text(text)
    for field, mask in (("sender_name", mask_name), ("sender_phone", mask_phone)):
        value = getattr(case, field)
        if value:
            plain = cipher.decrypt(value, context=sender_context(field, case.tracking_no))
            if len(plain) >= 2:
                masked = masked.replace(plain, mask(plain))
    return masked


async def publish(
    session: AsyncSession,
    case: FeedbackCase,
    data: PublicationIn,
    actor: Principal,
    cipher: PersonalDataCipher,
) -> PublishedReply:
    require_handler(case, actor)
    if not case.consent_to_publish:
        raise Conflict("留言人未同意公开，不能公开答复", code="no_consent")
    if (
        CaseState(case.state) not in (CaseState.REPLIED, CaseState.CLOSED)
        or not case.reply
        or not case.replied_on
    ):
        raise lifecycle.InvalidTransition(
            f"事项当前状态为「{STATE_LABELS[CaseState(case.state)]}」，答复后才能公开"
        )
    exists = (await session.exec(select(PublishedReply.id).where(PublishedReply.case_id == case.id))).first()
    if exists is not None:
        raise Conflict("该事项的答复已公开", code="already_published")
    row = PublishedReply(
        case_id=row_id(case),
        agency_id=case.agency_id,
        agency_path=case.agency_path,
        kind=case.kind,
        subject=_mask_for_publication(data.subject or case.subject, case, cipher),
        question=_mask_for_publication(data.question or case.content, case, cipher),
        answer=_mask_for_publication(data.answer or case.reply, case, cipher),
        asked_on=case.received_on,
        replied_on=case.replied_on,
        published_by=actor.subject,
    )
    session.add(row)
    await session.flush()
    record_event(
        session,
        aggregate_type=lifecycle.AGGREGATE,
        aggregate_id=case.id,
        action="publish",
        actor=actor,
        after={"state": case.state, "round": case.round, "published_reply_id": row.id},
    )
    await session.commit()
    await session.refresh(row)
    return row


def published_public(row: PublishedReply) -> PublishedReplyPublic:
    return PublishedReplyPublic(
        id=row_id(row),
        agency_id=row.agency_id,
        kind=FeedbackKind(row.kind),
        kind_label=KIND_LABELS[FeedbackKind(row.kind)],
        subject=row.subject,
        question=row.question,
        answer=row.answer,
        asked_on=row.asked_on,
        replied_on=row.replied_on,
        published_at=row.published_at,
    )


async def list_published(
    session: AsyncSession, *, page: PageParams, agency_id: int | None, kind: FeedbackKind | None
) -> tuple[list[PublishedReplyPublic], int]:
    query = select(PublishedReply)
    if agency_id is not None:
        query = query.where(subtree_condition(agency_id, col(PublishedReply.agency_path)))
    if kind is not None:
        query = query.where(PublishedReply.kind == str(kind))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (
        await session.exec(
            query.order_by(col(PublishedReply.published_at).desc(), col(PublishedReply.id).desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
    ).all()
    return [published_public(r) for r in rows], total


async def get_published(session: AsyncSession, reply_id: int) -> PublishedReplyPublic:
    row = await session.get(PublishedReply, reply_id)
    if row is None:
        raise NotFound(f"公开答复 {reply_id} 不存在", code="published_reply_not_found")
    return published_public(row)
