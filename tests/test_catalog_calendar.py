"""The catalog counts the 20-working-day publication rule (条例第二十六条) with the calendar admins
enter in the requests service, read over HTTP with the service token as feedback reads it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shared.calendar import RemoteCalendar
from shared.http import ServiceClient
from shared.settings import DEV_SERVICE_TOKEN
from tests.conftest import Tokens, World, _serve, create_database

CALENDAR = "/api/v1/admin/calendar"


@pytest.fixture
async def requests_app(backend: str, tmp_path: Path, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    app.state.verifier = tokens.verifier()
    async for client in _serve(app, "http://requests"):
        yield client


async def test_an_admin_entered_holiday_moves_the_catalogs_publication_due_date(
    world: World,
    requests_app: httpx.AsyncClient,
) -> None:
    catalog_app = world.client.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=requests_app.app)  # type: ignore[attr-defined]
    requests = ServiceClient("http://requests", DEV_SERVICE_TOKEN, transport=transport)
    catalog_app.state.calendar_source = RemoteCalendar(requests, ttl=0)
    try:
        late = await world.publish(information_date="2026-01-05")

        async def due_on() -> str:
            response = await world.client.get("/api/v1/catalog/documents/late", headers=world.clerk("101"))
            assert response.status_code == 200, response.text
            return next(r["due_on"] for r in response.json() if r["id"] == late["id"])

        assert await due_on() == "2026-02-02"  # 20 working days after Monday 5 January 2026
        # An admin makes Tuesday 6 January a day off: the limit ends one working day later.
        entered = await requests_app.put(
            f"{CALENDAR}/2026",
            json={"days": [{"day": "2026-01-06", "working": False, "name": "临时休息日"}]},
            headers=world.tokens.header("admin", sub="1"),
        )
        assert entered.status_code == 200, entered.text
        assert await due_on() == "2026-02-03"
    finally:
        await requests.aclose()
