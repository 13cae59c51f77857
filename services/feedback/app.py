"""Feedback service app factory (`uvicorn services.feedback.app:create_app --factory`)."""

from pathlib import Path

from fastapi import FastAPI

from services.feedback.api import router
from services.feedback.notices import catalog_names
from services.feedback.settings import FeedbackSettings, get_settings
from shared.agencies import catalog_lookup
from shared.app import create_service_app
from shared.calendar import RemoteCalendar
from shared.db import utcnow
from shared.http import ServiceClient
from shared.personal_data import from_settings
from shared.staff import gateway_clerks

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: FeedbackSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    clients: list[ServiceClient] = []

    async def startup(app: FastAPI) -> None:
        # Tests may have put their own in place before start-up (a fake catalog, a shifted clock).
        catalog: ServiceClient | None = None
        if getattr(app.state, "agency_lookup", None) is None:
            catalog = ServiceClient(settings.catalog_url.rstrip("/"), settings.service_token)
            clients.append(catalog)
            app.state.agency_lookup = catalog_lookup(catalog)
        if getattr(app.state, "agency_names", None) is None:  # printed on written notices
            if catalog is None:
                catalog = ServiceClient(settings.catalog_url.rstrip("/"), settings.service_token)
                clients.append(catalog)
            app.state.agency_names = catalog_names(catalog)
        if getattr(app.state, "calendar_source", None) is None:
            requests = ServiceClient(settings.requests_url.rstrip("/"), settings.service_token)
            clients.append(requests)
            app.state.calendar_source = RemoteCalendar(requests)
        if getattr(app.state, "clerk_check", None) is None:
            gateway = ServiceClient(settings.gateway_url.rstrip("/"), settings.service_token)
            clients.append(gateway)
            app.state.clerk_check = gateway_clerks(gateway)
        if getattr(app.state, "now", None) is None:
            app.state.now = utcnow
        app.state.cipher = from_settings(settings)

    async def shutdown(app: FastAPI) -> None:
        for client in clients:
            await client.aclose()

    return create_service_app(
        settings=settings,
        title="Gongkai 意见反馈服务 (feedback)",
        description="意见箱、举报电话、来信来访的受理、答复、评价与统计。",
        routers=[router],
        migrations_dir=MIGRATIONS,
        on_startup=startup,
        on_shutdown=shutdown,
    )
