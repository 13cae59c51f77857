"""Hotline calls, letters and visits as a clerk records them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from services.feedback import contacts
from services.feedback.api.common import clock
from services.feedback.models import Channel
from services.feedback.schemas import ContactRecordIn, ContactRecordPublic, ContactRecordReceipt
from shared.auth import ClerkUser, StaffReader
from shared.db import SessionDep
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import Page, PageDep
from shared.schemas import IdPath

router = APIRouter()


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
        **(await clock(request)),
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
