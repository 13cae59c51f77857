"""Requests routes."""

from fastapi import APIRouter, Request, Response

from services.requests import service
from services.requests.schemas import OutcomePublic
from shared.caching import public_json
from shared.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/requests", tags=["requests"], responses=PROBLEM_RESPONSES)


@router.get(
    "/outcomes",
    response_model=list[OutcomePublic],
    summary="办理结果代码表",
    description="依申请公开的 21 种办理结果，与年度报告表三的行一一对应。公开接口。",
)
async def list_outcomes(request: Request) -> Response:
    return public_json(request, service.outcomes(), max_age=3600)
