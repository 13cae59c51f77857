"""The search API as a citizen meets it: questions, paraphrases, 文号 cited in other brackets,
why each hit matched, did-you-mean and suggestions — through the catalog's HTTP routes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import World

GUIDE = (
    "公民、法人或者其他组织申请获取政府信息的，本机关收到申请后能够当场答复的当场答复；"
    "不能当场答复的，自收到申请之日起20个工作日内予以答复；需要延长答复期限的，经负责人同意"
    "并告知申请人，延长的期限最长不超过20个工作日。"
)
PENALTY = "东湖县某化工公司废气排放超标，依据《中华人民共和国大气污染防治法》第九十九条，处罚款十二万元。"
CITING = (
    "为落实《东湖县人民政府关于调整最低生活保障标准的通知》（东政发〔2026〕12号），现就发放工作通知如下。"
)


async def _eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(40):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"search never showed {what}")


async def _search(world: World, q: str, **params: Any) -> dict[str, Any]:
    response = await world.client.get("/api/v1/catalog/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


async def _publish_set(world: World) -> dict[str, int]:
    docs = {
        "guide": await world.publish(
            title="东湖县人民政府办公室政府信息公开指南",
            doc_number=None,
            body_text=GUIDE,
            doc_type="service_guide",
        ),
        "penalty": await world.publish(
            title="东湖县生态环境局行政处罚决定书", doc_number="东环罚〔2026〕3号", body_text=PENALTY
        ),
        "own": await world.publish(),  # 东政发〔2026〕12号 (the conftest draft)
        "citing": await world.publish(
            title="关于做好低保金发放工作的通知", doc_number="东民发〔2026〕4号", body_text=CITING
        ),
        "other": await world.publish(
            title="东湖县秋季义务植树活动安排", doc_number=None, body_text="各乡镇于十一月组织义务植树活动。"
        ),
    }
    ids = {k: v["id"] for k, v in docs.items()}

    async def indexed() -> bool:
        return (await _search(world, "", page_size=50))["total"] >= len(ids)

    await _eventually(indexed, "every published document")
    return ids


async def test_what_citizens_type_finds_what_they_mean(world: World) -> None:
    ids = await _publish_set(world)

    question = await _search(world, "信息公开申请多久答复")
    assert question["hits"][0]["id"] == ids["guide"]
    assert "多久" not in question["query_words"] and "答复" in question["query_words"]
    assert question["hits"][0]["missing_words"] == []

    paraphrase = await _search(world, "环保处罚结果")
    assert paraphrase["hits"][0]["id"] == ids["penalty"]  # 环保 → 生态环境, a built-in synonym
    assert paraphrase["relaxed"] is True  # no document says 结果: partial matches are shown
    assert "结果" in paraphrase["hits"][0]["missing_words"]

    for q in ("东政发[2026]12号", "东政发(2026)12", "东政发 2026 12号"):
        cited = await _search(world, q)
        assert [h["id"] for h in cited["hits"][:2]] == [ids["own"], ids["citing"]], q
        assert cited["query_words"] == ["东政发〔2026〕12号"]


async def test_a_query_with_no_match_gets_did_you_mean_and_an_empty_page(world: World) -> None:
    await _publish_set(world)
    answer = await _search(world, "低包")  # 低保 typed with a homophone
    assert answer["total"] == 0 and answer["hits"] == []
    assert answer["did_you_mean"][:1] == ["低保"]
    again = await _search(world, answer["did_you_mean"][0])
    assert again["total"] >= 1 and again["did_you_mean"] == []


async def test_suggestions_complete_a_prefix(world: World) -> None:
    ids = await _publish_set(world)
    response = await world.client.get("/api/v1/catalog/search/suggest", params={"q": "东政发[2026"})
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public")
    items = response.json()["items"]
    assert items[0] == {"text": "东政发〔2026〕12号", "kind": "doc_number", "document_id": ids["own"]}
    terms = (await world.client.get("/api/v1/catalog/search/suggest", params={"q": "最低生活"})).json()
    assert any(i["kind"] == "term" and i["text"] == "最低生活保障" for i in terms["items"])
    elsewhere = await world.client.get(
        "/api/v1/catalog/search/suggest", params={"q": "东政发[2026", "agency_id": world.ids["west"]}
    )
    assert [i for i in elsewhere.json()["items"] if i["kind"] != "term"] == []
    empty = (await world.client.get("/api/v1/catalog/search/suggest", params={"q": " "})).json()
    assert empty == {"q": "", "items": []}


async def test_suggest_refuses_bad_parameters_naming_them(world: World) -> None:
    for params, name in (
        ({"q": "低", "limit": 0}, "limit"),
        ({"q": "低", "limit": "x"}, "limit"),
        ({"q": "低" * 101}, "q"),
    ):
        response = await world.client.get("/api/v1/catalog/search/suggest", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")
        assert name in str(response.json()["errors"]), response.json()


async def test_an_index_built_by_an_older_release_is_rebuilt_from_the_database_on_start(
    world: World, tmp_path: Path
) -> None:
    """After an upgrade that changes the index layout or the dictionary, the catalog drops the
    old index and fills the new one from its database by itself: search keeps working."""
    from services.catalog.app import create_app

    ids = await _publish_set(world)
    settings = world.client.app.state.settings  # type: ignore[attr-defined]
    index_dir = tmp_path / "older-release-index"
    index_dir.mkdir()
    (index_dir / "meta.json").write_text("{}")  # what tantivy leaves; our layout marker is missing
    upgraded = create_app(settings.model_copy(update={"search_index_dir": index_dir}))
    upgraded.state.verifier = world.client.app.state.verifier  # type: ignore[attr-defined]
    async with upgraded.router.lifespan_context(upgraded):
        transport = httpx.ASGITransport(app=upgraded)
        async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
            # The rebuild commits documents as it goes and clears its flag when all are in: on a
            # busy machine a search can find the first before the flag is cleared.
            for _ in range(200):
                found = (await client.get("/api/v1/catalog/search", params={"q": "环保处罚结果"})).json()
                if found["total"] and not upgraded.state.search.rebuild_needed:
                    break
                await asyncio.sleep(0.05)
            assert found["hits"][0]["id"] == ids["penalty"]
            assert upgraded.state.search.rebuild_needed is False
