"""Feedback routes (thin: parse, authorize, call the service, shape the answer)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse

from services.feedback import attachments, contacts, publication, service, stats
from services.feedback.models import CaseState, Channel, FeedbackKind
from services.feedback.schemas import (
    AttachmentPublic,
    CasePublic,
    CaseSummary,
    CloseIn,
    ContactRecordIn,
    ContactRecordPublic,
    ContactRecordReceipt,
    ExtensionIn,
    FeedbackStats,
    FeedbackVocabulary,
    HandOverIn,
    MessageIn,
    MessageReceipt,
    PublicationIn,
    PublishedReplyPublic,
    RatingIn,
    ReplyIn,
    ReturnVisitIn,
    SenderPublic,
    TakeIn,
    TimelineEntry,
    TrackedRatingIn,
    TrackingStatus,
)
from shared.auth import OptionalPrincipal, Principal, Role, require_roles
from shared.caching import public_json
from shared.calendar import local_date
from shared.db import SessionDep
from shared.errors import PROBLEM_RESPONSES
from shared.files import private_download
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import Page, PageDep
from shared.schemas import IdPath, OfficialDate, id_query
from shared.supervision import FlagFilter, Limit, OverdueList

router = APIRouter(prefix="/api/v1/feedback", tags=["feedback"], responses=PROBLEM_RESPONSES)

PublicUser = Annotated[Principal, Depends(require_roles(Role.PUBLIC))]
ClerkUser = Annotated[Principal, Depends(require_roles(Role.CLERK))]
StaffReader = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR))]
Handler = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR))]
Reader = Annotated[Principal, Depends(require_roles(Role.PUBLIC, Role.CLERK, Role.INSPECTOR))]
Attacher = Annotated[Principal, Depends(require_roles(Role.PUBLIC, Role.CLERK))]  # the sender or the handler
StatsReader = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR, Role.ADMIN))]
TrackingNo = Annotated[str, Path(min_length=1, max_length=32, description="事项编号")]


CALENDAR_MARGIN_SECONDS = 60.0


async def _ctx(request: Request, *, now: bool = True) -> dict[str, Any]:
    """The calendar and the service's clock (tests set `app.state.now`)."""
    state = request.app.state
    moment = state.now()
    today = local_date(moment)
    calendar = await state.calendar_source.current(today)
    followed: tuple[str, datetime] | None = getattr(state, "calendar_followed", None)
    if followed is None or followed[0] != calendar.fingerprint():
        # Since this process took up the calendar it is leaving, what it changed was counted with it
        # (less a margin for requests that were already under way).
        since = followed[1] - timedelta(seconds=CALENDAR_MARGIN_SECONDS) if followed else None
        async with state.sessionmaker() as session:
            await service.follow_calendar(session, calendar, today, since=since)
        state.calendar_followed = (calendar.fingerprint(), moment)
    ctx = {"calendar": calendar, "today": today}
    return {**ctx, "now": moment} if now else ctx


@router.get(
    "/vocabulary",
    response_model=FeedbackVocabulary,
    summary="留言类别、渠道、状态等代码表",
    description="建议、咨询、投诉、举报四类留言（及是否可匿名），意见箱、举报电话、来信、来访四种渠道，"
    "办理状态、协调级别、评价和来电处理方式。公开接口。",
)
async def get_vocabulary(request: Request) -> Response:
    return public_json(request, service.vocabulary(), max_age=3600)


@router.post(
    "/messages",
    response_model=MessageReceipt,
    status_code=status.HTTP_201_CREATED,
    summary="向意见箱留言（建议、咨询、投诉、举报）",
    description="登录用户或匿名提交（匿名只限建议、举报）。不清楚收件机关时填写所在地区 region_id，由地区统一受理。"
    "举报可指明被举报机关，由其所在地区的监察人员监督，不交被举报机关办理。"
    "答复含事项编号和只显示一次的查询码。24 小时内相同内容重复提交为 422；匿名提交按 IP 和设备限流（429）。",
)
async def submit_message(
    request: Request,
    session: SessionDep,
    data: MessageIn,
    actor: OptionalPrincipal,
    idempotency_key: IdempotencyKeyHeader = None,
) -> MessageReceipt:
    state = request.app.state
    return await service.submit_message(
        session,
        data=data,
        actor=actor,
        idempotency_key=idempotency_key,
        cipher=state.cipher,
        lookup=state.agency_lookup,
        **(await _ctx(request)),
    )


