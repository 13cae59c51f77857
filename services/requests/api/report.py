"""The annual report (政府信息公开工作年度报告, 条例第四十九条、第五十条)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from services.requests import report, report_publication, report_texts
from services.requests.api.common import PRINTABLE_HEADERS, catalog
from services.requests.schemas import AnnualReport, ReportPublication, ReportTexts, ReportTextsIn
from shared.auth import ClerkOrAdmin, StaffUser
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
    actor: StaffUser,
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


AgencyPath = Annotated[int, Path(ge=1, le=2_147_483_647, description="机关 ID")]
YearPath = Annotated[int, Path(ge=2008, le=2100, description="报告年度")]


@router.put(
    "/reports/annual/{agency_id}/{year}/texts",
    response_model=ReportTexts,
    summary="填写年度报告的一、五、六部分",
    description="2021 年年度报告格式中由机关撰写的三部分：一、总体情况；五、存在的主要问题及改进情况；"
    "六、其他需要报告的事项（信息处理费的收取情况由系统按收费通知统计，列在其后）。每部分最多 2 万字，"
    "整体替换；空字符串表示尚未填写。本机关经办人员或管理员可改，每次修改记入历史（修改前后的内容）。"
    "带上编辑所依据的 `version`，他人已先修改时答复 409 `stale_version`。不能填写尚未开始的年度。",
)
async def put_report_texts(
    request: Request,
    session: SessionDep,
    actor: ClerkOrAdmin,
    agency_id: AgencyPath,
    year: YearPath,
    data: ReportTextsIn,
) -> ReportTexts:
    await report_texts.authorize_edit(actor, agency_id, request.app.state.agency_lookup)
    report_texts.check_year(year, request.app.state.today())
    return await report_texts.update(session, agency_id=agency_id, year=year, data=data, actor=actor)


@router.post(
    "/reports/annual/{agency_id}/{year}/publication",
    response_model=ReportPublication,
    summary="送交政府信息公开目录发布年度报告",
    description="把已结束年度的年度报告（一至六部分，正文为可打印页面与纯文本）作为本机关的文件送交政府信息公开目录，"
    "记在提出人名下：首次送交新建草稿，须在目录中提交审核、由另一位本机关经办人员完成保密审查后才发布，"
    "从不直接发布。再次送交时更新同一份草稿；报告已发布的，提出修订（同样待审核）；目录中正在审核时答复 409。"
    "答复目录中的文件 ID 与状态。目录服务不可用时答复 503，两边都不写入。"
    "发布期限（条例第四十九条）：部门为次年 1 月 31 日前，人民政府为次年 3 月 31 日前；未发布前列入电子监察。",
)
async def publish_report(
    request: Request, session: SessionDep, actor: ClerkOrAdmin, agency_id: AgencyPath, year: YearPath
) -> ReportPublication:
    await report_texts.authorize_edit(actor, agency_id, request.app.state.agency_lookup)
    return await report_publication.publish(
        session,
        catalog(request),
        agency_id=agency_id,
        year=year,
        actor=actor,
        today=request.app.state.today(),
    )
