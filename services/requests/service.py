"""Requests domain logic: applying, registering, reading (masked or audited), tracking."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import ColumnElement, and_, insert, or_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import corrections, fees, lifecycle, notices
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
    CorrectionFile,
    Delivery,
    FilePurpose,
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
    OutcomePublic,
    ReferralKind,
    RegistrationIn,
    TimelineEntry,
    TrackingReceipt,
    TrackingStatus,
    WithdrawalIn,
)
from shared import idempotency
from shared.agencies import AgencyLookup, rule_set_on
from shared.audit import record_read
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar, local_date
from shared.db import row_id, table_of, utcnow
from shared.deadlines import (
    ClockEvent,
    ClockEventKind,
    DeadlineRuleViolation,
    Flag,
)
from shared.errors import Forbidden, InvalidField, NotFound, ServiceUnavailable
from shared.events import Event, append_event, record_event
from shared.http import ServiceClient
from shared.pagination import PageParams
from shared.personal_data import (
    PersonalDataCipher,
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_resident_id,
)
from shared.schemas import DeadlinePublic
from shared.scope import in_scope, scope_condition
from shared.staff import ClerkCheck
from shared.supervision import OverdueList, SupervisionItem, listed_flag, order_key
from shared.tracking import code_matches, hash_code, new_query_code, new_tracking_no

# One compiled statement, the values bound as parameters (`insert(…).values(**row)` builds and
# compiles a new statement for every submission).
_INSERT = insert(table_of(Application)).returning(table_of(Application).c.id)
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
        name, given = "received_on", data.received_on or today
    else:
        if data.received_on is not None:
            raise InvalidField(
                "received_on", "只有当面提交的申请填写 received_on；信件和传真填签收或确认的日期"
            )
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
    calendar: WorkingCalendar,
    channel: Channel,
    received_on: date,
    today: date,
    action: str,
    assigned_to: str | None = None,
    notice: dict[str, str] | None = None,
) -> TrackingReceipt:
    """Writes the application and its first event (the caller commits). A plain INSERT … RETURNING:
    building and flushing an ORM object cost more than the rest of a submission. `notice`: the
    number of the 登记回执 the first event issues (registrations by a clerk)."""
    _check_identity(data, today)
    path = await lookup(data.agency_id)
    # docs/time-limits.md, "Rule sets": the agency's rule set in force on the received date governs it
    # for good.
    rule_set = await rule_set_on(lookup, data.agency_id, received_on)
    tracking_no, code = new_tracking_no("YSQ", today), new_query_code()

    def enc(field: str, value: str) -> str:
        return cipher.encrypt(value, context=_context(field, tracking_no))

    id_number = data.id_number.strip()
    clock = [ClockEvent(ClockEventKind.RECEIVED, received_on)]
    now = utcnow()
    values = {
        "tracking_no": tracking_no,
        "query_code_hash": hash_code(code),
        "agency_id": data.agency_id,
        "agency_path": path,
        "applicant_user_id": actor.subject if actor.role == Role.PUBLIC else None,
        "applicant_type": str(data.applicant_type),
        "applicant_name": enc("applicant_name", data.applicant_name.strip()),
        "id_type": str(data.id_type),
        "id_number": enc("id_number", id_number),
        "id_number_index": cipher.blind_index(id_number, kind="id_number"),
        "phone": enc("phone", data.phone.strip()),
        "email": data.email,
        "address": enc("address", data.address) if data.address else None,
        "description": data.description,
        "form": str(data.form),
        "delivery": str(data.delivery),
        "channel": str(channel),
        "received_on": received_on,
        "rule_set": rule_set,
        "state": str(ApplicationState.REGISTERED),
        "assigned_to": assigned_to,
        "created_by": actor.subject,
        "created_at": now,
        "updated_at": now,
        **lifecycle.stored_deadline(rule_set, clock, calendar),
    }
    connection = await session.connection()
    application_id = (await connection.execute(_INSERT, values)).scalar_one()
    await append_event(
        session,
        aggregate_type=lifecycle.AGGREGATE,
        aggregate_id=application_id,
        action=action,
        actor=actor,
        after={
            "state": values["state"],
            "channel": values["channel"],
            "clock": lifecycle.clock_fact(ClockEventKind.RECEIVED, received_on),
            **({"notice": notice} if notice else {}),
        },
    )
    return TrackingReceipt(
        id=application_id,
        tracking_no=tracking_no,
        query_code=code,
        received_on=received_on,
        due=values["due_on"],
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

    async def create() -> TrackingReceipt:
        return await _create(
            session,
            data=data,
            actor=actor,
            cipher=cipher,
            lookup=lookup,
            calendar=calendar,
            channel=Channel.ONLINE,
            received_on=today,
            today=today,
            action="applied",
        )

    receipt = await idempotency.run_once(
        session,
        service="requests",
        owner=actor.subject,
        key=idempotency_key,
        data=data,
        cipher=cipher,
        answer_type=TrackingReceipt,
        create=create,
    )
    await session.commit()  # the unit of work: the new rows and the remembered answer
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
    agency_info: notices.AgencyInfo | None = None,
) -> TrackingReceipt:
    """A letter, fax or visit registered by the agency's clerk, with a numbered 登记回执 for the
    applicant who is not online (the agency's name is asked first: with the catalog down nothing is
    written). Online applicants get their receipt on the screen and take no notice number."""
    if not actor.is_clerk_of(data.agency_id):
        raise Forbidden("只能登记本机关收到的申请", code="agency_scope")
    received_on = _received_on(data, today)
    agency_name, _ = await notices.names(agency_info, data.agency_id)
    plain = ApplicationIn.model_validate(
        data.model_dump(exclude={"channel", "signed_for_on", "confirmed_on", "received_on"})
    )
    receipt = await _create(
        session,
        data=plain,
        actor=actor,
        cipher=cipher,
        lookup=lookup,
        calendar=calendar,
        channel=data.channel,
        received_on=received_on,
        today=today,
        action="registered",
        assigned_to=actor.subject,
        notice=await notices.numbered(session, data.agency_id, agency_name, today),
    )
    await session.commit()
    return receipt


# --- referrals ------------------------------------------------------------------------------------


async def referred_document(
    client: ServiceClient, kind: ReferralKind, document_id: int, application: Application
) -> dict[str, Any]:
    """The catalog document a referral points the applicant to (条例第三十六条第（一）项), asked of the
    catalog with the service token: it must exist and be published to the public. For information
    that should have been published proactively (第十九条、第二十条) it must also be this agency's
    own and published on or after the day the application was received — otherwise it was simply
    already published."""
    try:
        response = await client.get(f"/api/v1/catalog/documents/{document_id}")
    except httpx.HTTPError as exc:
        raise ServiceUnavailable("目录服务暂不可用，无法核对公开文件，请稍后重试") from exc
    if response.status_code == 404:
        raise InvalidField(
            "document_id", f"文件 {document_id} 不存在或尚未公开", code="document_not_published"
        )
    if response.status_code != 200:
        raise ServiceUnavailable("目录服务暂不可用，无法核对公开文件，请稍后重试")
    found: dict[str, Any] = response.json()
    if found.get("status") != "published" or found.get("scope") != "public":
        raise InvalidField("document_id", f"文件 {document_id} 尚未向社会公开", code="document_not_published")
    published_at = found.get("published_at")
    published_on = local_date(datetime.fromisoformat(published_at)) if published_at else None
    if kind == ReferralKind.SHOULD_HAVE_BEEN_PROACTIVE:
        if found.get("agency_id") != application.agency_id:
            raise InvalidField(
                "document_id",
                "应当主动公开的信息须由本机关公开：该文件不是本机关公开的",
                code="document_of_other_agency",
            )
        if published_on is None or published_on < application.received_on:
            raise InvalidField(
                "document_id",
                f"该文件在收到申请（{application.received_on}）前已经公开，请用 already_published（已主动公开）",
                code="document_published_before_application",
            )
    return {
        "id": document_id,
        "title": found.get("title"),
        "index_no": found.get("index_no"),
        "doc_number": found.get("doc_number"),
        "agency_id": found.get("agency_id"),
        "published_on": published_on.isoformat() if published_on else None,
        "url": f"/api/v1/catalog/documents/{document_id}",
    }


# --- reading --------------------------------------------------------------------------------------


def _deadline(
    application: Application,
    events: list[Event],
    calendar: WorkingCalendar,
    today: date,
) -> DeadlinePublic:
    try:
        found = lifecycle.deadline(application, events, calendar, today)
    except DeadlineRuleViolation as exc:
        return DeadlinePublic(known=False, problem=exc.detail)
    return DeadlinePublic.of(found)


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


def applicant_of(application: Application, cipher: PersonalDataCipher, *, masked: bool) -> ApplicantPublic:
    def dec(field: str, value: str | None) -> str | None:
        return cipher.decrypt(value, context=_context(field, application.tracking_no)) if value else value

    name = dec("applicant_name", application.applicant_name) or ""
    number = dec("id_number", application.id_number) or ""
    phone = dec("phone", application.phone) or ""
    address = dec("address", application.address)
    if masked:
        name = _shown_name(application, name)
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
        email=mask_email(application.email) if masked and application.email else application.email,
        address=address,
        masked=masked,
    )


def can_read(principal: Principal, application: Application) -> bool:
    if principal.role == Role.PUBLIC:
        return (
            application.applicant_user_id is not None and application.applicant_user_id == principal.subject
        )
    return in_scope(principal, application.agency_id, application.agency_path)


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


async def load_as_applicant(session: AsyncSession, application_id: int, principal: Principal) -> Application:
    """An applicant corrects or withdraws online; for an application received on paper (letter, fax, in
    person: it has no online owner) the agency's clerk records what the applicant sent."""
    if principal.role != Role.CLERK:
        return await load_as_owner(session, application_id, principal)
    application = await load_as_clerk(session, application_id, principal)
    if application.applicant_user_id is not None:
        raise Forbidden("网上提交的申请由申请人本人在网上补正或撤回", code="applicant_acts_online")
    return application


