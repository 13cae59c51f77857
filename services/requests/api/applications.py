"""Applications: submission online and registration of paper ones, reading, the clerk queue,
tracking, withdrawal, abandonment and assignment."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse

from services.requests import corrections, decisions, report_publication, service
from services.requests.api.common import agency_info, answer_context, catalog, clock, view
from services.requests.models import ApplicationState, FilePurpose
from services.requests.schemas import (
    AbandonmentIn,
    ApplicantPublic,
    ApplicationIn,
    ApplicationPublic,
    ApplicationSummary,
    AssignmentIn,
    CorrectionFilePublic,
    OutcomePublic,
    RegistrationIn,
    TimelineEntry,
    TrackingReceipt,
    TrackingStatus,
    WithdrawalIn,
)
from shared.auth import ApplicantOrClerk, ClerkUser, PublicUser, Reader, StaffReader
from shared.caching import public_json
from shared.db import SessionDep
from shared.files import private_download
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import Page, PageDep
from shared.schemas import IdPath, OfficialDate
from shared.supervision import FlagFilter, Limit, OverdueList

router = APIRouter()


@router.get(
    "/outcomes",
    response_model=list[OutcomePublic],
    summary="办理结果代码表",
    description="依申请公开的 21 种办理结果，与年度报告表三的行一一对应。公开接口。",
)
async def list_outcomes(request: Request) -> Response:
    return public_json(request, service.outcomes(), max_age=3600)


@router.post(
    "",
    response_model=TrackingReceipt,
    status_code=status.HTTP_201_CREATED,
    summary="提交政府信息公开申请（网上）",
    description="注册公众用户向一个行政机关提出申请（条例第二十九条）。收到日期为提交当天（北京时间）。"
    "答复含申请编号和只显示一次的查询码。带 `Idempotency-Key` 重试时返回同一答复；"
    "同一个键用于不同内容的申请时为 409。",
)
async def apply(
    request: Request,
    session: SessionDep,
    data: ApplicationIn,
    actor: PublicUser,
    idempotency_key: IdempotencyKeyHeader = None,
) -> TrackingReceipt:
    state = request.app.state
    return await service.apply(
        session,
        data=data,
        actor=actor,
        cipher=state.cipher,
        lookup=state.agency_lookup,
        idempotency_key=idempotency_key,
        **(await clock(request)),
    )


@router.post(
    "/registrations",
    response_model=TrackingReceipt,
    status_code=status.HTTP_201_CREATED,
    summary="登记来信、传真或当面提交的申请（经办人员）",
    description="经办人员登记本机关收到的申请。收到日期按条例第三十一条：当面提交为当天；挂号信为签收日；"
    "平信、传真为与申请人确认之日。同时出具编号的登记回执（…/{id}/notices）；目录服务不可用时答复 503，不写入任何内容。",
)
async def register(
    request: Request, session: SessionDep, data: RegistrationIn, actor: ClerkUser
) -> TrackingReceipt:
    state = request.app.state
    return await service.register(
        session,
        data=data,
        actor=actor,
        cipher=state.cipher,
        lookup=state.agency_lookup,
        agency_info=agency_info(request),
        **(await clock(request)),
    )


@router.get(
    "",
    response_model=Page[ApplicationSummary],
    summary="申请列表（经办人员：本机关；监察人员：本辖区）",
    description="按收到日期倒序。可按状态、黄牌/红牌、答复期限、承办人（assigned_to=me）筛选。申请人姓名已脱敏。",
)
async def list_applications(
    request: Request,
    session: SessionDep,
    page: PageDep,
    actor: StaffReader,
    state: Annotated[ApplicationState | None, Query(description="状态")] = None,
    flag: Annotated[Literal["yellow", "red"] | None, Query(description="yellow 黄牌；red 红牌")] = None,
    due_before: Annotated[OfficialDate | None, Query(description="答复期限早于此日")] = None,
    assigned_to: Annotated[Literal["me"] | None, Query(description="me：只列分派给我的申请")] = None,
) -> Page[ApplicationSummary]:
    items, total = await service.list_applications(
        session,
        principal=actor,
        page=page,
        state=state,
        flag=flag,
        due_before=due_before,
        assigned_to=actor.subject if assigned_to == "me" else None,
        cipher=request.app.state.cipher,
        **(await clock(request)),
    )
    return Page[ApplicationSummary](items=items, total=total, page=page.page, page_size=page.page_size)


@router.get(
    "/supervision/overdue",
    response_model=OverdueList,
    summary="黄牌、红牌申请（电子监察）",
    description="未办结且临近答复期限（黄牌：期限前 3 个工作日内）或已超期（红牌）的申请，期限最近的在前。"
    "经办人员看本机关，监察人员看本辖区。网关的 /api/v1/supervision/overdue 汇总各服务的这份清单。\n\n"
    "也列出尚未在政府信息公开目录中发布的政府信息公开工作年度报告（item_type 为 annual_report）："
    "部门在次年 1 月 31 日前、人民政府在次年 3 月 31 日前公布（条例第四十九条），黄牌、红牌规则与申请相同。"
    "目录服务暂不可用时不列年度报告。",
)
async def list_overdue(
    request: Request, session: SessionDep, actor: StaffReader, flag: FlagFilter = None, limit: Limit = 100
) -> OverdueList:
    found = await clock(request)
    applications = await service.overdue(session, principal=actor, flag=flag, limit=limit, **found)
    reports = await report_publication.overdue(
        session,
        catalog(request),
        principal=actor,
        flag=flag,
        first_year=request.app.state.settings.annual_report_first_year,
        **found,
    )
    return report_publication.combined(applications, reports, limit=limit)


@router.get(
    "/track/{tracking_no}",
    response_model=TrackingStatus,
    summary="凭申请编号和查询码查询办理状态",
    description="无需登录。编号不存在与查询码错误的答复相同（404）。",
)
async def track(
    request: Request,
    session: SessionDep,
    tracking_no: Annotated[str, Path(min_length=1, max_length=32, description="申请编号")],
    code: Annotated[str, Query(min_length=1, max_length=64, description="查询码")],
) -> JSONResponse:
    found = await service.track(session, tracking_no=tracking_no, code=code, **(await clock(request)))
    return JSONResponse(found.model_dump(mode="json"), headers={"Cache-Control": "no-store"})


@router.get(
    "/{application_id}",
    response_model=ApplicationPublic,
    summary="申请详情",
    description="申请人本人看到自己的完整信息；受理机关经办人员和辖区监察人员看到脱敏后的个人信息；其他人 404。",
)
async def get_application(
    request: Request, session: SessionDep, application_id: IdPath, actor: Reader
) -> ApplicationPublic:
    application = await service.load(session, application_id, actor)
    return await view(request, session, application, actor)


@router.get(
    "/{application_id}/personal-data",
    response_model=ApplicantPublic,
    summary="申请人个人信息（未脱敏，经办人员）",
    description="只限受理机关的经办人员；每次查看都记入个人信息访问日志。",
)
async def get_personal_data(
    request: Request, session: SessionDep, application_id: IdPath, actor: ClerkUser
) -> ApplicantPublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await service.personal_data(session, application, actor, request.app.state.cipher)


@router.get(
    "/{application_id}/timeline",
    response_model=list[TimelineEntry],
    summary="办理过程",
    description="申请人本人、受理机关经办人员、辖区监察人员可见。",
)
async def get_timeline(session: SessionDep, application_id: IdPath, actor: Reader) -> list[TimelineEntry]:
    application = await service.load(session, application_id, actor)
    return await service.timeline(session, application, actor)


@router.post(
    "/{application_id}/withdrawal",
    response_model=ApplicationPublic,
    summary="撤回申请（申请人；线下撤回由经办人员登记）",
    description="作出答复前，申请人可随时撤回。以信件、传真或当面提交的申请，申请人以信件或当面撤回的，"
    "由受理机关经办人员登记：先上传撤回信或签字的撤回书（…/withdrawal/attachments），"
    "received_on 为收到撤回之日；没有书面材料的撤回不予登记（422 withdrawal_document_required）。",
)
async def withdraw(
    request: Request, session: SessionDep, application_id: IdPath, data: WithdrawalIn, actor: ApplicantOrClerk
) -> ApplicationPublic:
    application = await service.load_as_applicant(session, application_id, actor)
    application = await service.withdraw(session, application, data, actor, **(await clock(request)))
    return await view(request, session, application, actor)


@router.post(
    "/{application_id}/withdrawal/attachments",
    response_model=CorrectionFilePublic,
    status_code=status.HTTP_201_CREATED,
    summary="上传线下撤回的书面材料（经办人员）",
    description="以信件、传真或当面提交的申请，申请人书面撤回时，经办人员在登记撤回（…/withdrawal）前上传撤回信"
    "或签字的撤回书（multipart 字段 file；类型同补正材料）；登记撤回时一并成为撤回记录的一部分。",
)
async def upload_withdrawal_file(
    request: Request, session: SessionDep, application_id: IdPath, file: UploadFile, actor: ClerkUser
) -> CorrectionFilePublic:
    application = await service.load_as_applicant(session, application_id, actor)
    limit = request.app.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    return await corrections.add_file(
        session,
        application,
        filename=file.filename or "",
        data=data,
        max_bytes=limit,
        actor=actor,
        purpose=FilePurpose.WITHDRAWAL,
    )


@router.get(
    "/{application_id}/withdrawal/attachments",
    response_model=list[CorrectionFilePublic],
    summary="撤回材料列表",
    description="申请人本人、受理机关经办人员、辖区监察人员可见；submitted_at 为空的是已上传、尚未随撤回登记的材料。",
)
async def list_withdrawal_files(
    session: SessionDep, application_id: IdPath, actor: Reader
) -> list[CorrectionFilePublic]:
    application = await service.load(session, application_id, actor)
    return await corrections.list_files(session, application, FilePurpose.WITHDRAWAL)


@router.get(
    "/{application_id}/withdrawal/attachments/{attachment_id}",
    response_class=Response,
    summary="下载撤回材料",
    description="能查看该申请的人可以下载；总是以下载方式提供（Content-Disposition: attachment）。",
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def download_withdrawal_file(
    session: SessionDep, application_id: IdPath, attachment_id: IdPath, actor: Reader
) -> Response:
    application = await service.load(session, application_id, actor)
    row = await corrections.get_file(session, application, attachment_id, FilePurpose.WITHDRAWAL)
    return private_download(row.data, row.content_type, row.filename, row.sha256)


@router.post(
    "/{application_id}/abandonment",
    response_model=ApplicationPublic,
    summary="申请人逾期不补正，视为放弃（经办人员）",
    description="条例第三十条：补正期限届满仍未补正的，视为放弃申请（办理结果 other.no_correction），"
    "同时出具编号的答复告知书（…/notice）。目录服务不可用时答复 503，不写入任何内容。",
)
async def abandon(
    request: Request, session: SessionDep, application_id: IdPath, data: AbandonmentIn, actor: ClerkUser
) -> ApplicationPublic:
    application = await service.load_as_clerk(session, application_id, actor)
    application = await decisions.abandon(
        session, application, data.reason, actor, await answer_context(request)
    )
    return await view(request, session, application, actor)


@router.post(
    "/{application_id}/assignment",
    response_model=ApplicationPublic,
    summary="分派承办人（经办人员）",
    description="受理机关的经办人员把办理中的申请分派给本机关在岗的经办人员（账户编号，见网关的 "
    "`GET /api/v1/auth/colleagues`），记入办理过程。不是本机关在岗经办人员的账户为 422。",
)
async def assign(
    request: Request, session: SessionDep, application_id: IdPath, data: AssignmentIn, actor: ClerkUser
) -> ApplicationPublic:
    application = await service.load_as_clerk(session, application_id, actor)
    application = await service.assign(
        session, application, data, actor, clerk_check=request.app.state.clerk_check
    )
    return await view(request, session, application, actor)
