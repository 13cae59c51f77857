"""Requests routes (thin: parse, authorize, call the service, shape the answer)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse

from services.requests import (
    corrections,
    extensions,
    fees,
    holidays,
    lifecycle,
    notices,
    report,
    review,
    service,
)
from services.requests.models import ApplicationState, FeeMethod, FeeNotice, Outcome
from services.requests.schemas import (
    DOCUMENT_REFERRALS,
    AbandonmentIn,
    AnnualReport,
    ApplicantPublic,
    ApplicationIn,
    ApplicationPublic,
    ApplicationSummary,
    AssignmentIn,
    CalendarYearIn,
    CalendarYearPublic,
    ConsultationEndIn,
    ConsultationStartIn,
    CorrectionFilePublic,
    CorrectionIn,
    CorrectionRequestIn,
    DecisionIn,
    ExtensionIn,
    ExtensionNoticePublic,
    FeeNoticeIn,
    FeeNoticePublic,
    FeePaidIn,
    NoticePublic,
    OutcomePublic,
    ReferralIn,
    ReferralKind,
    RegistrationIn,
    ReviewCaseIn,
    ReviewCasePublic,
    ReviewCaseResultIn,
    TimelineEntry,
    TrackingReceipt,
    TrackingStatus,
    WithdrawalIn,
)
from shared.auth import Principal, Role, require_roles
from shared.caching import public_json
from shared.db import SessionDep
from shared.deadlines import Deadline, fee_payment_due, get_rule_set
from shared.errors import PROBLEM_RESPONSES, Conflict, InvalidField
from shared.files import private_download
from shared.http import ServiceClient
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import Page, PageDep
from shared.schemas import IdPath, OfficialDate
from shared.supervision import FlagFilter, Limit, OverdueList

router = APIRouter(prefix="/api/v1/requests", tags=["requests"], responses=PROBLEM_RESPONSES)
# The holiday calendar the deadlines count with; served here, reached through the gateway's admin prefix.
calendar_router = APIRouter(prefix="/api/v1/admin/calendar", tags=["calendar"], responses=PROBLEM_RESPONSES)

PublicUser = Annotated[Principal, Depends(require_roles(Role.PUBLIC))]
ClerkUser = Annotated[Principal, Depends(require_roles(Role.CLERK))]
ApplicantOrClerk = Annotated[Principal, Depends(require_roles(Role.PUBLIC, Role.CLERK))]
StaffReader = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR))]
Reader = Annotated[Principal, Depends(require_roles(Role.PUBLIC, Role.CLERK, Role.INSPECTOR))]
CalendarReader = Annotated[
    Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR, Role.ADMIN, Role.SERVICE))
]  # the service: other services count with the same calendar
CalendarAdmin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Year = Annotated[int, Path(ge=2000, le=2099, description="年份")]
ReportReader = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR, Role.ADMIN))]


async def _ctx(request: Request) -> dict[str, Any]:
    state = request.app.state
    return {"calendar": await holidays.current(state), "today": state.today()}


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
        **(await _ctx(request)),
    )


@router.post(
    "/registrations",
    response_model=TrackingReceipt,
    status_code=status.HTTP_201_CREATED,
    summary="登记来信、传真或当面提交的申请（经办人员）",
    description="经办人员登记本机关收到的申请。收到日期按条例第三十一条：当面提交为当天；挂号信为签收日；"
    "平信、传真为与申请人确认之日。",
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
        **(await _ctx(request)),
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
        **(await _ctx(request)),
    )
    return Page[ApplicationSummary](items=items, total=total, page=page.page, page_size=page.page_size)


@router.get(
    "/supervision/overdue",
    response_model=OverdueList,
    summary="黄牌、红牌申请（电子监察）",
    description="未办结且临近答复期限（黄牌：期限前 3 个工作日内）或已超期（红牌）的申请，期限最近的在前。"
    "经办人员看本机关，监察人员看本辖区。网关的 /api/v1/supervision/overdue 汇总各服务的这份清单。",
)
async def list_overdue(
    request: Request, session: SessionDep, actor: StaffReader, flag: FlagFilter = None, limit: Limit = 100
) -> OverdueList:
    return await service.overdue(session, principal=actor, flag=flag, limit=limit, **(await _ctx(request)))


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
    found = await service.track(session, tracking_no=tracking_no, code=code, **(await _ctx(request)))
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
    return await service.view(
        session, application, actor, cipher=request.app.state.cipher, **(await _ctx(request))
    )


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


# --- actions ---------------------------------------------------------------------------------------


async def _act(
    request: Request,
    session: SessionDep,
    application_id: int,
    actor: Principal,
    step: lifecycle.Step,
    *,
    owner: bool = False,
    check: Any = None,
    write: Any = None,
    application: Any = None,
) -> ApplicationPublic:
    if application is None:
        load = service.load_as_owner if owner else service.load_as_clerk
        application = await load(session, application_id, actor)
    ctx = await _ctx(request)
    application = await lifecycle.perform(session, application, step, check=check, write=write, **ctx)
    return await service.view(session, application, actor, cipher=request.app.state.cipher, **ctx)


def _agency_info(request: Request) -> notices.AgencyInfo | None:
    """Tests may put their own in place; otherwise the catalog (none configured: generic names)."""
    state = request.app.state
    info = getattr(state, "agency_info", None)
    if info is None and getattr(state, "catalog", None) is not None:
        info = state.agency_info = notices.catalog_agency_info(state.catalog)
    return info


async def _notice_writer(
    request: Request,
    application: Any,
    actor: Principal,
    *,
    outcome: Outcome,
    reason: str,
    legal_basis: str,
    disclosed: str | None = None,
    withheld: list[dict[str, str]] | None = None,
    referral: dict[str, Any] | None = None,
) -> Any:
    """Looks the names up first (the catalog may be down: nothing is written then), and returns the
    writer that adds the numbered notice to the decision's transaction."""
    agency_name, body = await notices.names(_agency_info(request), application.agency_id)
    applicant_name = notices.masked_name(application, request.app.state.cipher)
    today: date = request.app.state.today()

    async def write(session: Any, app: Any) -> None:
        await notices.issue(
            session,
            app,
            outcome=outcome,
            reason=reason,
            legal_basis=legal_basis,
            applicant_name=applicant_name,
            agency_name=agency_name,
            reconsideration_body=body,
            issued_on=today,
            actor_id=actor.subject,
            disclosed=disclosed,
            withheld=withheld,
            referral=referral,
        )

    return write


