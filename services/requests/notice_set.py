"""The notice set of an application: every notice its handling issued, generated from the record,
numbered, printable as HTML and as PDF.

A notice is issued by one event in one transaction, and its number comes from the agency's one yearly
sequence (`notices.next_seq`), whatever its kind: the 登记回执 of a registration, the 补正告知书 (条例
第三十条), the 征求第三方意见书 to a third party (第三十二条), the 延期告知书 (第三十三条、第三十五条),
the 收费通知书 (第四十二条), and the 答复告知书 of every outcome or referral (第三十六条). A notice's id
is the id of the event that issued it; the answer's text is the stored `decision_notices` row, the
others are written from the event and the record each time they are read (the numbers and dates in
them never change). Readers are those of the application; the applicant's name is shown and audited
as on the decision notice.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import extensions, fees, lifecycle, notices
from services.requests.models import (
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    FEE_METHOD_LABELS,
    FORM_LABELS,
    Application,
    Channel,
    DecisionNotice,
    Delivery,
    FeeMethod,
    FeeNotice,
    Form,
)
from services.requests.schemas import NOTICE_KIND_LABELS, NoticeKind, NoticeListItem
from shared.audit import record_read
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar
from shared.db import row_id
from shared.deadlines import (
    Deadline,
    DeadlineRuleViolation,
    compute_deadline,
    get_rule_set,
    third_party_reply_due,
)
from shared.errors import NotFound
from shared.events import Event
from shared.personal_data import PersonalDataCipher

R = notices.R
K = NoticeKind
KIND_OF_ACTION = {
    "registered": K.RECEIPT,
    "request_correction": K.CORRECTION,
    "start_consultation": K.CONSULTATION,
    "extend": K.EXTENSION,
    "fee_notice": K.FEE,
    "decide": K.DECISION,
    "abandon": K.DECISION,  # other.no_correction (第三十条) is an outcome like any other
    "refer": K.REFERRAL,
}
ANSWERS = frozenset({K.DECISION, K.REFERRAL})
APPLICANT = "申请人"

# 条例第三十一条: how the received date was fixed, by the way the application came.
RECEIVED_RULES = {
    Channel.IN_PERSON: ("第三十一条第（一）项", "当面提交的，以提交之日为收到申请之日"),
    Channel.LETTER_REGISTERED: ("第三十一条第（二）项", "以邮寄方式提交的，以本机关签收之日为收到申请之日"),
    Channel.LETTER_ORDINARY: (
        "第三十一条第（二）项",
        "以平常信函提交的，以本机关与申请人确认之日为收到申请之日",
    ),
    Channel.FAX: ("第三十一条第（三）项", "以传真提交的，以双方确认之日为收到申请之日"),
    Channel.ONLINE: ("第三十一条第（三）项", "通过互联网提交的，以双方确认之日为收到申请之日"),
}


@dataclass(frozen=True)
class Issued:
    """One notice as the record holds it: the event that issued it and its number."""

    id: int
    kind: NoticeKind
    number: str
    issued_on: date
    index: int  # of the event in the application's history
    addressed_to: str


def _issued(history: list[Event], answer: DecisionNotice | None) -> list[Issued]:
    """The notices in the order they were issued. Events from before a kind was numbered issued no
    notice and are left out."""
    found = []
    for index, event in enumerate(history):
        kind = KIND_OF_ACTION.get(event.action)
        if kind is None:
            continue
        after = event.after or {}
        if kind in ANSWERS:
            if answer is None:
                continue
            number, on = answer.number, answer.issued_on
        else:
            fact = after.get("notice") or (after.get("extension") if kind is K.EXTENSION else None) or {}
            number = str(fact.get("number") or "")
            if not number:
                continue
            # The day it was issued (a receipt: the registration, not the received date), else the
            # day its event counts from.
            on = date.fromisoformat(fact.get("issued_on") or after["clock"]["on"])
        to = str(after.get("party") or "") if kind is K.CONSULTATION else APPLICANT
        found.append(Issued(row_id(event), kind, number, on, index, to))
    return found


async def _record(session: AsyncSession, application: Application) -> tuple[list[Event], list[Issued]]:
    history = await lifecycle.history_of(session, application)
    answer = (
        await session.exec(select(DecisionNotice).where(DecisionNotice.application_id == application.id))
    ).first()
    return history, _issued(history, answer)


def _url(application: Application, notice_id: int, ext: str) -> str:
    return f"/api/v1/requests/{application.id}/notices/{notice_id}.{ext}"


async def list_for(session: AsyncSession, application: Application) -> list[NoticeListItem]:
    """Every notice of the application, oldest first, with the links to its printable page and PDF."""
    _, issued = await _record(session, application)
    return [
        NoticeListItem(
            id=n.id,
            kind=n.kind,
            kind_label=NOTICE_KIND_LABELS[n.kind],
            number=n.number,
            issued_on=n.issued_on,
            addressed_to=n.addressed_to,
            html_url=_url(application, n.id, "html"),
            pdf_url=_url(application, n.id, "pdf"),
        )
        for n in issued
    ]


def filename(application: Application, kind: NoticeKind) -> str:
    return f"{NOTICE_KIND_LABELS[kind]}-{application.tracking_no}.pdf"


async def document(
    session: AsyncSession,
    application: Application,
    reader: Principal,
    notice_id: int,
    *,
    cipher: PersonalDataCipher,
    calendar: WorkingCalendar,
) -> tuple[NoticeKind, str]:
    """The printable page of one notice of the application, and its kind; 404 for any other id."""
    history, issued = await _record(session, application)
    found = next((n for n in issued if n.id == notice_id), None)
    if found is None:
        raise NotFound("该申请没有这份告知书", code="notice_not_found")
    if found.kind in ANSWERS:
        answer = await notices.get(session, application, reader, cipher=cipher)
        return found.kind, notices.to_html(answer)
    if found.kind is K.EXTENSION:
        extension = await extensions.get_notice(
            session, application, reader, notice_id, cipher=cipher, calendar=calendar
        )
        return found.kind, extensions.to_html(extension)
    event = history[found.index]
    if found.kind is K.CONSULTATION:  # addressed to the third party: no personal data of the applicant
        return found.kind, consultation_html(application, event, found, calendar)
    name = await _applicant_name(session, application, reader, NOTICE_KIND_LABELS[found.kind], cipher)
    if found.kind is K.RECEIPT:
        return found.kind, receipt_html(application, history, found, calendar, name)
    if found.kind is K.CORRECTION:
        return found.kind, correction_html(application, history, found, calendar, name)
    fee = await _fee_notice(session, application, history, found)
    return found.kind, fee_html(application, event, found, fee, name)


async def _applicant_name(
    session: AsyncSession,
    application: Application,
    reader: Principal,
    label: str,
    cipher: PersonalDataCipher,
) -> str:
    """The real name for the applicant and the agency's clerks (a clerk's read is audited), the
    masked one for inspectors — as on the decision notice."""
    from services.requests.service import RECORD_TYPE, applicant_of  # the service imports notices

    if reader.role == Role.CLERK:
        record_read(
            session,
            actor=reader,
            record_type=RECORD_TYPE,
            record_id=application.id,
            fields=["applicant_name"],
            purpose=f"查阅{label}",
        )
        await session.commit()
    entitled = reader.role in (Role.PUBLIC, Role.CLERK)  # `load` has checked owner or agency
    return applicant_of(application, cipher, masked=not entitled).name


async def _fee_notice(
    session: AsyncSession, application: Application, history: list[Event], found: Issued
) -> FeeNotice:
    """The fee notice row of the k-th fee_notice event (each event writes one row, in order)."""
    k = sum(1 for e in history[: found.index] if e.action == "fee_notice")
    rows = await session.exec(
        select(FeeNotice).where(FeeNotice.application_id == application.id).order_by(col(FeeNotice.id))
    )
    notices_in_order = list(rows.all())
    if k >= len(notices_in_order):
        raise NotFound("没有该收费通知书", code="notice_not_found")
    return notices_in_order[k]


# --- the pages ----------------------------------------------------------------------------------

e = html.escape


def _s(text: str) -> str:
    """A sentence from typed text: escaped, with exactly one full stop (nothing when empty)."""
    body = notices.clause(text)
    return f"{e(body)}。" if body else ""


def _agency(event: Event) -> str:
    fact = (event.after or {}).get("notice") or {}
    return str(fact.get("agency_name") or notices.GENERIC_AGENCY)


def _page(title: str, number: str, to: str, paragraphs: list[str], agency: str, on: date) -> str:
    """An A4 page in the decision notice's style; `paragraphs` are escaped already."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-CN"><head><meta charset="utf-8">',
            f"<title>{e(title)}</title>",
            f"<style>{notices.CSS}</style></head><body>",
            f"<h1>{e(title)}</h1>",
            f'<p class="number">{e(number)}</p>',
            f'<p class="to">{e(to)}：</p>',
            *paragraphs,
            f'<p class="sign">{e(agency)}<br>{e(on.isoformat())}</p>',
            "</body></html>",
        ]
    )


