"""Publishing the annual report and its legal due date (条例第四十九条).

The report is made public (向社会公布) as a document of the agency in the catalog: the requests
service sends it there with the service token as a draft in the name of the clerk who asked, and the
catalog's own review by a second person (保密审查) publishes it — never this service. Sending it again
updates that draft, or proposes an amendment of the published report; the catalog document's id is
kept with the report's texts, so there is never a second document for the same report.

Due dates (条例第四十九条): a department (部门) publishes its report for year Y by 31 January of Y+1; a
people's government (人民政府: the catalog's province, city, county and township levels) by 31 March
of Y+1. Until the report is published in the catalog it is listed in supervision, yellow and red by
the one rule of `shared.deadlines.flag_for_due`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import report, report_texts
from services.requests.models import AnnualReportText
from services.requests.schemas import ReportPublication
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar
from shared.db import utcnow
from shared.deadlines import Flag, flag_for_due
from shared.errors import Conflict, InvalidField, NotFound, ServiceUnavailable
from shared.events import record_event
from shared.http import ServiceClient
from shared.supervision import OverdueList, SupervisionItem, listed_flag, order_key

logger = logging.getLogger(__name__)

DOC_TYPE = "report"  # 体裁：报告
CATEGORY = "general"  # 主题分类：综合政务
DEPARTMENT = "department"
GOVERNMENT = "county"  # any level but a department: a people's government (省、市、县、乡镇)
ACTION_LABELS = {
    "created": "已在政府信息公开目录中新建草稿，待提交审核",
    "updated": "已更新目录中的原草稿",
    "amendment_proposed": "报告已发布，已提出修订，待另一位经办人员审核",
}
STATUS_LABELS = {
    "draft": "草稿",
    "in_review": "待审核",
    "returned": "已退回",
    "scheduled": "待定时发布",
    "published": "已发布",
    "revoked": "已撤销",
}


# --- due dates --------------------------------------------------------------------------------------


def due_on(level: str, year: int) -> date:
    """条例第四十九条: departments by 31 January of the next year, people's governments by 31 March."""
    return date(year + 1, 1, 31) if level == DEPARTMENT else date(year + 1, 3, 31)


# --- publication ------------------------------------------------------------------------------------


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("目录服务暂不可用，年度报告未送交发布，请稍后重试")


async def _send(client: ServiceClient, agency_id: int, body: dict[str, Any]) -> dict[str, Any]:
    try:
        response = await client.post(f"/api/v1/catalog/agencies/{agency_id}/drafts", json=body)
    except httpx.HTTPError as exc:
        raise _unavailable() from exc
    try:
        answer: dict[str, Any] = response.json()
    except ValueError as exc:
        raise _unavailable() from exc
    if response.status_code == 404:
        raise NotFound("机关不存在", code="agency_not_found")
    if response.status_code == 409:  # the report is in review or scheduled in the catalog
        raise Conflict(answer.get("detail") or "目录中的报告正在审核", code="report_in_review")
    if response.status_code != 200 or not isinstance(answer.get("document"), dict):
        raise _unavailable()
    return answer


async def publish(
    session: AsyncSession,
    client: ServiceClient,
    *,
    agency_id: int,
    year: int,
    actor: Principal,
    today: date,
) -> ReportPublication:
    """Sends the report of a finished year to the catalog. The report's row is locked first, so two
    clerks sending at once give one document; the catalog is written before anything here, and a
    catalog that cannot be reached leaves both sides as they were (503)."""
    if year >= today.year:
        raise InvalidField("year", f"{year}年度尚未结束，年度报告在次年公布", code="report_year_not_over")
    built = await report.build(session, client, agency_id, year)
    row = await report_texts.row_for(session, agency_id, year)
    answer = await _send(
        client,
        agency_id,
        {
            "title": built.title,
            "written_on": today.isoformat(),
            "category": CATEGORY,
            "doc_type": DOC_TYPE,
            "body_text": report.to_text(built),
            "body_html": report.html_body(built),
            "drafted_by": actor.subject,
            "document_id": row.catalog_document_id,
            "reason": "年度报告内容更新",
        },
    )
    document = answer["document"]
    before = {"catalog_document_id": row.catalog_document_id}
    row.catalog_document_id = int(document["id"])
    row.publication_requested_by, row.publication_requested_at = actor.subject, utcnow()
    session.add(row)
    action = str(answer.get("action"))
    record_event(
        session,
        aggregate_type=report_texts.AGGREGATE,
        aggregate_id=report_texts.aggregate_id(agency_id, year),
        action="report_sent_for_publication",
        actor=actor,
        before=before,
        after={"catalog_document_id": row.catalog_document_id, "catalog_action": action},
    )
    await session.commit()
    status = str(document.get("status"))
    return ReportPublication(
        agency_id=agency_id,
        year=year,
        document_id=row.catalog_document_id,
        document_status=status,
        document_status_label=STATUS_LABELS.get(status, status),
        action=action,
        action_label=ACTION_LABELS.get(action, action),
        amendment_id=answer.get("amendment_id"),
    )