@router.get(
    "/messages",
    response_model=Page[CaseSummary],
    summary="事项列表（公众：自己的留言；经办人员：本机关；监察人员：本辖区）",
    description="按收到时间倒序。可按状态、类别、渠道、黄牌/红牌、承办人（owner=me）筛选。",
)
async def list_messages(
    request: Request,
    session: SessionDep,
    page: PageDep,
    actor: Reader,
    state: Annotated[CaseState | None, Query(description="状态")] = None,
    kind: Annotated[FeedbackKind | None, Query(description="类别")] = None,
    channel: Annotated[Channel | None, Query(description="渠道")] = None,
    flag: Annotated[Literal["yellow", "red"] | None, Query(description="yellow 黄牌；red 红牌")] = None,
    owner: Annotated[Literal["me"] | None, Query(description="me：只列我承办的事项")] = None,
) -> Page[CaseSummary]:
    items, total = await service.list_cases(
        session,
        principal=actor,
        page=page,
        state=state,
        kind=kind,
        channel=channel,
        flag=flag,
        mine=owner == "me",
        **(await _ctx(request, now=False)),
    )
    return Page[CaseSummary](items=items, total=total, page=page.page, page_size=page.page_size)


@router.get(
    "/messages/{case_id}",
    response_model=CasePublic,
    summary="事项详情",
    description="留言人本人看到完整信息；经办人员看到脱敏的联系人信息（举报人信息只对承办人和监察人员显示）；"
    "其他人 404。",
)
async def get_message(request: Request, session: SessionDep, case_id: IdPath, actor: Reader) -> CasePublic:
    case = await service.load(session, case_id, actor)
    return await service.view(
        session, case, actor, cipher=request.app.state.cipher, **(await _ctx(request, now=False))
    )


@router.get(
    "/messages/{case_id}/timeline",
    response_model=list[TimelineEntry],
    summary="事项办理过程",
    description="每一步（受理、移交、答复、评价、回访……）一条记录。公众看不到工作人员编号。",
)
async def get_timeline(session: SessionDep, case_id: IdPath, actor: Reader) -> list[TimelineEntry]:
    case = await service.load(session, case_id, actor)
    return await service.timeline(session, case, actor)


@router.get(
    "/messages/{case_id}/personal-data",
    response_model=SenderPublic,
    summary="留言人身份信息（未脱敏：承办人、监察人员）",
    description="只限事项的承办人和辖区监察人员；每次查看都记入个人信息访问日志。",
)
async def get_personal_data(
    request: Request, session: SessionDep, case_id: IdPath, actor: StaffReader
) -> SenderPublic:
    case = await service.load(session, case_id, actor)
    return await service.personal_data(session, case, actor, request.app.state.cipher)


async def _act(
    request: Request, session: SessionDep, case_id: int, actor: Principal, action: Any, data: Any
) -> CasePublic:
    case = await service.load(session, case_id, actor)
    ctx = await _ctx(request)
    case = await action(session, case, data, actor, **ctx)
    ctx.pop("now")
    return await service.view(session, case, actor, cipher=request.app.state.cipher, **ctx)


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
    return await _act(request, session, case_id, actor, service.take, data)


@router.post(
    "/messages/{case_id}/hand-over",
    response_model=CasePublic,
    summary="移交（给同事或其他机关，须说明理由）",
    description="承办人（或未受理时本机关经办人员）移交；监察人员可在辖区内改派。举报不能移交给被举报机关。"
    "移交给同事时 to_clerk_id 须是本机关在岗的经办人员（账户编号，见网关的 `GET /api/v1/auth/colleagues`）。",
)
async def hand_over(
    request: Request, session: SessionDep, case_id: IdPath, data: HandOverIn, actor: Handler
) -> CasePublic:
    state = request.app.state

    async def action(session: Any, case: Any, data: Any, actor: Any, **ctx: Any) -> Any:
        return await service.hand_over(
            session, case, data, actor, lookup=state.agency_lookup, clerk_check=state.clerk_check, **ctx
        )

    return await _act(request, session, case_id, actor, action, data)


@router.post(
    "/messages/{case_id}/extension",
    response_model=CasePublic,
    summary="延长办理期限（来信来访，合计不超过 30 日）",
    description="意见箱、来电按本地规则办理，不能延期（一时解决不了的，答复说明情况）。",
)
async def extend(
    request: Request, session: SessionDep, case_id: IdPath, data: ExtensionIn, actor: ClerkUser
) -> CasePublic:
    return await _act(request, session, case_id, actor, service.extend, data)


