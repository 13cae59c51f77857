"""Attachments to a case: by the sender or the handler, or by code for an anonymous sender."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, UploadFile, status

from services.feedback import attachments, service, tracking
from services.feedback.api.common import TrackingNo
from services.feedback.schemas import AttachmentPublic
from shared.auth import ApplicantOrClerk, Reader
from shared.db import SessionDep
from shared.files import private_download
from shared.schemas import IdPath

router = APIRouter()


async def _read_upload(request: Request, file: UploadFile) -> tuple[bytes, int]:
    limit = request.app.state.settings.max_upload_bytes
    return await file.read(limit + 1), limit


@router.post(
    "/messages/{case_id}/attachments",
    response_model=AttachmentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="添加附件（留言人或承办人，办结前）",
    description="照片、材料等：PDF、OFD、Word、Excel、PowerPoint、PNG、JPEG 或 ZIP，按内容识别类型；"
    "每个事项最多 5 个。匿名留言人凭查询码用 /track/{tracking_no}/attachments 添加。",
)
async def upload_attachment(
    request: Request, session: SessionDep, case_id: IdPath, file: UploadFile, actor: ApplicantOrClerk
) -> AttachmentPublic:
    case = await service.load(session, case_id, actor)
    data, limit = await _read_upload(request, file)
    return await attachments.add_attachment(
        session, case, filename=file.filename or "", data=data, max_bytes=limit, actor=actor
    )


@router.get(
    "/messages/{case_id}/attachments/{attachment_id}",
    summary="下载附件",
    response_class=Response,
    description="能查看该事项的人可以下载；总是以下载方式提供，不会在浏览器中执行。",
)
async def download_attachment(
    session: SessionDep, case_id: IdPath, attachment_id: IdPath, actor: Reader
) -> Response:
    case = await service.load(session, case_id, actor)
    row = await attachments.get_attachment(session, case, attachment_id)
    return private_download(row.data, row.content_type, row.filename, row.sha256)


@router.post(
    "/track/{tracking_no}/attachments",
    response_model=AttachmentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="凭事项编号和查询码添加附件（匿名留言人）",
)
async def upload_tracked_attachment(
    request: Request,
    session: SessionDep,
    tracking_no: TrackingNo,
    file: UploadFile,
    code: Annotated[str, Query(min_length=1, max_length=64, description="查询码")],
) -> AttachmentPublic:
    case = await tracking.find_tracked(session, tracking_no, code)
    data, limit = await _read_upload(request, file)
    return await attachments.add_attachment(
        session, case, filename=file.filename or "", data=data, max_bytes=limit, actor=None
    )
