"""Written notices of 信访 cases: the 不予受理告知书 of a refusal, and the 办理意见书 (复查意见书,
复核意见书) of a reply. Each is issued with its step, in the step's transaction (`lifecycle.Step.write`),
numbered per agency and year (`feedback_notice_counters`), built from the record and never changed.

The sender's name is stored masked; the sender and the case's handler read it filled in (the
handler's read is audited), inspectors read it masked, and a clerk who may not know a reporter reads
no name at all (docs/architecture.md, "Reports naming an agency"). Each notice tells the sender
what comes next: 复查 and 复核 at the level above within 30 days, and nothing after 复核
(信访工作条例第三十五条、第三十六条).
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
from sqlalchemy import and_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle, service
from services.feedback.models import (
    NOTICE_KIND_LABELS,
    REFUSAL_LABELS,
    REVIEW_LEVEL_LABELS,
    FeedbackCase,
    FeedbackNotice,
    NoticeCounter,
    NoticeKind,
    RefusalReason,
    ReviewLevel,
)
from services.feedback.schemas import (
    NoticeAgency,
    NoticeContent,
    NoticeListItem,
    NoticePublic,
    NoticeReviewed,
)
from shared import pdf
from shared.agencies import parent_in_path
from shared.audit import record_read
from shared.auth import Principal, Role
from shared.db import row_id
from shared.errors import NotFound, ServiceUnavailable
from shared.http import ServiceClient
from shared.personal_data import PersonalDataCipher

# agency id → its name, or None when the catalog does not know it
AgencyNames = Callable[[int], Awaitable[str | None]]

GENERIC_AGENCY = "办理机关"
GENERIC_HIGHER = "上一级机关"
PETITION = "《信访工作条例》"
ART35 = f"{PETITION}第三十五条"  # 复查: asked within 30 days of the opinion, decided within 30
ART36 = f"{PETITION}第三十六条"  # 复核 likewise; after it, the same matter is not accepted again
REVIEW_DAYS = 30  # 第三十五条 (复查), 第三十六条 (复核): 30 days from receiving the opinion
WITHHELD_NAME = "（举报人信息不予显示）"
NO_NAME = "信访人"

NUMBER_MARKS = {
    NoticeKind.REFUSAL: "信不受",
    NoticeKind.OPINION: "信处",
    NoticeKind.REVIEW_OPINION: "信复查",
    NoticeKind.FINAL_REVIEW_OPINION: "信复核",
}
OPINION_KINDS = {
    None: NoticeKind.OPINION,
    ReviewLevel.REVIEW: NoticeKind.REVIEW_OPINION,
    ReviewLevel.FINAL_REVIEW: NoticeKind.FINAL_REVIEW_OPINION,
}
ACCEPTANCE_BASIS = f"{PETITION}（2022年）关于信访事项受理的规定"
# What the sender is told to do after a refusal, by its reason.
REFUSAL_NEXT = {
    RefusalReason.LEGAL_CHANNEL: "请依照有关法律、行政法规规定的程序，向有关机关提出。",
    RefusalReason.NOT_COMPETENT: "请向有权处理的机关提出。",
    RefusalReason.ALREADY_HANDLED: "该事项已经受理或者正在办理，请凭原事项编号查询办理进展。",
    RefusalReason.REVIEW_CONCLUDED: f"该事项已经复核终结，不再受理（{ART36}）。",
    RefusalReason.OTHER: "如有新的事实和理由，可以另行提出。",
}
REFUSAL_BASIS = {reason: [ACCEPTANCE_BASIS] for reason in RefusalReason} | {
    RefusalReason.REVIEW_CONCLUDED: [ACCEPTANCE_BASIS, ART36],
}


def catalog_names(client: ServiceClient) -> AgencyNames:
    """An agency's name from the catalog (`GET /api/v1/catalog/agencies/{id}`)."""

    async def name(agency_id: int) -> str | None:
        try:
            response = await client.get(f"/api/v1/catalog/agencies/{agency_id}")
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("目录服务暂不可用，无法出具意见书，请稍后重试") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ServiceUnavailable("目录服务暂不可用，无法出具意见书，请稍后重试")
        found = response.json().get("name")
        return str(found) if found else None

    return name


