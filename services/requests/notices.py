"""The decision notice (告知书, 条例第三十六条): issued with the decision or referral, in the same
transaction, numbered per agency and year (`notice_counters`), and never changed afterwards.

It is addressed to the applicant by name: the stored notice keeps the name masked, and a reading by
the applicant or the agency's clerks fills in the real one (a clerk's read is audited); inspectors,
like every list, see it masked. It states the application, the decision (outcome and its report-row label,
the reason, the clerk's legal basis and the Regulation's basis for that kind of outcome), what is
disclosed and — for a partial disclosure (第三十七条) — what was withheld and why, the form and way
of delivery, and the remedies of that kind of outcome: 行政复议 within 60 days or 行政诉讼 within 6
months; for information not disclosed (refusals, partial disclosure) 行政复议 first (复议前置,
行政复议法第二十三条第一款第（四）项).
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import httpx
from sqlalchemy import and_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests.models import (
    DELIVERY_LABELS,
    FORM_LABELS,
    OUTCOME_REPORT_ROWS,
    Application,
    DecisionNotice,
    Delivery,
    Form,
    NoticeCounter,
    Outcome,
)
from services.requests.schemas import (
    NoticeAgency,
    NoticeContent,
    NoticeDecision,
    NoticeDelivery,
    NoticePublic,
    NoticeWithheld,
)
from shared import pdf
from shared.audit import record_read
from shared.auth import Principal, Role
from shared.db import row_id
from shared.errors import NotFound, ServiceUnavailable
from shared.http import ServiceClient
from shared.personal_data import PersonalDataCipher

# agency id → {"name": …, "parent_id": …}, or None when the catalog does not know it
AgencyInfo = Callable[[int], Awaitable[dict[str, Any] | None]]

GENERIC_AGENCY = "受理机关"
GENERIC_RECONSIDERATION_BODY = "有管辖权的行政复议机关"
R = "《中华人民共和国政府信息公开条例》"
ART36 = f"{R}第三十六条"


def reg(*provisions: str) -> tuple[str, ...]:
    """Citations of the Regulation, one per provision (e.g. "第三十六条第（七）项")."""
    return tuple(f"{R}{p}" for p in provisions)


class Remedy(StrEnum):
    """The routes a notice offers the applicant who disagrees with it."""

    # 行政复议法（2023）第二十条: 60 days; 行政诉讼法第四十六条: 6 months — either route.
    EITHER = "either"
    # 行政复议法（2023）第二十三条第一款第（四）项: 申请政府信息公开，行政机关不予公开 — reconsideration
    # first; a lawsuit only against its decision (行政诉讼法第四十五条: 15 days).
    RECONSIDERATION_FIRST = "reconsideration_first"


BOTH, FIRST = Remedy.EITHER, Remedy.RECONSIDERATION_FIRST


@dataclass(frozen=True)
class OutcomeRule:
    """What a notice of this outcome cites from the Regulation (the clerk's own basis is given too)
    and which remedies it states."""

    basis: tuple[str, ...]
    remedy: Remedy


# One row per outcome, each checked against the Regulation's text (tests/test_requests_notices.py
# holds the cited provisions' text). Where no provision names the case, the row cites nothing.
# Remedies: every outcome the annual report counts as not disclosed — (二) 部分公开 and all of (三)
# 不予公开 — is reconsideration first; the others keep both routes.
OUTCOME_RULES: dict[Outcome, OutcomeRule] = {
    # 第三十六条第（二）项: 所申请公开信息可以公开的，向申请人提供…
    Outcome.DISCLOSED: OutcomeRule(reg("第三十六条第（二）项"), BOTH),
    # 第三十七条: 能够作区分处理的，提供可以公开的内容，并对不予公开的内容说明理由
    Outcome.PARTIAL: OutcomeRule(reg("第三十六条第（二）项", "第三十六条第（三）项", "第三十七条"), FIRST),
    # 第十四条: 国家秘密；法律、行政法规禁止公开；危及国家安全、公共安全、经济安全、社会稳定
    Outcome.STATE_SECRET: OutcomeRule(reg("第三十六条第（三）项", "第十四条"), FIRST),
    Outcome.PROHIBITED_BY_LAW: OutcomeRule(reg("第三十六条第（三）项", "第十四条"), FIRST),
    Outcome.SECURITY_STABILITY: OutcomeRule(reg("第三十六条第（三）项", "第十四条"), FIRST),
    # 第十五条: 商业秘密、个人隐私等公开会对第三方合法权益造成损害的
    Outcome.THIRD_PARTY_RIGHTS: OutcomeRule(reg("第三十六条第（三）项", "第十五条"), FIRST),
    # 第十六条第一款: 内部事务信息；第二款: 过程性信息以及行政执法案卷信息
    Outcome.INTERNAL_AFFAIRS: OutcomeRule(reg("第三十六条第（三）项", "第十六条第一款"), FIRST),
    Outcome.PROCESS_INFORMATION: OutcomeRule(reg("第三十六条第（三）项", "第十六条第二款"), FIRST),
    Outcome.ENFORCEMENT_CASE_FILE: OutcomeRule(reg("第三十六条第（三）项", "第十六条第二款"), FIRST),
    # 第三十六条第（七）项: 工商、不动产登记资料等，法律、行政法规对获取有特别规定的
    Outcome.ADMINISTRATIVE_INQUIRY: OutcomeRule(reg("第三十六条第（七）项"), FIRST),
    # 第三十六条第（四）项: 经检索没有所申请公开信息的
    Outcome.NOT_HELD: OutcomeRule(reg("第三十六条第（四）项"), BOTH),
    # 第三十八条: 需要对现有政府信息进行加工、分析的，可以不予提供
    Outcome.NEEDS_CREATION: OutcomeRule(reg("第三十八条"), BOTH),
    # 第三十条: 申请内容不明确的补正（第三十六条第（四）项是“经检索没有”，不是这一情形）
    Outcome.STILL_UNCLEAR: OutcomeRule(reg("第三十条"), BOTH),
    # 第三十九条第一款: 以政府信息公开申请的形式进行信访、投诉、举报等活动
    Outcome.PETITION_OR_COMPLAINT: OutcomeRule(reg("第三十九条第一款"), BOTH),
    # 第三十六条第（六）项: 已作出答复、申请人重复申请公开相同政府信息的
    Outcome.DUPLICATE: OutcomeRule(reg("第三十六条第（六）项"), BOTH),
    # 第三十九条第二款: 要求提供政府公报、报刊、书籍等公开出版物的
    Outcome.PUBLICATION: OutcomeRule(reg("第三十九条第二款"), BOTH),
    # 第三十五条: 数量、频次明显超过合理范围，申请理由不合理的，告知不予处理
    Outcome.MASS_UNREASONABLE: OutcomeRule(reg("第三十五条"), BOTH),
    # No provision names a request to confirm or reissue information already obtained.
    Outcome.CONFIRM_OR_REISSUE: OutcomeRule((), BOTH),
    # 第三十条: 无正当理由逾期不补正的，视为放弃申请
    Outcome.NO_CORRECTION: OutcomeRule(reg("第三十条"), BOTH),
    # 第四十二条 and the national measures: unpaid information-processing fee
    Outcome.FEE_UNPAID: OutcomeRule(
        (*reg("第四十二条"), "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"), BOTH
    ),
    # 其他: no provision names it; the clerk's own basis stands alone.
    Outcome.OTHER: OutcomeRule((), BOTH),
}
REFERRAL_BASIS = {
    "already_published": [f"{ART36}第（一）项"],
    "other_agency": [f"{ART36}第（五）项"],
    # Information the agency had to publish on its own (第十九条、第二十条), published now: then
    # it is "already published" and the applicant is told where (第三十六条第（一）项).
    "should_have_been_proactive": [f"{R}第十九条、第二十条", f"{ART36}第（一）项"],
}


def default_basis(outcome: Outcome, referral: str | None = None) -> list[str]:
    if referral in REFERRAL_BASIS:
        return REFERRAL_BASIS[referral]
    return list(OUTCOME_RULES[outcome].basis)


REVIEW_LAW = "《中华人民共和国行政复议法》"
LITIGATION_LAW = "《中华人民共和国行政诉讼法》"

# No answer by the due date: the agency has not performed its duty (行政复议法第二十三条第一款第（三）项),
# and, as for a refusal, reconsideration comes first. Shown to the applicant while the item is red.
UNANSWERED = Remedy.RECONSIDERATION_FIRST
UNANSWERED_REMEDIES = (
    "受理机关未在答复期限内作出答复的，申请人可以向有管辖权的行政复议机关申请行政复议。"
    f"依照{REVIEW_LAW}第二十三条第一款第（三）项，应当先申请行政复议；"
    "对行政复议决定不服的，可以再依法向人民法院提起行政诉讼。"
)


def unanswered_remedies(flag: str | None) -> str | None:
    """The remedies an applicant has once the answer is overdue (flag red), else none."""
    return UNANSWERED_REMEDIES if flag == "red" else None


def remedies(body: str, remedy: Remedy = Remedy.EITHER) -> str:
    """The remedies sentence of a notice: the reconsideration body and the time limits."""
    reconsideration = (
        f"如对本答复不服，可以自收到本告知书之日起 60 日内向{body}申请行政复议（{REVIEW_LAW}第二十条）"
    )
    if remedy == Remedy.RECONSIDERATION_FIRST:
        return (
            f"{reconsideration}。依照{REVIEW_LAW}第二十三条第一款第（四）项，对不予公开政府信息不服的，"
            "应当先申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起 15 日内"
            f"向人民法院提起行政诉讼（{LITIGATION_LAW}第四十五条）。"
        )
    return (
        f"{reconsideration}，或者自收到本告知书之日起 6 个月内向人民法院提起行政诉讼"
        f"（{LITIGATION_LAW}第四十六条）。"
    )


# The annual report's row name carries a note for the report's compilers; a notice names the outcome.
COUNTING_NOTE = "（区分处理的，只计这一情形，不计其他情形）"


def notice_label(outcome: Outcome) -> str:
    return OUTCOME_REPORT_ROWS[outcome][1].removesuffix(COUNTING_NOTE)


def notice_number(agency_name: str, year: int, seq: int) -> str:
    return f"{agency_name}公开告〔{year}〕第 {seq} 号"


def catalog_agency_info(client: ServiceClient) -> AgencyInfo:
    """An agency's name and parent from the catalog (`GET /api/v1/catalog/agencies/{id}`)."""

    async def info(agency_id: int) -> dict[str, Any] | None:
        try:
            response = await client.get(f"/api/v1/catalog/agencies/{agency_id}")
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("目录服务暂不可用，无法出具告知书，请稍后重试") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ServiceUnavailable("目录服务暂不可用，无法出具告知书，请稍后重试")
        found: dict[str, Any] = response.json()
        return found

    return info


async def names(info: AgencyInfo | None, agency_id: int) -> tuple[str, str]:
    """(the agency's name, the reconsideration body: its parent in the tree, else a generic one)."""
    if info is None:
        return GENERIC_AGENCY, GENERIC_RECONSIDERATION_BODY
    agency = await info(agency_id)
    name = str((agency or {}).get("name") or GENERIC_AGENCY)
    parent_id = (agency or {}).get("parent_id")
    parent = await info(int(parent_id)) if parent_id else None
    body = str((parent or {}).get("name") or GENERIC_RECONSIDERATION_BODY)
    return name, body


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
        except IntegrityError:  # another decision created the year's counter first
            await session.exec(bump)
    return int((await session.exec(select(NoticeCounter.last).where(key))).one())


async def numbered(session: AsyncSession, agency_id: int, agency_name: str, on: date) -> dict[str, str]:
    """The `notice` fact of an event that issues a notice (登记回执, 补正告知书, 征求第三方意见书,
    收费通知书): its number, taken in the caller's transaction from the agency's one yearly sequence
    that the decision and extension notices use too, and the agency's name as printed on it."""
    seq = await next_seq(session, agency_id, on.year)
    number = notice_number(agency_name, on.year, seq)
    return {"number": number, "agency_name": agency_name, "issued_on": on.isoformat()}


async def issue(
    session: AsyncSession,
    application: Application,
    *,
    outcome: Outcome,
    reason: str,
    legal_basis: str,
    applicant_name: str,
    agency_name: str,
    reconsideration_body: str,
    issued_on: date,
    actor_id: str | None,
    disclosed: str | None = None,
    withheld: list[dict[str, str]] | None = None,
    referral: dict[str, Any] | None = None,
) -> DecisionNotice:
    seq = await next_seq(session, application.agency_id, issued_on.year)
    number = notice_number(agency_name, issued_on.year, seq)
    row = OUTCOME_REPORT_ROWS[outcome][0]
    content = NoticeContent(
        number=number,
        title=f"{agency_name}政府信息公开申请答复告知书",
        agency=NoticeAgency(id=application.agency_id, name=agency_name),
        issued_on=issued_on,
        applicant_name=applicant_name,
        tracking_no=application.tracking_no,
        received_on=application.received_on,
        description=application.description,
        decision=NoticeDecision(
            outcome=outcome,
            report_row=row,
            label=notice_label(outcome),
            reason=reason,
            legal_basis=legal_basis,
            default_basis=default_basis(outcome, (referral or {}).get("referral")),
        ),
        disclosed=disclosed,
        withheld=[NoticeWithheld(**w) for w in withheld or []],
        referral=referral,
        delivery=NoticeDelivery(
            form=Form(application.form),
            form_label=FORM_LABELS[Form(application.form)],
            delivery=Delivery(application.delivery),
            delivery_label=DELIVERY_LABELS[Delivery(application.delivery)],
        ),
        reconsideration_body=reconsideration_body,
        remedies=remedies(reconsideration_body, OUTCOME_RULES[outcome].remedy),
    )
    notice = DecisionNotice(
        application_id=row_id(application),
        agency_id=application.agency_id,
        year=issued_on.year,
        seq=seq,
        number=number,
        content=content.model_dump_json(),
        issued_on=issued_on,
        created_by=actor_id,
    )
    session.add(notice)
    return notice


async def get(
    session: AsyncSession, application: Application, reader: Principal, *, cipher: PersonalDataCipher
) -> NoticePublic:
    """The notice as issued, addressed to the applicant's real name for those entitled to it (the
    applicant and the agency's clerks, whose read is audited); inspectors see the stored masked name."""
    from services.requests.service import RECORD_TYPE, applicant_of  # the service imports this module

    notice = (
        await session.exec(select(DecisionNotice).where(DecisionNotice.application_id == application.id))
    ).first()
    if notice is None:
        raise NotFound("该申请尚未作出答复，没有告知书", code="notice_not_found")
    content = NoticeContent.model_validate_json(notice.content)
    content.decision.label = notice_label(content.decision.outcome)  # also for notices issued before
    if reader.role in (Role.PUBLIC, Role.CLERK):  # `load` has checked it is the owner or the agency's
        content.applicant_name = applicant_of(application, cipher, masked=False).name
    if reader.role == Role.CLERK:
        record_read(
            session,
            actor=reader,
            record_type=RECORD_TYPE,
            record_id=application.id,
            fields=["applicant_name"],
            purpose="查阅答复告知书",
        )
        await session.commit()
    return NoticePublic(id=row_id(notice), application_id=notice.application_id, **content.model_dump())


# The Windows and macOS faces a printing browser has; the PDF (shared.pdf) falls through to the Noto
# CJK faces the server has, before any generic family, so that they are the ones embedded.
CSS = f"""
@page {{ size: A4; margin: 25mm 20mm; }}
body {{ font-family: "FangSong", "STFangsong", "SimSun", "{pdf.SERIF}", serif; font-size: 16pt;
  line-height: 1.8; color: #000; max-width: 170mm; margin: 0 auto; }}
h1 {{ font-family: "SimHei", "Heiti SC", "{pdf.SANS}", sans-serif; font-size: 20pt; text-align: center;
  margin: 0.5em 0 0; }}
.number {{ text-align: center; margin: 0.2em 0 1em; }}
p {{ text-indent: 2em; margin: 0.3em 0; }}
p.to {{ text-indent: 0; }}
ol {{ margin: 0.3em 0 0.3em 2em; padding: 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13pt; margin: 0.5em 0; }}
th, td {{ border: 1px solid #000; padding: 2pt 4pt; text-align: left; vertical-align: top; }}
.sign {{ text-align: right; margin-top: 2em; }}
@media print {{ body {{ max-width: none; }} a {{ color: #000; text-decoration: none; }} }}
"""


# Punctuation that ends a clause; text typed by clerks may already end with one.
TRAILING = re.compile(r"[\s。．.，,；;：:、！!？?]+$")


def clause(text: str) -> str:
    """The text without its closing punctuation, so the notice adds exactly one."""
    return TRAILING.sub("", text.strip())


def to_html(notice: NoticePublic) -> str:
    """A printable A4 page; every value is escaped, and every sentence ends with one full stop."""
    e = html.escape

    def s(text: str) -> str:
        """A sentence from typed text: escaped, with exactly one full stop (nothing when empty)."""
        body = clause(text)
        return f"{e(body)}。" if body else ""

    d = notice.decision
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(notice.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(notice.title)}</h1>",
        f'<p class="number">{e(notice.number)}</p>',
        f'<p class="to">{e(notice.applicant_name)}：</p>',
        f"<p>本机关于 {e(notice.received_on.isoformat())} 收到您（申请编号 {e(notice.tracking_no)}）"
        f"提出的政府信息公开申请，申请公开：{s(notice.description)}</p>",
        f"<p>经审查，答复如下：{s(d.label)}{s(d.reason)}</p>",
    ]
    if notice.disclosed:
        parts.append(f"<p>公开的内容：{s(notice.disclosed)}</p>")
    if notice.withheld:
        parts.append("<p>下列内容不予公开：</p><table><tr><th>不予公开的部分</th><th>理由</th></tr>")
        parts += [f"<tr><td>{e(w.item)}</td><td>{e(w.reason)}</td></tr>" for w in notice.withheld]
        parts.append("</table>")
    if notice.referral and notice.referral.get("agency_name"):
        parts.append(f"<p>该信息由 {e(clause(str(notice.referral['agency_name'])))} 负责公开。</p>")
    document = (notice.referral or {}).get("document")
    if isinstance(document, dict):
        where = f"《{e(str(document.get('title', '')))}》"
        if document.get("index_no"):
            where += f"（索引号 {e(str(document['index_no']))}）"
        if notice.referral and notice.referral.get("referral") == "should_have_been_proactive":
            lead = f"该信息属于应当主动公开的政府信息，本机关已于 {e(str(document.get('published_on', '')))} 主动公开"
        else:
            lead = "该信息已经主动公开"
        url = str(document.get("url") or "").strip()
        parts.append(f"<p>{lead}，见政府信息公开目录：{where}{f'，网址 {e(url)}' if url else ''}。</p>")
    basis = "；".join(dict.fromkeys(b for b in map(clause, [d.legal_basis, *d.default_basis]) if b))
    parts += [
        f"<p>依据：{html.escape(basis)}。</p>",
        f"<p>获取信息的形式：{e(notice.delivery.form_label)}；获取方式：{e(notice.delivery.delivery_label)}。</p>",
        f"<p>{s(notice.remedies)}</p>",
        f'<p class="sign">{e(notice.agency.name)}<br>{e(notice.issued_on.isoformat())}</p>',
        "</body></html>",
    ]
    return "\n".join(parts)
