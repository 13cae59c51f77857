"""The notice set of an application (登记回执、补正告知书、征求第三方意见书、延期告知书、收费通知书、
答复告知书): the list, and each notice as a printable page and as a PDF."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.requests import notice_set, notices, service
from services.requests.api.common import PRINTABLE_HEADERS, clock
from services.requests.schemas import NoticeKind, NoticeListItem
from shared.auth import Reader
from shared.db import SessionDep
from shared.pdf import PDF_MEDIA_TYPE, pdf_response, render_pdf_async
from shared.schemas import IdPath

router = APIRouter()

PDF_CONTENT = {PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}
PDF_DOC = (
    "A4 PDF，内嵌所用的中文字体（Noto CJK），文字可复制、检索。服务器缺少中文字体时为 503"
    "（pdf_unavailable），可打印的 HTML 版本照常提供。"
)


@router.get(
    "/{application_id}/notice.pdf",
    response_class=Response,
    summary="答复告知书（PDF）",
    description=f"与 …/notice.html 相同的内容。可见范围与 …/notice 相同；尚未答复时 404（notice_not_found）。{PDF_DOC}",
    responses={200: {"content": PDF_CONTENT}},
)
async def get_notice_pdf(
    request: Request, session: SessionDep, application_id: IdPath, actor: Reader
) -> Response:
    application = await service.load(session, application_id, actor)
    found = await notices.get(session, application, actor, cipher=request.app.state.cipher)
    pdf = await render_pdf_async(notices.to_html(found))
    return pdf_response(pdf, notice_set.filename(application, NoticeKind.DECISION))


@router.get(
    "/{application_id}/notices",
    response_model=list[NoticeListItem],
    summary="申请的全部告知书",
    description="办理中出具的全部告知书，按出具先后：登记回执（登记来信、传真或当面提交的申请）、补正告知书、"
    "征求第三方意见书（送第三方）、延期告知书、收费通知书、答复告知书（各种办理结果，含视为放弃）或告知书"
    "（告知获取途径或掌握机关）。各类告知书按机关、年度同一序列编号。每项给出可打印页面和 PDF 的地址。"
    "可见范围与答复告知书（…/notice）相同；列表不含个人信息。",
)
async def list_notices(session: SessionDep, application_id: IdPath, actor: Reader) -> JSONResponse:
    application = await service.load(session, application_id, actor)
    found = await notice_set.list_for(session, application)
    return JSONResponse([n.model_dump(mode="json") for n in found], headers={"Cache-Control": "no-store"})


@router.get(
    "/{application_id}/notices/{notice_id}.html",
    response_class=Response,
    summary="一份告知书（可打印的 A4 页面）",
    description="notice_id 为 …/notices 中的 id。内容由办理记录生成，编号和日期出具后不变；已转义，带打印样式。"
    "申请人本人和经办人员看到申请人的全名（经办人员查阅记入个人信息查阅日志），监察人员看到脱敏后的姓名；"
    "征求第三方意见书不含申请人的个人信息。",
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def get_notice_page(
    request: Request, session: SessionDep, application_id: IdPath, notice_id: IdPath, actor: Reader
) -> Response:
    application = await service.load(session, application_id, actor)
    _, page = await notice_set.document(
        session,
        application,
        actor,
        notice_id,
        cipher=request.app.state.cipher,
        calendar=(await clock(request))["calendar"],
    )
    return Response(page, media_type="text/html; charset=utf-8", headers=PRINTABLE_HEADERS)


@router.get(
    "/{application_id}/notices/{notice_id}.pdf",
    response_class=Response,
    summary="一份告知书（PDF）",
    description=f"与 …/notices/{{notice_id}}.html 相同的内容。{PDF_DOC}",
    responses={200: {"content": PDF_CONTENT}},
)
async def get_notice_document_pdf(
    request: Request, session: SessionDep, application_id: IdPath, notice_id: IdPath, actor: Reader
) -> Response:
    application = await service.load(session, application_id, actor)
    kind, page = await notice_set.document(
        session,
        application,
        actor,
        notice_id,
        cipher=request.app.state.cipher,
        calendar=(await clock(request))["calendar"],
    )
    return pdf_response(await render_pdf_async(page), notice_set.filename(application, kind))