# --- supervision --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    id: int
    name: str
    level: str


async def _get(client: ServiceClient, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await client.get(url, params=params)
    if response.status_code != 200:
        raise _unavailable()
    body: dict[str, Any] = response.json()
    return body


def _agency(found: dict[str, Any]) -> Agency:
    return Agency(
        id=int(found["id"]), name=str(found.get("name") or found["id"]), level=str(found.get("level"))
    )


async def _agencies(client: ServiceClient, principal: Principal) -> list[Agency]:
    """A clerk's agency; an inspector's region and every agency below it."""
    if principal.role == Role.CLERK and principal.agency_id is not None:
        return [_agency(await _get(client, f"/api/v1/catalog/agencies/{principal.agency_id}"))]
    if principal.role != Role.INSPECTOR or principal.region_id is None:
        return []
    found: list[Agency] = []
    page = 1
    while True:
        body = await _get(
            client, "/api/v1/catalog/agencies", {"under": principal.region_id, "page": page, "page_size": 100}
        )
        found += [_agency(a) for a in body.get("items", [])]
        if not body.get("items") or len(found) >= int(body.get("total", 0)):
            return found
        page += 1


async def _published(client: ServiceClient, document_id: int) -> bool:
    """Whether the catalog shows the document to the public now (a draft or revoked one is a 404)."""
    try:
        response = await client.get(f"/api/v1/catalog/documents/{document_id}")
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.json().get("status") == "published"


async def overdue(
    session: AsyncSession,
    client: ServiceClient,
    *,
    principal: Principal,
    flag: str | None,
    calendar: WorkingCalendar,
    today: date,
    first_year: int,
) -> OverdueList:
    """The reports in the caller's scope, of each finished year from `first_year` on, that are not
    published in the catalog and are yellow or red today. The catalog not answering leaves them out
    (logged): the applications' own list is not held back by it."""
    wanted = {Flag(flag)} if flag else {Flag.YELLOW, Flag.RED}
    years = [
        y
        for y in range(first_year, today.year)
        if any(
            flag_for_due(due_on(level, y), today, calendar) in wanted for level in (DEPARTMENT, GOVERNMENT)
        )
    ]
    if not years:
        return OverdueList(items=[], total=0)
    try:
        agencies = await _agencies(client, principal)
    except (httpx.HTTPError, ServiceUnavailable, ValueError, KeyError) as exc:
        logger.warning("annual reports left out of supervision: catalog %s", type(exc).__name__)
        return OverdueList(items=[], total=0)
    due = [
        (a, y, d, f)
        for a in agencies
        for y in years
        if (f := flag_for_due(d := due_on(a.level, y), today, calendar)) in wanted
    ]
    rows = (
        await session.exec(
            select(AnnualReportText).where(
                col(AnnualReportText.agency_id).in_({a.id for a, *_ in due}),
                col(AnnualReportText.year).in_(years),
            )
        )
    ).all()
    sent = {(r.agency_id, r.year): r.catalog_document_id for r in rows if r.catalog_document_id}
    documents = sorted(set(sent.values()))
    live = dict(
        zip(documents, await asyncio.gather(*(_published(client, d) for d in documents)), strict=True)
    )
    items = [
        SupervisionItem(
            service="requests",
            item_type="annual_report",
            id=a.id,
            tracking_no=f"annual-report-{y}-{a.id}",
            agency_id=a.id,
            title=f"{a.name}{y}年政府信息公开工作年度报告（条例第四十九条：{d.month}月{d.day}日前公布）",
            state="sent" if (a.id, y) in sent else "not_sent",
            state_label="已送交目录，待审核发布" if (a.id, y) in sent else "未送交发布",
            due=d,
            flag=listed_flag(f),
            provisional=False,
            owner_id=None,
            url=f"/api/v1/requests/reports/annual?year={y}&agency_id={a.id}",
        )
        for a, y, d, f in due
        if not live.get(sent.get((a.id, y)) or 0, False)
    ]
    return OverdueList(items=sorted(items, key=order_key), total=len(items))


def combined(*lists: OverdueList, limit: int) -> OverdueList:
    """One list from several, in the merge order, cut at `limit` (totals add up)."""
    items = sorted((i for found in lists for i in found.items), key=order_key)
    return OverdueList(items=items[:limit], total=sum(found.total for found in lists))