def _application(application: Application) -> str:
    return (
        f"<p>本机关于 {e(application.received_on.isoformat())} 收到您（申请编号 {e(application.tracking_no)}）"
        f"提出的政府信息公开申请，申请公开：{_s(application.description)}</p>"
    )


def _deadline_after(
    application: Application, history: list[Event], found: Issued, calendar: WorkingCalendar
) -> Deadline | None:
    """Where the clock stood right after the notice's event, on its day (None: the history breaks a rule)."""
    recorded = history[found.index].after
    assert recorded is not None  # a notice's event records its clock fact
    on = date.fromisoformat(recorded["clock"]["on"])
    try:
        return compute_deadline(
            lifecycle.clock_events(history[: found.index + 1]),
            get_rule_set(application.rule_set),
            calendar,
            on,
        )
    except DeadlineRuleViolation:
        return None


def receipt_html(
    application: Application, history: list[Event], found: Issued, calendar: WorkingCalendar, name: str
) -> str:
    """登记回执: when and how the application came, the received date by 第三十一条, the answer limit."""
    event = history[found.index]
    agency = _agency(event)
    channel = Channel(application.channel)
    article, rule = RECEIVED_RULES[channel]
    rules = get_rule_set(application.rule_set)
    deadline = _deadline_after(application, history, found, calendar)
    due = f"，即 {e(deadline.due.isoformat())} 前" if deadline and deadline.due else ""
    paragraphs = [
        f"<p>您以{e(CHANNEL_LABELS[channel])}方式提交的政府信息公开申请，本机关已于 "
        f"{e(found.issued_on.isoformat())} 登记，申请编号 {e(application.tracking_no)}。</p>",
        f"<p>申请公开：{_s(application.description)}</p>",
        f"<p>获取信息的形式：{e(FORM_LABELS[Form(application.form)])}；"
        f"获取方式：{e(DELIVERY_LABELS[Delivery(application.delivery)])}。</p>",
        f"<p>依据{e(R)}{e(article)}，{e(rule)}。本申请的收到日期为 {e(application.received_on.isoformat())}。</p>",
        f"<p>依据{e(R)}第三十三条，本机关自收到申请之日起 {rules.answer_days} 个工作日内予以答复{due}；"
        "需要补正、征求第三方意见或者延长答复期限的，本机关将另行书面告知。</p>",
        "<p>您可以凭申请编号和登记时告知的查询码查询办理进度。</p>",
    ]
    title = f"{agency}政府信息公开申请登记回执"
    return _page(title, found.number, name, paragraphs, agency, found.issued_on)


