"""政府信息公开工作年度报告 (条例第四十九条、第五十条; the national format of 2021): tables 二, 三 and 四
for an agency and all agencies below it, as JSON, CSV (UTF-8 with BOM) or a printable HTML page.

Counting rules (table 三), for the year Y and the applications whose agency path contains the agency:
- 一、本年新收: received (条例第三十一条 received date) in Y;
- 二、上年结转: received before 1 January of Y and not closed before that day;
- 三、办理结果: closed in Y, one row per outcome. The closing date is the `on` date of the closing
  lifecycle event (decide, refer, withdraw, abandon). A referral counts under the outcome the lifecycle
  recorded (already published → 予以公开; other agency → 本机关不掌握). A **withdrawn** application has
  no outcome: it is counted in （六）3 其他 in the year it was withdrawn;
- 四、结转下年度: received on or before 31 December of Y and still open at the end of that day.
The check 一 + 二 = 三（七） + 四 is verified per column and reported (`reconciles`).

Table 四 counts each review case in the year it was closed (`concluded_on` in Y, under its result);
a case filed on or before 31 December of Y and still open at the end of that day is 尚未审结 in Y's
report, and again in each later year's until the year it closes. Table 二 asks the catalog's public
document list, which keeps each document's validity with the day it takes effect: 本年制发 = published
in Y, 本年废止 = repealed with effect in Y, 现行有效 = in force at the end of 31 December of Y. Rows
without a data source are null, never estimated.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlalchemy import and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import fees, report_texts
from services.requests.models import (
    APPLICANT_TYPE_LABELS,
    OUTCOME_REPORT_ROWS,
    ApplicantType,
    Application,
    Outcome,
    ReviewCase,
    ReviewKind,
    ReviewResult,
)
from services.requests.schemas import (
    AnnualReport,
    FeeTotals,
    ReportAgency,
    ReportColumn,
    ReportRow,
    Table2,
    Table2Row,
    Table3,
    Table4,
    Table4Group,
)
from shared.agencies import AgencyLookup
from shared.auth import Principal, Role
from shared.calendar import SHANGHAI
from shared.db import utcnow
from shared.errors import Forbidden, NotFound, ServiceUnavailable
from shared.http import ServiceClient
from shared.scope import in_scope, subtree_condition

ORGANISATION = "法人或其他组织"
TOTAL = "total"
COLUMNS = [
    ReportColumn(
        key=str(t),
        label=APPLICANT_TYPE_LABELS[t],
        group=None if t == ApplicantType.NATURAL_PERSON else ORGANISATION,
    )
    for t in ApplicantType
] + [ReportColumn(key=TOTAL, label="总计", group=None)]
COLUMN_KEYS = [c.key for c in COLUMNS]
SECTION_RESULTS = "三、本年度办理结果"
GROUPS = {
    "（三）": "（三）不予公开",
    "（四）": "（四）无法提供",
    "（五）": "（五）不予处理",
    "（六）": "（六）其他处理",
}
REVIEW_COLUMNS = {
    str(ReviewResult.UPHELD): "结果维持",
    str(ReviewResult.CORRECTED): "结果纠正",
    str(ReviewResult.OTHER): "其他结果",
    str(ReviewResult.PENDING): "尚未审结",
    TOTAL: "总计",
}
REVIEW_GROUPS = {
    ReviewKind.RECONSIDERATION: "行政复议",
    ReviewKind.LAWSUIT_DIRECT: "行政诉讼（未经复议直接起诉）",
    ReviewKind.LAWSUIT_AFTER_RECONSIDERATION: "行政诉讼（复议后起诉）",
}
DOC_TYPES = {"regulation": "规章", "normative": "行政规范性文件"}
NO_SOURCE = "暂无数据来源（系统尚未记录该类决定或收费），未填报数字"
NOTES = [
    "统计范围：所选机关及其全部下级机关。",
    "日期均按北京时间；收到日期按条例第三十一条确定，办结日期为作出答复、告知、撤回或视为放弃之日。",
    "申请人撤回的申请，计入撤回当年的“（六）3 其他”。",
    "告知获取途径或掌握机关的，按系统记录的办理结果计入（已主动公开计入“予以公开”，不属于本机关计入“本机关不掌握相关政府信息”）。",
    "表四按审结年度统计：复议、诉讼案件计入作出结果（审结）当年的报告，按其结果计入“结果维持”“结果纠正”或“其他结果”；"
    "本年 12 月 31 日尚未审结的案件（含以前年度申请、至今未审结的）计入本年的“尚未审结”，并结转至审结当年的报告按结果统计。",
    "表二规章、行政规范性文件的件数取自政府信息公开目录及其有效性变更记录：本年制发 = 本年发布的件数；"
    "本年废止 = 废止生效日期在本年内的件数；现行有效 = 本年 12 月 31 日终了时有效的件数。",
]


def _zeros() -> dict[str, int]:
    return dict.fromkeys(COLUMN_KEYS, 0)


# --- who may report on what -----------------------------------------------------------------------


async def authorize(principal: Principal, agency_id: int, lookup: AgencyLookup) -> str:
    """The agency's path (`/1/2/5/`) if the caller may report on it: a clerk on their own agency, an
    inspector on agencies in their region, an admin on any."""
    if principal.role == Role.CLERK:
        if not principal.is_clerk_of(agency_id):
            raise Forbidden("经办人员只能查看本机关的年度报告", code="agency_scope")
        return await lookup(agency_id)
    path = await lookup(agency_id)
    if principal.role == Role.INSPECTOR:
        if not in_scope(principal, agency_id, path):
            raise Forbidden("监察人员只能查看本辖区机关的年度报告", code="agency_scope")
    elif principal.role != Role.ADMIN:
        raise Forbidden("无权查看年度报告", code="role_forbidden")
    return path


# --- table 三 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """How many applications of one applicant type and outcome were received in the year (or before)
    and closed in it (or not by its end)."""

    applicant_type: str
    received_in_year: bool
    closed_in_year: bool
    outcome: Outcome | None
    count: int


async def _applications(session: AsyncSession, agency_id: int, year: int) -> list[Counted]:
    """One grouped query over the rows that count in the year: received by its end and not closed
    before its start (the closing date is kept on the row, `closed_on`)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    received_in_year = case((col(Application.received_on) >= start, True), else_=False)
    closed_in_year = case(
        (and_(col(Application.closed_on).is_not(None), col(Application.closed_on) <= end), True), else_=False
    )
    rows = (
        await session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel's select() is typed for at most four columns
                Application.applicant_type,
                received_in_year,
                closed_in_year,
                Application.outcome,
                func.count(),
            )
            .where(subtree_condition(agency_id, col(Application.agency_path)))
            .where(col(Application.received_on) <= end)
            .where(or_(col(Application.closed_on).is_(None), col(Application.closed_on) >= start))
            .group_by(Application.applicant_type, received_in_year, closed_in_year, Application.outcome)
        )
    ).all()
    return [
        Counted(
            applicant_type=kind,
            received_in_year=bool(new),
            closed_in_year=bool(closed),
            outcome=Outcome(outcome) if outcome else None,
            count=count,
        )
        for kind, new, closed, outcome, count in rows
    ]


