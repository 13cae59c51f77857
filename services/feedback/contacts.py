"""Contact records: hotline calls, letters and visits as a clerk records them.

A record keeps its own (encrypted) contact data and may open a case; the case itself is then
created as a message's is (`intake`) and handled by `handling`. Kept apart because records have their own
table, scope rules and listing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback.intake import TRACKING_PREFIX, content_hash, create_case, receipt_of, route
from services.feedback.models import (
    ANONYMOUS_ALLOWED,
    CHANNEL_LABELS,
    DISPOSITION_LABELS,
    KIND_LABELS,
    RULE_SET_BY_CHANNEL,
    CaseState,
    Channel,
    ContactRecord,
    Disposition,
    FeedbackCase,
    FeedbackKind,
)
from services.feedback.schemas import ContactRecordIn, ContactRecordPublic, ContactRecordReceipt
from services.feedback.service import sees_sender, set_sender
from shared import idempotency
from shared.agencies import AgencyLookup
from shared.auth import Principal
from shared.calendar import WorkingCalendar, local_date
from shared.db import row_id
from shared.errors import Forbidden, InvalidField, NotFound
from shared.events import record_event
from shared.pagination import PageParams
from shared.personal_data import PersonalDataCipher, mask_name, mask_phone
from shared.scope import in_scope, scope_condition
from shared.tracking import new_tracking_no

EARLIEST_RECORD_DAYS = 366  # a call, letter or visit may be recorded at most this long after
CLOCK_SKEW = timedelta(minutes=5)


async def record_contact(
    session: AsyncSession,
    *,
    data: ContactRecordIn,
    actor: Principal,
    idempotency_key: str | None,
    **ctx: Any,
) -> ContactRecordReceipt:
    """A call, letter or visit as received; one that needs follow-up opens a case linked to it."""
    receipt = await idempotency.run_once(
        session,
        service="feedback",
        owner=actor.subject,
        key=idempotency_key,
        data=data,
        cipher=ctx["cipher"],
        answer_type=ContactRecordReceipt,
        create=lambda: _new_contact(session, data=data, actor=actor, **ctx),
    )
    await session.commit()  # the unit of work: the new rows and the remembered answer
    return receipt


async def _new_contact(
    session: AsyncSession,
    *,
    data: ContactRecordIn,
    actor: Principal,
    cipher: PersonalDataCipher,
    lookup: AgencyLookup,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> ContactRecordReceipt:
    agency_id = data.agency_id if data.agency_id is not None else actor.agency_id
    if not actor.is_clerk_of(agency_id):
        raise Forbidden("只能登记本机关收到的来电、来信和来访", code="agency_scope")
    assert agency_id is not None
    if data.channel == Channel.MAILBOX:
        raise InvalidField("channel", "意见箱留言由公众在网上提交，这里只登记来电、来信和来访")
    if data.occurred_at > now + CLOCK_SKEW:
        raise InvalidField("occurred_at", "不能晚于现在")
    if data.occurred_at < now - timedelta(days=EARLIEST_RECORD_DAYS):
        raise InvalidField("occurred_at", f"不能早于 {EARLIEST_RECORD_DAYS} 天前")
    if data.duration_seconds is not None and data.channel != Channel.HOTLINE:
        raise InvalidField("duration_seconds", "只有来电记录通话时长")
    if data.disposition == Disposition.TRANSFERRED and not data.transferred_to:
        raise InvalidField("transferred_to", "转其他单位时须写明转往的单位")
    if data.disposition != Disposition.TRANSFERRED and data.transferred_to:
        raise InvalidField("transferred_to", "只有转其他单位时填写")
    opens_case = data.disposition == Disposition.CASE_OPENED
    if not opens_case and (data.subject or data.consent_to_publish):
        raise InvalidField("subject", "只有转为办理事项时填写标题和公开意愿")
    anonymous = not (data.contact_name or data.contact_number)
    if opens_case and anonymous and data.kind not in ANONYMOUS_ALLOWED:
        raise InvalidField("contact_name", f"{KIND_LABELS[data.kind]}须记录来电人姓名或电话，以便答复")
    if data.accused_agency_id is not None and not (opens_case and data.kind == FeedbackKind.REPORT):
        raise InvalidField("accused_agency_id", "只有转为办理事项的举报可以指明被举报的机关")
    path = await lookup(agency_id)
    # A report naming an agency is routed exactly as a mailbox report (intake.route).
    case_agency, case_path, intake, accused_path = await route(
        lookup, agency_id, None, data.accused_agency_id
    )
    record = ContactRecord(
        channel=str(data.channel),
        agency_id=agency_id,
        agency_path=path,
        occurred_at=data.occurred_at,
        duration_seconds=data.duration_seconds,
        kind=str(data.kind),
        summary=data.summary,
        disposition=str(data.disposition),
        transferred_to=data.transferred_to,
        accused_agency_id=data.accused_agency_id,
        recorded_by=actor.subject,
        created_at=now,
    )
    session.add(record)
    await session.flush()
    # The record's personal data is sealed under its own id (it may never become a case).
    context = f"feedback.contact:{record.id}"
    if data.contact_number:
        record.contact_number = cipher.encrypt(data.contact_number.strip(), context=context + ":number")
    if data.contact_name:
        record.contact_name = cipher.encrypt(data.contact_name.strip(), context=context + ":name")
    receipt = None
    if opens_case:
        received_on = local_date(data.occurred_at)
        case = FeedbackCase(
            tracking_no=new_tracking_no(TRACKING_PREFIX, today),
            query_code_hash="",
            kind=str(data.kind),
            channel=str(data.channel),
            agency_id=case_agency,
            agency_path=case_path,
            intake=intake,
            accused_agency_id=data.accused_agency_id,
            accused_agency_path=accused_path,
            subject=(data.subject or data.summary[:50]).strip(),
            content=data.summary,
            content_hash=content_hash(str(data.kind), case_agency, data.summary),
            anonymous=anonymous,
            consent_to_publish=data.consent_to_publish,
            rule_set=RULE_SET_BY_CHANNEL[data.channel],
            state=str(CaseState.RECEIVED),
            received_at=data.occurred_at,
            received_on=received_on,
            contact_record_id=record.id,
            created_by=actor.subject,
            created_at=now,
            updated_at=now,
        )
        set_sender(case, cipher, data.contact_name, data.contact_number, None, data.contact_address)
        case, code = await create_case(
            session,
            case,
            action="recorded",
            actor=actor,
            calendar=calendar,
            today=today,
            details={"channel": case.channel, "contact_record_id": record.id},
        )
        record.case_id = case.id
        receipt = receipt_of(case, code)
    record_event(
        session,
        aggregate_type="contact_record",
        aggregate_id=record.id,
        action="recorded",
        actor=actor,
        after={"channel": record.channel, "disposition": record.disposition, "case_id": record.case_id},
    )
    shown = contact_public(record, cipher, reporter_shown=record.accused_agency_id is None)
    return ContactRecordReceipt(record=shown, case=receipt)


async def _reporter_shown(session: AsyncSession, record: ContactRecord, principal: Principal) -> bool:
    """A report naming an agency protects its reporter on the record as on its case: only the
    case's handler and inspectors see who called (docs/architecture.md, "Reports naming an agency")."""
    if record.accused_agency_id is None:
        return True
    case = await session.get(FeedbackCase, record.case_id) if record.case_id is not None else None
    return case is not None and sees_sender(principal, case)


