"""Catalog domain logic: the agency tree. Routes stay thin; this module owns the transactions."""

from __future__ import annotations

import time

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.models import AGENCY_LEVEL_LABELS, ALLOWED_PARENT_LEVELS, Agency, AgencyLevel
from services.catalog.schemas import AgencyCreate, AgencyPublic, AgencyUpdate
from shared.auth import Principal
from shared.db import database_key, utcnow
from shared.errors import Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.pagination import PageParams

NAME_TTL_SECONDS = 30.0
_names: dict[str, tuple[float, dict[str, str]]] = {}


async def agency_names(session: AsyncSession) -> dict[str, str]:
    """Every agency's name by id (facet labels on each search page), cached briefly per database."""
    key = database_key(session)
    cached = _names.get(key)
    if cached is not None and time.monotonic() - cached[0] < NAME_TTL_SECONDS:
        return cached[1]
    rows = await session.exec(select(Agency.id, Agency.name))
    names = {str(i): n for i, n in rows.all()}
    _names[key] = (time.monotonic(), names)
    return names


def _forget_names(session: AsyncSession) -> None:
    _names.pop(database_key(session), None)


def _snapshot(agency: Agency) -> dict[str, object]:
    return AgencyPublic.model_validate(agency).model_dump(mode="json", exclude={"level_label"})


async def get_agency(*, session: AsyncSession, agency_id: int) -> Agency:
    agency = await session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"机关 {agency_id} 不存在", code="agency_not_found")
    return agency


async def list_agencies(
    *,
    session: AsyncSession,
    page: PageParams,
    parent_id: int | None = None,
    level: AgencyLevel | None = None,
    under: int | None = None,
    q: str | None = None,
) -> tuple[list[Agency], int]:
    """Agencies in tree order (by path), optionally a subtree, a level or a name search."""
    query = select(Agency)
    if parent_id is not None:
        query = query.where(Agency.parent_id == parent_id)
    if level is not None:
        query = query.where(Agency.level == level)
    if under is not None:
        root = await get_agency(session=session, agency_id=under)
        query = query.where(col(Agency.path).startswith(f"{root.path}{root.id}/") | (Agency.id == root.id))
    if q:
        # autoescape: a % or _ in the query is that character, not a wildcard
        query = query.where(col(Agency.name).contains(q, autoescape=True) | (Agency.code == q))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(col(Agency.path), col(Agency.id)).offset(page.offset).limit(page.page_size)
    )
    return list(rows.all()), total


async def _check_parent(session: AsyncSession, level: AgencyLevel, parent_id: int | None) -> str:
    """Enforces 省 › 市 › 县 › 乡镇/部门 and returns the child's path."""
    allowed = ALLOWED_PARENT_LEVELS[level]
    if parent_id is None:
        if None not in allowed:
            raise InvalidField(
                "parent_id", f"{AGENCY_LEVEL_LABELS[level]}机关必须有上级机关", code="parent_required"
            )
        return "/"
    parent = await session.get(Agency, parent_id)
    if parent is None:
        raise InvalidField("parent_id", f"上级机关 {parent_id} 不存在", code="parent_not_found")
    if parent.level not in allowed:
        raise InvalidField(
            "parent_id",
            f"{AGENCY_LEVEL_LABELS[level]}机关不能隶属于{AGENCY_LEVEL_LABELS[parent.level]}机关",
            code="parent_level_invalid",
        )
    return f"{parent.path}{parent.id}/"


async def _ensure_code_free(session: AsyncSession, code: str, own_id: int | None = None) -> None:
    existing = (await session.exec(select(Agency).where(Agency.code == code))).first()
    if existing is not None and existing.id != own_id:
        raise Conflict(f"机关代码 {code} 已被「{existing.name}」使用", code="agency_code_taken")


async def create_agency(*, session: AsyncSession, data: AgencyCreate, actor: Principal) -> Agency:
    await _ensure_code_free(session, data.code)
    path = await _check_parent(session, data.level, data.parent_id)
    agency = Agency(code=data.code, name=data.name, level=data.level, parent_id=data.parent_id, path=path)
    session.add(agency)
    await session.flush()
    record_event(
        session,
        aggregate_type="agency",
        aggregate_id=agency.id,
        action="created",
        actor=actor,
        after=_snapshot(agency),
    )
    await session.commit()
    _forget_names(session)
    return agency


async def update_agency(
    *, session: AsyncSession, agency_id: int, data: AgencyUpdate, actor: Principal
) -> Agency:
    agency = await get_agency(session=session, agency_id=agency_id)
    before = _snapshot(agency)
    changes = data.model_dump(exclude_unset=True)
    if "code" in changes and changes["code"] is not None:
        await _ensure_code_free(session, changes["code"], own_id=agency.id)
        agency.code = changes["code"]
    if "name" in changes and changes["name"] is not None:
        agency.name = changes["name"]
    if "parent_id" in changes and changes["parent_id"] != agency.parent_id:
        await _move(session, agency, changes["parent_id"])
    agency.updated_at = utcnow()
    session.add(agency)
    await session.flush()
    record_event(
        session,
        aggregate_type="agency",
        aggregate_id=agency.id,
        action="updated",
        actor=actor,
        before=before,
        after=_snapshot(agency),
    )
    await session.commit()
    _forget_names(session)
    return agency


async def _move(session: AsyncSession, agency: Agency, parent_id: int | None) -> None:
    """Re-parents an agency and rewrites its subtree's paths; refuses cycles."""
    if parent_id is not None:
        parent = await session.get(Agency, parent_id)
        if parent is not None and (parent.id == agency.id or f"/{agency.id}/" in parent.path):
            raise InvalidField("parent_id", "不能把机关移到它自己或它的下级之下", code="parent_cycle")
    new_path = await _check_parent(session, agency.level, parent_id)
    old_prefix = f"{agency.path}{agency.id}/"
    new_prefix = f"{new_path}{agency.id}/"
    descendants = await session.exec(select(Agency).where(col(Agency.path).startswith(old_prefix)))
    for child in descendants.all():
        child.path = new_prefix + child.path[len(old_prefix) :]
        session.add(child)
    agency.parent_id = parent_id
    agency.path = new_path