@router.post(
    "/{application_id}/correction-request",
    response_model=ApplicationPublic,
    summary="告知申请人补正（经办人员）",
    description="条例第三十条：收到申请之日起 7 个工作日内一次性告知需要补正的全部事项和补正期限；"
    "答复期限自收到补正之日起重新计算。",
)
async def request_correction(
    request: Request, session: SessionDep, application_id: IdPath, data: CorrectionRequestIn, actor: ClerkUser
) -> ApplicationPublic:
    today = request.app.state.today()
    on = data.notified_on or today
    if on > today:
        raise InvalidField("notified_on", "不能晚于今天")

    def check(application: Any, _: Deadline) -> None:
        if on < application.received_on:
            raise InvalidField("notified_on", f"不能早于收到申请的日期 {application.received_on}")

    step = lifecycle.Step(
        "request_correction",
        actor,
        on,
        reason="；".join(item.text for item in data.items),
        days=data.days,
        details={"items": [item.text for item in data.items], "days": data.days},
    )
    return await _act(request, session, application_id, actor, step, check=check)


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
    on = service.applicant_step_on(
        application, actor, received_on=data.received_on, today=request.app.state.today()
    )
    lifecycle.check_transition(application, "submit_correction")
    files = await corrections.pending(session, application)
    details: dict[str, Any] = {"text": data.text}
    if files:
        details["attachments"] = corrections.recorded(files)
    step = lifecycle.Step("submit_correction", actor, on, reason=None, details=details)
    write = corrections.submit_writer(files)
    return await _act(request, session, application_id, actor, step, write=write, application=application)


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


@router.post(
    "/{application_id}/consultation",
    response_model=ApplicationPublic,
    summary="开始征求第三方或其他机关意见（经办人员）",
    description="条例第三十二条、第三十四条：征求意见的时间不计入答复期限。",
)
async def start_consultation(
    request: Request, session: SessionDep, application_id: IdPath, data: ConsultationStartIn, actor: ClerkUser
) -> ApplicationPublic:
    step = lifecycle.Step(
        "start_consultation",
        actor,
        request.app.state.today(),
        reason=data.reason,
        details={"consultation": str(data.kind), "party": data.party},
    )
    return await _act(request, session, application_id, actor, step)