def table3(applications: Iterable[Counted], year: int) -> Table3:
    new, carried, forward, decided_total = _zeros(), _zeros(), _zeros(), _zeros()
    by_outcome = {o: _zeros() for o in Outcome}

    def add(counts: dict[str, int], column: str, n: int) -> None:
        counts[column] += n
        counts[TOTAL] += n

    for a in applications:
        column = a.applicant_type if a.applicant_type in COLUMN_KEYS else str(ApplicantType.OTHER)
        add(new if a.received_in_year else carried, column, a.count)
        if a.closed_in_year:  # a withdrawn application has no outcome: （六）3 其他
            add(by_outcome[a.outcome or Outcome.OTHER], column, a.count)
            add(decided_total, column, a.count)
        else:
            add(forward, column, a.count)
    rows = [
        ReportRow(key="new", row="一、", label="本年新收申请数量", values=new),
        ReportRow(key="carried_over", row="二、", label="上年结转申请数量", values=carried),
    ]
    for outcome, (row, label) in OUTCOME_REPORT_ROWS.items():
        rows.append(
            ReportRow(
                key=str(outcome),
                row=row,
                label=label,
                section=SECTION_RESULTS,
                group=GROUPS.get(row[:3]),
                values=by_outcome[outcome],
            )
        )
    rows += [
        ReportRow(
            key="decided_total", row="（七）", label="总计", section=SECTION_RESULTS, values=decided_total
        ),
        ReportRow(key="carried_forward", row="四、", label="结转下年度继续办理", values=forward),
    ]
    outcome_sums = {k: sum(by_outcome[o][k] for o in Outcome) for k in COLUMN_KEYS}
    bad = [
        k
        for k in COLUMN_KEYS
        if new[k] + carried[k] != decided_total[k] + forward[k] or outcome_sums[k] != decided_total[k]
    ]
    return Table3(
        title="三、收到和处理政府信息公开申请情况",
        columns=COLUMNS,
        rows=rows,
        check="一 + 二 = 三（七） + 四（逐列核对）",
        reconciles=not bad,
        unreconciled_columns=bad,
    )


