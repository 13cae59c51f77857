"""复查 and 复核 requests (信访工作条例第三十五条), by tracking number and query code: letters and visits
are recorded by clerks, so their senders hold a code, not an account."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from services.feedback import review
from services.feedback.api.common import NO_STORE, TrackingNo, clock
from services.feedback.schemas import MessageReceipt, TrackedReviewRequestIn
from shared.db import SessionDep

router = APIRouter()

REVIEW_DOC = (
    "对来信来访（信访）事项的办理意见不服的，自收到办理意见书之日起 30 日内，向办理机关的上一级机关请求复查"
    "（level=review）；对复查意见不服的，自收到复查意见书之日起 30 日内，向复查机关的上一级机关请求复核"
    "（level=final_review）。复核意见为最终意见，不再受理（409 review_concluded）。"
    "请求成为上一级机关的一个新事项（自己的事项编号和只显示一次的查询码、30 日的办理期限、黄牌红牌），"
    "与原事项相互关联。超过 30 日为 422（received_on，review_period_over）；未经复查请求复核为 409"
    "（review_required_first）；尚未答复为 409（no_opinion）；同一意见只能请求一次（409 review_already_requested）；"
    "意见箱、来电的答复不适用（409 review_not_applicable）。"
)


@router.post(
    "/track/{tracking_no}/review",
    response_model=MessageReceipt,
    status_code=status.HTTP_201_CREATED,
    summary="请求复查或复核（凭事项编号和查询码）",
    description=f"无需登录：来信来访的信访人凭登记时告知的事项编号和查询码提出。{REVIEW_DOC}",
)
async def request_tracked_review(
    request: Request, session: SessionDep, tracking_no: TrackingNo, data: TrackedReviewRequestIn
) -> JSONResponse:
    receipt = await review.request_tracked_review(
        session, tracking_no, data, cipher=request.app.state.cipher, **(await clock(request))
    )
    return JSONResponse(receipt.model_dump(mode="json"), status_code=201, headers=NO_STORE)
