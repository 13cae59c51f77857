"""Receiving: a message to the mailbox is routed (away from an agency a report names), checked
for duplicates, its sender encrypted, and opened as a case with its clock; contact records
(`contacts`) open cases the same way."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle, service
from services.feedback.models import (
    ANONYMOUS_ALLOWED,
    KIND_LABELS,
    RULE_SET_BY_CHANNEL,
    CaseState,
    Channel,
    FeedbackCase,
    FeedbackKind,
)
from services.feedback.schemas import MessageIn, MessageReceipt
from shared import idempotency
from shared.agencies import AgencyLookup, parent_in_path
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar
from shared.db import row_id
from shared.deadlines import ClockEvent, ClockEventKind, compute_deadline
from shared.errors import Forbidden, InvalidField
from shared.events import append_event
from shared.personal_data import PersonalDataCipher
from shared.tracking import hash_code, new_query_code, new_tracking_no

TRACKING_PREFIX = "FK"
DUPLICATE_WINDOW = timedelta(hours=24)


def content_hash(kind: str, agency_id: int, content: str) -> str:
    """Same kind, same agency, same words (spacing and case aside): the same message."""
    normal = re.sub(r"\s+", "", content).lower()
    return hashlib.sha256(f"{kind}|{agency_id}|{normal}".encode()).hexdigest()


async def route(
    lookup: AgencyLookup, agency_id: int | None, region_id: int | None, accused_id: int | None
) -> tuple[int, str, bool, str | None]:
    """(handling agency, its path, sent to an intake, the accused agency's path).

    A report naming an agency is never handled by that agency or one below it: it goes to the
    intake of the region above it, where the region's inspectors watch it (docs/architecture.md,
    "Reports naming an agency")."""
    if (agency_id is None) == (region_id is None):
        raise InvalidField(
            "agency_id",
            "请填写收件机关 agency_id，或不清楚时填写所在地区 region_id（二选一）",
            also=("region_id",),
        )
    target = agency_id if agency_id is not None else region_id
    assert target is not None
    path = await lookup(target, "agency_id" if agency_id is not None else "region_id")
    intake = agency_id is None
    accused_path = None
    if accused_id is not None:
        accused_path = await lookup(accused_id, "accused_agency_id")
        if path.startswith(accused_path):
            parent = parent_in_path(accused_path)
            if parent is not None:
                target, path, intake = parent, accused_path.rsplit(f"{accused_id}/", 1)[0], True
    return target, path, intake, accused_path


async def _refuse_duplicate(session: AsyncSession, digest: str, now: datetime) -> None:
    earlier = (
        await session.exec(
            select(FeedbackCase.id)
            .where(FeedbackCase.content_hash == digest)
            .where(col(FeedbackCase.created_at) > now - DUPLICATE_WINDOW)
            .limit(1)
        )
    ).first()
    if earlier is not None:
        raise InvalidField(
            "content",
            "相同内容的留言已在 24 小时内提交过，请勿重复提交；可凭编号和查询码查询办理进度",
            code="duplicate_message",
        )


def _due(case: FeedbackCase, facts: list[ClockEvent], calendar: WorkingCalendar, today: date) -> None:
    found = compute_deadline(facts, lifecycle.rule_set_of(case), calendar, today)
    case.due_on, case.due_provisional = found.due, found.provisional


async def create_case(
    session: AsyncSession,
    case: FeedbackCase,
    *,
    action: str,
    actor: Principal | None,
    calendar: WorkingCalendar,
    today: date,
    details: dict[str, Any],
) -> tuple[FeedbackCase, str]:
    code = new_query_code()
    case.query_code_hash = hash_code(code)
    facts = [ClockEvent(ClockEventKind.RECEIVED, case.received_on)]
    _due(case, facts, calendar, today)
    session.add(case)
    await session.flush()
    await append_event(
        session,
        aggregate_type=lifecycle.AGGREGATE,
        aggregate_id=case.id,
        action=action,
        actor=actor,
        after={"state": case.state, "round": 1, "clock": lifecycle.clock_facts(*facts), **details},
    )
    return case, code


def receipt_of(case: FeedbackCase, code: str) -> MessageReceipt:
    return MessageReceipt(
        id=row_id(case),
        tracking_no=case.tracking_no,
        query_code=code,
        received_on=case.received_on,
        due=case.due_on,
    )


async def submit_message(
    session: AsyncSession,
    *,
    data: MessageIn,
    actor: Principal | None,
    idempotency_key: str | None,
    **ctx: Any,
) -> MessageReceipt:
    """A message to the mailbox: routed, checked for duplicates, its sender encrypted; a retry
    with the same `Idempotency-Key` gets the first receipt."""
    receipt = await idempotency.run_once(
        session,
        service="feedback",
        owner=actor.subject if actor is not None else idempotency.ANONYMOUS,
        key=idempotency_key,
        data=data,
        cipher=ctx["cipher"],
        answer_type=MessageReceipt,
        create=lambda: _new_message(session, data=data, actor=actor, **ctx),
    )
    await session.commit()  # the unit of work: the new rows and the remembered answer
    return receipt


async def _new_message(
    session: AsyncSession,
    *,
    data: MessageIn,
    actor: Principal | None,
    cipher: PersonalDataCipher,
    lookup: AgencyLookup,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> MessageReceipt:
    if actor is not None and actor.role != Role.PUBLIC:
        raise Forbidden("意见箱留言由公众提交；来电、来信、来访请用登记接口", code="role_forbidden")
    if data.anonymous and data.kind not in ANONYMOUS_ALLOWED:
        raise InvalidField("anonymous", f"{KIND_LABELS[data.kind]}不能匿名，请留下姓名和联系方式")
    if data.anonymous and data.sender is not None:
        raise InvalidField("sender", "匿名留言不填写联系人信息")
    if not data.anonymous and data.sender is None:
        raise InvalidField("sender", "请填写姓名和联系方式，或选择匿名（只限建议、举报）")
    if not data.anonymous and data.sender and not (data.sender.phone or data.sender.email):
        raise InvalidField("sender.phone", "请至少留下电话或电子邮箱，以便答复")
    if data.accused_agency_id is not None and data.kind != FeedbackKind.REPORT:
        raise InvalidField("accused_agency_id", "只有举报可以指明被举报的机关")
    agency_id, path, intake, accused_path = await route(
        lookup, data.agency_id, data.region_id, data.accused_agency_id
    )
    digest = content_hash(str(data.kind), agency_id, data.content)
    await _refuse_duplicate(session, digest, now)
    tracking_no = new_tracking_no(TRACKING_PREFIX, today)
    case = FeedbackCase(
        tracking_no=tracking_no,
        query_code_hash="",
        kind=str(data.kind),
        channel=str(Channel.MAILBOX),
        agency_id=agency_id,
        agency_path=path,
        intake=intake,
        accused_agency_id=data.accused_agency_id,
        accused_agency_path=accused_path,
        subject=data.subject.strip(),
        content=data.content,
        content_hash=digest,
        anonymous=data.anonymous,
        sender_user_id=actor.subject if actor is not None and not data.anonymous else None,
        consent_to_publish=data.consent_to_publish,
        rule_set=RULE_SET_BY_CHANNEL[Channel.MAILBOX],
        state=str(CaseState.RECEIVED),
        received_at=now,
        received_on=today,
        created_at=now,
        updated_at=now,
        created_by=actor.subject if actor is not None and not data.anonymous else None,
    )
    if data.sender is not None:
        service.set_sender(
            case, cipher, data.sender.name, data.sender.phone, data.sender.email, data.sender.address
        )
    case, code = await create_case(
        session,
        case,
        action="submitted",
        actor=None if data.anonymous else actor,
        calendar=calendar,
        today=today,
        details={"channel": case.channel, "agency_id": agency_id, "intake": intake},
    )
    return receipt_of(case, code)
