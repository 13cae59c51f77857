"""Feedback domain logic: receiving, routing, handling, rating and reading cases.

Contact records (`contacts`), published replies (`publication`) and attachments (`attachments`)
live in their own modules beside this one and use its shared helpers."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import and_, col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import attachments, lifecycle
from services.feedback.lifecycle import Step
from services.feedback.models import (
    ANONYMOUS_ALLOWED,
    CHANNEL_LABELS,
    DISPOSITION_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    RATING_LABELS,
    RETURN_VISIT_KINDS,
    RULE_SET_BY_CHANNEL,
    STATE_LABELS,
    CalendarState,
    CaseState,
    Channel,
    FeedbackCase,
    FeedbackKind,
    Level,
    PublishedReply,
    Rating,
)
from services.feedback.schemas import (
    CasePublic,
    CaseSummary,
    ChannelPublic,
    CloseIn,
    CodeLabel,
    ExtensionIn,
    FeedbackVocabulary,
    HandOverIn,
    KindPublic,
    MessageIn,
    MessageReceipt,
    RatingIn,
    ReplyIn,
    ReturnVisitIn,
    SenderPublic,
    TakeIn,
    TimelineEntry,
    TrackingStatus,
)
from shared import idempotency
from shared.agencies import AgencyLookup, parent_in_path
from shared.audit import record_read
from shared.auth import Principal, Role, region_marker
from shared.calendar import WorkingCalendar
from shared.db import utcnow
from shared.deadlines import (
    ClockEvent,
    ClockEventKind,
    DeadlineRuleViolation,
    Flag,
    flag_for_due,
    yellow_before,
)
from shared.errors import Conflict, Forbidden, InvalidField, NotFound
from shared.events import Event, append_event, record_event
from shared.pagination import PageParams
from shared.personal_data import (
    PersonalDataCipher,
    mask_address,
    mask_email,
    mask_name,
    mask_phone,
)
from shared.schemas import DeadlinePublic
from shared.staff import ClerkCheck
from shared.supervision import OverdueList, SupervisionItem
from shared.tracking import code_matches, hash_code, new_query_code, new_tracking_no

RECORD_TYPE = "feedback_case"
SENDER_FIELDS = ("sender_name", "sender_phone", "sender_email", "sender_address")
TRACKING_PREFIX = "FK"
DUPLICATE_WINDOW = timedelta(hours=24)
REOPEN_DAYS = 15  # an unsatisfied sender may ask for the case to be handled again this long after the reply


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
    )


# --- receiving ------------------------------------------------------------------------------------


def _context(field: str, tracking_no: str) -> str:
    return f"feedback.case.{field}:{tracking_no}"


def content_hash(kind: str, agency_id: int, content: str) -> str:
    """Same kind, same agency, same words (spacing and case aside): the same message."""
    normal = re.sub(r"\s+", "", content).lower()
    return hashlib.sha256(f"{kind}|{agency_id}|{normal}".encode()).hexdigest()


async def _route(
    lookup: AgencyLookup, agency_id: int | None, region_id: int | None, accused_id: int | None
) -> tuple[int, str, bool, str | None]:
    """(handling agency, its path, sent to an intake, the accused agency's path).

    A report naming an agency is never handled by that agency or one below it: it goes to the
    intake of the region above it, where the region's inspectors watch it (DOMAIN.md, Feedback)."""
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
    found = lifecycle.compute_deadline(facts, lifecycle.rule_set_of(case), calendar, today)
    case.due_on, case.due_provisional = found.due, found.provisional


async def _create_case(
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


def _receipt(case: FeedbackCase, code: str) -> MessageReceipt:
    return MessageReceipt(
        id=case.id,  # type: ignore[arg-type]
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
    return await idempotency.run_once(
        session,
        service="feedback",
        owner=actor.subject if actor is not None else idempotency.ANONYMOUS,
        key=idempotency_key,
        data=data,
        cipher=ctx["cipher"],
        answer_type=MessageReceipt,
        create=lambda: _new_message(session, data=data, actor=actor, **ctx),
    )


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
    agency_id, path, intake, accused_path = await _route(
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
        _set_sender(case, cipher, data.sender.name, data.sender.phone, data.sender.email, data.sender.address)
    case, code = await _create_case(
        session,
        case,
        action="submitted",
        actor=None if data.anonymous else actor,
        calendar=calendar,
        today=today,
        details={"channel": case.channel, "agency_id": agency_id, "intake": intake},
    )
    return _receipt(case, code)


def _set_sender(
    case: FeedbackCase,
    cipher: PersonalDataCipher,
    name: str | None,
    phone: str | None,
    email: str | None,
    address: str | None,
) -> None:
    for field, value in zip(SENDER_FIELDS, (name, phone, email, address), strict=True):
        if value and value.strip():
            setattr(case, field, cipher.encrypt(value.strip(), context=_context(field, case.tracking_no)))


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
        return principal.is_clerk_of(case.agency_id) and not _accused(principal, case)
    if principal.role == Role.INSPECTOR:
        return principal.watches(case.agency_path) or (
            case.accused_agency_path is not None and principal.watches(case.accused_agency_path)
        )
    return False


def _not_found(case_id: int) -> NotFound:
    return NotFound(f"事项 {case_id} 不存在", code="case_not_found")


async def load(session: AsyncSession, case_id: int, principal: Principal) -> FeedbackCase:
    """The case if the caller may see it; otherwise 404 (its existence is not revealed)."""
    case = await session.get(FeedbackCase, case_id)
    if case is None or not can_read(principal, case):
        raise _not_found(case_id)
    return case


def _require_handler(case: FeedbackCase, actor: Principal) -> None:
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
        f: cipher.decrypt(v, context=_context(f, case.tracking_no)) if (v := getattr(case, f)) else None
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


def _labels(case: FeedbackCase) -> dict[str, str]:
    labels = {
        "kind": KIND_LABELS[FeedbackKind(case.kind)],
        "channel": CHANNEL_LABELS[Channel(case.channel)],
        "state": STATE_LABELS[CaseState(case.state)],
    }
    if case.level:
        labels["level"] = LEVEL_LABELS[Level(case.level)]
    if case.rating:
        labels["rating"] = RATING_LABELS[Rating(case.rating)]
    return labels


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
    events = (await lifecycle.events_of(session, [case.id]))[case.id]  # type: ignore[list-item]
    published = (
        await session.exec(select(PublishedReply.id).where(PublishedReply.case_id == case.id))
    ).first()
    staff = principal.role != Role.PUBLIC
    return CasePublic(
        id=case.id,  # type: ignore[arg-type]
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
        attachments=await attachments.attachments_of(session, case.id),  # type: ignore[arg-type]
        created_at=case.created_at,
        updated_at=case.updated_at,
        labels=_labels(case),
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
    events = (await lifecycle.events_of(session, [case.id]))[case.id]  # type: ignore[list-item]
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


def _scope(query: Any, principal: Principal) -> Any:
    if principal.role == Role.PUBLIC:
        return query.where(FeedbackCase.sender_user_id == principal.subject)
    if principal.role == Role.CLERK and principal.agency_id is not None:
        return query.where(FeedbackCase.agency_id == principal.agency_id).where(
            or_(
                col(FeedbackCase.accused_agency_id).is_(None),
                col(FeedbackCase.accused_agency_id) != principal.agency_id,
            )
        )
    if principal.role == Role.INSPECTOR and principal.region_id is not None:
        marker = region_marker(principal.region_id)
        return query.where(
            or_(
                col(FeedbackCase.agency_path).contains(marker),
                col(FeedbackCase.accused_agency_path).contains(marker),
            )
        )
    return query.where(col(FeedbackCase.id) < 0)


def _flag(case: FeedbackCase, calendar: WorkingCalendar, today: date) -> Flag:
    if CaseState(case.state) not in lifecycle.OPEN:
        return Flag.CLOSED
    return flag_for_due(case.due_on, today, calendar, lifecycle.rule_set_of(case).warn_working_days)


def _flag_filter(query: Any, flag: str, calendar: WorkingCalendar, today: date) -> Any:
    query = query.where(col(FeedbackCase.state).in_([str(s) for s in lifecycle.OPEN]))
    if flag == Flag.RED:
        return query.where(col(FeedbackCase.due_on) < today)
    return query.where(col(FeedbackCase.due_on) >= today).where(
        col(FeedbackCase.due_on) < yellow_before(today, calendar)
    )


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
    query = _scope(select(FeedbackCase), principal)
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
            id=c.id,  # type: ignore[arg-type]
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
            labels=_labels(c),
        )
        for c in rows
    ]
    return items, total


# --- handling -----------------------------------------------------------------------------------


async def take(
    session: AsyncSession,
    case: FeedbackCase,
    data: TakeIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """首问负责: the clerk who takes the case owns it; for 信访 this is the decision to accept."""
    lifecycle.check_transition(case, "take")
    _require_handler(case, actor)
    rules = lifecycle.rules_for(case.rule_set, None)
    values: dict[str, Any] = {"owner_id": actor.subject}
    clock: list[ClockEvent] = []
    if rules.levels:
        if data.level is None:
            raise InvalidField("level", "请选择协调级别（决定答复期限）")
        values["level"] = str(data.level)
    elif data.level is not None:
        raise InvalidField("level", "来信来访按《信访工作条例》计时，不选协调级别")
    if rules.acceptance_days is not None:
        clock.append(ClockEvent(ClockEventKind.ACCEPTED, today))
    step = Step(
        "take",
        actor,
        today,
        at=now,
        reason=data.note,
        clock=clock,
        values=values,
        details={"owner_id": actor.subject, "level": values.get("level")},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def hand_over(
    session: AsyncSession,
    case: FeedbackCase,
    data: HandOverIn,
    actor: Principal,
    *,
    lookup: AgencyLookup,
    clerk_check: ClerkCheck,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """A recorded hand-over, the only way responsibility leaves its first owner: to a colleague
    (a working clerk of the case's agency; still assigned) or to another agency (received there, to
    be taken again). Inspectors may reassign anything in their region."""
    if (data.to_agency_id is None) == (data.to_clerk_id is None):
        raise InvalidField(
            "to_agency_id",
            "请填写移交给的机关 to_agency_id 或同事 to_clerk_id（二选一）",
            also=("to_clerk_id",),
        )
    if actor.role != Role.INSPECTOR:
        _require_handler(case, actor)
    before = {"agency_id": case.agency_id, "owner_id": case.owner_id}
    if data.to_clerk_id is not None:
        clerk = data.to_clerk_id.strip()
        if clerk == case.owner_id:
            raise InvalidField("to_clerk_id", "已是该事项的承办人")
        await clerk_check(case.agency_id, clerk, "to_clerk_id")
        values: dict[str, Any] = {"owner_id": clerk}
        clock: list[ClockEvent] = []
        target = CaseState.ASSIGNED
        details = {"to_clerk_id": clerk}
    else:
        assert data.to_agency_id is not None
        if data.to_agency_id == case.agency_id:
            raise InvalidField("to_agency_id", "已在该机关")
        path = await lookup(data.to_agency_id, "to_agency_id")
        if case.accused_agency_path is not None and path.startswith(case.accused_agency_path):
            raise InvalidField(
                "to_agency_id", "举报不能交由被举报的机关（或其下级）办理", code="accused_agency"
            )
        if actor.role == Role.INSPECTOR and not actor.watches(path):
            raise InvalidField("to_agency_id", "只能移交给本辖区的机关", code="region_scope")
        values = {
            "agency_id": data.to_agency_id,
            "agency_path": path,
            "intake": False,
            "owner_id": None,
            "level": None,
        }
        target = CaseState.RECEIVED
        details = {"to_agency_id": data.to_agency_id}
        clock = [ClockEvent(ClockEventKind.HANDED_OVER, today)]  # 信访: received there today
    step = Step(
        "hand_over",
        actor,
        today,
        at=now,
        reason=data.reason,
        clock=clock,
        target=target,
        values=values,
        details={"from": before, **details},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def extend(
    session: AsyncSession,
    case: FeedbackCase,
    data: ExtensionIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    _require_handler(case, actor)
    step = Step(
        "extend",
        actor,
        today,
        at=now,
        reason=data.reason,
        clock=[ClockEvent(ClockEventKind.EXTENDED, today, data.days)],
        details={"days": data.days},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def reply(
    session: AsyncSession,
    case: FeedbackCase,
    data: ReplyIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    _require_handler(case, actor)
    values: dict[str, Any] = {
        "reply": data.reply,
        "replied_on": today,
        "on_time": case.due_on is not None and today <= case.due_on,
    }
    if case.first_replied_at is None:
        values["first_replied_at"] = now
    step = Step(
        "reply",
        actor,
        today,
        at=now,
        clock=[ClockEvent(ClockEventKind.DECIDED, today)],
        values=values,
        details={"on_time": values["on_time"], "due_on": case.due_on.isoformat() if case.due_on else None},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def close(
    session: AsyncSession,
    case: FeedbackCase,
    data: CloseIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    _require_handler(case, actor)
    step = Step("close", actor, today, at=now, reason=data.note, values={"closed_at": now})
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


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


async def return_visit(
    session: AsyncSession,
    case: FeedbackCase,
    data: ReturnVisitIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """回访 for complaints and reports, once, after the case is closed."""
    _require_handler(case, actor)
    if FeedbackKind(case.kind) not in RETURN_VISIT_KINDS:
        raise Conflict("只有投诉、举报需要回访", code="return_visit_not_applicable")
    if case.return_visited_on is not None:
        raise Conflict(f"已于 {case.return_visited_on} 回访", code="already_return_visited")
    if data.visited_on > today:
        raise InvalidField("visited_on", "不能晚于今天")
    if case.replied_on is not None and data.visited_on < case.replied_on:
        raise InvalidField("visited_on", f"不能早于答复日期 {case.replied_on}")
    step = Step(
        "return_visit",
        actor,
        today,
        at=now,
        reason=data.note,
        values={"return_visited_on": data.visited_on},
        details={"visited_on": data.visited_on.isoformat()},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


# --- tracking without an account ----------------------------------------------------------------


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


def tracking_status(case: FeedbackCase) -> TrackingStatus:
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
    )


# --- supervision ----------------------------------------------------------------------------------


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
    query = _scope(select(FeedbackCase), principal)
    query = query.where(col(FeedbackCase.state).in_([str(s) for s in lifecycle.OPEN]))
    if flag == Flag.RED:
        query = query.where(col(FeedbackCase.due_on) < today)
    elif flag == Flag.YELLOW:
        query = query.where(col(FeedbackCase.due_on) >= today)
    query = query.where(col(FeedbackCase.due_on) < yellow_before(today, calendar))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (
        await session.exec(query.order_by(col(FeedbackCase.due_on), col(FeedbackCase.id)).limit(limit))
    ).all()
    items = [
        SupervisionItem(
            service="feedback",
            item_type=lifecycle.AGGREGATE,
            id=c.id,  # type: ignore[arg-type]
            tracking_no=c.tracking_no,
            agency_id=c.agency_id,
            title=f"{KIND_LABELS[FeedbackKind(c.kind)]}：{c.subject}",
            state=c.state,
            state_label=STATE_LABELS[CaseState(c.state)],
            due=c.due_on,  # type: ignore[arg-type]
            flag="red" if c.due_on < today else "yellow",  # type: ignore[operator]
            provisional=c.due_provisional,
            owner_id=c.owner_id,
            url=f"/api/v1/feedback/messages/{c.id}",
        )
        for c in rows
    ]
    return OverdueList(items=items, total=total)


# --- the holiday calendar changed ---------------------------------------------------------------

RECOMPUTE_BATCH = 500


async def follow_calendar(
    session: AsyncSession, calendar: WorkingCalendar, today: date, *, since: datetime | None = None
) -> int | None:
    """Recomputes the stored due dates of open cases when the calendar differs from the one they
    were computed with (DOMAIN.md: a corrected calendar moves deadlines). Returns how many moved,
    or None when nothing had to be done.

    `since`: this process had been counting with an older calendar from then on. Another replica
    may already have recorded the new one and recomputed every open case; the cases changed here
    since then were counted with the old one all the same, and are recomputed."""
    fingerprint = calendar.fingerprint()
    stored = await session.get(CalendarState, 1, with_for_update=True)
    recorded = stored is not None and stored.fingerprint == fingerprint
    if recorded and since is None:
        await session.rollback()
        return None
    which = col(FeedbackCase.state).in_([str(s) for s in lifecycle.OPEN])
    if recorded:
        which = and_(which, col(FeedbackCase.updated_at) >= since)
    moved, last_id = 0, 0
    while True:
        batch = (
            await session.exec(
                select(FeedbackCase)
                .where(which)
                .where(col(FeedbackCase.id) > last_id)
                .order_by(col(FeedbackCase.id))
                .limit(RECOMPUTE_BATCH)
            )
        ).all()
        if not batch:
            break
        events = await lifecycle.events_of(session, [c.id for c in batch])  # type: ignore[misc]
        for case in batch:
            try:
                found = lifecycle.deadline(case, events[case.id], calendar, today)  # type: ignore[index]
            except DeadlineRuleViolation:
                continue  # a history that breaks a rule keeps its due date; the case view names the problem
            if (found.due, found.provisional) != (case.due_on, case.due_provisional):
                case.due_on, case.due_provisional = found.due, found.provisional
                session.add(case)
                moved += 1
        last_id = batch[-1].id  # type: ignore[assignment]
    if stored is None:
        session.add(CalendarState(id=1, fingerprint=fingerprint))
    elif not recorded:
        stored.fingerprint, stored.updated_at = fingerprint, utcnow()
        session.add(stored)
    record_event(
        session,
        aggregate_type="calendar",
        aggregate_id=fingerprint[:16],
        action="due_dates_recomputed",
        actor=None,
        after={"moved": moved, **({"changed_since": since.isoformat()} if recorded and since else {})},
    )
    await session.commit()
    return moved
