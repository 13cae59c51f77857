"""Feedback routes."""

from fastapi import APIRouter, Request, Response

from services.feedback import service
from services.feedback.schemas import FeedbackVocabulary
from shared.caching import public_json
from shared.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/feedback", tags=["feedback"], responses=PROBLEM_RESPONSES)


@router.get(
    "/vocabulary",
    response_model=FeedbackVocabulary,
    summary="留言类别与渠道",
    description="建议、咨询、投诉、举报四类留言（及是否可匿名），和意见箱、举报电话、来信、来访四种渠道。公开接口。",
)
async def get_vocabulary(request: Request) -> Response:
    return public_json(request, service.vocabulary(), max_age=3600)
