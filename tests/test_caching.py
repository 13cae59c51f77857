"""ETags that can match and `no-store` on what carries personal data or a token (DESIGN: API
conventions): browsers and apps revalidate public reads cheaply, and no cache keeps a citizen's data."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from shared.devrun import Cluster
from tests.conftest import World
from tests.test_e2e import PASSWORD
from tests.test_e2e import token as e2e_token


async def searched(world: World, q: str, etag: str | None = None) -> tuple[int, str]:
    headers = {"If-None-Match": etag} if etag else {}
    response = await world.client.get("/api/v1/catalog/search", params={"q": q}, headers=headers)
    return response.status_code, response.headers["etag"]


async def test_a_published_document_answers_304_to_its_etag_until_it_changes(world: World) -> None:
    doc = await world.publish()
    url = f"/api/v1/catalog/documents/{doc['id']}"
    first = await world.client.get(url)
    assert first.status_code == 200 and first.json()["title"] == doc["title"]
    assert first.headers["cache-control"].startswith("public") and first.headers["etag"]
    again = await world.client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    await world.act(doc["id"], "revoke", "101", {"reason": "政策调整"})
    revoked = await world.client.get(
        url, headers={**world.clerk("101"), "If-None-Match": first.headers["etag"]}
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert revoked.headers["cache-control"] == "private, no-store"


async def test_a_draft_read_by_its_clerk_is_never_stored(world: World) -> None:
    doc = await world.draft()
    response = await world.client.get(f"/api/v1/catalog/documents/{doc['id']}", headers=world.clerk("101"))
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


async def test_the_same_search_answers_304_though_its_timing_differs(world: World) -> None:
    await world.publish(
        title="城关镇老旧小区改造项目公示", body_text="本次改造涉及幸福里小区加装电梯和雨污分流。"
    )
    for _ in range(40):  # indexed through the outbox within about two seconds
        response = await world.client.get("/api/v1/catalog/search", params={"q": "加装电梯"})
        if response.json()["total"]:
            break
        await asyncio.sleep(0.1)
    etag = response.headers["etag"]
    assert await searched(world, "加装电梯", etag) == (304, etag)
    assert (await searched(world, "雨污分流", etag))[0] == 200  # another query, another answer
    await world.publish(title="幸福里小区加装电梯补助办法", body_text="加装电梯的补助标准和申请材料。")
    for _ in range(40):
        status, _tag = await searched(world, "加装电梯", etag)
        if status == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the search's ETag did not change after a new document matched it")


def citizen_application(agency: int) -> dict[str, Any]:
    from shared.personal_data import resident_id_check_digit

    return {
        "agency_id": agency,
        "applicant_type": "natural_person",
        "applicant_name": "陈小红",
        "id_type": "resident_id",
        "id_number": "11010519491231002" + resident_id_check_digit("11010519491231002"),
        "phone": "13812345678",
        "description": "2025年东湖县最低生活保障资金发放情况",
        "form": "electronic",
        "delivery": "email",
    }


@pytest.mark.e2e
def test_tokens_and_personal_data_are_never_stored_and_public_reads_stay_public(cluster: Cluster) -> None:
    base = cluster.url()
    stored = {}  # what every answer below said about caching, by what was asked

    login = httpx.post(f"{base}/api/v1/auth/token", data={"username": "citizen", "password": PASSWORD})
    stored["token"] = login.headers["cache-control"]
    refreshed = httpx.post(
        f"{base}/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    stored["refresh"] = refreshed.headers["cache-control"]
    citizen = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    stored["me"] = httpx.get(f"{base}/api/v1/auth/me", headers=citizen).headers["cache-control"]
    admin = {"Authorization": f"Bearer {e2e_token(base, 'admin')}"}
    stored["user list"] = httpx.get(f"{base}/api/v1/admin/users", headers=admin).headers["cache-control"]
    clerk = {"Authorization": f"Bearer {e2e_token(base, 'clerk1')}"}
    county = next(
        a["id"]
        for a in httpx.get(f"{base}/api/v1/catalog/agencies", params={"q": "990121"}).json()["items"]
        if a["code"] == "990121"
    )

    applied = httpx.post(f"{base}/api/v1/requests", json=citizen_application(county), headers=citizen)
    assert applied.status_code == 201, applied.text
    stored["application (applied)"] = applied.headers["cache-control"]
    queue = httpx.get(f"{base}/api/v1/requests", headers=clerk)
    assert queue.status_code == 200 and applied.json()["id"] in [a["id"] for a in queue.json()["items"]]
    stored["applications (clerk's queue)"] = queue.headers["cache-control"]

    sent = httpx.post(
        f"{base}/api/v1/feedback/messages",
        json={
            "kind": "complaint",
            "agency_id": county,
            "subject": "小区门口路灯长期不亮",
            "content": f"人民路12号小区门口的路灯坏了一个多月，夜间出行不安全。编号{uuid.uuid4().hex}",
            "sender": {"name": "张三丰", "phone": "13812345678"},
        },
    )
    assert sent.status_code == 201, sent.text
    stored["feedback (sent)"] = sent.headers["cache-control"]
    case = httpx.get(f"{base}/api/v1/feedback/messages/{sent.json()['id']}", headers=clerk)
    assert case.status_code == 200 and "张" in case.text
    stored["feedback (read by clerk)"] = case.headers["cache-control"]
    drafts = httpx.get(f"{base}/api/v1/catalog/documents", params={"status": "draft"}, headers=clerk)
    stored["catalog drafts"] = drafts.headers["cache-control"]
    assert all("no-store" in value and "public" not in value for value in stored.values()), stored

    for path, params in (
        ("/api/v1/catalog/agencies", {}),
        ("/api/v1/catalog/documents", {}),
        ("/api/v1/catalog/search", {"q": "最低生活保障"}),
        (f"/api/v1/catalog/agencies/{county}/guide", {}),
    ):
        public = httpx.get(f"{base}{path}", params=params)
        assert public.status_code == 200, (path, public.text)
        assert public.headers["cache-control"].startswith("public, max-age="), path
        again = httpx.get(f"{base}{path}", params=params, headers={"If-None-Match": public.headers["etag"]})
        assert again.status_code == 304, path


async def test_the_public_document_list_is_cacheable_and_a_staff_list_is_not(world: World) -> None:
    await world.publish()
    public = await world.client.get("/api/v1/catalog/documents")
    assert public.status_code == 200 and public.json()["total"] == 1
    assert public.headers["cache-control"].startswith("public")
    again = await world.client.get(
        "/api/v1/catalog/documents", headers={"If-None-Match": public.headers["etag"]}
    )
    assert again.status_code == 304
    drafts = await world.client.get(
        "/api/v1/catalog/documents", params={"status": "draft"}, headers=world.clerk("101")
    )
    assert drafts.status_code == 200 and drafts.headers["cache-control"] == "private, no-store"
