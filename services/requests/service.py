"""Requests domain logic: applying, registering, reading (masked or audited), tracking."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import lifecycle
from services.requests.models import (
    APPLICANT_TYPE_LABELS,
    CHANNEL_LABELS,
    CLOSED_STATES,
    DELIVERY_LABELS,
    FORM_LABELS,
    ID_TYPE_LABELS,
    OUTCOME_REPORT_ROWS,
    STATE_LABELS,
    ApplicantType,
    Application,
    ApplicationState,
    Channel,
    Delivery,
    Form,
    IdType,
    Outcome,
)
from services.requests.schemas import (
    ApplicantPublic,
    ApplicationIn,
    ApplicationPublic,
    ApplicationSummary,
    AssignmentIn,
    DeadlinePublic,
    OutcomePublic,
    RegistrationIn,
    TimelineEntry,
    TrackingReceipt,
    TrackingStatus,
)
from shared import idempotency
from shared.agencies import AgencyLookup
from shared.audit import record_read
from shared.auth import Principal, Role, region_marker
from shared.calendar import WorkingCalendar
from shared.db import utcnow
from shared.deadlines import ClockEvent, ClockEventKind, DeadlineRuleViolation, compute_deadline, get_rule_set
from shared.errors import Forbidden, InvalidField, NotFound
from shared.events import Event, record_event
from shared.pagination import PageParams
from shared.personal_data import (
    PersonalDataCipher,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_resident_id,
)
from shared.tracking import code_matches, hash_code, new_query_code, new_tracking_no

RECORD_TYPE = "application"
PERSONAL_FIELDS = ["applicant_name", "id_number", "phone", "email", "address"]
EARLIEST_RECEIPT_DAYS = 366  # a registration may record a receipt at most this long ago


def outcomes() -> list[OutcomePublic]:
    """The outcome codes in report order, so front ends and reports use one list."""
    return [
        OutcomePublic(code=code, report_row=row, label=label)
        for code, (row, label) in OUTCOME_REPORT_ROWS.items()
    ]


def outcome_label(outcome: str | None) -> str | None:
    return OUTCOME_REPORT_ROWS[Outcome(outcome)][1] if outcome else None


# --- creating -------------------------------------------------------------------------------------


def _context(field: str, tracking_no: str) -> str:
    return f"requests.application.{field}:{tracking_no}"


def _check_identity(data: ApplicationIn, today: date) -> None:
    if data.id_type == IdType.RESIDENT_ID and not validate_resident_id(data.id_number, today=today):
        raise InvalidField(
            "id_number", "居民身份证号码无效（位数、出生日期或校验码不符）", code="invalid_resident_id"
        )


def _received_on(data: RegistrationIn, today: date) -> date:
    """条例第三十一条: the received date by channel."""
    if data.channel == Channel.ONLINE:
        raise InvalidField("channel", "网上申请须由申请人本人在网上提交，不能由经办人员登记")
    if data.channel == Channel.IN_PERSON:
        return today
    name = "signed_for_on" if data.channel == Channel.LETTER_REGISTERED else "confirmed_on"
    given = getattr(data, name)
    if given is None:
        what = "挂号信的签收日期" if name == "signed_for_on" else "与申请人确认的日期"
        raise InvalidField(name, f"{CHANNEL_LABELS[data.channel]}须给出{what}")
    if given > today:
        raise InvalidField(name, "不能晚于今天")
    if given < today - timedelta(days=EARLIEST_RECEIPT_DAYS):
        raise InvalidField(name, f"不能早于 {EARLIEST_RECEIPT_DAYS} 天前")
    return given


async def _create(
    session: AsyncSession,
    *,
    data: ApplicationIn,
    actor: Principal,
    cipher: PersonalDataCipher,
    lookup: AgencyLookup,
    channel: Channel,
    received_on: date,
    today: date,
    action: str,
) -> tuple[Application, str]:
    _check_identity(data, today)
    path = await lookup(data.agency_id)
    tracking_no, code = new_tracking_no("YSQ", today), new_query_code()

    def enc(field: str, value: str) -> str:
        return cipher.encrypt(value, context=_context(field, tracking_no))

    id_number = data.id_number.strip()
    application = Application(
        tracking_no=tracking_no,
        query_code_hash=hash_code(code),
        agency_id=data.agency_id,
        agency_path=path,
        applicant_user_id=actor.subject if actor.role == Role.PUBLIC else None,
        applicant_type=str(data.applicant_type),
        applicant_name=enc("applicant_name", data.applicant_name.strip()),
        id_type=str(data.id_type),
        id_number=enc("id_number", id_number),
        id_number_index=cipher.blind_index(id_number, kind="id_number"),
        phone=enc("phone", data.phone.strip()),
        email=data.email,
        address=enc("address", data.address) if data.address else None,
        description=data.description,
        form=str(data.form),
        delivery=str(data.delivery),
        channel=str(channel),
        received_on=received_on,
        state=str(ApplicationState.REGISTERED),
        created_by=actor.subject,
    )
    session.add(application)
    await session.flush()
    record_event(
        session,
        aggregate_type=lifecycle.AGGREGATE,
        aggregate_id=application.id,
        action=action,
        actor=actor,
        after={
            "state": application.state,
            "channel": application.channel,
            "clock": lifecycle.clock_fact(ClockEventKind.RECEIVED, received_on),
        },
    )
    return application, code


def _receipt(application: Application, code: str, calendar: WorkingCalendar, today: date) -> TrackingReceipt:
    due = _deadline(application, [], calendar, today, received_only=True)
    return TrackingReceipt(
        id=application.id,  # type: ignore[arg-type]
        tracking_no=application.tracking_no,
        query_code=code,
        received_on=application.received_on,
        due=due.due,
    )


async def apply(
    session: AsyncSession,
    *,
    data: ApplicationIn,
    actor: Principal,
    cipher: PersonalDataCipher,
    lookup: AgencyLookup,
    calendar: WorkingCalendar,
    today: date,
    idempotency_key: str | None,
) -> TrackingReceipt:
    """条例第三十一条: online → the received date is the day of submission (Asia/Shanghai)."""
    digest = idempotency.body_hash(data)
    once = {"service": "requests", "owner": actor.subject, "digest": digest, "cipher": cipher}
    if idempotency_key is not None:
        earlier = await idempotency.replay(session, key=idempotency_key, answer_type=TrackingReceipt, **once)
        if earlier is not None:
            return earlier
    application, code = await _create(
        session,
        data=data,
        actor=actor,
        cipher=cipher,
        lookup=lookup,
        channel=Channel.ONLINE,
        received_on=today,
        today=today,
        action="applied",
    )
    receipt = _receipt(application, code, calendar, today)
    if idempotency_key is not None:
        idempotency.remember(session, key=idempotency_key, answer=receipt, **once)
    try:
        await session.commit()
    except IntegrityError:  # the same key raced in from a retry: answer what the first one got
        await session.rollback()
        if idempotency_key is None:
            raise
        earlier = await idempotency.replay(session, key=idempotency_key, answer_type=TrackingReceipt, **once)
        if earlier is None:
            raise
        return earlier
    return receipt


async def register(
    session: AsyncSession,
    *,
    data: RegistrationIn,
    actor: Principal,
    cipher: PersonalDataCipher,
    lookup: AgencyLookup,
    calendar: WorkingCalendar,
    today: date,
) -> TrackingReceipt:
    if not actor.is_clerk_of(data.agency_id):
        raise Forbidden("只能登记本机关收到的申请", code="agency_scope")
    received_on = _received_on(data, today)
    plain = ApplicationIn.model_validate(
        data.model_dump(exclude={"channel", "signed_for_on", "confirmed_on"})
    )
    application, code = await _create(
        session,
        data=plain,
        actor=actor,
        cipher=cipher,
        lookup=lookup,
        channel=data.channel,
        received_on=received_on,
        today=today,
        action="registered",
    )
    application.assigned_to = actor.subject
    receipt = _receipt(application, code, calendar, today)
    await session.commit()
    return receipt


# --- reading --------------------------------------------------------------------------------------


def _deadline(
    application: Application,
    events: list[Event],
    calendar: WorkingCalendar,
    today: date,
    *,
    received_only: bool = False,
) -> DeadlinePublic:
    try:
        if received_only:
            found = compute_deadline(
                [ClockEvent(ClockEventKind.RECEIVED, application.received_on)],
                get_rule_set(application.rule_set),
                calendar,
                today,
            )
        else:
            found = lifecycle.deadline(application, events, calendar, today)
    except DeadlineRuleViolation as exc:
        return DeadlinePublic(known=False, problem=exc.detail)
    return DeadlinePublic(
        known=True,
        due=found.due,
        flag=str(found.flag),
        provisional=found.provisional,
        paused=found.paused,
        stage=str(found.stage),
        working_days_left=found.working_days_left,
        correction_due=found.correction_due,
        extension_allowed_days=found.extension_allowed_days,
    )


def _labels(application: Application) -> dict[str, str]:
    labels = {
        "state": STATE_LABELS[ApplicationState(application.state)],
        "applicant_type": APPLICANT_TYPE_LABELS[ApplicantType(application.applicant_type)],
        "id_type": ID_TYPE_LABELS[IdType(application.id_type)],
        "form": FORM_LABELS[Form(application.form)],
        "delivery": DELIVERY_LABELS[Delivery(application.delivery)],
        "channel": CHANNEL_LABELS[Channel(application.channel)],
    }
    if application.outcome:
        labels["outcome"] = outcome_label(application.outcome) or ""
    return labels


def mask_email(email: str | None) -> str | None:
    if not email:
        return email
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}"


def applicant_of(application: Application, cipher: PersonalDataCipher, *, masked: bool) -> ApplicantPublic:
    def dec(field: str, value: str | None) -> str | None:
        return cipher.decrypt(value, context=_context(field, application.tracking_no)) if value else value

    name = dec("applicant_name", application.applicant_name) or ""
    number = dec("id_number", application.id_number) or ""
    phone = dec("phone", application.phone) or ""
    address = dec("address", application.address)
    if masked:
        person = application.applicant_type == ApplicantType.NATURAL_PERSON
        name = mask_name(name) if person else name
        number = (
            mask_id_number(number)
            if application.id_type == IdType.RESIDENT_ID
            else mask_id_number(number, show_prefix=2, show_suffix=2)
        )
        phone = mask_phone(phone)
        address = mask_address(address) if address else address
    return ApplicantPublic(
        name=name,
        id_type=IdType(application.id_type),
        id_number=number,
        phone=phone,
        email=mask_email(application.email) if masked else application.email,
        address=address,
        masked=masked,
    )


def can_read(principal: Principal, application: Application) -> bool:
    if principal.role == Role.PUBLIC:
        return (
            application.applicant_user_id is not None and application.applicant_user_id == principal.subject
        )
    if principal.role == Role.CLERK:
        return principal.is_clerk_of(application.agency_id)
    if principal.role == Role.INSPECTOR:
        return principal.watches(application.agency_path)
    return False


def _not_found(application_id: int) -> NotFound:
    return NotFound(f"申请 {application_id} 不存在", code="application_not_found")


async def load(session: AsyncSession, application_id: int, principal: Principal) -> Application:
    """The application if the caller may see it; otherwise 404 (its existence is not revealed)."""
    application = await session.get(Application, application_id)
    if application is None or not can_read(principal, application):
        raise _not_found(application_id)
    return application


async def load_as_clerk(session: AsyncSession, application_id: int, principal: Principal) -> Application:
    application = await load(session, application_id, principal)
    if principal.role != Role.CLERK:
        raise Forbidden("只有受理机关的经办人员可以办理", code="role_forbidden")
    return application


async def load_as_owner(session: AsyncSession, application_id: int, principal: Principal) -> Application:
    application = await load(session, application_id, principal)
    if principal.role != Role.PUBLIC:
        raise Forbidden("只有申请人本人可以这样做", code="role_forbidden")
    return application


async def view(
    session: AsyncSession,
    application: Application,
    principal: Principal,
    *,
    cipher: PersonalDataCipher,
    calendar: WorkingCalendar,
    today: date,
) -> ApplicationPublic:
    """The applicant sees their own data; staff see it masked (the unmasked read is audited)."""
    events = (await lifecycle.events_of(session, [application.id]))[application.id]  # type: ignore[list-item]
    return ApplicationPublic(
        id=application.id,  # type: ignore[arg-type]
        tracking_no=application.tracking_no,
        agency_id=application.agency_id,
        applicant_type=ApplicantType(application.applicant_type),
        applicant=applicant_of(application, cipher, masked=principal.role != Role.PUBLIC),
        description=application.description,
        form=Form(application.form),
        delivery=Delivery(application.delivery),
        channel=Channel(application.channel),
        received_on=application.received_on,
        rule_set=application.rule_set,
        state=application.state,
        outcome=Outcome(application.outcome) if application.outcome else None,
        assigned_to=application.assigned_to if principal.role != Role.PUBLIC else None,
        created_at=application.created_at,
        updated_at=application.updated_at,
        deadline=_deadline(application, events, calendar, today),
        labels=_labels(application),
    )


async def personal_data(
    session: AsyncSession, application: Application, principal: Principal, cipher: PersonalDataCipher
) -> ApplicantPublic:
    fields = [f for f in PERSONAL_FIELDS if getattr(application, f)]
    record_read(
        session,
        actor=principal,
        record_type=RECORD_TYPE,
        record_id=application.id,
        fields=fields,
        purpose="办理政府信息公开申请",
    )
    applicant = applicant_of(application, cipher, masked=False)
    await session.commit()
    return applicant


async def timeline(
    session: AsyncSession, application: Application, principal: Principal
) -> list[TimelineEntry]:
    events = (await lifecycle.events_of(session, [application.id]))[application.id]  # type: ignore[list-item]
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


async def list_applications(
    session: AsyncSession,
    *,
    principal: Principal,
    page: PageParams,
    state: ApplicationState | None,
    flag: str | None,
    due_before: date | None,
    calendar: WorkingCalendar,
    cipher: PersonalDataCipher,
    today: date,
    assigned_to: str | None = None,
) -> tuple[list[ApplicationSummary], int]:
    query = select(Application)
    if principal.role == Role.CLERK and principal.agency_id is not None:
        query = query.where(Application.agency_id == principal.agency_id)
    elif principal.role == Role.INSPECTOR and principal.region_id is not None:
        query = query.where(col(Application.agency_path).contains(region_marker(principal.region_id)))
    else:
        return [], 0
    if state is not None:
        query = query.where(Application.state == str(state))
    if assigned_to is not None:
        query = query.where(Application.assigned_to == assigned_to)
    order = (col(Application.received_on).desc(), col(Application.id).desc())
    if flag is None and due_before is None:
        total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
        rows = list(
            (await session.exec(query.order_by(*order).offset(page.offset).limit(page.page_size))).all()
        )
        deadlines = await _deadlines(session, rows, calendar, today)
    else:
        # Flags and due dates are derived, not stored: filter the open applications in scope.
        query = query.where(col(Application.state).not_in([str(s) for s in CLOSED_STATES]))
        every = list((await session.exec(query.order_by(*order))).all())
        all_deadlines = await _deadlines(session, every, calendar, today)
        kept = [
            a
            for a in every
            if (flag is None or all_deadlines[a.id].flag == flag)  # type: ignore[index]
            and (
                due_before is None
                or (all_deadlines[a.id].due is not None and all_deadlines[a.id].due < due_before)  # type: ignore[index,operator]
            )
        ]
        total = len(kept)
        rows = kept[page.offset : page.offset + page.page_size]
        deadlines = all_deadlines
    items = [
        ApplicationSummary(
            id=a.id,  # type: ignore[arg-type]
            tracking_no=a.tracking_no,
            agency_id=a.agency_id,
            applicant_type=ApplicantType(a.applicant_type),
            applicant_name=applicant_of(a, cipher, masked=True).name,
            channel=Channel(a.channel),
            received_on=a.received_on,
            state=a.state,
            outcome=Outcome(a.outcome) if a.outcome else None,
            due=deadlines[a.id].due,  # type: ignore[index]
            flag=deadlines[a.id].flag,  # type: ignore[index]
            provisional=deadlines[a.id].provisional,  # type: ignore[index]
            labels=_labels(a),
        )
        for a in rows
    ]
    return items, total


async def _deadlines(
    session: AsyncSession, rows: list[Application], calendar: WorkingCalendar, today: date
) -> dict[int, DeadlinePublic]:
    events = await lifecycle.events_of(session, [a.id for a in rows])  # type: ignore[misc]
    return {a.id: _deadline(a, events[a.id], calendar, today) for a in rows}  # type: ignore[index]


async def track(
    session: AsyncSession, *, tracking_no: str, code: str, calendar: WorkingCalendar, today: date
) -> TrackingStatus:
    """Unknown number and wrong code answer alike (and take alike: the hash is always computed)."""
    application = (
        await session.exec(select(Application).where(Application.tracking_no == tracking_no.strip().upper()))
    ).first()
    if not code_matches(code, application.query_code_hash if application else None) or application is None:
        raise NotFound("申请编号或查询码不正确", code="tracking_not_found")
    events = (await lifecycle.events_of(session, [application.id]))[application.id]  # type: ignore[list-item]
    found = _deadline(application, events, calendar, today)
    return TrackingStatus(
        tracking_no=application.tracking_no,
        state=application.state,
        state_label=STATE_LABELS[ApplicationState(application.state)],
        received_on=application.received_on,
        due=found.due,
        outcome=Outcome(application.outcome) if application.outcome else None,
        outcome_label=outcome_label(application.outcome),
    )


async def assign(
    session: AsyncSession, application: Application, data: AssignmentIn, actor: Principal
) -> Application:
    """Records who handles an open application (an event with the old and the new clerk)."""
    if ApplicationState(application.state) in CLOSED_STATES:
        raise lifecycle.InvalidTransition(
            f"申请当前状态为「{STATE_LABELS[ApplicationState(application.state)]}」，不能分派经办人"
        )
    before = application.assigned_to
    application.assigned_to = data.clerk_id.strip()
    if not application.assigned_to:
        raise InvalidField("clerk_id", "不能为空")
    application.updated_at = utcnow()
    session.add(application)
    record_event(
        session,
        aggregate_type=lifecycle.AGGREGATE,
        aggregate_id=application.id,
        action="assign",
        actor=actor,
        reason=data.reason,
        before={"assigned_to": before},
        after={"assigned_to": application.assigned_to},
    )
    await session.commit()
    await session.refresh(application)
    return application