def correction_html(
    application: Application, history: list[Event], found: Issued, calendar: WorkingCalendar, name: str
) -> str:
    """补正告知书 (第三十条): every item at once, the period, and what follows from it."""
    event = history[found.index]
    after = event.after or {}
    agency = _agency(event)
    items = [str(i) for i in after.get("items") or []]
    days = after.get("days")
    deadline = _deadline_after(application, history, found, calendar)
    until = deadline.correction_due if deadline else None
    period = f"自本告知书发出之日起 {int(days)} 个工作日内" if days else "在合理期限内"
    if until:
        period += f"（{e(until.isoformat())} 前）"
    paragraphs = [
        _application(application),
        f"<p>经审查，您的申请内容不明确。依据{e(R)}第三十条，现一次性告知您需要补正的全部事项：</p>",
        "<ol>" + "".join(f"<li>{e(notices.clause(item))}</li>" for item in items) + "</ol>",
        f"<p>请您{period}向本机关提交补正。答复期限自本机关收到补正的申请之日起计算。</p>",
        "<p>您无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。</p>",
    ]
    title = f"{agency}政府信息公开申请补正告知书"
    return _page(title, found.number, name, paragraphs, agency, found.issued_on)


def consultation_html(
    application: Application, event: Event, found: Issued, calendar: WorkingCalendar
) -> str:
    """征求第三方意见书 (第三十二条), addressed to the third party: the information asked for and why
    its rights may be touched; nothing about who the applicant is."""
    agency = _agency(event)
    reply = third_party_reply_due(found.issued_on, get_rule_set(application.rule_set), calendar)
    days = get_rule_set(application.rule_set).third_party_days
    until = f"（{e(reply.day.isoformat())} 前）" if reply else ""
    paragraphs = [
        f"<p>本机关于 {e(application.received_on.isoformat())} 收到一份政府信息公开申请"
        f"（申请编号 {e(application.tracking_no)}），申请公开：{_s(application.description)}</p>",
        f"<p>本机关认为，公开该信息可能损害您的合法权益：{_s(event.reason or '')}"
        f"依据{e(R)}第三十二条，现书面征求您的意见。</p>",
        f"<p>请您自收到本意见书之日起 {days} 个工作日内{until}书面提出是否同意公开的意见；"
        "不同意公开的，请说明理由。逾期未提出意见的，本机关将依照条例的规定决定是否公开。</p>",
        "<p>您不同意公开且有合理理由的，本机关不予公开。本机关认为不公开可能对公共利益造成重大影响而决定"
        "予以公开的，将把决定公开的内容和理由书面告知您。</p>",
    ]
    title = f"{agency}政府信息公开征求第三方意见书"
    return _page(title, found.number, found.addressed_to, paragraphs, agency, found.issued_on)


