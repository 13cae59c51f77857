"""Answering by referral to the catalog (条例第三十六条第（一）项): information already published, and
information that should have been published proactively (第十九条、第二十条) — the agency publishes it
in its catalog, then points the applicant to it. The requests app asks a real catalog app (in
process, both on a fresh database of the backend) whether the document exists and is published.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.agencies import catalog_lookup
from shared.calendar import local_date
from shared.db import utcnow
from shared.http import ServiceClient
from shared.settings import DEV_SERVICE_TOKEN
from tests.conftest import Tokens, World, _serve, create_database
from tests.test_requests_lifecycle import body

URL = "/api/v1/requests"


class Requests:
    def __init__(self, client: httpx.AsyncClient, catalog: World) -> None:
        self.client, self.catalog = client, catalog
        self.today = local_date(utcnow())

    def day(self) -> date:
        return self.today

    def clerk(self, agency: str = "east") -> dict[str, str]:
        return self.catalog.clerk("101", agency)

    async def apply(self) -> int:
        headers = self.catalog.tokens.header("public", sub="5001")
        response = await self.client.post(URL, json=body(agency_id=self.catalog.ids["east"]), headers=headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def refer(self, app_id: int, **data: Any) -> httpx.Response:
        return await self.client.post(
            f"{URL}/{app_id}/referral", json={"reason": "经查", **data}, headers=self.clerk()
        )


@pytest.fixture
async def requests_app(
    backend: str, tmp_path: Path, tokens: Tokens, catalog: httpx.AsyncClient, world: World
) -> AsyncIterator[Requests]:
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    to_catalog = ServiceClient(
        "http://catalog",
        DEV_SERVICE_TOKEN,
        transport=httpx.ASGITransport(app=catalog.app),  # type: ignore[attr-defined]
    )
    app.state.verifier = tokens.verifier()
    app.state.catalog = to_catalog
    app.state.agency_lookup = catalog_lookup(to_catalog)
    async for client in _serve(app, "http://requests"):
        found = Requests(client, world)
        app.state.today = found.day
        yield found
    await to_catalog.aclose()


async def published_by(world: World, agency: str, title: str) -> dict[str, Any]:
    """A document drafted by one clerk of `agency` and approved by another."""
    clerk, reviewer = world.clerk("111", agency), world.clerk("112", agency)
    draft = await world.client.post(
        "/api/v1/catalog/documents",
        headers=clerk,
        json={
            "title": title,
            "doc_number": "东政发〔2026〕30号",
            "written_on": "2026-11-02",
            "category": "civil_affairs",
            "doc_type": "notice",
            "body_text": "低保资金发放情况。",
        },
    )
    assert draft.status_code == 201, draft.text
    doc_id = draft.json()["id"]
    assert (
        await world.client.post(f"/api/v1/catalog/documents/{doc_id}/submit", headers=clerk)
    ).status_code == 200
    approved = await world.client.post(
        f"/api/v1/catalog/documents/{doc_id}/approve",
        headers=reviewer,
        json={"confidentiality_checked": True},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "published", approved.text
    return approved.json()


async def test_information_that_should_have_been_proactive_is_published_then_pointed_to(
    requests_app: Requests, world: World
) -> None:
    app_id = await requests_app.apply()
    doc = await published_by(world, "east", "东湖县2025年最低生活保障资金发放情况")
    answered = await requests_app.refer(app_id, kind="should_have_been_proactive", document_id=doc["id"])
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "referred" and answered.json()["outcome"] == "disclosed"

    notice = await requests_app.client.get(f"{URL}/{app_id}/notice", headers=requests_app.clerk())
    assert notice.status_code == 200, notice.text
    referral = notice.json()["referral"]
    assert referral["referral"] == "should_have_been_proactive" and referral["document_id"] == doc["id"]
    assert referral["document"] == {
        "id": doc["id"],
        "title": "东湖县2025年最低生活保障资金发放情况",
        "index_no": doc["index_no"],
        "doc_number": "东政发〔2026〕30号",
        "agency_id": world.ids["east"],
        "published_on": requests_app.today.isoformat(),
        "url": f"/api/v1/catalog/documents/{doc['id']}",
    }
    assert "第二十条" in "；".join(notice.json()["decision"]["default_basis"])
    page = await requests_app.client.get(f"{URL}/{app_id}/notice.html", headers=requests_app.clerk())
    assert "应当主动公开" in page.text and doc["index_no"] in page.text
    timeline = (
        await requests_app.client.get(f"{URL}/{app_id}/timeline", headers=requests_app.clerk())
    ).json()
    assert timeline[-1]["details"]["document"]["id"] == doc["id"]


async def test_the_document_must_exist_be_published_and_for_proactive_be_the_agency_s_own_and_new(
    requests_app: Requests, world: World
) -> None:
    app_id = await requests_app.apply()
    missing = await requests_app.refer(app_id, kind="should_have_been_proactive")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "body.document_id"
    unknown = await requests_app.refer(app_id, kind="should_have_been_proactive", document_id=999_999)
    assert unknown.status_code == 422 and unknown.json()["code"] == "document_not_published"
    draft = await world.draft("111")
    for kind in ("should_have_been_proactive", "already_published"):
        unpublished = await requests_app.refer(app_id, kind=kind, document_id=draft["id"])
        assert unpublished.status_code == 422 and unpublished.json()["code"] == "document_not_published"
        assert unpublished.json()["errors"][0]["field"] == "body.document_id"

    west = await published_by(world, "west", "西岭县2025年最低生活保障资金发放情况")
    foreign = await requests_app.refer(app_id, kind="should_have_been_proactive", document_id=west["id"])
    assert foreign.status_code == 422 and foreign.json()["code"] == "document_of_other_agency"

    own = await published_by(world, "east", "东湖县2025年最低生活保障资金发放情况")
    requests_app.today += timedelta(days=1)  # an application received after the document was published
    later = await requests_app.apply()
    before = await requests_app.refer(later, kind="should_have_been_proactive", document_id=own["id"])
    assert before.status_code == 422 and before.json()["code"] == "document_published_before_application"
    # Nothing was written by the refusals.
    for refused in (app_id, later):
        shown = await requests_app.client.get(f"{URL}/{refused}", headers=requests_app.clerk())
        assert shown.json()["state"] == "registered"
    # Already published (by any agency): point to where.
    already = await requests_app.refer(later, kind="already_published", document_id=west["id"])
    assert already.status_code == 200, already.text
    notice = (await requests_app.client.get(f"{URL}/{later}/notice", headers=requests_app.clerk())).json()
    assert notice["referral"]["document"]["title"] == "西岭县2025年最低生活保障资金发放情况"


async def test_a_catalog_that_cannot_be_asked_writes_nothing(requests_app: Requests, world: World) -> None:
    app_id = await requests_app.apply()
    doc = await published_by(world, "east", "东湖县2025年最低生活保障资金发放情况")
    app = requests_app.client.app  # type: ignore[attr-defined]
    working = app.state.catalog
    app.state.catalog = ServiceClient("http://127.0.0.1:9", DEV_SERVICE_TOKEN, retries=0)
    try:
        down = await requests_app.refer(app_id, kind="should_have_been_proactive", document_id=doc["id"])
    finally:
        await app.state.catalog.aclose()
        app.state.catalog = working
    assert down.status_code == 503, down.text
    shown = await requests_app.client.get(f"{URL}/{app_id}", headers=requests_app.clerk())
    assert shown.json()["state"] == "registered"
