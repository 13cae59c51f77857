"""Extensions of the time limit and their 延期告知书 (条例第三十三条第二款、第三十五条).

An ordinary extension (第三十三条) adds at most 20 working days and needs the consent of the head of
the office (经政府信息公开工作机构负责人同意); many or repeated applications (第三十五条) let the agency
set a reasonable longer period, to a day it names (bounded in `shared.deadlines`). Either way the
applicant is told before the limit passes, by a numbered notice generated from the extension's
event: the approver, the reason code, the new due date.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import lifecycle, notices
from services.requests.models import Application
from services.requests.schemas import (
    EXTENSION_BASIS_LABELS,
    ExtensionBasis,
    ExtensionIn,
    ExtensionNoticePublic,
    NoticeAgency,
)
from shared.audit import record_read
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar
from shared.db import row_id
from shared.deadlines import DeadlineRuleViolation, compute_deadline, get_rule_set
from shared.errors import InvalidField, NotFound
from shared.events import Event
from shared.personal_data import PersonalDataCipher

LEGAL_BASIS = {
    ExtensionBasis.ORDINARY: f"{notices.R}第三十三条第二款",
    ExtensionBasis.MASS_APPLICATIONS: f"{notices.R}第三十五条",
}


async def prepare(
    session: AsyncSession,
    application: Application,
    data: ExtensionIn,
    actor: Principal,
    today: date,
    agency_name: str,
) -> lifecycle.Step:
    """Checks the request's shape, then takes the notice's number in the caller's transaction (the
    extension's commit keeps it; a refused extension rolls it back with everything else)."""
    check(data)
    lifecycle.check_transition(application, "extend")
    numbered = await notices.numbered(session, application.agency_id, agency_name, today)
    return step(data, actor, today, number=numbered["number"], agency_name=agency_name)


def check(data: ExtensionIn) -> None:
    """Each article takes its own measure: 第三十三条 a number of days, 第三十五条 a date."""
    if data.basis is ExtensionBasis.ORDINARY:
        if data.days is None:
            raise InvalidField("days", "延长答复期限（第三十三条）须给出延长的工作日数（days）")
        if data.until is not None:
            raise InvalidField(
                "until", "until 只用于第三十五条（basis=mass_applications）；第三十三条请给出 days"
            )
    else:
        if data.until is None:
            raise InvalidField("until", "第三十五条的延迟答复须给出机关确定的答复期限（until）")
        if data.days is not None:
            raise InvalidField("days", "第三十五条的延迟答复以日期（until）确定，不给 days")


def step(
    data: ExtensionIn, actor: Principal, today: date, *, number: str, agency_name: str
) -> lifecycle.Step:
    """The extension as a lifecycle step; its notice's facts go into the event."""
    check(data)
    extension = {
        "basis": str(data.basis),
        "approver": {"name": data.approver_name.strip(), "role": data.approver_role.strip()},
        "number": number,
        "agency_name": agency_name,
    }
    return lifecycle.Step(
        "extend",
        actor,
        today,
        reason=data.reason,
        days=data.days,
        until=data.until,
        details={
            "days": data.days,
            "until": data.until.isoformat() if data.until else None,
            "extension": extension,
        },
    )


def _dues(
    application: Application, history: list[Event], index: int, calendar: WorkingCalendar
) -> tuple[Any, Any]:
    """The due date just before and just after the extension at `history[index]`, from the record."""
    rules = get_rule_set(application.rule_set)
    recorded = history[index].after
    assert recorded is not None  # an extension's event records its clock fact
    on = date.fromisoformat(recorded["clock"]["on"])
    try:
        before = compute_deadline(lifecycle.clock_events(history[:index]), rules, calendar, on).due
        after = compute_deadline(lifecycle.clock_events(history[: index + 1]), rules, calendar, on).due
    except DeadlineRuleViolation:
        return None, None
    return before, after


def _notice(
    application: Application, history: list[Event], index: int, calendar: WorkingCalendar, applicant_name: str
) -> ExtensionNoticePublic:
    event = history[index]
    after = event.after or {}
    extension = after.get("extension") or {}
    basis = ExtensionBasis(extension.get("basis", ExtensionBasis.ORDINARY))
    approver = extension.get("approver") or {}
    agency_name = extension.get("agency_name") or notices.GENERIC_AGENCY
    due_before, due_on = _dues(application, history, index, calendar)
    until = after.get("until")
    return ExtensionNoticePublic(
        id=row_id(event),
        number=extension.get("number") or "",
        title=f"{agency_name}政府信息公开申请延期答复告知书",
        agency=NoticeAgency(id=application.agency_id, name=agency_name),
        issued_on=date.fromisoformat(after["clock"]["on"]),
        applicant_name=applicant_name,
        tracking_no=application.tracking_no,
        received_on=application.received_on,
        description=application.description,
        basis=basis,
        basis_label=EXTENSION_BASIS_LABELS[basis],
        legal_basis=LEGAL_BASIS[basis],
        reason=event.reason or "",
        days=after.get("days"),
        until=date.fromisoformat(until) if until else None,
        due_before=due_before,
        due_on=due_on,
        approver_name=str(approver.get("name") or ""),
        approver_role=str(approver.get("role") or ""),
    )