def contact_public(
    record: ContactRecord, cipher: PersonalDataCipher, *, reporter_shown: bool = True
) -> ContactRecordPublic:
    context = f"feedback.contact:{record.id}"
    number = name = None
    if reporter_shown and record.contact_number:
        number = cipher.decrypt(record.contact_number, context=context + ":number")
    if reporter_shown and record.contact_name:
        name = cipher.decrypt(record.contact_name, context=context + ":name")
    return ContactRecordPublic(
        id=row_id(record),
        channel=Channel(record.channel),
        agency_id=record.agency_id,
        occurred_at=record.occurred_at,
        duration_seconds=record.duration_seconds,
        contact_number=mask_phone(number) if number else None,
        contact_name=mask_name(name) if name else None,
        kind=FeedbackKind(record.kind),
        accused_agency_id=record.accused_agency_id,
        summary=record.summary,
        disposition=Disposition(record.disposition),
        transferred_to=record.transferred_to,
        case_id=record.case_id,
        recorded_by=record.recorded_by,
        created_at=record.created_at,
        labels={
            "channel": CHANNEL_LABELS[Channel(record.channel)],
            "kind": KIND_LABELS[FeedbackKind(record.kind)],
            "disposition": DISPOSITION_LABELS[Disposition(record.disposition)],
        },
    )


async def list_contacts(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    channel: Channel | None,
    cipher: PersonalDataCipher,
) -> tuple[list[ContactRecordPublic], int]:
    where = scope_condition(principal, col(ContactRecord.agency_id), col(ContactRecord.agency_path))
    if where is None:
        return [], 0
    query = select(ContactRecord).where(where)
    if channel is not None:
        query = query.where(ContactRecord.channel == str(channel))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (
        await session.exec(
            query.order_by(col(ContactRecord.occurred_at).desc(), col(ContactRecord.id).desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
    ).all()
    return [
        contact_public(r, cipher, reporter_shown=await _reporter_shown(session, r, principal)) for r in rows
    ], total


async def get_contact(
    session: AsyncSession, record_id: int, principal: Principal, cipher: PersonalDataCipher
) -> ContactRecordPublic:
    record = await session.get(ContactRecord, record_id)
    visible = record is not None and (in_scope(principal, record.agency_id, record.agency_path))
    if not visible:
        raise NotFound(f"记录 {record_id} 不存在", code="contact_record_not_found")
    assert record is not None
    return contact_public(record, cipher, reporter_shown=await _reporter_shown(session, record, principal))