def applicant_step_on(
    application: Application, principal: Principal, *, received_on: date | None, today: date
) -> date:
    """The day the applicant's correction or withdrawal arrived: online, today; on paper, the day the
    clerk records (条例第三十条: the clock restarts on the day the correction arrives)."""
    if principal.role != Role.CLERK:
        if received_on is not None:
            raise InvalidField("received_on", "只有经办人员登记以信件、传真或当面收到的补正、撤回时填写")
        return today
    if received_on is None:
        raise InvalidField("received_on", "须给出收到补正或撤回申请的日期")
    if received_on > today:
        raise InvalidField("received_on", "不能晚于今天")
    if received_on < application.received_on:
        raise InvalidField("received_on", f"不能早于收到申请的日期 {application.received_on}")
    return received_on


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
    events = await lifecycle.history_of(session, application)
    deadline = _deadline(application, events, calendar, today)
    return ApplicationPublic(
        id=row_id(application),
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
        deadline=deadline,
        remedies=notices.unanswered_remedies(deadline.flag),
        fee=await fees.status(session, application),
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
    events = await lifecycle.history_of(session, application)
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
    """Newest first, with due dates and flags from the stored deadline columns (the events are read
    only for the few paused clocks on the page)."""
    where = _in_scope(principal)
    if where is None:
        return [], 0
    if state is not None:
        where.append(Application.state == str(state))
    if assigned_to is not None:
        where.append(Application.assigned_to == assigned_to)
    if flag is not None or due_before is not None:
        where.append(await _deadline_filter(session, where, flag, due_before, calendar, today))
    total = (await session.exec(select(func.count()).select_from(Application).where(*where))).one()
    order = (col(Application.received_on).desc(), col(Application.id).desc())
    rows = list(
        (
            await session.exec(
                select(Application).where(*where).order_by(*order).offset(page.offset).limit(page.page_size)
            )
        ).all()
    )
    standings = await _standings(session, rows, calendar, today)
    items = [
        ApplicationSummary(
            id=row_id(a),
            tracking_no=a.tracking_no,
            agency_id=a.agency_id,
            applicant_type=ApplicantType(a.applicant_type),
            applicant_name=masked_name(a, cipher),
            channel=Channel(a.channel),
            received_on=a.received_on,
            state=a.state,
            outcome=Outcome(a.outcome) if a.outcome else None,
            due=standings[row_id(a)].due,
            flag=standings[row_id(a)].flag,
            provisional=standings[row_id(a)].provisional,
            labels=_labels(a),
        )
        for a in rows
    ]
    return items, total


def _in_scope(principal: Principal) -> list[Any] | None:
    """A clerk's agency, an inspector's region (`shared.scope`); None for anyone else."""
    where = scope_condition(principal, col(Application.agency_id), col(Application.agency_path))
    return None if where is None else [where]


async def overdue(
    session: AsyncSession,
    *,
    principal: Principal,
    flag: str | None,
    limit: int,
    calendar: WorkingCalendar,
    today: date,
) -> OverdueList:
    """Open applications in the caller's scope that are yellow or red today, nearest due first."""
    scope = _in_scope(principal)
    if scope is None:
        return OverdueList(items=[], total=0)
    flags = [flag] if flag else [str(Flag.RED), str(Flag.YELLOW)]
    where = [*scope, or_(*[await _deadline_filter(session, scope, f, None, calendar, today) for f in flags])]
    total = (await session.exec(select(func.count()).select_from(Application).where(*where))).one()
    rows = list(
        (
            await session.exec(
                select(Application)
                .where(*where)
                .order_by(col(Application.due_on), col(Application.id))
                .limit(limit)
            )
        ).all()
    )
    standings = await _standings(session, rows, calendar, today)
    items = [_supervision_item(a, standings[row_id(a)]) for a in rows if standings[row_id(a)].due is not None]
    return OverdueList(items=sorted(items, key=order_key), total=total)


def _supervision_item(a: Application, standing: lifecycle.Standing) -> SupervisionItem:
    assert standing.due is not None and standing.flag is not None  # a yellow or red application
    return SupervisionItem(
        service="requests",
        item_type=lifecycle.AGGREGATE,
        id=row_id(a),
        tracking_no=a.tracking_no,
        agency_id=a.agency_id,
        title=f"政府信息公开申请：{a.description[:40]}",
        state=a.state,
        state_label=STATE_LABELS[ApplicationState(a.state)],
        due=standing.due,
        flag=listed_flag(Flag(standing.flag)),
        provisional=standing.provisional,
        owner_id=a.assigned_to,
        url=f"/api/v1/requests/{a.id}",
    )


async def _deadline_filter(
    session: AsyncSession,
    scope: list[Any],
    flag: str | None,
    due_before: date | None,
    calendar: WorkingCalendar,
    today: date,
) -> Any:
    """ "Open, with this flag / due before this day" as SQL over the stored deadline columns. A paused
    clock's due date moves every day it stays paused, so those few rows (and any row whose columns
    were never computed) are judged from their events first and named by id."""
    is_open = col(Application.state).not_in([str(s) for s in CLOSED_STATES])
    due_on = col(Application.due_on)
    tests: list[ColumnElement[bool]] = [
        col(Application.deadline_stage).in_(lifecycle.RUNNING_STAGES),
        col(Application.paused_since).is_(None),
    ]
    if flag is not None:
        tests.append(lifecycle.flag_condition(flag, calendar, today))
    if due_before is not None:
        tests.append(due_on < due_before)
    unsure = select(Application).where(
        *scope,
        is_open,
        or_(col(Application.paused_since).is_not(None), col(Application.deadline_stage).is_(None)),
    )
    if due_before is not None:  # a paused clock's due date only grows from the stored one
        unsure = unsure.where(or_(col(Application.deadline_stage).is_(None), due_on < due_before))
    candidates = list((await session.exec(unsure)).all())
    judged = await _deadlines(session, candidates, calendar, today)
    kept = [
        row_id(a)
        for a in candidates
        if (flag is None or judged[row_id(a)].flag == flag)
        and (due_before is None or (judged[row_id(a)].due or due_before) < due_before)
    ]
    by_columns = and_(*tests)
    return and_(is_open, or_(by_columns, col(Application.id).in_(kept)) if kept else by_columns)


async def _standings(
    session: AsyncSession, rows: list[Application], calendar: WorkingCalendar, today: date
) -> dict[int, lifecycle.Standing]:
    stored = {row_id(a): lifecycle.standing(a, calendar, today) for a in rows}
    judged = await _deadlines(session, [a for a in rows if stored[row_id(a)] is None], calendar, today)
    return {
        i: s if s is not None else lifecycle.Standing(judged[i].due, judged[i].flag, judged[i].provisional)
        for i, s in stored.items()
    }


def _shown_name(application: Application, name: str) -> str:
    """A natural person's name is masked where others may read it; an organisation's is public."""
    return mask_name(name) if application.applicant_type == ApplicantType.NATURAL_PERSON else name


def masked_name(application: Application, cipher: PersonalDataCipher) -> str:
    """The applicant's name as lists and notices kept for inspectors show it (only this field is
    decrypted)."""
    name = cipher.decrypt(
        application.applicant_name, context=_context("applicant_name", application.tracking_no)
    )
    return _shown_name(application, name)


async def _deadlines(
    session: AsyncSession, rows: list[Application], calendar: WorkingCalendar, today: date
) -> dict[int, DeadlinePublic]:
    if not rows:
        return {}
    events = await lifecycle.events_of(session, [row_id(a) for a in rows])
    return {row_id(a): _deadline(a, events[row_id(a)], calendar, today) for a in rows}


async def track(
    session: AsyncSession, *, tracking_no: str, code: str, calendar: WorkingCalendar, today: date
) -> TrackingStatus:
    """Unknown number and wrong code answer alike (and take alike: the hash is always computed)."""
    application = (
        await session.exec(select(Application).where(Application.tracking_no == tracking_no.strip().upper()))
    ).first()
    if not code_matches(code, application.query_code_hash if application else None) or application is None:
        raise NotFound("申请编号或查询码不正确", code="tracking_not_found")
    events = await lifecycle.history_of(session, application)
    found = _deadline(application, events, calendar, today)
    return TrackingStatus(
        tracking_no=application.tracking_no,
        state=application.state,
        state_label=STATE_LABELS[ApplicationState(application.state)],
        received_on=application.received_on,
        due=found.due,
        outcome=Outcome(application.outcome) if application.outcome else None,
        outcome_label=outcome_label(application.outcome),
        remedies=notices.unanswered_remedies(found.flag),
        fee=await fees.status(session, application),
    )


async def assign(
    session: AsyncSession,
    application: Application,
    data: AssignmentIn,
    actor: Principal,
    *,
    clerk_check: ClerkCheck,
) -> Application:
    """Records who handles an open application (an event with the old and the new clerk), who must
    be a working clerk of the application's agency."""
    if ApplicationState(application.state) in CLOSED_STATES:
        raise lifecycle.InvalidTransition(
            f"申请当前状态为「{STATE_LABELS[ApplicationState(application.state)]}」，不能分派经办人"
        )
    clerk = data.clerk_id.strip()
    if not clerk:
        raise InvalidField("clerk_id", "不能为空")
    await clerk_check(application.agency_id, clerk, "clerk_id")
    before = application.assigned_to
    application.assigned_to = clerk
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


async def withdraw(
    session: AsyncSession,
    application: Application,
    data: WithdrawalIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
) -> Application:
    """The applicant withdraws before the answer: online today; on paper the day the clerk records,
    with the letter or signed form uploaded first (…/withdrawal/attachments), which becomes part of
    the withdrawal — a withdrawal the applicant did not put in writing is not recorded."""
    on = applicant_step_on(application, actor, received_on=data.received_on, today=today)
    files: list[CorrectionFile] = []
    details: dict[str, Any] = {}
    if actor.role == Role.CLERK:
        files = await corrections.pending(session, application, FilePurpose.WITHDRAWAL)
        if not files:
            raise InvalidField(
                "attachments",
                "登记线下撤回须先上传申请人的撤回书面材料（…/withdrawal/attachments）",
                code="withdrawal_document_required",
            )
        details["attachments"] = corrections.recorded(files)
    step = lifecycle.Step(
        "withdraw", actor, on, reason=data.reason, details=details, date_field="received_on"
    )
    return await lifecycle.perform(
        session, application, step, write=corrections.submit_writer(files), calendar=calendar, today=today
    )