@router.post(
    "/{application_id}/consultation/end",
    response_model=ApplicationPublic,
    summary="结束征求意见（经办人员）",
    description="记录收到的意见；答复期限恢复计算。",
)
async def end_consultation(
    request: Request, session: SessionDep, application_id: IdPath, data: ConsultationEndIn, actor: ClerkUser
) -> ApplicationPublic:
    step = lifecycle.Step(
        "end_consultation", actor, request.app.state.today(), reason=data.opinion, details={}
    )
    return await _act(request, session, application_id, actor, step)


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
    extensions.check(data)
    agency_name, _ = await notices.names(_agency_info(request), application.agency_id)
    today: date = request.app.state.today()
    step = await extensions.prepare(session, application, data, actor, today, agency_name)
    return await _act(request, session, application_id, actor, step, application=application)


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
        calendar=(await _ctx(request))["calendar"],
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
        calendar=(await _ctx(request))["calendar"],
    )
    return Response(
        extensions.to_html(found),
        media_type="text/html; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


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
    if data.outcome == Outcome.NO_CORRECTION:
        raise InvalidField("outcome", "申请人逾期不补正的，请用“视为放弃”（…/abandonment）")
    withheld = [w.model_dump() for w in data.withheld or []]
    if data.outcome == Outcome.PARTIAL:
        if not withheld:
            raise InvalidField("withheld", "部分公开的，须列出不予公开的部分及理由（条例第三十七条）")
        if not (data.disclosed or "").strip():
            raise InvalidField("disclosed", "部分公开的，须写明公开的部分")
    elif withheld:
        raise InvalidField("withheld", "只有部分公开（partially_disclosed）才列出不予公开的部分")
    application = await service.load_as_clerk(session, application_id, actor)
    lifecycle.check_transition(application, "decide")  # before asking the catalog for names
    today: date = request.app.state.today()
    await _check_fee_state(session, application, data.outcome, today)
    details: dict[str, Any] = {"legal_basis": data.legal_basis}
    if data.disclosed:
        details["disclosed"] = data.disclosed
    if withheld:
        details["withheld"] = withheld
    write = await _notice_writer(
        request,
        application,
        actor,
        outcome=data.outcome,
        reason=data.reason,
        legal_basis=data.legal_basis,
        disclosed=data.disclosed,
        withheld=withheld,
    )
    step = lifecycle.Step("decide", actor, today, reason=data.reason, outcome=data.outcome, details=details)
    return await _act(request, session, application_id, actor, step, write=write, application=application)


async def _check_fee_state(session: SessionDep, application: Any, outcome: Outcome, today: date) -> None:
    """条例第四十二条: while a fee notice is unpaid only other.fee_unpaid ends processing, and only
    after the 20 working days to pay have passed; other.fee_unpaid needs such a notice."""
    notified = application.state == str(ApplicationState.FEE_NOTIFIED)
    if outcome != Outcome.FEE_UNPAID:
        if notified:
            raise Conflict(
                "已发出收费通知、申请人尚未缴费：缴费后再作答复，或缴费期限届满后以 other.fee_unpaid 终止办理",
                code="fee_notice_pending",
            )
        return
    notice = await fees.latest(session, application.id) if notified else None
    if notice is None or notice.paid_on is not None:
        raise Conflict("没有未缴费的收费通知，不能以“逾期未缴费”终止办理", code="fee_not_notified")
    if today <= notice.due_on:
        raise Conflict(
            f"条例第四十二条：缴费期限（{notice.due_on}，收费通知后 20 个工作日）尚未届满，不能以逾期未缴费终止办理",
            code="fee_payment_period_running",
        )


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
    if data.kind in DOCUMENT_REFERRALS and data.document_id is None:
        raise InvalidField("document_id", "已主动公开或应当主动公开的，须给出目录中公开文件的 ID")
    if data.kind == ReferralKind.OTHER_AGENCY and not (data.agency_name or "").strip():
        raise InvalidField("agency_name", "不属于本机关的，须告知掌握该信息的机关")
    outcome = Outcome.DISCLOSED if data.kind in DOCUMENT_REFERRALS else Outcome.NOT_HELD
    details: dict[str, Any] = {"referral": str(data.kind)}
    if data.document_id is not None:
        details["document_id"] = data.document_id
    if data.agency_name:
        details["agency_name"] = data.agency_name
    application = await service.load_as_clerk(session, application_id, actor)
    lifecycle.check_transition(application, "refer")  # before asking the catalog
    if data.kind in DOCUMENT_REFERRALS:
        assert data.document_id is not None
        details["document"] = await service.referred_document(
            _catalog(request), data.kind, data.document_id, application
        )
    write = await _notice_writer(
        request,
        application,
        actor,
        outcome=outcome,
        reason=data.reason,
        legal_basis="；".join(notices.REFERRAL_BASIS[str(data.kind)]),
        referral=details,
    )
    step = lifecycle.Step(
        "refer", actor, request.app.state.today(), reason=data.reason, outcome=outcome, details=details
    )
    return await _act(request, session, application_id, actor, step, write=write, application=application)


@router.post(
    "/{application_id}/withdrawal",
    response_model=ApplicationPublic,
    summary="撤回申请（申请人；线下撤回由经办人员登记）",
    description="作出答复前，申请人可随时撤回。以信件、传真或当面提交的申请，申请人以信件或当面撤回的，"
    "由受理机关经办人员登记，received_on 为收到撤回之日。",
)
async def withdraw(
    request: Request, session: SessionDep, application_id: IdPath, data: WithdrawalIn, actor: ApplicantOrClerk
) -> ApplicationPublic:
    application = await service.load_as_applicant(session, application_id, actor)
    on = service.applicant_step_on(
        application, actor, received_on=data.received_on, today=request.app.state.today()
    )
    step = lifecycle.Step("withdraw", actor, on, reason=data.reason)
    return await _act(request, session, application_id, actor, step, application=application)


@router.post(
    "/{application_id}/abandonment",
    response_model=ApplicationPublic,
    summary="申请人逾期不补正，视为放弃（经办人员）",
    description="条例第三十条：补正期限届满仍未补正的，视为放弃申请（办理结果 other.no_correction）。",
)
async def abandon(
    request: Request, session: SessionDep, application_id: IdPath, data: AbandonmentIn, actor: ClerkUser
) -> ApplicationPublic:
    today: date = request.app.state.today()

    def check(_: Any, deadline: Deadline) -> None:
        if deadline.correction_due is None or deadline.correction_due >= today:
            raise Conflict(
                f"补正期限（{deadline.correction_due or '未定'}）尚未届满，不能视为放弃",
                code="correction_period_running",
            )

    step = lifecycle.Step("abandon", actor, today, reason=data.reason, outcome=Outcome.NO_CORRECTION)
    return await _act(request, session, application_id, actor, step, check=check)


# --- notices, fees, assignment ---------------------------------------------------------------------


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
    return Response(
        notices.to_html(found),
        media_type="text/html; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


@router.post(
    "/{application_id}/fee-notice",
    response_model=FeeNoticePublic,
    status_code=status.HTTP_201_CREATED,
    summary="发出收费通知（经办人员）",
    description="条例第四十二条、国办函〔2020〕109号：by_count 按件计收（同一申请人一个自然月内向本机关申请，"
    "第 1—10 件免费，第 11—30 件每件 100 元，第 31 件起每 10 件一档、每档每件加收 100 元）；"
    "by_pages 按量计收（本申请 1—30 页免费，31—100 页每页 10 元，101—200 页每页 20 元，201 页起每页 40 元）。"
    "缴费期限 20 个工作日，不计入答复期限（计时中止）；金额为 0 时不能发出。"
    "当场查阅的申请不按量计收（422，字段 method）；答复期限届满后不能发出（409）。",
)
async def fee_notice(
    request: Request, session: SessionDep, application_id: IdPath, data: FeeNoticeIn, actor: ClerkUser
) -> FeeNoticePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    ctx = await _ctx(request)
    today: date = ctx["today"]
    fees.check_can_notify(application, data.method, today)
    if data.method == FeeMethod.BY_PAGES and data.pages is None:
        raise InvalidField("pages", "按量计收须给出页数")
    place = await fees.place_in_month(session, application) if data.method == FeeMethod.BY_COUNT else None
    pages = data.pages if data.method == FeeMethod.BY_PAGES else None
    amount = fees.compute_fee(data.method, applications_this_month=place or 0, pages=pages or 0)
    if amount == 0:
        field = "pages" if data.method == FeeMethod.BY_PAGES else "method"
        raise InvalidField(field, "按所选计收方式不收费（未超过免费的件数或页数），不能发出收费通知")
    due = fee_payment_due(today, get_rule_set(application.rule_set), ctx["calendar"])
    if due is None:
        raise Conflict(f"期限规则 {application.rule_set} 没有收费通知", code="fees_not_applicable")
    notice = FeeNotice(
        application_id=application.id,  # type: ignore[arg-type]
        method=str(data.method),
        applications_this_month=place,
        pages=pages,
        amount=amount,
        reason=data.reason,
        notified_on=today,
        due_on=due.day,
        created_by=actor.subject,
    )

    async def write(s: Any, _: Any) -> None:
        s.add(notice)

    details = {"fee": {"method": str(data.method), "amount": amount, "due_on": due.day.isoformat()}}
    step = lifecycle.Step("fee_notice", actor, today, reason=data.reason, details=details)
    await lifecycle.perform(session, application, step, write=write, **ctx)
    await session.refresh(notice)
    return fees.public(notice)


@router.post(
    "/{application_id}/fee-paid",
    response_model=FeeNoticePublic,
    summary="记录申请人已缴费（经办人员）",
    description="缴费期限内缴费的，答复期限恢复计算（收费通知到缴费之间的工作日不计入）。",
)
async def fee_paid(
    request: Request, session: SessionDep, application_id: IdPath, data: FeePaidIn, actor: ClerkUser
) -> FeeNoticePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    ctx = await _ctx(request)
    today: date = ctx["today"]
    lifecycle.check_transition(application, "fee_paid")
    notice = await fees.latest(session, application.id)  # type: ignore[arg-type]
    paid_on = fees.payment_date(notice, data.paid_on, today)
    assert notice is not None
    notice_id = notice.id

    async def write(s: Any, _: Any) -> None:
        found = await s.get(FeeNotice, notice_id)
        found.paid_on = paid_on
        s.add(found)

    details: dict[str, Any] = {"fee": {"paid_on": paid_on.isoformat(), "amount": notice.amount}}
    step = lifecycle.Step("fee_paid", actor, paid_on, reason=data.note, details=details)
    await lifecycle.perform(session, application, step, write=write, **ctx)
    await session.refresh(notice)
    return fees.public(notice)


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
    return await service.view(
        session, application, actor, cipher=request.app.state.cipher, **(await _ctx(request))
    )


# --- review cases (行政复议 / 行政诉讼) -----------------------------------------------------------------


@router.post(
    "/{application_id}/review-cases",
    response_model=ReviewCasePublic,
    status_code=status.HTTP_201_CREATED,
    summary="登记针对该申请的行政复议或行政诉讼（经办人员）",
    description="受理机关的经办人员登记申请人就该申请提起的行政复议或行政诉讼；结果初始为“尚未审结”。"
    "计入年度报告表四。",
)
async def file_review_case(
    request: Request, session: SessionDep, application_id: IdPath, data: ReviewCaseIn, actor: ClerkUser
) -> ReviewCasePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await review.create(session, application, data, actor, request.app.state.today())


@router.patch(
    "/review-cases/{case_id}",
    response_model=ReviewCasePublic,
    summary="记录复议或诉讼结果（经办人员）",
    description="维持、纠正、其他结果（附审结日期），或改回尚未审结。",
)
async def record_review_result(
    request: Request,
    session: SessionDep,
    case_id: Annotated[int, Path(ge=1, le=2_147_483_647, description="复议诉讼案件 ID")],
    data: ReviewCaseResultIn,
    actor: ClerkUser,
) -> ReviewCasePublic:
    case = await review.load_for_clerk(session, case_id, actor)
    return await review.record_result(session, case, data, actor, request.app.state.today())


@router.get(
    "/{application_id}/review-cases",
    response_model=list[ReviewCasePublic],
    summary="该申请的行政复议、行政诉讼",
    description="受理机关的经办人员和辖区监察人员可见。",
)
async def list_review_cases(
    session: SessionDep, application_id: IdPath, actor: StaffReader
) -> list[ReviewCasePublic]:
    application = await service.load(session, application_id, actor)
    return await review.list_for(session, application)


# --- the annual report -----------------------------------------------------------------------------


def _catalog(request: Request) -> ServiceClient:
    state = request.app.state
    client = getattr(state, "catalog", None)
    if client is None:
        settings = state.settings
        client = state.catalog = ServiceClient(settings.catalog_base_url, settings.service_token)
    return client


@router.get(
    "/reports/annual",
    response_model=AnnualReport,
    summary="政府信息公开工作年度报告（表二、表三、表四）",
    description="统计所选机关及其全部下级机关（条例第五十条，2021 年年度报告格式）。经办人员只能查看本机关；"
    "监察人员查看本辖区的机关或整个辖区；管理员可查看任何机关。\n\n"
    "表三（收到和处理政府信息公开申请情况）：列为申请人类型（自然人；法人或其他组织：商业企业、科研机构、"
    "社会公益组织、法律服务机构、其他；总计），行为 一、本年新收申请数量；二、上年结转申请数量；"
    "三、本年度办理结果（一）…（六）3 与（七）总计；四、结转下年度继续办理。逐列核对 一 + 二 = 三（七） + 四，"
    "结果见 `reconciles` 与 `unreconciled_columns`。申请人撤回的申请计入撤回当年的（六）3 其他。\n\n"
    "表四：本年申请复议、起诉的案件，按 12 月 31 日的结果计（维持、纠正、其他结果、尚未审结、总计）。\n\n"
    "表二：规章与行政规范性文件的件数来自政府信息公开目录；行政许可、处罚、强制与收费暂无数据来源，返回 null。"
    "目录服务不可用时答复 503，不返回不完整的报告。\n\n"
    "`format=csv`：UTF-8（带 BOM）CSV，每张表一段；`format=html`：可打印的 A4 页面。",
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            }
        }
    },
)
async def annual_report(
    request: Request,
    session: SessionDep,
    actor: ReportReader,
    year: Annotated[int, Query(ge=2008, le=2100, description="报告年度")],
    agency_id: Annotated[int, Query(ge=1, le=2_147_483_647, description="机关或地区（含全部下级机关）")],
    format: Annotated[Literal["json", "csv", "html"], Query(description="json、csv 或 html")] = "json",
) -> Response:
    await report.authorize(actor, agency_id, request.app.state.agency_lookup)
    found = await report.build(session, _catalog(request), agency_id, year)
    filename = f"annual-report-{agency_id}-{year}"
    if format == "csv":
        return Response(
            report.to_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}.csv"',
                "Cache-Control": "no-store",
            },
        )
    if format == "html":
        return Response(
            report.to_html(found),
            media_type="text/html; charset=utf-8",
            headers={
                "Cache-Control": "no-store",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            },
        )
    return JSONResponse(found.model_dump(mode="json"), headers={"Cache-Control": "no-store"})


