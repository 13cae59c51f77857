"""The sender after sending: the rating of a reply (logged in, or by tracking number and code) and
tracking without an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.feedback import rating, tracking
from services.feedback.api.common import NO_STORE, TrackingNo, act, clock
from services.feedback.schemas import CasePublic, RatingIn, TrackedRatingIn, TrackingStatus
from shared.auth import PublicUser
from shared.db import SessionDep
from shared.schemas import IdPath

router = APIRouter()


@router.post(
    "/messages/{case_id}/rating",
    response_model=CasePublic,
    summary="评价答复（留言人本人）",
    description="满意、基本满意、不满意。不满意时可要求重新办理一次（reopen），期限自评价之日重新计算。",
)
async def rate(
    request: Request, session: SessionDep, case_id: IdPath, data: RatingIn, actor: PublicUser
) -> CasePublic:
    return await act(request, session, case_id, actor, rating.rate, data)


@router.get(
    "/track/{tracking_no}",
    response_model=TrackingStatus,
    summary="凭事项编号和查询码查询进度和答复",
    description="无需登录（匿名留言也可）。编号不存在与查询码错误的答复相同（404）。",
)
async def track(
    session: SessionDep,
    tracking_no: TrackingNo,
    code: Annotated[str, Query(min_length=1, max_length=64, description="查询码")],
) -> JSONResponse:
    case = await tracking.find_tracked(session, tracking_no, code)
    return JSONResponse(
        (await tracking.tracking_status(session, case)).model_dump(mode="json"), headers=NO_STORE
    )


@router.post(
    "/track/{tracking_no}/rating",
    response_model=TrackingStatus,
    summary="凭事项编号和查询码评价答复",
    description="无需登录。不满意时可要求重新办理一次（reopen）。",
)
async def rate_tracked(
    request: Request, session: SessionDep, tracking_no: TrackingNo, data: TrackedRatingIn
) -> JSONResponse:
    status = await rating.rate_tracked(session, tracking_no, data, **(await clock(request)))
    return JSONResponse(status.model_dump(mode="json"), headers=NO_STORE)
