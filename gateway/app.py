"""Gateway app factory (`uvicorn gateway.app:create_app --factory`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from gateway import docs_assets, service
from gateway.api import admin, auth, wellknown
from gateway.keys import KeyRing
from gateway.openapi import merge_openapi
from gateway.proxy import ServiceProxy
from gateway.ratelimit import RateLimits
from gateway.revocation import (
    RevocationCheckingVerifier,
    Revocations,
    make_store,
    refuse_revoked_bearer,
)
from gateway.settings import GatewaySettings, get_settings
from gateway.sites import SiteAccessMiddleware, SiteRegistry, admin_sites
from gateway.supervision import supervision
from gateway.widget import Script, widget
from shared.app import install_common, operation_id
from shared.db import make_engine, make_sessionmaker, migrate, ping
from shared.health import ReadinessCheck, health_router
from shared.http import ServiceClient
from shared.observability import configure_logging

MIGRATIONS = Path(__file__).parent / "migrations"
OPENAPI_TTL_SECONDS = 30.0

DESCRIPTION = """
Gongkai（公开）政务公开平台的统一入口：主动公开目录与检索、依申请公开、意见箱与举报、监察。

**认证**：点右侧 *Authorize*，用登录名和密码登录（OAuth2 密码模式）；或
`POST /api/v1/auth/token` 取得访问令牌，以 `Authorization: Bearer <令牌>` 调用。

**错误**：一律为 RFC 9457 `application/problem+json`，含稳定的 `code` 与逐字段的 `errors[]`。
"""


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("gateway", settings.log_level)
    ratelimits = RateLimits(
        redis_url=settings.redis_url,
        login=settings.rate_limit_login,
        register=settings.rate_limit_register,
        anonymous_post=settings.rate_limit_anonymous_post,
        tracking=settings.rate_limit_tracking,
        device=settings.rate_limit_device,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await asyncio.to_thread(migrate, MIGRATIONS, settings.database_url)
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        keep = timedelta(minutes=settings.access_token_minutes) + timedelta(minutes=1)
        keyring = KeyRing.from_settings(
            signing_key=settings.signing_key,
            previous_public_keys=settings.previous_public_keys,
            key_dir=settings.key_dir,
            keep_retired=keep,
        )
        app.state.keyring = keyring

        async def local_keys() -> dict[str, Any]:
            return keyring.jwks()

        app.state.verifier = RevocationCheckingVerifier(
            local_keys,
            revocations=revocations,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            min_refresh_seconds=0.0,
        )
        app.state.token_policy = service.TokenPolicy(
            keyring=keyring,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            access_ttl=timedelta(minutes=settings.access_token_minutes),
            refresh_ttl=timedelta(days=settings.refresh_token_days),
        )
        app.state.http = httpx.AsyncClient(timeout=3.0)
        app.state.catalog = ServiceClient(
            settings.catalog_url, settings.service_token, timeout=settings.upstream_timeout_seconds
        )
        if settings.may_bootstrap_admin:
            async with app.state.sessionmaker() as session:
                await service.bootstrap_admin(session=session, password=settings.bootstrap_admin_password)
        try:
            yield
        finally:
            await app.state.catalog.aclose()
            await app.state.http.aclose()
            await app.state.proxy.aclose()
            await revocations.aclose()
            await engine.dispose()

    app = FastAPI(
        title="Gongkai 政务公开 API",
        description=DESCRIPTION,
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.ratelimits = ratelimits
    revocations = Revocations(
        make_store(
            redis_url=settings.redis_url,
            prefix=settings.revocation_redis_prefix,
            sessionmaker=lambda: app.state.sessionmaker,
        ),
        ttl=settings.revocation_cache_seconds,
        # A revoked family matters while an access token it issued may still be accepted.
        family_lifetime=timedelta(minutes=settings.access_token_minutes, seconds=60),
    )
    app.state.revocations = revocations
    app.state.proxy = None
    app.state.openapi_cache = (0.0, None)
    app.state.sites = SiteRegistry(lambda: app.state.sessionmaker, ttl=settings.site_cache_seconds)
    app.state.widget_script = Script.load()

    def checks(request: Request) -> dict[str, ReadinessCheck]:
        found: dict[str, ReadinessCheck] = {"database": lambda: ping(request.app.state.engine)}
        for name, url in settings.upstreams.items():
            found[name] = _upstream_ready(request.app, url)
        return found

    app.include_router(health_router(checks))
    app.include_router(wellknown)
    app.include_router(auth)
    app.include_router(admin)
    app.include_router(admin_sites)
    app.include_router(widget)
    app.include_router(supervision)
    app.include_router(docs_assets.router)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(await merged_contract(request.app))

    def make_proxy(inner: Any) -> ServiceProxy:
        proxy = ServiceProxy(
            inner,
            upstreams=settings.upstreams,
            timeout=settings.upstream_timeout_seconds,
            connect_timeout=settings.upstream_connect_timeout_seconds,
            ratelimits=ratelimits,
            revocation_check=lambda authorization: refuse_revoked_bearer(
                authorization, revocations, app.state.verifier
            ),
        )
        app.state.proxy = proxy
        return proxy

    app.add_middleware(_Factory, factory=make_proxy)
    # CORS (static list + registered embedding sites), API keys and per-site limits: outside the
    # proxy so proxied routes get them too, inside the request-id middleware so answers carry the id.
    app.add_middleware(
        SiteAccessMiddleware,
        static_origins=settings.cors_origins,
        registry=app.state.sites,
        ratelimits=ratelimits,
    )
    install_common(app, settings)
    return app


class _Factory:
    """Lets `add_middleware` build a middleware through a callable that keeps a handle on it."""

    def __init__(self, app: Any, factory: Any) -> None:
        self._inner = factory(app)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._inner(scope, receive, send)


def _upstream_ready(app: FastAPI, base: str) -> ReadinessCheck:
    async def check() -> dict[str, str]:
        try:
            response = await app.state.http.get(f"{base.rstrip('/')}/readyz", timeout=2.0)
        except httpx.HTTPError as exc:
            return {"status": "error", "error": type(exc).__name__}
        return {"status": "ok" if response.status_code == 200 else "error"}

    return check


async def merged_contract(app: FastAPI) -> dict[str, Any]:
    """The gateway's contract merged with every reachable service's, cached briefly."""
    cached: dict[str, Any] | None
    fetched_at, cached = app.state.openapi_cache
    if cached is not None and time.monotonic() - fetched_at < OPENAPI_TTL_SECONDS:
        return cached
    settings: GatewaySettings = app.state.settings

    async def fetch(name: str, base: str) -> tuple[str, dict[str, Any] | None]:
        try:
            response = await app.state.http.get(f"{base.rstrip('/')}/openapi.json", timeout=3.0)
            response.raise_for_status()
            return name, response.json()
        except (httpx.HTTPError, ValueError):
            return name, None

    results = await asyncio.gather(*(fetch(n, u) for n, u in settings.upstreams.items()))
    specs = {name: spec for name, spec in results if spec is not None}
    merged = merge_openapi(app.openapi(), specs)
    missing = [name for name, spec in results if spec is None]
    if missing:
        merged["info"]["x-unavailable-services"] = missing
    else:
        app.state.openapi_cache = (time.monotonic(), merged)
    return merged
