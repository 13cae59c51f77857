"""Catalog service app factory (`uvicorn services.catalog.app:create_app --factory`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request

from services.catalog import workflow
from services.catalog.api import router
from services.catalog.attachments import S3Storage, make_storage
from services.catalog.search.analytics import SearchAnalytics
from services.catalog.search.factory import make_engine
from services.catalog.search.indexing import outbox_handler, reindex, synonym_groups
from services.catalog.settings import CatalogSettings, get_settings
from shared.app import create_service_app
from shared.calendar import RemoteCalendar, local_date
from shared.db import utcnow
from shared.events import Handler
from shared.health import ReadinessCheck
from shared.http import ServiceClient

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("gongkai.catalog")


async def _publish_scheduled(app: FastAPI, every: float) -> None:
    """Publishes documents whose scheduled time has come (and so indexes them)."""
    while True:
        try:
            async with app.state.sessionmaker() as session:
                if await workflow.publish_due(session=session):
                    app.state.relay.wake()
        except Exception:
            log.exception("scheduled publication pass failed")
        await asyncio.sleep(every)


async def _rebuild(sessionmaker: Any, engine: Any) -> None:
    """Rebuilds a dropped index from the database (the source of truth) while the service runs."""
    try:
        count = await reindex(sessionmaker, engine)
        engine.rebuild_needed = False
        log.warning("search index rebuilt from the database: %d documents", count)
    except Exception:
        log.exception("rebuilding the search index failed: run `gongkai reindex`")


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    clients: list[ServiceClient] = []

    async def startup(app: FastAPI) -> None:
        engine = make_engine(settings)
        await engine.setup()
        async with app.state.sessionmaker() as session:
            await engine.set_synonyms(await synonym_groups(session))
        app.state.search = engine
        app.state.rebuild = None
        if getattr(engine, "rebuild_needed", False):  # an index of an older layout was dropped
            app.state.rebuild = asyncio.create_task(_rebuild(app.state.sessionmaker, engine))
        # The admin-entered calendar, as the other services count with it (tests may put their own).
        if getattr(app.state, "calendar_source", None) is None:
            requests = ServiceClient(settings.requests_url.rstrip("/"), settings.service_token)
            clients.append(requests)
            app.state.calendar_source = RemoteCalendar(requests)
        if getattr(app.state, "today", None) is None:  # tests may put a settable day in place
            app.state.today = lambda: local_date(utcnow())
        app.state.storage = make_storage(settings)
        app.state.scheduler = asyncio.create_task(_publish_scheduled(app, settings.scheduler_seconds))
        app.state.analytics = SearchAnalytics(
            app.state.sessionmaker, retention_days=settings.search_log_retention_days
        )
        app.state.analytics.start()

    async def shutdown(app: FastAPI) -> None:
        if app.state.rebuild is not None and not app.state.rebuild.done():
            app.state.rebuild.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await app.state.rebuild
        app.state.scheduler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app.state.scheduler
        await app.state.analytics.stop()
        await app.state.search.close()
        for client in clients:
            await client.aclose()

    def relay_handlers(app: FastAPI) -> dict[str, Handler]:
        return {workflow.SEARCH_TOPIC: outbox_handler(app.state.sessionmaker, app.state.search)}

    def checks(request: Request) -> dict[str, ReadinessCheck]:
        found: dict[str, ReadinessCheck] = {"search": request.app.state.search.ping}
        if isinstance(request.app.state.storage, S3Storage):
            found["attachments"] = request.app.state.storage.ping
        return found

    return create_service_app(
        settings=settings,
        title="Gongkai 目录服务 (catalog)",
        description="行政机关组织树、主动公开文件与发布流程、公开指南与目录、全文检索。",
        routers=[router],
        migrations_dir=MIGRATIONS,
        relay_handlers=relay_handlers,
        extra_checks=checks,
        on_startup=startup,
        on_shutdown=shutdown,
    )
