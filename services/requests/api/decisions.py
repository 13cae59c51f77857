"""Answers (条例第三十六条): decisions, referrals, and the numbered 答复告知书 they issue."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.requests import decisions, notices, service
from services.requests.api.common import PRINTABLE_HEADERS, answer_context, catalog, view
from services.requests.schemas import ApplicationPublic, DecisionIn, NoticePublic, ReferralIn
from shared.auth import ClerkUser, Reader
from shared.db import SessionDep
from shared.schemas import IdPath

router = APIRouter()


@router.post(
    "/{application_id}/decision",
    response_model=ApplicationPublic,
    summary="作出答复（经办人员）",
    description="条例第三十六条：办理结果、理由和法律依据，同时出具编号的答复告知书（…/notice）。"
    "部分公开（第三十七条）须写明公开的部分（disclosed）并列出不予公开的部分及理由（withheld）。"
    "已发出收费通知、尚未缴费的，只能在缴费期限届满后以 other.fee_unpaid 终止办理（否则 409）。"
    "逾期不补正请用 …/abandonment。",
)
async def decide(
    request: Request, session: SessionDep, application_id: IdPath, data: DecisionIn, actor: ClerkUser
) -> ApplicationPublic:
    decisions.check_decision(data)  # the shape first: a malformed decision is a 422 whoever asks
    application = await service.load_as_clerk(session, application_id, actor)
    application = await decisions.decide(session, application, data, actor, await answer_context(request))
    return await view(request, session, application, actor)


@router.post(
    "/{application_id}/referral",
    response_model=ApplicationPublic,
    summary="告知获取途径或掌握机关（经办人员）",
    description="already_published：已主动公开，告知获取途径（计入“予以公开”）；"
    "should_have_been_proactive：属于应当主动公开的信息（条例第十九条、第二十条），本机关先在政府信息公开目录中公开，"
    "再告知获取途径（计入“予以公开”）；这两种须给出目录中已向社会公开的文件（document_id，由目录服务核对；"
    "后者须为本机关在收到申请之日或之后公开的文件），告知书写明文件名称、索引号和网址。"
    "other_agency：不属于本机关，告知掌握该信息的机关（计入“本机关不掌握相关政府信息”）。同时出具答复告知书。",
)
async def refer(
    request: Request, session: SessionDep, application_id: IdPath, data: ReferralIn, actor: ClerkUser
) -> ApplicationPublic:
    decisions.check_referral(data)
    application = await service.load_as_clerk(session, application_id, actor)
    application = await decisions.refer(
        session, application, data, actor, await answer_context(request), catalog(request)
    )
    return await view(request, session, application, actor)


@router.get(
    "/{application_id}/notice",
    response_model=NoticePublic,
    summary="答复告知书",
    description="作出答复（或告知获取途径、掌握机关）时出具，按机关、年度编号，出具后不再改变。"
    "申请人本人、受理机关经办人员、辖区监察人员可见；尚未答复时 404（notice_not_found）。"
    "申请人本人和经办人员看到申请人的全名（经办人员查阅记入个人信息查阅日志），监察人员看到脱敏后的姓名。",
)
async def get_notice(
    request: Request, session: SessionDep, application_id: IdPath, actor: Reader
) -> JSONResponse:
    application = await service.load(session, application_id, actor)
    found = await notices.get(session, application, actor, cipher=request.app.state.cipher)
    return JSONResponse(found.model_dump(mode="json"), headers={"Cache-Control": "no-store"})


@router.get(
    "/{application_id}/notice.html",
    response_class=Response,
    summary="答复告知书（可打印的 A4 页面）",
    description="与 …/notice 相同的内容，HTML（已转义），带打印样式。",
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def get_notice_html(
    request: Request, session: SessionDep, application_id: IdPath, actor: Reader
) -> Response:
    application = await service.load(session, application_id, actor)
    found = await notices.get(session, application, actor, cipher=request.app.state.cipher)
    return Response(notices.to_html(found), media_type="text/html; charset=utf-8", headers=PRINTABLE_HEADERS)
