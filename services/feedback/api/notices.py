"""The written notices of a case (不予受理告知书、办理意见书、复查意见书、复核意见书): the list, and each
as a printable page and as a PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.feedback import notices, service, tracking
from services.feedback.api.common import NO_STORE, TrackingNo
from services.feedback.schemas import NoticeListItem
from shared.auth import Reader
from shared.db import SessionDep
from shared.pdf import PDF_MEDIA_TYPE, pdf_response, render_pdf_async
from shared.schemas import IdPath

router = APIRouter()

PRINTABLE_HEADERS = {**NO_STORE, "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
HTML_CONTENT = {"text/html": {"schema": {"type": "string"}}}
PDF_DOC = (
    "A4 PDF，内嵌所用的中文字体（Noto CJK），文字可复制、检索。服务器缺少中文字体时为 503（pdf_unavailable），"
    "可打印的 HTML 版本照常提供。"
)
Code = Annotated[str, Query(min_length=1, max_length=64, description="查询码")]
PDF_CONTENT = {PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}
NAME_DOC = (
    "留言人本人和事项的承办人看到信访人的全名（承办人查阅记入个人信息查阅日志），监察人员看到脱敏后的姓名；"
    "举报事项不显示举报人姓名给其他经办人员。"
)


@router.get(
    "/messages/{case_id}/notices",
    response_model=list[NoticeListItem],
    summary="事项的书面告知书和意见书",
    description="不予受理告知书（不予受理时）和办理意见书、复查意见书、复核意见书（来信来访事项及其复查、复核"
    "答复时），按出具先后，各有按机关、年度编号的文号。每项给出可打印页面和 PDF 的地址；列表不含个人信息。"
    "能查看该事项的人可见。",
)
async def list_notices(session: SessionDep, case_id: IdPath, actor: Reader) -> JSONResponse:
    case = await service.load(session, case_id, actor)
    found = await notices.list_for(session, case)
    return JSONResponse([n.model_dump(mode="json") for n in found], headers=NO_STORE)


@router.get(
    "/messages/{case_id}/notices/{notice_id}.html",
    response_class=Response,
    summary="一份告知书或意见书（可打印的 A4 页面）",
    description=f"notice_id 为 …/notices 中的 id。由办理记录生成，文号和日期出具后不变；已转义，带打印样式。{NAME_DOC}",
    responses={200: {"content": HTML_CONTENT}},
)
async def get_notice_page(
    request: Request, session: SessionDep, case_id: IdPath, notice_id: IdPath, actor: Reader
) -> Response:
    case = await service.load(session, case_id, actor)
    found = await notices.get(session, case, notice_id, actor, cipher=request.app.state.cipher)
    return Response(notices.to_html(found), media_type="text/html; charset=utf-8", headers=PRINTABLE_HEADERS)


@router.get(
    "/messages/{case_id}/notices/{notice_id}.pdf",
    response_class=Response,
    summary="一份告知书或意见书（PDF）",
    description=f"与 …/notices/{{notice_id}}.html 相同的内容。{PDF_DOC}",
    responses={200: {"content": PDF_CONTENT}},
)
async def get_notice_pdf(
    request: Request, session: SessionDep, case_id: IdPath, notice_id: IdPath, actor: Reader
) -> Response:
    case = await service.load(session, case_id, actor)
    found = await notices.get(session, case, notice_id, actor, cipher=request.app.state.cipher)
    return pdf_response(await render_pdf_async(notices.to_html(found)), notices.filename(found))


@router.get(
    "/track/{tracking_no}/notices/{notice_id}.html",
    response_class=Response,
    summary="凭事项编号和查询码打开告知书或意见书（可打印的 A4 页面）",
    description="无需登录：来信来访的信访人凭事项编号和查询码打开寄给自己的文书（notice_id 见 /track/{tracking_no} "
    "的 notices），写有自己的全名。编号不存在与查询码错误的答复相同（404）。",
    responses={200: {"content": HTML_CONTENT}},
)
async def get_tracked_notice_page(
    request: Request, session: SessionDep, tracking_no: TrackingNo, notice_id: IdPath, code: Code
) -> Response:
    case = await tracking.find_tracked(session, tracking_no, code)
    found = await notices.get(session, case, notice_id, None, cipher=request.app.state.cipher)
    return Response(notices.to_html(found), media_type="text/html; charset=utf-8", headers=PRINTABLE_HEADERS)


@router.get(
    "/track/{tracking_no}/notices/{notice_id}.pdf",
    response_class=Response,
    summary="凭事项编号和查询码下载告知书或意见书（PDF）",
    description=f"与 /track/{{tracking_no}}/notices/{{notice_id}}.html 相同的内容。{PDF_DOC}",
    responses={200: {"content": PDF_CONTENT}},
)
async def get_tracked_notice_pdf(
    request: Request, session: SessionDep, tracking_no: TrackingNo, notice_id: IdPath, code: Code
) -> Response:
    case = await tracking.find_tracked(session, tracking_no, code)
    found = await notices.get(session, case, notice_id, None, cipher=request.app.state.cipher)
    return pdf_response(await render_pdf_async(notices.to_html(found)), notices.filename(found))
