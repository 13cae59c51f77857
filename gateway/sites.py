"""Embedding sites: the third-party sites that put the search widget on their pages.

The registry (table `embedding_sites`, admin routes under `/api/v1/admin/sites`) decides two
things for every request through the gateway, proxied ones included:

* CORS. An `Origin` listed in `GATEWAY_CORS_ORIGINS` or registered as an active site gets the
  CORS headers (preflights are answered here, never forwarded); any other origin gets none.
* Rate limits. A request carrying `X-Api-Key` counts against the key's site; one from a
  registered origin against that site (its own `rate_limit`, key: the site id). An unknown or
  deactivated key is 401.

Active sites are held in memory for `GATEWAY_SITE_CACHE_SECONDS` (and reloaded at once after an
admin change in this process), so requests do not read the database. Keys are shown once and
only their SHA-256 is stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from limits import RateLimitItem, parse
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.models import EmbeddingSite
from gateway.ratelimit import RateLimits
from gateway.schemas import SiteCreate, SitePublic, SiteUpdate, SiteWithKey, normalise_origin
from shared.auth import AdminUser, Principal
from shared.db import SessionDep, utcnow
from shared.errors import (
    PROBLEM_RESPONSES,
    Conflict,
    DomainError,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    problem_response,
)
from shared.events import record_event
from shared.pagination import Page, PageDep, PageParams
from shared.schemas import IdPath

log = logging.getLogger("gongkai.sites")

API_KEY_HEADER = "X-Api-Key"
_API_KEY = API_KEY_HEADER.lower().encode()
ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Api-Key, X-Request-ID"
EXPOSE_HEADERS = "X-Request-ID, ETag, Retry-After, Location"
PREFLIGHT_MAX_AGE = "600"
RETRY_AFTER_FAILED_LOAD = 1.0


# --- keys ----------------------------------------------------------------------------------------


def new_api_key() -> str:
    return "gk_" + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- the in-memory view of the active sites --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActiveSite:
    id: int
    origin: str
    limit: RateLimitItem


class SiteRegistry:
    """Active sites by origin and by key hash, reloaded from the database at most once per `ttl`."""

    def __init__(self, sessionmaker: Callable[[], async_sessionmaker[AsyncSession]], ttl: float) -> None:
        self._sessionmaker = sessionmaker
        self.ttl = ttl
        self._by_origin: dict[str, ActiveSite] = {}
        self._by_key: dict[str, ActiveSite] = {}
        self._fresh_until = float("-inf")
        self._loaded = False
        self._generation = 0
        self._lock = asyncio.Lock()
        self.loads = 0  # how many times the database was read (tests check the cache works)

    def invalidate(self) -> None:
        """After a change: the next request reloads (a load already under way does not count)."""
        self._generation += 1
        self._fresh_until = float("-inf")

    async def _ensure_fresh(self) -> None:
        if time.monotonic() < self._fresh_until:
            return
        async with self._lock:
            if time.monotonic() < self._fresh_until:
                return
            generation = self._generation
            try:
                async with self._sessionmaker()() as session:
                    rows = (
                        await session.exec(
                            select(
                                EmbeddingSite.id,
                                EmbeddingSite.origin,
                                EmbeddingSite.api_key_hash,
                                EmbeddingSite.rate_limit,
                            ).where(col(EmbeddingSite.is_active))
                        )
                    ).all()
            except (SQLAlchemyError, OSError) as exc:
                log.warning("embedding sites could not be loaded", extra={"fields": {"error": repr(exc)}})
                if not self._loaded:
                    raise ServiceUnavailable(
                        "网站登记信息暂不可用，请稍后重试", headers={"Retry-After": "5"}
                    ) from exc
                self._fresh_until = time.monotonic() + RETRY_AFTER_FAILED_LOAD  # keep the last good view
                return
            by_origin: dict[str, ActiveSite] = {}
            by_key: dict[str, ActiveSite] = {}
            for site_id, origin, key_hash, rate_limit in rows:
                assert site_id is not None  # a stored row's primary key
                site = ActiveSite(id=site_id, origin=origin, limit=parse(rate_limit))
                by_origin[origin] = site
                if key_hash:
                    by_key[key_hash] = site
            self._by_origin, self._by_key, self._loaded = by_origin, by_key, True
            self.loads += 1
            if generation == self._generation:
                self._fresh_until = time.monotonic() + self.ttl

    async def by_origin(self, origin: str) -> ActiveSite | None:
        await self._ensure_fresh()
        return self._by_origin.get(origin)

    async def by_key(self, key: str) -> ActiveSite | None:
        await self._ensure_fresh()
        return self._by_key.get(hash_api_key(key))


# --- CORS and per-site limits for every request ------------------------------------------------------


def _cors_headers(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSE_HEADERS}


class SiteAccessMiddleware:
    """Pure ASGI (bodies stream): CORS from the static list and the registry, API keys, site limits.

    Sits outside the proxy, so proxied routes are covered exactly like the gateway's own.
    """

    def __init__(
        self, app: ASGIApp, *, static_origins: Iterable[str], registry: SiteRegistry, ratelimits: RateLimits
    ) -> None:
        self.app = app
        self.static_origins = frozenset(_normalised(o) for o in static_origins)
        self.registry = registry
        self.ratelimits = ratelimits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin: str | None = None
        api_key: str | None = None
        preflight = False
        for key, value in scope["headers"]:
            if key == b"origin":
                origin = value.decode("latin-1").strip().lower()
            elif key == _API_KEY:
                api_key = value.decode("latin-1").strip()
            elif key == b"access-control-request-method":
                preflight = True
        preflight = preflight and origin is not None and scope["method"] == "OPTIONS"
        allowed = False
        try:
            origin_site = None
            if origin is not None and origin != "null":
                if origin in self.static_origins:
                    allowed = True
                if not allowed or not preflight:
                    origin_site = await self.registry.by_origin(origin)
                    allowed = allowed or origin_site is not None
            if preflight:
                await self._preflight(origin or "", allowed)(scope, receive, send)
                return
            site = origin_site
            if api_key is not None:
                site = await self.registry.by_key(api_key)
                if site is None:
                    raise Unauthorized("API 密钥无效或已停用", code="invalid_api_key")
            if site is not None:
                await self._hit(site)
        except DomainError as exc:
            headers = dict(exc.headers)
            if allowed and origin:
                headers |= _cors_headers(origin)
            response = problem_response(exc.status, exc.code, exc.title, exc.detail, headers=headers)
            response.headers.add_vary_header("Origin")
            await response(scope, receive, send)
            return
        if api_key is not None:  # the key is the gateway's business: services never see it
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != _API_KEY]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Origin")
                if allowed and origin:
                    for name, value in _cors_headers(origin).items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _preflight(origin: str, allowed: bool) -> Response:
        response: Response
        if not allowed:
            response = problem_response(
                403, "cors_origin_not_allowed", "来源未获跨域许可", "该网站来源未登记，不能从浏览器跨域调用"
            )
        else:
            response = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": ALLOW_METHODS,
                    "Access-Control-Allow-Headers": ALLOW_HEADERS,
                    "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
                },
            )
        response.headers.add_vary_header("Origin")
        return response

    async def _hit(self, site: ActiveSite) -> None:
        limiter = self.ratelimits.limiter
        if await limiter.hit(site.limit, "site", str(site.id)):
            return
        stats = await limiter.get_window_stats(site.limit, "site", str(site.id))
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(retry, f"该网站的调用已超过限额 {site.limit}，请 {retry} 秒后再试")


def _normalised(origin: str) -> str:
    try:
        return normalise_origin(origin)
    except ValueError:
        return origin.strip().lower()


# --- the registry's rules ---------------------------------------------------------------------------


def present(site: EmbeddingSite, api_key: str | None = None) -> SiteWithKey:
    return SiteWithKey(
        id=site.id or 0,
        origin=site.origin,
        name=site.name,
        rate_limit=site.rate_limit,
        is_active=site.is_active,
        has_api_key=site.api_key_hash is not None,
        created_at=site.created_at,
        updated_at=site.updated_at,
        api_key=api_key,
    )


def _snapshot(site: EmbeddingSite) -> dict[str, Any]:
    """What the event log keeps: never the key, nor its hash."""
    return SitePublic.model_validate(present(site).model_dump(exclude={"api_key"})).model_dump(mode="json")


async def get_site(session: AsyncSession, site_id: int) -> EmbeddingSite:
    site = await session.get(EmbeddingSite, site_id)
    if site is None:
        raise NotFound(f"网站 {site_id} 未登记", code="site_not_found")
    return site


async def create_site(
    *, session: AsyncSession, data: SiteCreate, actor: Principal
) -> tuple[EmbeddingSite, str | None]:
    taken = (await session.exec(select(EmbeddingSite.id).where(EmbeddingSite.origin == data.origin))).first()
    if taken is not None:
        raise Conflict(f"来源 {data.origin} 已登记（网站 {taken}）", code="site_origin_taken")
    key = new_api_key() if data.with_api_key else None
    site = EmbeddingSite(
        origin=data.origin,
        name=data.name,
        rate_limit=data.rate_limit,
        api_key_hash=hash_api_key(key) if key else None,
    )
    session.add(site)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"来源 {data.origin} 已登记", code="site_origin_taken") from None
    record_event(
        session,
        aggregate_type="embedding_site",
        aggregate_id=site.id,
        action="site_created",
        actor=actor,
        after=_snapshot(site) | {"api_key_issued": key is not None},
    )
    await session.commit()
    return site, key


async def list_sites(
    *, session: AsyncSession, page: PageParams, is_active: bool | None
) -> tuple[list[EmbeddingSite], int]:
    query = select(EmbeddingSite)
    if is_active is not None:
        query = query.where(col(EmbeddingSite.is_active) == is_active)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(col(EmbeddingSite.id)).offset(page.offset).limit(page.page_size))
    return list(rows.all()), total


async def update_site(
    *, session: AsyncSession, site_id: int, data: SiteUpdate, actor: Principal
) -> EmbeddingSite:
    """Fields left out (or null) stay as they are; a request that changes nothing writes nothing."""
    site = await get_site(session, site_id)
    before = _snapshot(site)
    changed = []
    for field in ("name", "rate_limit", "is_active"):
        value = getattr(data, field)
        if value is not None and value != getattr(site, field):
            setattr(site, field, value)
            changed.append(field)
    if not changed:
        return site
    site.updated_at = utcnow()
    session.add(site)
    after = _snapshot(site)
    action = "site_updated"
    if changed == ["is_active"]:
        action = "site_enabled" if site.is_active else "site_disabled"
    record_event(
        session,
        aggregate_type="embedding_site",
        aggregate_id=site.id,
        action=action,
        actor=actor,
        before=before,
        after=after,
    )
    await session.commit()
    return site


async def rotate_key(*, session: AsyncSession, site_id: int, actor: Principal) -> tuple[EmbeddingSite, str]:
    """A new key replaces the old one at once (the old one is 401 from then on)."""
    site = await get_site(session, site_id)
    if not site.is_active:
        raise Conflict("网站已停用，请先启用再轮换密钥", code="site_inactive")
    had_key = site.api_key_hash is not None
    key = new_api_key()
    site.api_key_hash = hash_api_key(key)
    site.updated_at = utcnow()
    session.add(site)
    record_event(
        session,
        aggregate_type="embedding_site",
        aggregate_id=site.id,
        action="site_key_rotated" if had_key else "site_key_issued",
        actor=actor,
    )
    await session.commit()
    return site, key


# --- admin routes ------------------------------------------------------------------------------------

admin_sites = APIRouter(prefix="/api/v1/admin/sites", tags=["admin"], responses=PROBLEM_RESPONSES)


def _registry(request: Request) -> SiteRegistry:
    registry: SiteRegistry = request.app.state.sites
    return registry


@admin_sites.post(
    "",
    response_model=SiteWithKey,
    status_code=status.HTTP_201_CREATED,
    summary="登记嵌入检索挂件的网站",
    description=(
        "登记后，该来源（协议://主机名[:端口]）的网页即可跨域调用检索接口，调用按本网站的限额 `rate_limit` 计数。"
        "`with_api_key` 为 true 时同时生成 API 密钥，**只在本次响应中显示一次**，服务器只保存其 SHA-256 摘要。"
    ),
)
async def create_embedding_site(
    request: Request, session: SessionDep, data: SiteCreate, actor: AdminUser
) -> SiteWithKey:
    site, key = await create_site(session=session, data=data, actor=actor)
    _registry(request).invalidate()
    return present(site, key)


@admin_sites.get(
    "",
    response_model=Page[SitePublic],
    summary="已登记的嵌入网站列表",
    description="按登记先后排列；API 密钥不再显示，只标明是否设有密钥。",
)
async def list_embedding_sites(
    session: SessionDep,
    page: PageDep,
    _: AdminUser,
    is_active: Annotated[bool | None, Query(description="按启用状态筛选")] = None,
) -> Page[SitePublic]:
    rows, total = await list_sites(session=session, page=page, is_active=is_active)
    return Page[SitePublic](
        items=[SitePublic.model_validate(present(r).model_dump(exclude={"api_key"})) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@admin_sites.patch(
    "/{site_id}",
    response_model=SitePublic,
    summary="修改嵌入网站（名称、限额、启用或停用）",
    description="停用后该来源不再获得跨域许可、其 API 密钥失效；本网关进程立即生效，其他网关副本在缓存时限内生效。",
)
async def update_embedding_site(
    request: Request, session: SessionDep, site_id: IdPath, data: SiteUpdate, actor: AdminUser
) -> SitePublic:
    site = await update_site(session=session, site_id=site_id, data=data, actor=actor)
    _registry(request).invalidate()
    return SitePublic.model_validate(present(site).model_dump(exclude={"api_key"}))


@admin_sites.post(
    "/{site_id}/rotate-key",
    response_model=SiteWithKey,
    summary="轮换嵌入网站的 API 密钥",
    description="生成新密钥并**只显示这一次**；旧密钥随即失效。没有密钥的网站由此获得密钥。",
)
async def rotate_embedding_site_key(
    request: Request, session: SessionDep, site_id: IdPath, actor: AdminUser
) -> SiteWithKey:
    site, key = await rotate_key(session=session, site_id=site_id, actor=actor)
    _registry(request).invalidate()
    return present(site, key)