async def _name(names: AgencyNames | None, agency_id: int | None, generic: str) -> str:
    if names is None or agency_id is None:
        return generic
    return await names(agency_id) or generic


def higher_agency(path: str) -> tuple[int, str] | None:
    """The level above the agency a path ends with: (its id, its path); None for a root."""
    parent = parent_in_path(path)
    if parent is None:
        return None
    return parent, path[: path.rindex(f"/{parent}/")] + f"/{parent}/"


def notice_number(agency_name: str, kind: NoticeKind, year: int, seq: int) -> str:
    return f"{agency_name}{NUMBER_MARKS[kind]}〔{year}〕第 {seq} 号"


async def next_seq(session: AsyncSession, agency_id: int, year: int) -> int:
    """The agency's next notice number in the year (in the caller's transaction)."""
    key = and_(col(NoticeCounter.agency_id) == agency_id, col(NoticeCounter.year) == year)
    bump = update(NoticeCounter).where(key).values(last=NoticeCounter.last + 1)
    changed = await session.exec(bump)
    if changed.rowcount == 0:
        try:
            async with session.begin_nested():
                session.add(NoticeCounter(agency_id=agency_id, year=year, last=1))
            return 1
        except IntegrityError:  # another notice created the year's counter first
            await session.exec(bump)
    return int((await session.exec(select(NoticeCounter.last).where(key))).one())


def _masked_sender(case: FeedbackCase, cipher: PersonalDataCipher) -> str:
    sender = service.sender_of(case, cipher, masked=True)
    return (sender.name if sender else None) or NO_NAME


async def _issue(
    session: AsyncSession,
    case: FeedbackCase,
    *,
    kind: NoticeKind,
    names: AgencyNames | None,
    cipher: PersonalDataCipher,
    issued_on: date,
    actor_id: str | None,
    decision: str,
    reason: str,
    legal_basis: list[str],
    next_step: str,
    reviewed: NoticeReviewed | None = None,
) -> dict[str, Any]:
    agency_name = await _name(names, case.agency_id, GENERIC_AGENCY)
    seq = await next_seq(session, case.agency_id, issued_on.year)
    number = notice_number(agency_name, kind, issued_on.year, seq)
    content = NoticeContent(
        kind=kind,
        kind_label=NOTICE_KIND_LABELS[kind],
        number=number,
        title=f"{agency_name}{NOTICE_KIND_LABELS[kind]}",
        agency=NoticeAgency(id=case.agency_id, name=agency_name),
        issued_on=issued_on,
        sender_name=_masked_sender(case, cipher),
        tracking_no=case.tracking_no,
        received_on=case.received_on,
        subject=case.subject,
        decision=decision,
        reason=reason,
        legal_basis=legal_basis,
        next_step=next_step,
        reviewed=reviewed,
    )
    session.add(
        FeedbackNotice(
            case_id=row_id(case),
            kind=str(kind),
            round=case.round,
            agency_id=case.agency_id,
            year=issued_on.year,
            seq=seq,
            number=number,
            issued_on=issued_on,
            content=content.model_dump_json(),
            created_by=actor_id,
        )
    )
    return {"notice": {"kind": str(kind), "number": number}}


async def issue_refusal(
    session: AsyncSession,
    case: FeedbackCase,
    *,
    reason: RefusalReason,
    text: str,
    names: AgencyNames | None,
    cipher: PersonalDataCipher,
    issued_on: date,
    actor_id: str | None,
) -> dict[str, Any]:
    """The 不予受理告知书: the reason, its written grounds, the basis and where to turn instead."""
    return await _issue(
        session,
        case,
        kind=NoticeKind.REFUSAL,
        names=names,
        cipher=cipher,
        issued_on=issued_on,
        actor_id=actor_id,
        decision=REFUSAL_LABELS[reason],
        reason=text,
        legal_basis=REFUSAL_BASIS[reason],
        next_step=REFUSAL_NEXT[reason],
    )


