"""Extensions of the answer limit (条例第三十三条、第三十五条) and their 延期告知书."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.requests import extensions, service
from services.requests.api.common import PRINTABLE_HEADERS, agency_info, clock, view
from services.requests.schemas import ApplicationPublic, ExtensionIn, ExtensionNoticePublic
from shared.auth import ClerkUser, Reader
from shared.db import SessionDep
from shared.schemas import IdPath

router = APIRouter()


@router.post(
    "/{application_id}/extension",
    response_model=ApplicationPublic,
    summary="延长答复期限（经办人员）",
    description="须在答复期限届满前作出，并出具编号的延期告知书（…/extension-notices）。"
    "basis=ordinary：条例第三十三条第二款，经政府信息公开工作机构负责人同意（approver_name、approver_role），"
    "延长 days 个工作日，合计不超过 20 个工作日。"
    "basis=mass_applications：条例第三十五条，申请数量、频次明显超过合理范围，机关确定合理的答复期限 until"
    "（晚于现行期限，至多再多 60 个工作日），不计入第三十三条的 20 个工作日。",
)
async def extend(
    request: Request, session: SessionDep, application_id: IdPath, data: ExtensionIn, actor: ClerkUser
) -> ApplicationPublic:
    application = await service.load_as_clerk(session, application_id, actor)
    application = await extensions.extend(
        session, application, data, actor, agency_info=agency_info(request), **(await clock(request))
    )
    return await view(request, session, application, actor)


@router.get(
    "/{application_id}/extension-notices",
    response_model=list[ExtensionNoticePublic],
    summary="延期告知书",
    description="每次延长答复期限（条例第三十三条、第三十五条）出具的延期告知书，按时间先后；"
    "与答复告知书同一编号序列。可见范围与答复告知书相同（…/notice）；没有延期时为空列表。",
)
async def list_extension_notices(
    request: Request, session: SessionDep, application_id: IdPath, actor: Reader
) -> JSONResponse:
    application = await service.load(session, application_id, actor)
    found = await extensions.list_notices(
        session,
        application,
        actor,
        cipher=request.app.state.cipher,
        calendar=(await clock(request))["calendar"],
    )
    return JSONResponse([n.model_dump(mode="json") for n in found], headers={"Cache-Control": "no-store"})


@router.get(
    "/{application_id}/extension-notices/{notice_id}.html",
    response_class=Response,
    summary="延期告知书（可打印的 A4 页面）",
    description="与 …/extension-notices 中的一份相同的内容，HTML（已转义），带打印样式；notice_id 为其 id。",
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def get_extension_notice_html(
    request: Request, session: SessionDep, application_id: IdPath, notice_id: IdPath, actor: Reader
) -> Response:
    application = await service.load(session, application_id, actor)
    found = await extensions.get_notice(
        session,
        application,
        actor,
        notice_id,
        cipher=request.app.state.cipher,
        calendar=(await clock(request))["calendar"],
    )
    return Response(
        extensions.to_html(found), media_type="text/html; charset=utf-8", headers=PRINTABLE_HEADERS
    )
