"""Consulting a third party or another agency (条例第三十二条、第三十四条)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.requests import consultation, service
from services.requests.api.common import agency_info, clock, view
from services.requests.schemas import ApplicationPublic, ConsultationEndIn, ConsultationStartIn
from shared.auth import ClerkUser
from shared.db import SessionDep
from shared.schemas import IdPath

router = APIRouter()


@router.post(
    "/{application_id}/consultation",
    response_model=ApplicationPublic,
    summary="开始征求第三方或其他机关意见（经办人员）",
    description="条例第三十二条、第三十四条：征求意见的时间不计入答复期限。征求第三方意见的（third_party），"
    "出具编号的征求第三方意见书，送第三方（…/notices）；目录服务不可用时答复 503，不写入任何内容。",
)
async def start_consultation(
    request: Request, session: SessionDep, application_id: IdPath, data: ConsultationStartIn, actor: ClerkUser
) -> ApplicationPublic:
    application = await service.load_as_clerk(session, application_id, actor)
    application = await consultation.start(
        session, application, data, actor, agency_info=agency_info(request), **(await clock(request))
    )
    return await view(request, session, application, actor)


@router.post(
    "/{application_id}/consultation/end",
    response_model=ApplicationPublic,
    summary="结束征求意见（经办人员）",
    description="记录收到的意见；答复期限恢复计算。",
)
async def end_consultation(
    request: Request, session: SessionDep, application_id: IdPath, data: ConsultationEndIn, actor: ClerkUser
) -> ApplicationPublic:
    application = await service.load_as_clerk(session, application_id, actor)
    application = await consultation.end(session, application, data, actor, **(await clock(request)))
    return await view(request, session, application, actor)
