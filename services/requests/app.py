"""Requests service app factory (`uvicorn services.requests.app:create_app --factory`)."""

from pathlib import Path

from fastapi import FastAPI

from services.requests import holidays
from services.requests.api import calendar_router, router
from services.requests.settings import RequestsSettings, get_settings
from shared.agencies import catalog_lookup
from shared.app import create_service_app
from shared.calendar import local_date
from shared.db import utcnow
from shared.http import ServiceClient
from shared.personal_data import from_settings
from shared.staff import gateway_clerks

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RequestsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    async def startup(app: FastAPI) -> None:
        # Tests may have put their own in place before start-up (a fake catalog, a shifted clock).
        if getattr(app.state, "agency_lookup", None) is None:
            app.state.catalog = ServiceClient(settings.catalog_base_url, settings.service_token)
            app.state.agency_lookup = catalog_lookup(app.state.catalog)
        if getattr(app.state, "clerk_check", None) is None:
            app.state.gateway = ServiceClient(settings.gateway_url.rstrip("/"), settings.service_token)
            app.state.clerk_check = gateway_clerks(app.state.gateway)
        if getattr(app.state, "today", None) is None:
            app.state.today = lambda: local_date(utcnow())
        app.state.calendar_cache = None
        app.state.cipher = from_settings(settings)
        await holidays.fill_never_computed(app.state.sessionmaker)

    async def shutdown(app: FastAPI) -> None:
        for name in ("catalog", "gateway"):
            client = getattr(app.state, name, None)
            if client is not None:
                await client.aclose()

    return create_service_app(
        settings=settings,
        title="Gongkai 依申请公开服务 (requests)",
        description="政府信息公开申请的受理、期限、答复、告知书与年度报告。",
        routers=[router, calendar_router],
        migrations_dir=MIGRATIONS,
        on_startup=startup,
        on_shutdown=shutdown,
    )