# --- table 四 -------------------------------------------------------------------------------------


async def table4(session: AsyncSession, agency_id: int, year: int) -> Table4:
    """Closed in the year: under the result; open at the end of 31 December (filed by then): 尚未审结."""
    end = date(year, 12, 31)
    closed_in_year = and_(
        col(ReviewCase.concluded_on).is_not(None),
        col(ReviewCase.concluded_on) >= date(year, 1, 1),
        col(ReviewCase.concluded_on) <= end,
    )
    open_at_end = and_(
        col(ReviewCase.filed_on) <= end,
        or_(col(ReviewCase.concluded_on).is_(None), col(ReviewCase.concluded_on) > end),
    )
    rows = (
        await session.exec(
            select(ReviewCase.kind, ReviewCase.result, col(ReviewCase.concluded_on))
            .join(Application, col(Application.id) == col(ReviewCase.application_id))
            .where(subtree_condition(agency_id, col(Application.agency_path)))
            .where(or_(closed_in_year, open_at_end))
        )
    ).all()
    counts = {k: dict.fromkeys(REVIEW_COLUMNS, 0) for k in ReviewKind}
    for kind, result, concluded_on in rows:
        concluded = concluded_on is not None and concluded_on <= end
        as_of = result if concluded else str(ReviewResult.PENDING)
        counts[ReviewKind(kind)][as_of] += 1
        counts[ReviewKind(kind)][TOTAL] += 1
    return Table4(
        title="四、政府信息公开行政复议、行政诉讼情况",
        columns=REVIEW_COLUMNS,
        groups=[Table4Group(key=str(k), label=REVIEW_GROUPS[k], values=counts[k]) for k in ReviewKind],
    )


# --- the catalog: the agency's name and table 二 --------------------------------------------------


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("目录服务暂不可用，无法生成年度报告（表二和机关名称来自目录），请稍后重试")


async def _get(client: ServiceClient, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        response = await client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise _unavailable() from exc
    if response.status_code == 404:
        raise NotFound("机关不存在", code="agency_not_found")
    if response.status_code != 200:
        raise _unavailable()
    try:
        body: dict[str, Any] = response.json()
    except ValueError as exc:
        raise _unavailable() from exc
    return body


async def _count(client: ServiceClient, agency_id: int, **filters: Any) -> int:
    params = {"agency_id": agency_id, "page": 1, "page_size": 1, **filters}
    body = await _get(client, "/api/v1/catalog/documents", params)
    total = body.get("total")
    if not isinstance(total, int):
        raise _unavailable()
    return total


async def from_catalog(client: ServiceClient, agency_id: int, year: int) -> tuple[str, Table2]:
    queries: list[tuple[str, dict[str, Any]]] = [("name", {})]
    for doc_type in DOC_TYPES:
        queries += [
            (f"{doc_type}.issued", {"doc_type": doc_type, "year": year}),
            (
                f"{doc_type}.repealed",
                {"doc_type": doc_type, "repealed_from": f"{year}-01-01", "repealed_to": f"{year}-12-31"},
            ),
            (f"{doc_type}.in_force", {"doc_type": doc_type, "in_force_on": f"{year}-12-31"}),
        ]
    agency, *totals = await asyncio.gather(
        _get(client, f"/api/v1/catalog/agencies/{agency_id}"),
        *(_count(client, agency_id, **params) for _, params in queries[1:]),
    )
    found = dict(zip([k for k, _ in queries[1:]], totals, strict=True))
    rows = [
        Table2Row(
            key=doc_type,
            label=label,
            item="第二十条第（一）项",
            values={k: found[f"{doc_type}.{k}"] for k in ("issued", "repealed", "in_force")},
        )
        for doc_type, label in DOC_TYPES.items()
    ]
    rows += [
        Table2Row(
            key="licensing",
            label="行政许可",
            item="第二十条第（五）项",
            values={"decisions": None},
            note=NO_SOURCE,
        ),
        Table2Row(
            key="punishment",
            label="行政处罚",
            item="第二十条第（六）项",
            values={"decisions": None},
            note=NO_SOURCE,
        ),
        Table2Row(
            key="enforcement",
            label="行政强制",
            item="第二十条第（六）项",
            values={"decisions": None},
            note=NO_SOURCE,
        ),
        Table2Row(
            key="fees",
            label="行政事业性收费",
            item="第二十条第（八）项",
            values={"amount": None},
            note=NO_SOURCE,
        ),
    ]
    return str(agency.get("name") or agency_id), Table2(title="二、主动公开政府信息情况", rows=rows)


# --- the whole report ------------------------------------------------------------------------------


async def build(session: AsyncSession, client: ServiceClient, agency_id: int, year: int) -> AnnualReport:
    name, t2 = await from_catalog(client, agency_id, year)
    t3 = table3(await _applications(session, agency_id, year), year)
    t4 = await table4(session, agency_id, year)
    written = await report_texts.find(session, agency_id, year)
    return AnnualReport(
        title=f"{name}政府信息公开工作年度报告（{year}年）",
        year=year,
        agency=ReportAgency(id=agency_id, name=name),
        scope="该机关及其全部下级机关",
        generated_at=utcnow().astimezone(SHANGHAI).replace(microsecond=0),
        table2=t2,
        table3=t3,
        table4=t4,
        fees=await fees.totals(session, agency_id, year),
        notes=NOTES,
        texts=report_texts.present(agency_id, year, written),
        catalog_document_id=written.catalog_document_id if written else None,
    )


# --- CSV and HTML --------------------------------------------------------------------------------

T2_COLUMNS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount": "本年收费金额（万元）",
}


