"""Administrative reconsideration and lawsuits about an application (行政复议 / 行政诉讼), for table 四."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from services.requests import review, service
from services.requests.schemas import ReviewCaseIn, ReviewCasePublic, ReviewCaseResultIn
from shared.auth import ClerkUser, StaffReader
from shared.db import SessionDep
from shared.schemas import IdPath

router = APIRouter()


@router.post(
    "/{application_id}/review-cases",
    response_model=ReviewCasePublic,
    status_code=status.HTTP_201_CREATED,
    summary="登记针对该申请的行政复议或行政诉讼（经办人员）",
    description="受理机关的经办人员登记申请人就该申请提起的行政复议或行政诉讼；结果初始为“尚未审结”。"
    "计入年度报告表四。",
)
async def file_review_case(
    request: Request, session: SessionDep, application_id: IdPath, data: ReviewCaseIn, actor: ClerkUser
) -> ReviewCasePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await review.create(session, application, data, actor, request.app.state.today())


@router.patch(
    "/review-cases/{case_id}",
    response_model=ReviewCasePublic,
    summary="记录复议或诉讼结果（经办人员）",
    description="维持、纠正、其他结果（附审结日期），或改回尚未审结。",
)
async def record_review_result(
    request: Request,
    session: SessionDep,
    case_id: Annotated[int, Path(ge=1, le=2_147_483_647, description="复议诉讼案件 ID")],
    data: ReviewCaseResultIn,
    actor: ClerkUser,
) -> ReviewCasePublic:
    case = await review.load_for_clerk(session, case_id, actor)
    return await review.record_result(session, case, data, actor, request.app.state.today())


@router.get(
    "/{application_id}/review-cases",
    response_model=list[ReviewCasePublic],
    summary="该申请的行政复议、行政诉讼",
    description="受理机关的经办人员和辖区监察人员可见。",
)
async def list_review_cases(
    session: SessionDep, application_id: IdPath, actor: StaffReader
) -> list[ReviewCasePublic]:
    application = await service.load(session, application_id, actor)
    return await review.list_for(session, application)
