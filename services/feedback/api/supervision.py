"""Supervision (电子监察): the statistics and the yellow and red cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.feedback import queries, stats
from services.feedback.api.common import clock
from services.feedback.schemas import FeedbackStats
from shared.auth import StaffReader, StaffUser
from shared.db import SessionDep
from shared.schemas import OfficialDate, id_query
from shared.supervision import FlagFilter, Limit, OverdueList

router = APIRouter()


@router.get(
    "/stats",
    response_model=FeedbackStats,
    summary="统计（电子监察）",
    description="按类别、渠道、状态、机关计数；办结事项按期答复比例；首次答复和办结用时的中位数和"
    "第 95 百分位（小时，最近秩法）；满意率。from/to 按收到日期（北京时间）筛选。经办人员只统计本机关的事项，"
    "监察人员统计本辖区（机关含下级），管理员不限。",
)
async def get_stats(
    request: Request,
    session: SessionDep,
    actor: StaffUser,
    agency_id: Annotated[int | None, id_query("机关 ID（含下级机关），默认为调用者的范围")] = None,
    from_date: Annotated[OfficialDate | None, Query(alias="from", description="收到日期起（含）")] = None,
    to_date: Annotated[OfficialDate | None, Query(alias="to", description="收到日期止（含）")] = None,
) -> JSONResponse:
    found = await stats.compute(
        session,
        principal=actor,
        agency_id=agency_id,
        from_date=from_date,
        to_date=to_date,
        lookup=request.app.state.agency_lookup,
        **(await clock(request, now=False)),
    )
    return JSONResponse(found.model_dump(mode="json", by_alias=True), headers={"Cache-Control": "no-store"})


@router.get(
    "/supervision/overdue",
    response_model=OverdueList,
    summary="黄牌、红牌事项（电子监察）",
    description="未办结且临近期限（黄牌：期限前 3 个工作日内）或已超期（红牌）的事项，期限最近的在前。"
    "经办人员看本机关，监察人员看本辖区。网关的 /api/v1/supervision/overdue 汇总各服务的这份清单。",
)
async def list_overdue(
    request: Request, session: SessionDep, actor: StaffReader, flag: FlagFilter = None, limit: Limit = 100
) -> OverdueList:
    return await queries.overdue(
        session, principal=actor, flag=flag, limit=limit, **(await clock(request, now=False))
    )
