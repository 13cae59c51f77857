"""The case record: who may read a case, how it is shown to each reader (the sender's identity
masked or withheld), its personal data and its timeline, and the codes the forms use.

Receiving (`intake`), handling steps (`handling`), the sender's rating (`rating`), tracking by code
(`tracking`), lists and supervision (`queries`), and the recomputation after a calendar change
(`recompute`) live beside it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import attachments, lifecycle
from services.feedback.models import (
    ANONYMOUS_ALLOWED,
    CHANNEL_LABELS,
    DISPOSITION_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    RATING_LABELS,
    REFUSAL_LABELS,
    REVIEW_LEVEL_LABELS,
    STATE_LABELS,
    CaseState,
    Channel,
    FeedbackCase,
    FeedbackKind,
    Level,
    PublishedReply,
    Rating,
    RefusalReason,
    ReviewLevel,
)
from services.feedback.schemas import (
    CasePublic,
    ChannelPublic,
    CodeLabel,
    FeedbackVocabulary,
    KindPublic,
    RefusalPublic,
    ReviewLink,
    SenderPublic,
    TimelineEntry,
)
from shared.audit import record_read
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar
from shared.db import row_id
from shared.deadlines import DeadlineRuleViolation
from shared.errors import Forbidden, NotFound
from shared.events import Event
from shared.personal_data import PersonalDataCipher, mask_address, mask_email, mask_name, mask_phone
from shared.schemas import DeadlinePublic
from shared.scope import in_scope

RECORD_TYPE = "feedback_case"
SENDER_FIELDS = ("sender_name", "sender_phone", "sender_email", "sender_address")


def vocabulary() -> FeedbackVocabulary:
    """Every code the forms need with its label, so front ends build them from one list."""

    def pairs(labels: dict[Any, str]) -> list[CodeLabel]:
        return [CodeLabel(code=str(k), label=v) for k, v in labels.items()]

    return FeedbackVocabulary(
        kinds=[
            KindPublic(code=k, label=v, anonymous_allowed=k in ANONYMOUS_ALLOWED)
            for k, v in KIND_LABELS.items()
        ],
        channels=[ChannelPublic(code=c, label=v) for c, v in CHANNEL_LABELS.items()],
        states=pairs(STATE_LABELS),
        levels=pairs(LEVEL_LABELS),
        ratings=pairs(RATING_LABELS),
        dispositions=pairs(DISPOSITION_LABELS),
        refusal_reasons=pairs(REFUSAL_LABELS),
        review_levels=pairs(REVIEW_LEVEL_LABELS),
    )


def sender_context(field: str, tracking_no: str) -> str:
    return f"feedback.case.{field}:{tracking_no}"


def set_sender(
    case: FeedbackCase,
    cipher: PersonalDataCipher,
    name: str | None,
    phone: str | None,
    email: str | None,
    address: str | None,
) -> None:
    for field, value in zip(SENDER_FIELDS, (name, phone, email, address), strict=True):
        if value and value.strip():
            setattr(
                case, field, cipher.encrypt(value.strip(), context=sender_context(field, case.tracking_no))
            )


# --- who may see what ---------------------------------------------------------------------------


def _accused(principal: Principal, case: FeedbackCase) -> bool:
    """Clerks of an agency a report names never see that report (routing already sends it away)."""
    return (
        principal.role == Role.CLERK
        and case.accused_agency_id is not None
        and (principal.agency_id == case.accused_agency_id)
    )


def can_read(principal: Principal, case: FeedbackCase) -> bool:
    if principal.role == Role.PUBLIC:
        return case.sender_user_id is not None and case.sender_user_id == principal.subject
    if principal.role == Role.CLERK:
        return in_scope(principal, case.agency_id, case.agency_path) and not _accused(principal, case)
    return in_scope(principal, case.agency_id, case.agency_path) or (
        case.accused_agency_path is not None
        and in_scope(principal, case.accused_agency_id, case.accused_agency_path)
    )


def _not_found(case_id: int) -> NotFound:
    return NotFound(f"事项 {case_id} 不存在", code="case_not_found")


async def load(session: AsyncSession, case_id: int, principal: Principal) -> FeedbackCase:
    """The case if the caller may see it; otherwise 404 (its existence is not revealed)."""
    case = await session.get(FeedbackCase, case_id)
    if case is None or not can_read(principal, case):
        raise _not_found(case_id)
    return case


def require_handler(case: FeedbackCase, actor: Principal) -> None:
    """首问负责制: once a clerk has taken a case, only that clerk acts on it until a hand-over."""
    if actor.role != Role.CLERK:
        raise Forbidden("只有承办人可以办理", code="role_forbidden")
    if case.owner_id is not None and case.owner_id != actor.subject:
        raise Forbidden("该事项由首问承办人办理；如需转办，请由承办人或监察人员移交", code="not_case_owner")


def sees_sender(principal: Principal, case: FeedbackCase) -> bool:
    """Reporters are protected: only the handler and inspectors learn who they are."""
    if principal.role == Role.PUBLIC or principal.role == Role.INSPECTOR:
        return True
    if case.kind == FeedbackKind.REPORT:
        return principal.role == Role.CLERK and case.owner_id == principal.subject
    return principal.role == Role.CLERK


def sender_of(case: FeedbackCase, cipher: PersonalDataCipher, *, masked: bool) -> SenderPublic | None:
    if case.anonymous and not any(getattr(case, f) for f in SENDER_FIELDS):
        return None
    plain = {
        f: cipher.decrypt(v, context=sender_context(f, case.tracking_no)) if (v := getattr(case, f)) else None
        for f in SENDER_FIELDS
    }
    name, phone, email, address = (plain[f] for f in SENDER_FIELDS)
    if masked:
        name = mask_name(name) if name else None
        phone = mask_phone(phone) if phone else None
        email = mask_email(email) if email else None
        address = mask_address(address) if address else None
    return SenderPublic(name=name, phone=phone, email=email, address=address, masked=masked)


def _deadline(
    case: FeedbackCase, events: list[Event], calendar: WorkingCalendar, today: date
) -> DeadlinePublic:
    try:
        found = lifecycle.deadline(case, events, calendar, today)
    except DeadlineRuleViolation as exc:
        return DeadlinePublic(known=False, problem=exc.detail)
    return DeadlinePublic.of(found)


def labels_of(case: FeedbackCase) -> dict[str, str]:
    labels = {
        "kind": KIND_LABELS[FeedbackKind(case.kind)],
        "channel": CHANNEL_LABELS[Channel(case.channel)],
        "state": STATE_LABELS[CaseState(case.state)],
    }
    if case.level:
        labels["level"] = LEVEL_LABELS[Level(case.level)]
    if case.rating:
        labels["rating"] = RATING_LABELS[Rating(case.rating)]
    if case.review_level:
        labels["review_level"] = REVIEW_LEVEL_LABELS[ReviewLevel(case.review_level)]
    if case.refusal_reason:
        labels["refusal_reason"] = REFUSAL_LABELS[RefusalReason(case.refusal_reason)]
    return labels


def refusal_of(case: FeedbackCase) -> RefusalPublic | None:
    if not case.refusal_reason:
        return None
    reason = RefusalReason(case.refusal_reason)
    return RefusalPublic(reason=reason, label=REFUSAL_LABELS[reason], text=case.refusal_text or "")


def _link(case: FeedbackCase | None) -> ReviewLink | None:
    if case is None:
        return None
    return ReviewLink(
        id=row_id(case),
        tracking_no=case.tracking_no,
        agency_id=case.agency_id,
        review_level=ReviewLevel(case.review_level) if case.review_level else None,
        state=CaseState(case.state),
        reply=case.reply,
        replied_on=case.replied_on,
    )


async def view(
    session: AsyncSession,
    case: FeedbackCase,
    principal: Principal,
    *,
    cipher: PersonalDataCipher,
    calendar: WorkingCalendar,
    today: date,
) -> CasePublic:
    """The sender sees their own data; staff see it masked, a report's reporter only the handler
    and inspectors (unmasked through `personal_data`, audited)."""
    events = await lifecycle.history_of(session, case)
    published = (
        await session.exec(select(PublishedReply.id).where(PublishedReply.case_id == case.id))
    ).first()
    staff = principal.role != Role.PUBLIC
    reviewed = await session.get(FeedbackCase, case.reviewed_case_id) if case.reviewed_case_id else None
    review = (
        await session.exec(select(FeedbackCase).where(FeedbackCase.reviewed_case_id == case.id))
    ).first()
    return CasePublic(
        id=row_id(case),
        tracking_no=case.tracking_no,
        kind=FeedbackKind(case.kind),
        channel=Channel(case.channel),
        agency_id=case.agency_id,
        intake=case.intake,
        accused_agency_id=case.accused_agency_id,
        subject=case.subject,
        content=case.content,
        anonymous=case.anonymous,
        sender=sender_of(case, cipher, masked=staff) if sees_sender(principal, case) else None,
        consent_to_publish=case.consent_to_publish,
        rule_set=case.rule_set,
        level=Level(case.level) if case.level else None,
        state=CaseState(case.state),
        owner_id=case.owner_id if staff else None,
        round=case.round,
        received_on=case.received_on,
        deadline=_deadline(case, events, calendar, today),
        reply=case.reply,
        replied_on=case.replied_on,
        rating=Rating(case.rating) if case.rating else None,
        rating_comment=case.rating_comment,
        return_visited_on=case.return_visited_on,
        contact_record_id=case.contact_record_id if staff else None,
        published_reply_id=published,
        attachments=await attachments.attachments_of(session, row_id(case)),
        refusal=refusal_of(case),
        review_level=ReviewLevel(case.review_level) if case.review_level else None,
        reviewed=_link(reviewed),
        review=_link(review),
        created_at=case.created_at,
        updated_at=case.updated_at,
        labels=labels_of(case),
    )


async def personal_data(
    session: AsyncSession, case: FeedbackCase, principal: Principal, cipher: PersonalDataCipher
) -> SenderPublic:
    """The sender's identity unmasked, for the handler (or an inspector); every read is logged."""
    allowed = principal.role == Role.INSPECTOR or (
        principal.role == Role.CLERK and case.owner_id == principal.subject
    )
    if not allowed:
        raise Forbidden("只有承办人和监察人员可以查看留言人的身份信息", code="not_case_owner")
    sender = sender_of(case, cipher, masked=False)
    if sender is None:
        raise NotFound("匿名留言，没有留言人信息", code="anonymous_sender")
    record_read(
        session,
        actor=principal,
        record_type=RECORD_TYPE,
        record_id=case.id,
        fields=[f for f in SENDER_FIELDS if getattr(case, f)],
        purpose="办理举报" if case.kind == FeedbackKind.REPORT else "办理群众来信来访",
    )
    await session.commit()
    return sender


async def timeline(session: AsyncSession, case: FeedbackCase, principal: Principal) -> list[TimelineEntry]:
    events = await lifecycle.history_of(session, case)
    staff = principal.role in (Role.CLERK, Role.INSPECTOR)
    return [
        TimelineEntry(
            action=e.action,
            label=lifecycle.ACTION_LABELS.get(e.action, e.action),
            at=e.at,
            actor_role=e.actor_role,
            actor_id=e.actor_id if staff else None,
            reason=e.reason,
            details=e.after or {},
        )
        for e in events
    ]
