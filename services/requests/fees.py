"""Information-processing fees (条例第四十二条; 国办函〔2020〕109号《政府信息公开信息处理费管理办法》).

Two ways of charging, the agency's choice for one applicant:

- by count (按件计收), per applicant, calendar month and agency: the 1st–10th application free; the
  11th–30th ¥100 each; from the 31st, bands of 10, each band ¥100 more per application than the one
  before (31–40 ¥200, 41–50 ¥300, …). A fee notice is about one application: its fee is the price of
  that application's place in the month (`applications_this_month` = its ordinal, itself included);
- by pages of one application (按量计收): pages 1–30 free; 31–100 ¥10 each; 101–200 ¥20 each; from
  201 ¥40 each (each page at the price of its band).

The fee notice gives 20 working days to pay (rule set `fee_payment_days`); the time is not counted in
the answer limit (a pause of the clock); unpaid past it, processing ends (outcome other.fee_unpaid).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import lifecycle
from services.requests.models import FEE_METHOD_LABELS, Application, FeeMethod, FeeNotice, Form
from services.requests.schemas import FeeNoticeIn, FeeNoticePublic, FeePaidIn
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.deadlines import fee_payment_due, get_rule_set
from shared.errors import Conflict, InvalidField

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


def payment_date(notice: FeeNotice | None, paid_on: date | None, today: date) -> date:
    """When a payment counts: within the notice's 20 working days (条例第四十二条), not in the future."""
    if notice is None or notice.paid_on is not None:
        raise Conflict("没有待缴费的收费通知", code="fee_not_notified")
    paid_on = paid_on or today
    if paid_on > today:
        raise InvalidField("paid_on", "不能晚于今天")
    if paid_on < notice.notified_on:
        raise InvalidField("paid_on", f"不能早于收费通知日期 {notice.notified_on}")
    if paid_on > notice.due_on:
        raise Conflict(
            f"缴费期限（{notice.due_on}）已届满，逾期未缴费的，以 other.fee_unpaid 终止办理",
            code="fee_payment_period_passed",
        )
    return paid_on


def public(notice: FeeNotice) -> FeeNoticePublic:
    return FeeNoticePublic(
        id=notice.id,  # type: ignore[arg-type]
        application_id=notice.application_id,
        method=FeeMethod(notice.method),
        method_label=FEE_METHOD_LABELS[FeeMethod(notice.method)],
        applications_this_month=notice.applications_this_month,
        pages=notice.pages,
        amount=notice.amount,
        reason=notice.reason,
        notified_on=notice.notified_on,
        due_on=notice.due_on,
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
) -> FeeNoticePublic:
    """Issues the fee notice: its amount from the method, its payment period from the rule set, and
    the pause of the clock, with its event in one transaction."""
    check_can_notify(application, data.method, today)
    if data.method == FeeMethod.BY_PAGES and data.pages is None:
        raise InvalidField("pages", "按量计收须给出页数")
    place = await place_in_month(session, application) if data.method == FeeMethod.BY_COUNT else None
    pages = data.pages if data.method == FeeMethod.BY_PAGES else None
    amount = compute_fee(data.method, applications_this_month=place or 0, pages=pages or 0)
    if amount == 0:
        field = "pages" if data.method == FeeMethod.BY_PAGES else "method"
        raise InvalidField(field, "按所选计收方式不收费（未超过免费的件数或页数），不能发出收费通知")
    due = fee_payment_due(today, get_rule_set(application.rule_set), calendar)
    if due is None:
        raise Conflict(f"期限规则 {application.rule_set} 没有收费通知", code="fees_not_applicable")
    notice = FeeNotice(
        application_id=application.id,  # type: ignore[arg-type]
        method=str(data.method),
        applications_this_month=place,
        pages=pages,
        amount=amount,
        reason=data.reason,
        notified_on=today,
        due_on=due.day,
        created_by=actor.subject,
    )

    async def write(s: AsyncSession, _: Application) -> None:
        s.add(notice)

    details = {"fee": {"method": str(data.method), "amount": amount, "due_on": due.day.isoformat()}}
    step = lifecycle.Step("fee_notice", actor, today, reason=data.reason, details=details)
    await lifecycle.perform(session, application, step, write=write, calendar=calendar, today=today)
    await session.refresh(notice)
    return public(notice)


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
    notice = await latest(session, application.id)  # type: ignore[arg-type]
    paid_on = payment_date(notice, data.paid_on, today)
    assert notice is not None
    notice_id = notice.id

    async def write(s: AsyncSession, _: Application) -> None:
        found = await s.get(FeeNotice, notice_id)
        assert found is not None
        found.paid_on = paid_on
        s.add(found)

    details: dict[str, Any] = {"fee": {"paid_on": paid_on.isoformat(), "amount": notice.amount}}
    step = lifecycle.Step("fee_paid", actor, paid_on, reason=data.note, details=details)
    await lifecycle.perform(session, application, step, write=write, calendar=calendar, today=today)
    await session.refresh(notice)
    return public(notice)
