"""What every requests route shares: the roles it admits, the day and calendar it counts with, the
catalog it asks, and the answer after a step."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from services.requests import decisions, holidays, notices, service
from services.requests.models import Application
from services.requests.schemas import ApplicationPublic
from shared.auth import Principal
from shared.http import ServiceClient

PRINTABLE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


async def clock(request: Request) -> dict[str, Any]:
    """The calendar and today, as every deadline computation takes them."""
    state = request.app.state
    return {"calendar": await holidays.current(state), "today": state.today()}


def agency_info(request: Request) -> notices.AgencyInfo | None:
    """Tests may put their own in place; otherwise the catalog (none configured: generic names)."""
    state = request.app.state
    info = getattr(state, "agency_info", None)
    if info is None and getattr(state, "catalog", None) is not None:
        info = state.agency_info = notices.catalog_agency_info(state.catalog)
    return info


def catalog(request: Request) -> ServiceClient:
    state = request.app.state
    client = getattr(state, "catalog", None)
    if client is None:
        settings = state.settings
        client = state.catalog = ServiceClient(settings.catalog_base_url, settings.service_token)
    return client


async def answer_context(request: Request) -> decisions.Context:
    found = await clock(request)
    return decisions.Context(
        today=found["today"],
        calendar=found["calendar"],
        cipher=request.app.state.cipher,
        agency_info=agency_info(request),
    )


async def view(
    request: Request, session: Any, application: Application, actor: Principal
) -> ApplicationPublic:
    """The application as the actor may see it, after a step."""
    return await service.view(
        session, application, actor, cipher=request.app.state.cipher, **(await clock(request))
    )
