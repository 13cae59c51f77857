"""ETags that can match and `no-store` on what carries personal data or a token (DESIGN: API
conventions): browsers and apps revalidate public reads cheaply, and no cache keeps a citizen's data."""

from __future__ import annotations

import asyncio

from tests.conftest import World


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
