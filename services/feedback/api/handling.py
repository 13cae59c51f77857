"""The clerk's steps on a case (首问负责制): take, hand over, extend, reply, close, return visit."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.feedback import handling
from services.feedback.api.common import act, notice_ctx
from services.feedback.schemas import (
    CasePublic,
    CloseIn,
    ExtensionIn,
    HandOverIn,
    RefusalIn,
    ReplyIn,
    ReturnVisitIn,
    TakeIn,
)
from shared.auth import ClerkUser, StaffReader
from shared.db import SessionDep
from shared.schemas import IdPath

router = APIRouter()


@router.post(
    "/messages/{case_id}/take",
    response_model=CasePublic,
    summary="受理（首问负责）",
    description="本机关经办人员受理后即为承办人，直到有记录的移交。意见箱、来电须选择协调级别（决定答复期限）；"
    "来信来访的受理即《信访工作条例》的受理决定，办理期限自受理之日起计算。",
)
async def take(
    request: Request, session: SessionDep, case_id: IdPath, data: TakeIn, actor: ClerkUser
) -> CasePublic:
    return await act(request, session, case_id, actor, handling.take, data)


@router.post(
    "/messages/{case_id}/refusal",
    response_model=CasePublic,
    summary="不予受理（来信来访，受理期限内）",
    description="信访事项的受理决定的另一种结果：选择理由类别并写明书面理由，事项即告结束（不予受理），"
    "同时出具编号的不予受理告知书（…/notices，可打印页面和 PDF）。只限尚未受理的来信来访事项，"
    "且须在受理期限（收到或移交之日起 15 日）内作出：期限已过为 409（acceptance_period_over），"
    "意见箱、来电为 409（refusal_not_applicable）。作出决定的经办人员成为承办人。",
)
async def refuse(
    request: Request, session: SessionDep, case_id: IdPath, data: RefusalIn, actor: ClerkUser
) -> CasePublic:
    return await act(request, session, case_id, actor, handling.refuse, data, **notice_ctx(request))


@router.post(
    "/messages/{case_id}/hand-over",
    response_model=CasePublic,
    summary="移交（给同事或其他机关，须说明理由）",
    description="承办人（或未受理时本机关经办人员）移交；监察人员可在辖区内改派。举报不能移交给被举报机关。"
    "移交给同事时 to_clerk_id 须是本机关在岗的经办人员（账户编号，见网关的 `GET /api/v1/auth/colleagues`）。",
)
async def hand_over(
    request: Request, session: SessionDep, case_id: IdPath, data: HandOverIn, actor: StaffReader
) -> CasePublic:
    state = request.app.state
    return await act(
        request,
        session,
        case_id,
        actor,
        handling.hand_over,
        data,
        lookup=state.agency_lookup,
        clerk_check=state.clerk_check,
    )


@router.post(
    "/messages/{case_id}/extension",
    response_model=CasePublic,
    summary="延长办理期限（来信来访，合计不超过 30 日）",
    description="意见箱、来电按本地规则办理，不能延期（一时解决不了的，答复说明情况）。",
)
async def extend(
    request: Request, session: SessionDep, case_id: IdPath, data: ExtensionIn, actor: ClerkUser
) -> CasePublic:
    return await act(request, session, case_id, actor, handling.extend, data)


@router.post(
    "/messages/{case_id}/reply",
    response_model=CasePublic,
    summary="答复",
    description="承办人答复留言人；记录是否在期限内答复。来信来访（信访）事项和复查、复核的答复同时出具编号的"
    "办理意见书（复查意见书、复核意见书），写明信访人可以向哪一级机关、在多少日内请求复查或复核（…/notices）。",
)
async def reply(
    request: Request, session: SessionDep, case_id: IdPath, data: ReplyIn, actor: ClerkUser
) -> CasePublic:
    return await act(request, session, case_id, actor, handling.reply, data, **notice_ctx(request))


@router.post(
    "/messages/{case_id}/close",
    response_model=CasePublic,
    summary="办结",
)
async def close(
    request: Request, session: SessionDep, case_id: IdPath, data: CloseIn, actor: ClerkUser
) -> CasePublic:
    return await act(request, session, case_id, actor, handling.close, data)


@router.post(
    "/messages/{case_id}/return-visit",
    response_model=CasePublic,
    summary="回访（投诉、举报办结后）",
)
async def return_visit(
    request: Request, session: SessionDep, case_id: IdPath, data: ReturnVisitIn, actor: ClerkUser
) -> CasePublic:
    return await act(request, session, case_id, actor, handling.return_visit, data)