FEES_TITLE = "信息处理费（《政府信息公开信息处理费管理办法》）"


def fee_line(t: FeeTotals) -> str:
    """The fees of the year in one sentence (section 六 of the national format reports them)."""
    return (
        f"本年收取信息处理费 {t.collected.count} 件，共 {t.collected.amount} 元；"
        f"减收 {t.reduced.count} 件，减收 {t.reduced.amount} 元；免收 {t.waived.count} 件，免收 {t.waived.amount} 元"
        f"（本年发出收费通知 {t.notified.count} 件，减免前 {t.notified.amount} 元）。"
    )


def _cell(value: int | float | None) -> str:
    return "" if value is None else str(value)


def _t2_lines(t2: Table2) -> list[list[str]]:
    lines = []
    for row in t2.rows:
        for key, value in row.values.items():
            lines.append([row.item, row.label, T2_COLUMNS[key], _cell(value), row.note or ""])
    return lines


def _t3_header() -> list[str]:
    return ["行号", "项目"] + [c.label if c.group is None else f"{c.group}-{c.label}" for c in COLUMNS]


def _t3_label(row: ReportRow) -> str:
    return f"{row.group}：{row.label}" if row.group else row.label


def to_csv(report: AnnualReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([report.title])
    writer.writerow(["生成时间（北京时间）", report.generated_at.strftime("%Y-%m-%d %H:%M:%S")])
    writer.writerow([])
    writer.writerows(_section_lines(report, "overview"))
    writer.writerow([report.table2.title])
    writer.writerow(["条例项", "信息内容", "指标", "数量", "说明"])
    writer.writerows(_t2_lines(report.table2))
    writer.writerow([])
    t3 = report.table3
    writer.writerow([t3.title])
    writer.writerow(_t3_header())
    for row in t3.rows:
        writer.writerow([row.row, _t3_label(row)] + [str(row.values[k]) for k in COLUMN_KEYS])
    writer.writerow(
        ["核对", t3.check, "一致" if t3.reconciles else "不一致：" + "、".join(t3.unreconciled_columns)]
    )
    writer.writerow([])
    t4 = report.table4
    writer.writerow([t4.title])
    writer.writerow(["类别", *t4.columns.values()])
    for group in t4.groups:
        writer.writerow([group.label] + [str(group.values[k]) for k in t4.columns])
    writer.writerow([])
    writer.writerows(_section_lines(report, "problems") + _section_lines(report, "other_matters"))
    writer.writerow([FEES_TITLE, fee_line(report.fees)])
    writer.writerow([])
    writer.writerow(["说明"])
    writer.writerows([[n] for n in report.notes])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


NOT_WRITTEN = "（本机关尚未填写）"


def _section(report: AnnualReport, key: str) -> tuple[str, list[str]]:
    """The heading (一、总体情况) and paragraphs of one written section."""
    found = next(s for s in report.texts.sections if s.key == key)
    paragraphs = [p.strip() for p in found.text.splitlines() if p.strip()] or [NOT_WRITTEN]
    return f"{found.number}、{found.title}", paragraphs


def _section_lines(report: AnnualReport, key: str) -> list[list[str]]:
    heading, paragraphs = _section(report, key)
    return [[heading], *([p] for p in paragraphs), []]


def _section_html(report: AnnualReport, key: str) -> str:
    heading, paragraphs = _section(report, key)
    return (
        f"<section><h2>{html.escape(heading)}</h2>"
        + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        + "</section>"
    )


CSS = """
@page { size: A4; margin: 15mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 10.5pt; color: #000; }
h1 { text-align: center; font-size: 16pt; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; }
p.meta { text-align: center; margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: 1mm 1.5mm; text-align: center; }
td.label { text-align: left; }
tr { page-break-inside: avoid; }
section { page-break-inside: avoid; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def to_html(report: AnnualReport) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(report.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(report.title)}</h1>",
        f'<p class="meta">统计范围：{e(report.scope)}　生成时间（北京时间）：'
        f"{e(report.generated_at.strftime('%Y-%m-%d %H:%M:%S'))}</p>",
        _section_html(report, "overview"),
        f"<section><h2>{e(report.table2.title)}</h2><table>",
        "<tr><th>条例项</th><th>信息内容</th><th>指标</th><th>数量</th><th>说明</th></tr>",
    ]
    for line in _t2_lines(report.table2):
        parts.append(
            "<tr>"
            + "".join(
                f'<td class="label">{e(c)}</td>' if i in (1, 4) else f"<td>{e(c)}</td>"
                for i, c in enumerate(line)
            )
            + "</tr>"
        )
    t3 = report.table3
    parts += [
        "</table></section>",
        f"<section><h2>{e(t3.title)}</h2><table>",
        '<tr><th rowspan="2" colspan="2">项目</th><th rowspan="2">自然人</th>'
        f'<th colspan="5">{e(ORGANISATION)}</th><th rowspan="2">总计</th></tr>',
        "<tr>" + "".join(f"<th>{e(c.label)}</th>" for c in COLUMNS if c.group) + "</tr>",
    ]
    for row in t3.rows:
        parts.append(
            f'<tr><td>{e(row.row)}</td><td class="label">{e(_t3_label(row))}</td>'
            + "".join(f"<td>{row.values[k]}</td>" for k in COLUMN_KEYS)
            + "</tr>"
        )
    check = "一致" if t3.reconciles else "不一致：" + "、".join(t3.unreconciled_columns)
    parts += [
        "</table>",
        f"<p>核对：{e(t3.check)} —— {e(check)}</p></section>",
        f"<section><h2>{e(report.table4.title)}</h2><table>",
        "<tr><th>类别</th>" + "".join(f"<th>{e(v)}</th>" for v in report.table4.columns.values()) + "</tr>",
    ]
    for group in report.table4.groups:
        parts.append(
            f'<tr><td class="label">{e(group.label)}</td>'
            + "".join(f"<td>{group.values[k]}</td>" for k in report.table4.columns)
            + "</tr>"
        )
    parts += [
        "</table></section>",
        _section_html(report, "problems"),
        _section_html(report, "other_matters"),
        f"<section><h2>{e(FEES_TITLE)}</h2><p>{e(fee_line(report.fees))}</p></section>",
        "<section><h2>说明</h2><ol>",
    ]
    parts += [f"<li>{e(n)}</li>" for n in report.notes]
    parts += ["</ol></section>", "</body></html>"]
    return "\n".join(parts)


def html_body(report: AnnualReport) -> str:
    """The printable page without its head and style: the body of the catalog document, which the
    catalog shows inside its own page (and cleans of anything but formatting)."""
    page = to_html(report)
    return page.split("</head><body>", 1)[1].rsplit("</body>", 1)[0].strip()


def to_text(report: AnnualReport) -> str:
    """The report as plain text (the catalog document's `body_text`, which search indexes): the six
    parts in the order of the national format, each table line by line."""
    lines = [report.title, ""]

    def section(key: str) -> None:
        heading, paragraphs = _section(report, key)
        lines.extend([heading, *paragraphs, ""])

    section("overview")
    lines.append(report.table2.title)
    lines += ["　".join(c for c in line if c) for line in _t2_lines(report.table2)]
    t3 = report.table3
    lines += ["", t3.title, "　".join(_t3_header())]
    lines += [
        "　".join([row.row, _t3_label(row), *(str(row.values[k]) for k in COLUMN_KEYS)]) for row in t3.rows
    ]
    t4 = report.table4
    lines += ["", t4.title, "　".join(["类别", *t4.columns.values()])]
    lines += ["　".join([g.label, *(str(g.values[k]) for k in t4.columns)]) for g in t4.groups]
    lines.append("")
    section("problems")
    section("other_matters")
    lines += [FEES_TITLE, fee_line(report.fees), "", "说明", *report.notes]
    return "\n".join(lines)