def opinion_kind(case: FeedbackCase) -> NoticeKind | None:
    """信访 cases (letters, visits) and their 复查/复核 answer with a written opinion; the mailbox and
    the hotline answer under the local rule, without one."""
    if case.review_level is None and lifecycle.rules_for(case.rule_set, None).acceptance_days is None:
        return None
    return OPINION_KINDS[ReviewLevel(case.review_level) if case.review_level else None]


async def issue_opinion(
    session: AsyncSession,
    case: FeedbackCase,
    *,
    reply: str,
    names: AgencyNames | None,
    cipher: PersonalDataCipher,
    issued_on: date,
    actor_id: str | None,
) -> dict[str, Any]:
    """The 办理意见书 (复查意见书, 复核意见书) of a reply, with the next level the sender may turn to."""
    kind = opinion_kind(case)
    assert kind is not None
    level = ReviewLevel(case.review_level) if case.review_level else None
    if level == ReviewLevel.FINAL_REVIEW:
        next_step = (
            f"本意见为复核意见。对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理（{ART36}）。"
        )
    else:
        higher = higher_agency(case.agency_path)
        higher_name = await _name(names, higher[0] if higher else None, GENERIC_HIGHER)
        what, asks, article = ("办理意见", "复查", ART35) if level is None else ("复查意见", "复核", ART36)
        next_step = (
            f"如对本{what}不服，可以自收到本意见书之日起 {REVIEW_DAYS} 日内，"
            f"向{higher_name}请求{asks}（{article}）。"
        )
    reviewed = None
    basis = [f"{PETITION}（2022年）"]
    if level is not None:
        basis = [ART35 if level == ReviewLevel.REVIEW else ART36]
        reviewed = await _reviewed(session, case)
    return await _issue(
        session,
        case,
        kind=kind,
        names=names,
        cipher=cipher,
        issued_on=issued_on,
        actor_id=actor_id,
        decision=f"{REVIEW_LEVEL_LABELS[level]}意见" if level else "办理意见",
        reason=reply,
        legal_basis=basis,
        next_step=next_step,
        reviewed=reviewed,
    )


async def _reviewed(session: AsyncSession, case: FeedbackCase) -> NoticeReviewed | None:
    contested = await session.get(FeedbackCase, case.reviewed_case_id) if case.reviewed_case_id else None
    if contested is None:
        return None
    notice = await opinion_of(session, contested)
    return NoticeReviewed(
        tracking_no=contested.tracking_no,
        number=notice.number if notice else None,
        issued_on=notice.issued_on if notice else contested.replied_on,
    )


async def opinion_of(session: AsyncSession, case: FeedbackCase) -> FeedbackNotice | None:
    """The case's last written opinion (a reopened case may have one per round)."""
    return (
        await session.exec(
            select(FeedbackNotice)
            .where(FeedbackNotice.case_id == case.id)
            .where(col(FeedbackNotice.kind) != str(NoticeKind.REFUSAL))
            .order_by(col(FeedbackNotice.round).desc(), col(FeedbackNotice.id).desc())
            .limit(1)
        )
    ).first()


# --- reading ----------------------------------------------------------------------------------------


async def list_for(
    session: AsyncSession, case: FeedbackCase, *, tracked: bool = False
) -> list[NoticeListItem]:
    """The case's notices in the order issued; `tracked`: addressed by tracking number (the query code
    to be added), for a sender without an account."""
    base = f"/api/v1/feedback/track/{case.tracking_no}" if tracked else f"/api/v1/feedback/messages/{case.id}"
    rows = await session.exec(
        select(FeedbackNotice).where(FeedbackNotice.case_id == case.id).order_by(col(FeedbackNotice.id))
    )
    return [
        NoticeListItem(
            id=row_id(n),
            kind=NoticeKind(n.kind),
            label=NOTICE_KIND_LABELS[NoticeKind(n.kind)],
            number=n.number,
            issued_on=n.issued_on,
            html_url=f"{base}/notices/{n.id}.html",
            pdf_url=f"{base}/notices/{n.id}.pdf",
        )
        for n in rows.all()
    ]