# --- the holiday calendar --------------------------------------------------------------------------


@calendar_router.get(
    "",
    response_model=CalendarYearPublic,
    summary="工作日历：某年录入的节假日与调休（工作人员）",
    description="列出管理员为该年录入的例外日期和该年的法定节假日，并说明 chinese_calendar 是否已收录该年、"
    "管理员是否已确认该年录入完整。两者皆无的年份，法定节假日照常休息、其余周一至周五计为工作日，"
    "期限标为暂定（调休尚未公布）。",
)
async def get_calendar(
    request: Request,
    session: SessionDep,
    _: CalendarReader,
    year: Annotated[int | None, Query(ge=2000, le=2099, description="年份，默认今年")] = None,
) -> CalendarYearPublic:
    return await holidays.get_year(session, year or request.app.state.today().year)


@calendar_router.put(
    "/{year}",
    response_model=CalendarYearPublic,
    summary="录入某年的工作日历（管理员）",
    description="整体替换该年的例外日期：working=false 为节假日，working=true 为调休上班的周末。"
    "所有日期须在该年内。法定节假日无须录入。按国务院通知录入全年后以 confirmed=true 确认，"
    "该年期限才不再为暂定；只录入部分日期的年份仍为暂定。"
    "保存后，所有未办结申请的期限按新日历重新计算（下次读取即生效）。",
)
async def put_calendar(
    request: Request, session: SessionDep, year: Year, data: CalendarYearIn, actor: CalendarAdmin
) -> CalendarYearPublic:
    result = await holidays.replace_year(session, year, data, actor)
    holidays.invalidate(request.app.state)
    return result


@calendar_router.delete(
    "/{year}",
    response_model=CalendarYearPublic,
    summary="删除某年录入的工作日历（管理员）",
    description="删除该年录入的日期及其确认。删除后该年按 chinese_calendar 计算；它也未收录的，"
    "法定节假日休息、其余周一至周五计为工作日，并标为暂定。",
)
async def delete_calendar(
    request: Request, session: SessionDep, year: Year, actor: CalendarAdmin
) -> CalendarYearPublic:
    result = await holidays.replace_year(session, year, None, actor)
    holidays.invalidate(request.app.state)
    return result
