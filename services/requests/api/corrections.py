"""The correction (补正, 条例第三十条): the clerk's one request, the applicant's files and answer,
or the clerk's record of a correction that arrived on paper."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, UploadFile, status

from services.requests import corrections, service
from services.requests.api.common import agency_info, clock, view
from services.requests.schemas import (
    ApplicationPublic,
    CorrectionFilePublic,
    CorrectionIn,
    CorrectionRequestIn,
)
from shared.auth import ApplicantOrClerk, ClerkUser, Reader
from shared.db import SessionDep
from shared.files import private_download
from shared.schemas import IdPath

router = APIRouter()


@router.post(
    "/{application_id}/correction-request",
    response_model=ApplicationPublic,
    summary="告知申请人补正（经办人员）",
    description="条例第三十条：收到申请之日起 7 个工作日内一次性告知需要补正的全部事项和补正期限；"
    "答复期限自收到补正之日起重新计算。出具编号的补正告知书（…/notices）；目录服务不可用时答复 503，不写入任何内容。",
)
async def request_correction(
    request: Request, session: SessionDep, application_id: IdPath, data: CorrectionRequestIn, actor: ClerkUser
) -> ApplicationPublic:
    application = await service.load_as_clerk(session, application_id, actor)
    application = await corrections.request(
        session, application, data, actor, agency_info=agency_info(request), **(await clock(request))
    )
    return await view(request, session, application, actor)


@router.post(
    "/{application_id}/correction",
    response_model=ApplicationPublic,
    summary="提交补正（申请人；线下补正由经办人员登记）",
    description="申请人按补正告知提交补正内容；此前上传（…/correction/attachments）、尚未提交的补正材料随之一并提交。"
    "答复期限自今天起重新计算。以信件、传真或当面提交的申请，由受理机关经办人员登记收到的补正（先上传补正材料），"
    "received_on 为收到补正之日，答复期限自该日起重新计算（条例第三十条）。",
)
async def submit_correction(
    request: Request, session: SessionDep, application_id: IdPath, data: CorrectionIn, actor: ApplicantOrClerk
) -> ApplicationPublic:
    application = await service.load_as_applicant(session, application_id, actor)
    ctx = await clock(request)
    on = service.applicant_step_on(application, actor, received_on=data.received_on, today=ctx["today"])
    application = await corrections.submit(session, application, data, actor, on, **ctx)
    return await view(request, session, application, actor)


@router.post(
    "/{application_id}/correction/attachments",
    response_model=CorrectionFilePublic,
    status_code=status.HTTP_201_CREATED,
    summary="上传补正材料（申请人；线下补正由经办人员上传）",
    description="待补正期间，申请人上传补正材料（multipart 字段 file）：PDF、OFD、Word、Excel、PowerPoint、PNG、"
    "JPEG 或 ZIP，按内容识别类型，扩展名须一致；每件申请最多 10 个。提交补正（…/correction）时，"
    "已上传、尚未提交的材料随补正一并提交。",
)
async def upload_correction_file(
    request: Request, session: SessionDep, application_id: IdPath, file: UploadFile, actor: ApplicantOrClerk
) -> CorrectionFilePublic:
    application = await service.load_as_applicant(session, application_id, actor)
    limit = request.app.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    return await corrections.add_file(
        session, application, filename=file.filename or "", data=data, max_bytes=limit, actor=actor
    )


@router.get(
    "/{application_id}/correction/attachments",
    response_model=list[CorrectionFilePublic],
    summary="补正材料列表",
    description="申请人本人、受理机关经办人员、辖区监察人员可见；submitted_at 为空的是已上传、尚未随补正提交的材料。",
)
async def list_correction_files(
    session: SessionDep, application_id: IdPath, actor: Reader
) -> list[CorrectionFilePublic]:
    application = await service.load(session, application_id, actor)
    return await corrections.list_files(session, application)


@router.get(
    "/{application_id}/correction/attachments/{attachment_id}",
    response_class=Response,
    summary="下载补正材料",
    description="能查看该申请的人可以下载；总是以下载方式提供（Content-Disposition: attachment），不会在浏览器中执行。",
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def download_correction_file(
    session: SessionDep, application_id: IdPath, attachment_id: IdPath, actor: Reader
) -> Response:
    application = await service.load(session, application_id, actor)
    row = await corrections.get_file(session, application, attachment_id)
    return private_download(row.data, row.content_type, row.filename, row.sha256)
