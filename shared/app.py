"""The one way a Gongkai process is assembled: settings, logging, errors, middleware, database,
token verifier, health endpoints and the outbox relay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute

from shared.auth import TokenVerifier, http_key_source
from shared.caching import PrivateByDefaultMiddleware
from shared.db import make_engine, make_sessionmaker, migrate, ping
from shared.errors import install_error_handlers
from shared.events import Handler, OutboxRelay
from shared.health import ReadinessCheck, health_router
from shared.observability import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    UnexpectedErrorMiddleware,
    configure_logging,
)
from shared.settings import ServiceSettings


def operation_id(route: APIRoute) -> str:
    """Stable operation ids `tag-name` (what client generators and Swagger deep links use)."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}".replace("_", "-")


def install_common(app: FastAPI, settings: ServiceSettings) -> None:
    """Error handlers and middleware every process has, gateway included."""
    install_error_handlers(app)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, upload_max_bytes=settings.max_upload_bytes
    )
    app.add_middleware(PrivateByDefaultMiddleware)
    app.add_middleware(RequestContextMiddleware)


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: list[APIRouter],
    migrations_dir: Path,
    relay_handlers: Callable[[FastAPI], dict[str, Handler]] | None = None,
    extra_checks: Callable[[Request], dict[str, ReadinessCheck]] | None = None,
    on_startup: Callable[[FastAPI], Awaitable[None]] | None = None,
    on_shutdown: Callable[[FastAPI], Awaitable[None]] | None = None,
    version: str = "1.0.0",
) -> FastAPI:
    configure_logging(settings.service_name, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await asyncio.to_thread(migrate, migrations_dir, settings.database_url)
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        if getattr(app.state, "verifier", None) is None:
            app.state.verifier = TokenVerifier(
                http_key_source(settings.jwks_url), issuer=settings.jwt_issuer, audience=settings.jwt_audience
            )
        if on_startup:
            await on_startup(app)
        relay = OutboxRelay(
            app.state.sessionmaker,
            relay_handlers(app) if relay_handlers else {},
            poll_seconds=settings.outbox_poll_seconds,
        )
        app.state.relay = relay
        relay.start()
        try:
            yield
        finally:
            await relay.stop()
            if on_shutdown:
                await on_shutdown(app)
            await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        swagger_ui_init_oauth={"clientId": "swagger"},
    )
    app.state.settings = settings
    install_common(app, settings)

    def checks(request: Request) -> dict[str, ReadinessCheck]:
        found: dict[str, ReadinessCheck] = {"database": lambda: ping(request.app.state.engine)}
        if extra_checks:
            found.update(extra_checks(request))
        return found

    app.include_router(health_router(checks))
    for router in routers:
        app.include_router(router)
    return app