def fee_html(application: Application, event: Event, found: Issued, fee: FeeNotice, name: str) -> str:
    """收费通知书 (第四十二条, 国办函〔2020〕109号): the amount, how it was counted, the time to pay."""
    agency = _agency(event)
    method = FeeMethod(fee.method)
    if method is FeeMethod.BY_COUNT:
        measure = f"本申请为您本月向本机关提出的第 {fee.applications_this_month or 0} 件申请"
    else:
        measure = f"本申请所需提供的信息共 {fee.pages or 0} 页"
    rules = get_rule_set(application.rule_set)
    # A notice sent by post or handed over is received on its return receipt's day: until a clerk
    # records it, the last day to pay is not known (fees.record_receipt).
    due = f"（{e(fee.due_on.isoformat())} 前）" if fee.due_on else "（自送达回执载明的收到之日起计算）"
    paragraphs = [
        _application(application),
        f"<p>依据{e(R)}第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），"
        f"本机关对您的申请收取信息处理费，计收方式为{e(FEE_METHOD_LABELS[method])}：{e(measure)}，"
        f"应缴纳信息处理费人民币 {fee.amount} 元。收费理由：{_s(fee.reason)}</p>",
        f"<p>请您自收到本通知之日起 {rules.fee_payment_days} 个工作日内{due}缴纳。"
        "自本通知发出至您缴纳费用的期间，不计算在答复期限内。</p>",
        "<p>您逾期未按本通知缴纳费用的，本机关不再处理该政府信息公开申请。</p>",
    ]
    relief = fees.relief_text(fee)  # 减免 granted after the notice was issued
    if relief:
        paragraphs.append(f"<p>{e(relief)}</p>")
    title = f"{agency}政府信息公开信息处理费收费通知书"
    return _page(title, found.number, name, paragraphs, agency, found.issued_on)
