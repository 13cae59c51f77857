"""Catalog routes (thin: parse, authorize, call the service, shape the answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.catalog import service
from services.catalog.models import AgencyLevel
from services.catalog.schemas import AgencyCreate, AgencyPublic, AgencyUpdate
from shared.auth import AdminUser
from shared.caching import public_json
from shared.db import SessionDep
from shared.errors import PROBLEM_RESPONSES
from shared.pagination import Page, PageDep

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"], responses=PROBLEM_RESPONSES)


@router.get(
    "/agencies",
    response_model=Page[AgencyPublic],
    summary="机关列表（组织机构树）",
    description="按树的顺序列出行政机关。可按上级机关、层级、子树（`under`：该机关及其全部下级）或名称筛选。公开接口，带 ETag。",
)
async def list_agencies(
    request: Request,
    session: SessionDep,
    page: PageDep,
    parent_id: Annotated[int | None, Query(ge=1, description="只列出此机关的直接下级")] = None,
    level: Annotated[AgencyLevel | None, Query(description="层级")] = None,
    under: Annotated[int | None, Query(ge=1, description="此机关及其全部下级")] = None,
    q: Annotated[str | None, Query(max_length=50, description="名称包含的文字或机关代码")] = None,
) -> Response:
    rows, total = await service.list_agencies(
        session=session, page=page, parent_id=parent_id, level=level, under=under, q=q
    )
    body = Page[AgencyPublic](
        items=[AgencyPublic.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )
    return public_json(request, body)


@router.get("/agencies/{agency_id}", response_model=AgencyPublic, summary="机关详情")
async def get_agency(request: Request, session: SessionDep, agency_id: int) -> Response:
    agency = await service.get_agency(session=session, agency_id=agency_id)
    return public_json(request, AgencyPublic.model_validate(agency))


@router.post(
    "/agencies",
    response_model=AgencyPublic,
    status_code=status.HTTP_201_CREATED,
    summary="新增机关（管理员）",
    description="层级须符合 省 › 市 › 县 › 乡镇/部门；机关代码唯一。",
)
async def create_agency(session: SessionDep, data: AgencyCreate, actor: AdminUser) -> AgencyPublic:
    return AgencyPublic.model_validate(await service.create_agency(session=session, data=data, actor=actor))


@router.patch(
    "/agencies/{agency_id}",
    response_model=AgencyPublic,
    summary="修改机关（管理员）",
    description="可改名称、代码或上级机关（移动时整棵子树随之移动，不能形成环）。",
)
async def update_agency(
    session: SessionDep, agency_id: int, data: AgencyUpdate, actor: AdminUser
) -> AgencyPublic:
    return AgencyPublic.model_validate(
        await service.update_agency(session=session, agency_id=agency_id, data=data, actor=actor)
    )