async def list_notices(
    session: AsyncSession,
    application: Application,
    reader: Principal,
    *,
    cipher: PersonalDataCipher,
    calendar: WorkingCalendar,
) -> list[ExtensionNoticePublic]:
    """Every 延期告知书 of the application, oldest first, addressed as the decision notice is: the
    applicant's real name for the applicant and the agency's clerks (a clerk's read is audited),
    the masked name for inspectors."""
    from services.requests.service import RECORD_TYPE, applicant_of  # the service imports this module

    history = await lifecycle.history_of(session, application)
    indexes = [i for i, e in enumerate(history) if e.action == "extend"]
    if not indexes:
        return []
    entitled = reader.role in (Role.PUBLIC, Role.CLERK)  # `load` has checked owner or agency
    name = applicant_of(application, cipher, masked=not entitled).name
    if reader.role == Role.CLERK:
        record_read(
            session,
            actor=reader,
            record_type=RECORD_TYPE,
            record_id=application.id,
            fields=["applicant_name"],
            purpose="查阅延期告知书",
        )
        await session.commit()
    return [_notice(application, history, i, calendar, name) for i in indexes]


async def get_notice(
    session: AsyncSession,
    application: Application,
    reader: Principal,
    notice_id: int,
    *,
    cipher: PersonalDataCipher,
    calendar: WorkingCalendar,
) -> ExtensionNoticePublic:
    for found in await list_notices(session, application, reader, cipher=cipher, calendar=calendar):
        if found.id == notice_id:
            return found
    raise NotFound("没有该延期告知书", code="notice_not_found")


def to_html(notice: ExtensionNoticePublic) -> str:
    """A printable A4 page in the decision notice's style; every value escaped, one full stop each."""
    e = html.escape

    def s(text: str) -> str:
        body = notices.clause(text)
        return f"{e(body)}。" if body else ""

    if notice.basis is ExtensionBasis.MASS_APPLICATIONS:
        lead = (
            "因您申请公开政府信息的数量、频次明显超过合理范围，依据"
            f"{e(notice.legal_basis)}，本机关确定延迟答复"
        )
    else:
        lead = f"因{s(notice.reason).rstrip('。')}，需要延长答复期限，依据{e(notice.legal_basis)}，延长 {notice.days or 0} 个工作日"
    due = f"，答复期限延至 {e(notice.due_on.isoformat())}" if notice.due_on else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(notice.title)}</title>",
        f"<style>{notices.CSS}</style></head><body>",
        f"<h1>{e(notice.title)}</h1>",
        f'<p class="number">{e(notice.number)}</p>',
        f'<p class="to">{e(notice.applicant_name)}：</p>',
        f"<p>本机关于 {e(notice.received_on.isoformat())} 收到您（申请编号 {e(notice.tracking_no)}）"
        f"提出的政府信息公开申请，申请公开：{s(notice.description)}</p>",
        f"<p>{lead}{due}。</p>",
    ]
    if notice.basis is ExtensionBasis.MASS_APPLICATIONS:
        parts.append(f"<p>理由：{s(notice.reason)}</p>")
    parts += [
        f"<p>本次延期经{e(notices.clause(notice.approver_role))} {e(notices.clause(notice.approver_name))} 同意。</p>",
        f'<p class="sign">{e(notice.agency.name)}<br>{e(notice.issued_on.isoformat())}</p>',
        "</body></html>",
    ]
    return "\n".join(parts)


async def extend(
    session: AsyncSession,
    application: Application,
    data: ExtensionIn,
    actor: Principal,
    *,
    agency_info: notices.AgencyInfo | None,
    calendar: WorkingCalendar,
    today: date,
) -> Application:
    """The extension and its numbered 延期告知书, in one transaction (the agency's name is asked
    first: with the catalog down nothing is written)."""
    check(data)
    agency_name, _ = await notices.names(agency_info, application.agency_id)
    step = await prepare(session, application, data, actor, today, agency_name)
    return await lifecycle.perform(session, application, step, calendar=calendar, today=today)
