"""Information-processing fees (条例第四十二条; 国办函〔2020〕109号《政府信息公开信息处理费管理办法》).

Two ways of charging, the agency's choice for one applicant:

- by count (按件计收), per applicant, calendar month and agency: the 1st–10th application free; the
  11th–30th ¥100 each; from the 31st, bands of 10, each band ¥100 more per application than the one
  before (31–40 ¥200, 41–50 ¥300, …). A fee notice is about one application: its fee is the price of
  that application's place in the month (`applications_this_month` = its ordinal, itself included);
- by pages of one application (按量计收): pages 1–30 free; 31–100 ¥10 each; 101–200 ¥20 each; from
  201 ¥40 each (each page at the price of its band).

The fee notice gives 20 working days to pay (rule set `fee_payment_days`), counted from the day the
applicant receives it: the issue day online or by email, the day on the return receipt for a notice
sent by post or handed over (a clerk records it; until then the last day to pay is unknown). The
clock of the answer is paused from the notice's issue (条例第四十二条: the time to pay is not counted)
until the payment or a waiver; unpaid past the period, processing ends (outcome other.fee_unpaid).

The agency may reduce or waive (减免) the fee, with its reason: a reduction leaves less to pay within
the same period; a waiver leaves nothing to pay, so the pause ends that day as after a payment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import lifecycle, notices
from services.requests.models import (
    FEE_DELIVERY_LABELS,
    FEE_METHOD_LABELS,
    FEE_RECEIVED_ON_ISSUE,
    FEE_RELIEF_LABELS,
    FEE_RELIEF_REASON_LABELS,
    Application,
    ApplicationState,
    FeeDelivery,
    FeeMethod,
    FeeNotice,
    FeeRelief,
    FeeReliefReason,
    Form,
)
from services.requests.schemas import (
    FeeNoticeIn,
    FeeNoticePublic,
    FeePaidIn,
    FeeReceiptIn,
    FeeReliefIn,
    FeeStatus,
    FeeTally,
    FeeTotals,
)
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.db import row_id, utcnow
from shared.deadlines import fee_payment_due, get_rule_set
from shared.errors import Conflict, InvalidField
from shared.events import record_event
from shared.scope import subtree_condition

FREE_APPLICATIONS = 10
FIRST_BAND_END = 30  # the 11th–30th application: ¥100 each
FIRST_BAND_PRICE = 100
BAND_SIZE = 10  # from the 31st: bands of 10, each ¥100 more than the one before
BAND_STEP = 100
# (first page, last page or None, price per page)
PAGE_BANDS: tuple[tuple[int, int | None, int], ...] = ((31, 100, 10), (101, 200, 20), (201, None, 40))


def compute_fee(method: FeeMethod | str, *, applications_this_month: int, pages: int) -> int:
    """The fee in yuan for one application: by count, `applications_this_month` is its place among
    the applicant's applications to the agency in that calendar month; by pages, `pages` its pages."""
    method = FeeMethod(method)
    if method is FeeMethod.BY_COUNT:
        n = applications_this_month
        if n < 0:
            raise ValueError("applications_this_month must not be negative")
        if n <= FREE_APPLICATIONS:
            return 0
        if n <= FIRST_BAND_END:
            return FIRST_BAND_PRICE
        return FIRST_BAND_PRICE + BAND_STEP * (1 + (n - FIRST_BAND_END - 1) // BAND_SIZE)
    if pages < 0:
        raise ValueError("pages must not be negative")
    total = 0
    for first, last, price in PAGE_BANDS:
        top = pages if last is None else min(pages, last)
        if top >= first:
            total += (top - first + 1) * price
    return total


# 国办函〔2020〕109号: 按量计收 covers paper copies, email and copies of electronic data only
PAGE_CHARGEABLE_FORMS = frozenset({Form.PAPER, Form.ELECTRONIC, Form.EMAIL})


def check_can_notify(application: Application, method: FeeMethod | str, today: date) -> None:
    """A fee notice only where 109号 allows one: never by pages for 当场查阅, never once the answer
    limit has passed (the notice would pause a clock that has already run out)."""
    if FeeMethod(method) is FeeMethod.BY_PAGES and application.form not in PAGE_CHARGEABLE_FORMS:
        raise InvalidField(
            "method",
            "当场查阅不按量计收（国办函〔2020〕109号：按量计收只适用于纸质、电子邮件和电子数据复制件）",
            code="fee_by_pages_not_for_inspection",
        )
    if application.due_on is not None and application.paused_since is None and today > application.due_on:
        raise Conflict(
            f"答复期限（{application.due_on}）已届满，不能再发出收费通知",
            code="fee_notice_after_deadline",
        )


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return start, end


async def place_in_month(session: AsyncSession, application: Application) -> int:
    """The application's ordinal among the same applicant's (same ID number, by its blind index)
    applications to the same agency received in the same calendar month, itself included."""
    start, end = month_bounds(application.received_on)
    same = (
        select(func.count())
        .select_from(Application)
        .where(Application.agency_id == application.agency_id)
        .where(Application.id_number_index == application.id_number_index)
        .where(col(Application.received_on) >= start)
        .where(col(Application.received_on) < end)
        .where(
            (col(Application.received_on) < application.received_on)
            | (
                (col(Application.received_on) == application.received_on)
                & (col(Application.id) <= application.id)
            )
        )
    )
    return int((await session.exec(same)).one())


async def latest(session: AsyncSession, application_id: int) -> FeeNotice | None:
    rows = await session.exec(
        select(FeeNotice).where(FeeNotice.application_id == application_id).order_by(col(FeeNotice.id).desc())
    )
    return rows.first()


async def open_notice(session: AsyncSession, application: Application) -> FeeNotice:
    """The fee notice the applicant still has to pay: the latest one, while the application waits for
    the payment (neither paid nor waived)."""
    notice = None
    if application.state == str(ApplicationState.FEE_NOTIFIED):
        notice = await latest(session, row_id(application))
    if notice is None or notice.paid_on is not None or notice.relief is FeeRelief.WAIVED:
        raise Conflict("没有待缴费的收费通知", code="fee_not_notified")
    return notice


def period_passed(notice: FeeNotice, today: date) -> bool:
    """Whether the 20 working days to pay are over; never while the day of receipt is unknown."""
    return notice.due_on is not None and today > notice.due_on


def check_unpaid_period_over(notice: FeeNotice, today: date) -> None:
    """Processing ends for an unpaid fee (other.fee_unpaid) only once the period to pay is over."""
    if notice.due_on is None:
        raise Conflict(
            "条例第四十二条：缴费期限自申请人收到收费通知之日起计算，收到日期（回执）尚未登记，"
            "不能以逾期未缴费终止办理",
            code="fee_receipt_not_recorded",
        )
    if not period_passed(notice, today):
        raise Conflict(
            f"条例第四十二条：缴费期限（{notice.due_on}，收到收费通知后 20 个工作日）尚未届满，"
            "不能以逾期未缴费终止办理",
            code="fee_payment_period_running",
        )


def _check_period_running(notice: FeeNotice, today: date) -> None:
    if period_passed(notice, today):
        raise Conflict(
            f"缴费期限（{notice.due_on}）已届满，逾期未缴费的，以 other.fee_unpaid 终止办理",
            code="fee_payment_period_passed",
        )


def payment_date(notice: FeeNotice | None, paid_on: date | None, today: date) -> date:
    """When a payment counts: within the notice's 20 working days (条例第四十二条), not in the future.
    Before a paper notice's receipt is recorded the period cannot have been seen to pass: the
    payment shows the applicant had the notice."""
    if notice is None or notice.paid_on is not None or notice.relief is FeeRelief.WAIVED:
        raise Conflict("没有待缴费的收费通知", code="fee_not_notified")
    paid_on = paid_on or today
    if paid_on > today:
        raise InvalidField("paid_on", "不能晚于今天")
    if paid_on < notice.notified_on:
        raise InvalidField("paid_on", f"不能早于收费通知日期 {notice.notified_on}")
    _check_period_running(notice, paid_on)
    return paid_on


def payment_days(application: Application) -> int:
    days = get_rule_set(application.rule_set).fee_payment_days
    if days is None:
        raise Conflict(f"期限规则 {application.rule_set} 没有收费通知", code="fees_not_applicable")
    return days


def relief_text(notice: FeeNotice) -> str | None:
    """The reduction or waiver the agency granted, as the applicant is told of it."""
    relief = notice.relief
    if relief is None:
        return None
    why = (
        FEE_RELIEF_REASON_LABELS[FeeReliefReason(notice.relief_reason_code)]
        if notice.relief_reason_code
        else ""
    )
    why = f"（{why}：{notice.relief_reason}）" if notice.relief_reason else ""
    if relief is FeeRelief.WAIVED:
        return f"本机关已于 {notice.relief_on} 决定免收本次信息处理费{why}，您无需缴费。"
    return (
        f"本机关已于 {notice.relief_on} 决定减收信息处理费 {notice.relief_amount} 元{why}，"
        f"减收后应缴纳 {notice.amount_due} 元。"
    )


def payment_terms(notice: FeeNotice, days: int) -> str:
    """What the notice says about paying: how much after any relief, and how the period is counted —
    from the day the applicant receives the notice — with the last day once that day is known."""
    if notice.relief is FeeRelief.WAIVED:
        return relief_text(notice) or ""
    amount = f"{notice.amount_due} 元"
    if notice.relief is FeeRelief.REDUCED:
        amount += f"（收费金额 {notice.amount} 元，本机关决定减收 {notice.relief_amount} 元）"
    text = f"请自收到本通知之日起 {days} 个工作日内缴纳信息处理费 {amount}"
    if notice.due_on is not None:
        text += f"；您于 {notice.received_on} 收到本通知，缴费期限至 {notice.due_on}"
    else:
        label = FEE_DELIVERY_LABELS[FeeDelivery(notice.delivery)]
        text += f"；本通知{label}，缴费期限自送达回执载明的收到之日起计算"
    text += "。缴费期间不计入答复期限；逾期未缴纳的，本机关不再处理您的政府信息公开申请。"
    if notice.paid_on is not None:
        text += f"您已于 {notice.paid_on} 缴纳。"
    return text


def public(notice: FeeNotice, application: Application) -> FeeNoticePublic:
    relief = notice.relief
    return FeeNoticePublic(
        id=row_id(notice),
        application_id=notice.application_id,
        method=FeeMethod(notice.method),
        method_label=FEE_METHOD_LABELS[FeeMethod(notice.method)],
        applications_this_month=notice.applications_this_month,
        pages=notice.pages,
        amount=notice.amount,
        reason=notice.reason,
        notified_on=notice.notified_on,
        delivery=FeeDelivery(notice.delivery),
        delivery_label=FEE_DELIVERY_LABELS[FeeDelivery(notice.delivery)],
        received_on=notice.received_on,
        due_on=notice.due_on,
        payment_terms=payment_terms(notice, payment_days(application)),
        relief=relief,
        relief_label=FEE_RELIEF_LABELS[relief] if relief else None,
        relief_amount=notice.relief_amount,
        relief_reason_code=FeeReliefReason(notice.relief_reason_code) if notice.relief_reason_code else None,
        relief_reason=notice.relief_reason,
        relief_on=notice.relief_on,
        amount_due=notice.amount_due,
        paid_on=notice.paid_on,
    )


async def status(session: AsyncSession, application: Application) -> FeeStatus | None:
    """The latest fee notice as the applicant's views show it (None: no fee was asked)."""
    notice = await latest(session, row_id(application))
    if notice is None:
        return None
    return FeeStatus(
        amount=notice.amount,
        relief=notice.relief,
        relief_amount=notice.relief_amount,
        amount_due=notice.amount_due,
        notified_on=notice.notified_on,
        received_on=notice.received_on,
        due_on=notice.due_on,
        payment_terms=payment_terms(notice, payment_days(application)),
        paid_on=notice.paid_on,
    )


async def notify(
    session: AsyncSession,
    application: Application,
    data: FeeNoticeIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    agency_info: notices.AgencyInfo | None = None,
) -> FeeNoticePublic:
    """Issues the fee notice: its amount from the method, the pause of the clock, with its event in one
    transaction. Online or by email it is received the day it is issued, so the last day to pay is
    known at once; on paper it waits for the return receipt (`record_receipt`)."""
    check_can_notify(application, data.method, today)
    if data.method == FeeMethod.BY_PAGES and data.pages is None:
        raise InvalidField("pages", "按量计收须给出页数")
    place = await place_in_month(session, application) if data.method == FeeMethod.BY_COUNT else None
    pages = data.pages if data.method == FeeMethod.BY_PAGES else None
    amount = compute_fee(data.method, applications_this_month=place or 0, pages=pages or 0)
    if amount == 0:
        field = "pages" if data.method == FeeMethod.BY_PAGES else "method"
        raise InvalidField(field, "按所选计收方式不收费（未超过免费的件数或页数），不能发出收费通知")
    payment_days(application)
    received_on = today if data.delivery in FEE_RECEIVED_ON_ISSUE else None
    due = fee_payment_due(received_on, get_rule_set(application.rule_set), calendar) if received_on else None
    notice = FeeNotice(
        application_id=row_id(application),
        method=str(data.method),
        applications_this_month=place,
        pages=pages,
        amount=amount,
        reason=data.reason,
        notified_on=today,
        delivery=str(data.delivery),
        received_on=received_on,
        due_on=due.day if due else None,
        created_by=actor.subject,
    )

    async def write(s: AsyncSession, _: Application) -> None:
        s.add(notice)

    fee: dict[str, Any] = {
        "method": str(data.method),
        "amount": amount,
        "delivery": str(data.delivery),
        "due_on": due.day.isoformat() if due else None,
    }
    # The 收费通知书's number, from the agency's one notice sequence (its name asked before any write).
    agency_name, _ = await notices.names(agency_info, application.agency_id)
    numbered = await notices.numbered(session, application.agency_id, agency_name, today)
    step = lifecycle.Step(
        "fee_notice", actor, today, reason=data.reason, details={"fee": fee, "notice": numbered}
    )
    await lifecycle.perform(session, application, step, write=write, calendar=calendar, today=today)
    await session.refresh(notice)
    return public(notice, application)


async def _claim(session: AsyncSession, application: Application) -> None:
    """Guards a write to an open notice that does not move the clock: the application must still be
    waiting for the payment (else someone acted first); `_update_notice` guards the notice itself."""
    now = utcnow()
    waiting = await session.exec(
        update(Application)
        .where(col(Application.id) == application.id)
        .where(col(Application.state) == str(ApplicationState.FEE_NOTIFIED))
        .values(updated_at=now)
    )
    if waiting.rowcount != 1:
        await session.rollback()
        raise lifecycle.InvalidTransition("申请状态已被他人更改，请刷新后重试")


async def _update_notice(session: AsyncSession, notice_id: int, where: list[Any], **values: Any) -> None:
    changed = await session.exec(
        update(FeeNotice).where(col(FeeNotice.id) == notice_id, *where).values(**values)
    )
    if changed.rowcount != 1:
        await session.rollback()
        raise Conflict("收费通知已被他人更改，请刷新后重试", code="fee_notice_changed")


async def record_receipt(
    session: AsyncSession,
    application: Application,
    data: FeeReceiptIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
) -> FeeNoticePublic:
    """A paper notice's return receipt: the applicant received it that day, so the 20 working days to
    pay run from it. The clock of the answer stays paused (it is from the notice's issue), so the
    event carries no clock fact."""
    notice = await open_notice(session, application)
    if FeeDelivery(notice.delivery) in FEE_RECEIVED_ON_ISSUE:
        raise Conflict(
            f"收费通知{FEE_DELIVERY_LABELS[FeeDelivery(notice.delivery)]}，发出当日即为收到，无需登记",
            code="fee_received_on_issue",
        )
    if notice.received_on is not None:
        raise Conflict(f"已登记收到日期 {notice.received_on}", code="fee_receipt_recorded")
    if data.received_on > today:
        raise InvalidField("received_on", "不能晚于今天")
    if data.received_on < notice.notified_on:
        raise InvalidField("received_on", f"不能早于收费通知发出的日期 {notice.notified_on}")
    due = fee_payment_due(data.received_on, get_rule_set(application.rule_set), calendar)
    assert due is not None  # the notice exists, so the rule set has a payment period
    notice_id = row_id(notice)
    await _claim(session, application)
    await _update_notice(
        session,
        notice_id,
        [col(FeeNotice.received_on).is_(None), col(FeeNotice.paid_on).is_(None)],
        received_on=data.received_on,
        due_on=due.day,
    )
    fee = {"notice_id": notice_id, "received_on": data.received_on.isoformat(), "due_on": due.day.isoformat()}
    record_event(
        session,
        aggregate_type=lifecycle.AGGREGATE,
        aggregate_id=application.id,
        action="fee_receipt",
        actor=actor,
        before={"state": application.state},
        after={"state": application.state, "fee": fee},
    )
    await session.commit()
    await session.refresh(notice)
    return public(notice, application)


def relief_amount(notice: FeeNotice, data: FeeReliefIn) -> int:
    """The yuan taken off: a reduction less than the whole amount, a waiver all of it."""
    if data.kind == FeeRelief.WAIVED:
        if data.amount is not None and data.amount != notice.amount:
            raise InvalidField("amount", f"免收即免收全部 {notice.amount} 元，不填金额；部分减收请选 reduced")
        return notice.amount
    if data.amount is None:
        raise InvalidField("amount", "减收须给出减收的金额（元）")
    if data.amount >= notice.amount:
        raise InvalidField(
            "amount",
            f"减收的金额须少于收费金额 {notice.amount} 元；全部免收请选 waived",
            code="fee_reduction_not_less",
        )
    return data.amount


async def grant_relief(
    session: AsyncSession,
    application: Application,
    data: FeeReliefIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
) -> FeeNoticePublic:
    """Records a reduction or waiver (减免) the agency grants, with its reason, day and clerk, in one
    transaction with its event. A reduction leaves less to pay within the same period, and the clock
    stays paused. A waiver leaves nothing to pay: 条例第四十二条 does not count the time to pay, and once
    nothing is owed there is none, so the pause ends the day of the waiver, as after a payment
    (a `fee_waived` step of the lifecycle); the answer is then due as after payment."""
    notice = await open_notice(session, application)
    if notice.relief is not None:
        raise Conflict(
            f"该收费通知已于 {notice.relief_on} {FEE_RELIEF_LABELS[notice.relief]}",
            code="fee_relief_recorded",
        )
    _check_period_running(notice, today)
    taken_off = relief_amount(notice, data)
    notice_id = row_id(notice)
    values = {
        "relief_amount": taken_off,
        "relief_reason_code": str(data.reason_code),
        "relief_reason": data.reason,
        "relief_on": today,
        "relief_by": actor.subject,
    }
    unchanged = [col(FeeNotice.relief_amount) == 0, col(FeeNotice.paid_on).is_(None)]
    fee = {
        "notice_id": notice_id,
        "relief": str(data.kind),
        "relief_amount": taken_off,
        "reason_code": str(data.reason_code),
        "amount_due": notice.amount - taken_off,
    }
    if data.kind == FeeRelief.WAIVED:

        async def write(s: AsyncSession, _: Application) -> None:
            await _update_notice(s, notice_id, unchanged, **values)

        step = lifecycle.Step("fee_waived", actor, today, reason=data.reason, details={"fee": fee})
        await lifecycle.perform(session, application, step, write=write, calendar=calendar, today=today)
    else:
        await _claim(session, application)
        await _update_notice(session, notice_id, unchanged, **values)
        record_event(
            session,
            aggregate_type=lifecycle.AGGREGATE,
            aggregate_id=application.id,
            action="fee_reduced",
            actor=actor,
            reason=data.reason,
            before={"state": application.state},
            after={"state": application.state, "fee": fee},
        )
        await session.commit()
    await session.refresh(notice)
    return public(notice, application)


async def record_payment(
    session: AsyncSession,
    application: Application,
    data: FeePaidIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
) -> FeeNoticePublic:
    """The applicant paid within the period: the clock runs again from the day of payment."""
    lifecycle.check_transition(application, "fee_paid")
    notice = await latest(session, row_id(application))
    paid_on = payment_date(notice, data.paid_on, today)
    assert notice is not None
    notice_id = notice.id

    async def write(s: AsyncSession, _: Application) -> None:
        found = await s.get(FeeNotice, notice_id)
        assert found is not None
        found.paid_on = paid_on
        s.add(found)

    details: dict[str, Any] = {"fee": {"paid_on": paid_on.isoformat(), "amount": notice.amount_due}}
    step = lifecycle.Step("fee_paid", actor, paid_on, reason=data.note, details=details)
    await lifecycle.perform(session, application, step, write=write, calendar=calendar, today=today)
    await session.refresh(notice)
    return public(notice, application)


# --- totals per agency and year ------------------------------------------------------------------


def _tally(count: Any, amount: Any) -> FeeTally:
    return FeeTally(count=int(count or 0), amount=int(amount or 0))


async def totals(session: AsyncSession, agency: int | str, year: int) -> FeeTotals:
    """The fees of an agency and all agencies below it (an id, or its path `/1/2/5/`) in one year.

    A notice counts in the year it was issued, with its relief (so issued − reduced − waived =
    charged, in yuan); a payment counts in the year it was made (collected), whatever year its notice."""
    agency_id = int(agency.strip("/").split("/")[-1]) if isinstance(agency, str) else agency
    start, end = date(year, 1, 1), date(year, 12, 31)
    due = col(FeeNotice.amount) - col(FeeNotice.relief_amount)
    relieved = col(FeeNotice.relief_amount) > 0
    waived = and_(relieved, col(FeeNotice.relief_amount) >= col(FeeNotice.amount))
    reduced = and_(relieved, col(FeeNotice.relief_amount) < col(FeeNotice.amount))

    async def one(day: Any, *columns: Any) -> Any:
        query = (
            select(*columns)
            .select_from(FeeNotice)
            .join(Application, col(Application.id) == col(FeeNotice.application_id))
            .where(subtree_condition(agency_id, col(Application.agency_path)))
            .where(day >= start, day <= end)
        )
        return (await session.exec(query)).one()

    issued = await one(
        col(FeeNotice.notified_on),
        func.count(),
        func.sum(FeeNotice.amount),
        func.sum(case((reduced, 1), else_=0)),
        func.sum(case((reduced, FeeNotice.relief_amount), else_=0)),
        func.sum(case((waived, 1), else_=0)),
        func.sum(case((waived, FeeNotice.relief_amount), else_=0)),
        func.sum(case((waived, 0), else_=1)),
        func.sum(due),
    )
    paid = await one(col(FeeNotice.paid_on), func.count(), func.sum(due))
    return FeeTotals(
        agency_id=agency_id,
        year=year,
        notified=_tally(issued[0], issued[1]),
        reduced=_tally(issued[2], issued[3]),
        waived=_tally(issued[4], issued[5]),
        charged=_tally(issued[6], issued[7]),
        collected=_tally(paid[0], paid[1]),
    )
