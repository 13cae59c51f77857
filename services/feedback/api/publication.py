"""Published replies: publishing a case's answer with the sender's consent, and reading them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.feedback import publication, service
from services.feedback.models import FeedbackKind
from services.feedback.schemas import PublicationIn, PublishedReplyPublic
from shared.auth import ClerkUser
from shared.caching import public_json
from shared.db import SessionDep
from shared.pagination import Page, PageDep
from shared.schemas import IdPath, id_query

router = APIRouter()


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