@router.post(
    "/messages/{case_id}/reply",
    response_model=CasePublic,
    summary="答复",
    description="承办人答复留言人；记录是否在期限内答复。",
)
async def reply(
    request: Request, session: SessionDep, case_id: IdPath, data: ReplyIn, actor: ClerkUser
) -> CasePublic:
    return await _act(request, session, case_id, actor, service.reply, data)


@router.post(
    "/messages/{case_id}/close",
    response_model=CasePublic,
    summary="办结",
)
async def close(
    request: Request, session: SessionDep, case_id: IdPath, data: CloseIn, actor: ClerkUser
) -> CasePublic:
    return await _act(request, session, case_id, actor, service.close, data)


@router.post(
    "/messages/{case_id}/rating",
    response_model=CasePublic,
    summary="评价答复（留言人本人）",
    description="满意、基本满意、不满意。不满意时可要求重新办理一次（reopen），期限自评价之日重新计算。",
)
async def rate(
    request: Request, session: SessionDep, case_id: IdPath, data: RatingIn, actor: PublicUser
) -> CasePublic:
    return await _act(request, session, case_id, actor, service.rate, data)


@router.post(
    "/messages/{case_id}/return-visit",
    response_model=CasePublic,
    summary="回访（投诉、举报办结后）",
)
async def return_visit(
    request: Request, session: SessionDep, case_id: IdPath, data: ReturnVisitIn, actor: ClerkUser
) -> CasePublic:
    return await _act(request, session, case_id, actor, service.return_visit, data)


@router.post(
    "/messages/{case_id}/publication",
    response_model=PublishedReplyPublic,
    status_code=status.HTTP_201_CREATED,
    summary="公开答复（留言人同意时）",
    description="公开问题和答复；证件号、手机号、银行账号和留言人姓名自动脱敏，其他个人信息请承办人在 "
    "question/answer 中改写后公开。",
)
async def publish(
    request: Request, session: SessionDep, case_id: IdPath, data: PublicationIn, actor: ClerkUser
) -> PublishedReplyPublic:
    case = await service.load(session, case_id, actor)
    row = await publication.publish(session, case, data, actor, request.app.state.cipher)
    return publication.published_public(row)


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
    request: Request, session: SessionDep, case_id: IdPath, file: UploadFile, actor: Attacher
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
    case = await service.find_tracked(session, tracking_no, code)
    data, limit = await _read_upload(request, file)
    return await attachments.add_attachment(
        session, case, filename=file.filename or "", data=data, max_bytes=limit, actor=None
    )


@router.get(
    "/track/{tracking_no}",
    response_model=TrackingStatus,
    summary="凭事项编号和查询码查询进度和答复",
    description="无需登录（匿名留言也可）。编号不存在与查询码错误的答复相同（404）。",
)
async def track(
    session: SessionDep,
    tracking_no: TrackingNo,
    code: Annotated[str, Query(min_length=1, max_length=64, description="查询码")],
) -> JSONResponse:
    case = await service.find_tracked(session, tracking_no, code)
    return JSONResponse(
        service.tracking_status(case).model_dump(mode="json"), headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/track/{tracking_no}/rating",
    response_model=TrackingStatus,
    summary="凭事项编号和查询码评价答复",
    description="无需登录。不满意时可要求重新办理一次（reopen）。",
)
async def rate_tracked(
    request: Request, session: SessionDep, tracking_no: TrackingNo, data: TrackedRatingIn
) -> JSONResponse:
    case = await service.find_tracked(session, tracking_no, data.code)
    rating = RatingIn.model_validate(data.model_dump(exclude={"code"}))
    case = await service.rate(session, case, rating, None, **(await _ctx(request)))
    return JSONResponse(
        service.tracking_status(case).model_dump(mode="json"), headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/contact-records",
    response_model=ContactRecordReceipt,
    status_code=status.HTTP_201_CREATED,
    summary="登记来电（举报电话）、来信、来访",
    description="经办人员登记本机关收到的来电、来信、来访：时间、时长、号码（脱敏显示）、姓名、类别、摘要和处理方式。"
    "需要后续办理的（case_opened）同时生成办理事项，答复含事项编号和查询码，可告知来电人。",
)
async def record_contact(
    request: Request,
    session: SessionDep,
    data: ContactRecordIn,
    actor: ClerkUser,
    idempotency_key: IdempotencyKeyHeader = None,
) -> ContactRecordReceipt:
    state = request.app.state
    return await contacts.record_contact(
        session,
        data=data,
        actor=actor,
        idempotency_key=idempotency_key,
        cipher=state.cipher,
        lookup=state.agency_lookup,
        **(await _ctx(request)),
    )


