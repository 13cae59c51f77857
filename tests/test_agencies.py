"""The catalog's agency tree: public reads, admin writes, the 省 › 市 › 县 › 乡镇/部门 rules, events."""

from __future__ import annotations

import httpx
from sqlmodel import select

from shared.events import Event
from tests.conftest import Tokens


async def make(
    catalog: httpx.AsyncClient,
    tokens: Tokens,
    code: str,
    level: str,
    parent: int | None = None,
    name: str | None = None,
) -> httpx.Response:
    return await catalog.post(
        "/api/v1/catalog/agencies",
        headers=tokens.header("admin"),
        json={"code": code, "name": name or f"机关{code}", "level": level, "parent_id": parent},
    )


async def tree(catalog: httpx.AsyncClient, tokens: Tokens) -> dict[str, int]:
    ids: dict[str, int] = {}
    for code, level, parent in [
        ("330000", "province", None),
        ("330100", "city", "330000"),
        ("330110", "county", "330100"),
        ("330111", "county", "330100"),
        ("33011001", "township", "330110"),
        ("33011002", "department", "330110"),
    ]:
        response = await make(catalog, tokens, code, level, ids[parent] if parent else None)
        assert response.status_code == 201, response.text
        ids[code] = response.json()["id"]
    return ids


async def test_the_public_lists_agencies_in_tree_order_with_labels(catalog, tokens) -> None:
    ids = await tree(catalog, tokens)
    listed = await catalog.get("/api/v1/catalog/agencies")
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 6 and body["page"] == 1
    assert [a["code"] for a in body["items"]][:3] == ["330000", "330100", "330110"]
    assert body["items"][0]["level_label"] == "省级"
    assert listed.headers["cache-control"].startswith("public")
    children = await catalog.get("/api/v1/catalog/agencies", params={"parent_id": ids["330100"]})
    assert {a["code"] for a in children.json()["items"]} == {"330110", "330111"}


async def test_a_subtree_is_the_agency_and_all_below_it(catalog, tokens) -> None:
    ids = await tree(catalog, tokens)
    under = await catalog.get("/api/v1/catalog/agencies", params={"under": ids["330110"]})
    assert {a["code"] for a in under.json()["items"]} == {"330110", "33011001", "33011002"}


async def test_an_unchanged_list_answers_304_to_its_etag(catalog, tokens) -> None:
    await tree(catalog, tokens)
    first = await catalog.get("/api/v1/catalog/agencies")
    again = await catalog.get("/api/v1/catalog/agencies", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    await make(catalog, tokens, "340000", "province")
    changed = await catalog.get("/api/v1/catalog/agencies", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200


async def test_pages_are_stable_and_bounded(catalog, tokens) -> None:
    await tree(catalog, tokens)
    pages = [
        (await catalog.get("/api/v1/catalog/agencies", params={"page": p, "page_size": 4})).json()
        for p in (1, 2)
    ]
    assert [len(p["items"]) for p in pages] == [4, 2]
    assert not {a["id"] for a in pages[0]["items"]} & {a["id"] for a in pages[1]["items"]}
    too_big = await catalog.get("/api/v1/catalog/agencies", params={"page_size": 101})
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "query.page_size"


async def test_levels_must_follow_the_hierarchy(catalog, tokens) -> None:
    ids = await tree(catalog, tokens)
    county_under_province = await make(catalog, tokens, "999999", "county", ids["330000"])
    assert county_under_province.status_code == 422
    assert county_under_province.json()["errors"][0]["field"] == "body.parent_id"
    city_without_parent = await make(catalog, tokens, "999998", "city")
    assert city_without_parent.json()["code"] == "parent_required"
    missing_parent = await make(catalog, tokens, "999997", "city", 99999)
    assert missing_parent.json()["code"] == "parent_not_found"


async def test_codes_are_unique(catalog, tokens) -> None:
    await tree(catalog, tokens)
    duplicate = await make(catalog, tokens, "330000", "province")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "agency_code_taken"


async def test_moving_an_agency_moves_its_subtree_and_refuses_cycles(catalog, tokens) -> None:
    ids = await tree(catalog, tokens)
    moved = await catalog.patch(
        f"/api/v1/catalog/agencies/{ids['33011002']}",
        headers=tokens.header("admin"),
        json={"parent_id": ids["330111"]},
    )
    assert moved.status_code == 200 and moved.json()["parent_id"] == ids["330111"]
    under = await catalog.get("/api/v1/catalog/agencies", params={"under": ids["330111"]})
    assert {a["code"] for a in under.json()["items"]} == {"330111", "33011002"}
    # A county moved to another city carries its township with it.
    other_city = (await make(catalog, tokens, "330200", "city", ids["330000"])).json()["id"]
    await catalog.patch(
        f"/api/v1/catalog/agencies/{ids['330110']}",
        headers=tokens.header("admin"),
        json={"parent_id": other_city},
    )
    under_other = await catalog.get("/api/v1/catalog/agencies", params={"under": other_city})
    assert {a["code"] for a in under_other.json()["items"]} == {"330200", "330110", "33011001"}
    cycle = await catalog.patch(
        f"/api/v1/catalog/agencies/{ids['330000']}",
        headers=tokens.header("admin"),
        json={"parent_id": ids["330100"]},
    )
    assert cycle.status_code == 422


async def test_every_change_writes_an_event_with_who_and_what(catalog, tokens) -> None:
    created = (await make(catalog, tokens, "350000", "province", name="福建省")).json()
    await catalog.patch(
        f"/api/v1/catalog/agencies/{created['id']}",
        json={"name": "福建省人民政府"},
        headers=tokens.header("admin", sub="42"),
    )
    async with catalog.app.state.sessionmaker() as session:
        events = (await session.exec(select(Event).where(Event.aggregate_type == "agency"))).all()
    assert [e.action for e in events] == ["created", "updated"]
    assert events[1].actor_id == "42" and events[1].actor_role == "admin"
    assert events[1].before["name"] == "福建省" and events[1].after["name"] == "福建省人民政府"


async def test_an_unknown_agency_is_a_404_problem(catalog) -> None:
    response = await catalog.get("/api/v1/catalog/agencies/424242")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "agency_not_found"
