"""Cases: the code lists, sending a message, the lists and one case as its reader may see it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from services.feedback import intake, queries, service
from services.feedback.api.common import clock
from services.feedback.models import CaseState, Channel, FeedbackKind
from services.feedback.schemas import (
    CasePublic,
    CaseSummary,
    FeedbackVocabulary,
    MessageIn,
    MessageReceipt,
    SenderPublic,
    TimelineEntry,
)
from shared.auth import OptionalPrincipal, Reader, StaffReader
from shared.caching import public_json
from shared.db import SessionDep
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import Page, PageDep
from shared.schemas import IdPath

router = APIRouter()


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
    return await intake.submit_message(
        session,
        data=data,
        actor=actor,
        idempotency_key=idempotency_key,
        cipher=state.cipher,
        lookup=state.agency_lookup,
        **(await clock(request)),
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
    items, total = await queries.list_cases(
        session,
        principal=actor,
        page=page,
        state=state,
        kind=kind,
        channel=channel,
        flag=flag,
        mine=owner == "me",
        **(await clock(request, now=False)),
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
        session, case, actor, cipher=request.app.state.cipher, **(await clock(request, now=False))
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
