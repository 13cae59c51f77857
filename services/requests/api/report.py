"""The annual report (政府信息公开工作年度报告, 条例第四十九条、第五十条)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.requests import report
from services.requests.api.common import PRINTABLE_HEADERS, ReportReader, catalog
from services.requests.schemas import AnnualReport
from shared.db import SessionDep

router = APIRouter()


@router.get(
    "/reports/annual",
    response_model=AnnualReport,
    summary="政府信息公开工作年度报告（表二、表三、表四）",
    description="统计所选机关及其全部下级机关（条例第五十条，2021 年年度报告格式）。经办人员只能查看本机关；"
    "监察人员查看本辖区的机关或整个辖区；管理员可查看任何机关。\n\n"
    "表三（收到和处理政府信息公开申请情况）：列为申请人类型（自然人；法人或其他组织：商业企业、科研机构、"
    "社会公益组织、法律服务机构、其他；总计），行为 一、本年新收申请数量；二、上年结转申请数量；"
    "三、本年度办理结果（一）…（六）3 与（七）总计；四、结转下年度继续办理。逐列核对 一 + 二 = 三（七） + 四，"
    "结果见 `reconciles` 与 `unreconciled_columns`。申请人撤回的申请计入撤回当年的（六）3 其他。\n\n"
    "表四：本年申请复议、起诉的案件，按 12 月 31 日的结果计（维持、纠正、其他结果、尚未审结、总计）。\n\n"
    "表二：规章与行政规范性文件的件数来自政府信息公开目录；行政许可、处罚、强制与收费暂无数据来源，返回 null。"
    "目录服务不可用时答复 503，不返回不完整的报告。\n\n"
    "`format=csv`：UTF-8（带 BOM）CSV，每张表一段；`format=html`：可打印的 A4 页面。",
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            }
        }
    },
)
async def annual_report(
    request: Request,
    session: SessionDep,
    actor: ReportReader,
    year: Annotated[int, Query(ge=2008, le=2100, description="报告年度")],
    agency_id: Annotated[int, Query(ge=1, le=2_147_483_647, description="机关或地区（含全部下级机关）")],
    format: Annotated[Literal["json", "csv", "html"], Query(description="json、csv 或 html")] = "json",
) -> Response:
    await report.authorize(actor, agency_id, request.app.state.agency_lookup)
    found = await report.build(session, catalog(request), agency_id, year)
    filename = f"annual-report-{agency_id}-{year}"
    if format == "csv":
        return Response(
            report.to_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}.csv"',
                "Cache-Control": "no-store",
            },
        )
    if format == "html":
        return Response(
            report.to_html(found),
            media_type="text/html; charset=utf-8",
            headers=PRINTABLE_HEADERS,
        )
    return JSONResponse(found.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
