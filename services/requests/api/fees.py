"""Information-processing fees (条例第四十二条; 国办函〔2020〕109号): the fee notice and the payment."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from services.requests import fees, service
from services.requests.api.common import ClerkUser, clock
from services.requests.schemas import FeeNoticeIn, FeeNoticePublic, FeePaidIn
from shared.db import SessionDep
from shared.schemas import IdPath

router = APIRouter()


@router.post(
    "/{application_id}/fee-notice",
    response_model=FeeNoticePublic,
    status_code=status.HTTP_201_CREATED,
    summary="发出收费通知（经办人员）",
    description="条例第四十二条、国办函〔2020〕109号：by_count 按件计收（同一申请人一个自然月内向本机关申请，"
    "第 1—10 件免费，第 11—30 件每件 100 元，第 31 件起每 10 件一档、每档每件加收 100 元）；"
    "by_pages 按量计收（本申请 1—30 页免费，31—100 页每页 10 元，101—200 页每页 20 元，201 页起每页 40 元）。"
    "缴费期限 20 个工作日，不计入答复期限（计时中止）；金额为 0 时不能发出。"
    "当场查阅的申请不按量计收（422，字段 method）；答复期限届满后不能发出（409）。",
)
async def fee_notice(
    request: Request, session: SessionDep, application_id: IdPath, data: FeeNoticeIn, actor: ClerkUser
) -> FeeNoticePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await fees.notify(session, application, data, actor, **(await clock(request)))


@router.post(
    "/{application_id}/fee-paid",
    response_model=FeeNoticePublic,
    summary="记录申请人已缴费（经办人员）",
    description="缴费期限内缴费的，答复期限恢复计算（收费通知到缴费之间的工作日不计入）。",
)
async def fee_paid(
    request: Request, session: SessionDep, application_id: IdPath, data: FeePaidIn, actor: ClerkUser
) -> FeeNoticePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await fees.record_payment(session, application, data, actor, **(await clock(request)))