@router.get(
    "/contact-records",
    response_model=Page[ContactRecordPublic],
    summary="来电、来信、来访登记列表（经办人员：本机关；监察人员：本辖区）",
)
async def list_contact_records(
    request: Request,
    session: SessionDep,
    page: PageDep,
    actor: StaffReader,
    channel: Annotated[Channel | None, Query(description="渠道")] = None,
) -> Page[ContactRecordPublic]:
    items, total = await contacts.list_contacts(
        session, principal=actor, page=page, channel=channel, cipher=request.app.state.cipher
    )
    return Page[ContactRecordPublic](items=items, total=total, page=page.page, page_size=page.page_size)


@router.get(
    "/contact-records/{record_id}",
    response_model=ContactRecordPublic,
    summary="来电、来信、来访登记详情",
)
async def get_contact_record(
    request: Request, session: SessionDep, record_id: IdPath, actor: StaffReader
) -> ContactRecordPublic:
    return await contacts.get_contact(session, record_id, actor, request.app.state.cipher)


@router.get(
    "/replies",
    response_model=Page[PublishedReplyPublic],
    summary="公开的答复",
    description="留言人同意公开、个人信息已脱敏的问题和答复。可按机关（含下级）和类别筛选。公开接口。",
)
async def list_replies(
    request: Request,
    session: SessionDep,
    page: PageDep,
    agency_id: Annotated[int | None, id_query("机关 ID（含下级机关）")] = None,
    kind: Annotated[FeedbackKind | None, Query(description="类别")] = None,
) -> Response:
    items, total = await publication.list_published(session, page=page, agency_id=agency_id, kind=kind)
    return public_json(
        request,
        Page[PublishedReplyPublic](items=items, total=total, page=page.page, page_size=page.page_size),
        max_age=60,
    )


@router.get(
    "/replies/{reply_id}",
    response_model=PublishedReplyPublic,
    summary="公开的答复详情",
)
async def get_reply(request: Request, session: SessionDep, reply_id: IdPath) -> Response:
    return public_json(request, await publication.get_published(session, reply_id), max_age=300)


@router.get(
    "/stats",
    response_model=FeedbackStats,
    summary="统计（电子监察）",
    description="按类别、渠道、状态、机关计数；办结事项按期答复比例；首次答复和办结用时的中位数和"
    "第 95 百分位（小时，最近秩法）；满意率。from/to 按收到日期（北京时间）筛选。经办人员只统计本机关的事项，"
    "监察人员统计本辖区（机关含下级），管理员不限。",
)
async def get_stats(
    request: Request,
    session: SessionDep,
    actor: StatsReader,
    agency_id: Annotated[int | None, id_query("机关 ID（含下级机关），默认为调用者的范围")] = None,
    from_date: Annotated[OfficialDate | None, Query(alias="from", description="收到日期起（含）")] = None,
    to_date: Annotated[OfficialDate | None, Query(alias="to", description="收到日期止（含）")] = None,
) -> JSONResponse:
    found = await stats.compute(
        session,
        principal=actor,
        agency_id=agency_id,
        from_date=from_date,
        to_date=to_date,
        lookup=request.app.state.agency_lookup,
        **(await _ctx(request, now=False)),
    )
    return JSONResponse(found.model_dump(mode="json", by_alias=True), headers={"Cache-Control": "no-store"})


@router.get(
    "/supervision/overdue",
    response_model=OverdueList,
    summary="黄牌、红牌事项（电子监察）",
    description="未办结且临近期限（黄牌：期限前 3 个工作日内）或已超期（红牌）的事项，期限最近的在前。"
    "经办人员看本机关，监察人员看本辖区。网关的 /api/v1/supervision/overdue 汇总各服务的这份清单。",
)
async def list_overdue(
    request: Request, session: SessionDep, actor: StaffReader, flag: FlagFilter = None, limit: Limit = 100
) -> OverdueList:
    return await service.overdue(
        session, principal=actor, flag=flag, limit=limit, **(await _ctx(request, now=False))
    )