async def get(
    session: AsyncSession,
    case: FeedbackCase,
    notice_id: int,
    reader: Principal | None,
    *,
    cipher: PersonalDataCipher,
) -> NoticePublic:
    """The notice as issued, addressed by full name to the sender (`reader` None: the holder of the
    query code) and to the case's handler (audited); inspectors see the stored masked name, and a clerk
    who may not know a reporter no name."""
    notice = await session.get(FeedbackNotice, notice_id)
    if notice is None or notice.case_id != case.id:
        raise NotFound("意见书不存在", code="notice_not_found")
    content = NoticeContent.model_validate_json(notice.content)
    sender = service.sender_of(case, cipher, masked=False)
    if reader is None or reader.role == Role.PUBLIC:  # the code, or `load`, has shown it is the sender
        content.sender_name = (sender.name if sender else None) or NO_NAME
    elif reader.role == Role.CLERK:
        if not service.sees_sender(reader, case):
            content.sender_name = WITHHELD_NAME
        elif sender is not None and sender.name:
            content.sender_name = sender.name
            record_read(
                session,
                actor=reader,
                record_type=service.RECORD_TYPE,
                record_id=case.id,
                fields=["sender_name"],
                purpose=f"查阅{NOTICE_KIND_LABELS[NoticeKind(notice.kind)]}",
            )
            await session.commit()
    return NoticePublic(id=row_id(notice), case_id=notice.case_id, **content.model_dump())


def filename(notice: NoticePublic) -> str:
    return f"{notice.kind_label}-{notice.tracking_no}.pdf"


# The faces a printing browser has first; the PDF (shared.pdf) falls through to the Noto CJK faces the
# server has, before any generic family, so that they are the ones embedded.
CSS = f"""
@page {{ size: A4; margin: 25mm 20mm; }}
body {{ font-family: "FangSong", "STFangsong", "SimSun", "{pdf.SERIF}", serif; font-size: 16pt;
  line-height: 1.8; color: #000; max-width: 170mm; margin: 0 auto; }}
h1 {{ font-family: "SimHei", "Heiti SC", "{pdf.SANS}", sans-serif; font-size: 20pt; text-align: center;
  margin: 0.5em 0 0; }}
.number {{ text-align: center; margin: 0.2em 0 1em; }}
p {{ text-indent: 2em; margin: 0.3em 0; }}
p.to {{ text-indent: 0; }}
.sign {{ text-align: right; margin-top: 2em; }}
@media print {{ body {{ max-width: none; }} }}
"""

TRAILING = re.compile(r"[\s。．.，,；;：:、！!？?]+$")


def _sentence(text: str) -> str:
    """Typed text, escaped, with exactly one full stop (nothing when empty)."""
    body = TRAILING.sub("", text.strip())
    return f"{html.escape(body)}。" if body else ""


def to_html(notice: NoticePublic) -> str:
    """A printable A4 page built from the notice; every value is escaped."""
    e = html.escape
    received = (
        f"本机关于 {e(notice.received_on.isoformat())} 收到您反映的“{e(notice.subject)}”"
        f"（事项编号 {e(notice.tracking_no)}）"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(notice.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(notice.title)}</h1>",
        f'<p class="number">{e(notice.number)}</p>',
        f'<p class="to">{e(notice.sender_name)}：</p>',
    ]
    if notice.kind == NoticeKind.REFUSAL:
        parts += [
            f"<p>{received}。经审查，该事项{e(notice.decision)}，本机关决定不予受理。</p>",
            f"<p>理由：{_sentence(notice.reason)}</p>",
        ]
    else:
        if notice.reviewed is not None:
            contested = f"事项编号 {e(notice.reviewed.tracking_no)}"
            if notice.reviewed.number:
                contested += f"，{e(notice.reviewed.number)}"
            parts.append(f"<p>{received}，对原意见（{contested}）不服，请求{e(notice.decision[:2])}。</p>")
        else:
            parts.append(f"<p>{received}。</p>")
        parts.append(f"<p>经办理，{e(notice.decision)}如下：{_sentence(notice.reason)}</p>")
    parts += [
        f"<p>依据：{e('；'.join(notice.legal_basis))}。</p>",
        f"<p>{e(notice.next_step)}</p>",
        f'<p class="sign">{e(notice.agency.name)}<br>{e(notice.issued_on.isoformat())}</p>',
        "</body></html>",
    ]
    return "\n".join(parts)
