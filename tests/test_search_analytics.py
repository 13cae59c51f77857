"""Search analytics: public searches and result clicks are logged without personal data (through a
buffer that never slows or fails a search), kept 180 days, and reported to admins — top queries,
queries that find nothing, and queries whose results nobody opens."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import inspect
from sqlmodel import col, select

from services.catalog.models import SearchClick, SearchLogEntry
from services.catalog.search.analytics import SearchAnalytics
from shared.calendar import SHANGHAI
from shared.db import utcnow
from shared.devrun import free_port
from tests.conftest import Tokens, World, _serve, create_database

SEARCH = "/api/v1/catalog/search"
CLICKS = "/api/v1/catalog/search/clicks"
REPORT = "/api/v1/catalog/search/report"
PROBLEM = "application/problem+json"
ELEVATOR = "幸福里小区将加装电梯并改造雨污管网。"  # the second document's body (the first: conftest.BODY)


async def quiet(client: httpx.AsyncClient) -> SearchAnalytics:
    """The catalog's buffer with its timer stopped: rows are written when the test flushes."""
    buffer: SearchAnalytics = client.app.state.analytics  # type: ignore[attr-defined]
    await buffer.stop()
    return buffer


async def rows(client: httpx.AsyncClient, model: type[Any]) -> list[Any]:
    async with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        return list((await session.exec(select(model).order_by(col(model.id)))).all())


async def indexed(client: httpx.AsyncClient, count: int) -> None:
    """Waits until the engine holds `count` documents (searching to find out would be logged)."""
    for _ in range(100):
        if await client.app.state.search.count() >= count:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the index did not reach {count} documents")


async def two_documents(world: World) -> tuple[int, int]:
    """One about 最低生活保障 (conftest.BODY), one about 加装电梯; both searchable."""
    first = await world.publish()
    second = await world.publish(title="幸福里小区改造公示", doc_number=None, body_text=ELEVATOR)
    await indexed(world.client, 2)
    return first["id"], second["id"]


def shanghai(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI).astimezone(UTC)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


# --- logging ------------------------------------------------------------------------------------------


async def test_a_search_is_logged_normalised_with_its_filters_and_hit_count(world: World) -> None:
    await two_documents(world)
    buffer = await quiet(world.client)
    before = utcnow()
    params: dict[str, Any] = {
        "q": "  最低生活保障標準  ",  # traditional 標 and stray spaces: logged as the engines search it
        "agency_id": world.ids["city"],
        "category": "civil_affairs",
        "validity": "valid",
        "from": "2020-01-01",
        "sort": "date",
    }
    answer = await world.client.get(SEARCH, params=params)
    assert answer.status_code == 200, answer.text
    assert await rows(world.client, SearchLogEntry) == [], "written by the buffer, not by the search"
    await buffer.flush()
    (entry,) = await rows(world.client, SearchLogEntry)
    assert entry.q == "最低生活保障标准"
    assert entry.filters == {
        "agency_id": world.ids["city"],
        "category": ["civil_affairs"],
        "validity": ["valid"],
        "from": "2020-01-01",
        "sort": "date",
    }
    assert entry.total == answer.json()["total"] == 1
    assert entry.page == 1 and entry.relaxed is False
    assert entry.searched_at.tzinfo is not None and before <= entry.searched_at <= utcnow()


async def test_later_pages_empty_queries_and_half_typed_words_are_not_counted(world: World) -> None:
    await two_documents(world)
    buffer = await quiet(world.client)
    for params in (
        {"q": "最低", "intent": "typing"},  # the widget searching as the visitor types
        {"q": "最低生活", "intent": "typing"},
        {"q": "最低生活保障", "page": 2},
        {"q": "最低生活保障", "page": 3, "page_size": 5},
        {"q": ""},
        {"q": "   "},
        {"category": "civil_affairs"},
        {"q": "最低生活保障"},
    ):
        assert (await world.client.get(SEARCH, params=params)).status_code == 200
    await buffer.flush()
    assert [(e.q, e.page) for e in await rows(world.client, SearchLogEntry)] == [("最低生活保障", 1)]


async def test_the_log_tables_hold_no_personal_data(catalog: httpx.AsyncClient) -> None:
    async with catalog.app.state.engine.connect() as connection:  # type: ignore[attr-defined]

        def columns(sync: Any) -> dict[str, set[str]]:
            found = inspect(sync)
            return {t: {c["name"] for c in found.get_columns(t)} for t in ("search_log", "search_clicks")}

        def indexed_columns(sync: Any) -> dict[str, list[list[str]]]:
            found = inspect(sync)
            return {
                t: [i["column_names"] for i in found.get_indexes(t)] for t in ("search_log", "search_clicks")
            }

        tables = await connection.run_sync(columns)
        indexes = await connection.run_sync(indexed_columns)
    assert tables == {
        "search_log": {"id", "searched_at", "q", "filters", "page", "total", "relaxed"},
        "search_clicks": {"id", "clicked_at", "q", "document_id", "position"},
    }
    personal = ("ip", "addr", "user", "agent", "token", "session", "account", "principal", "sub", "device")
    for name in set().union(*tables.values()):
        assert not any(word in name for word in personal), name
    assert ["searched_at"] in indexes["search_log"] and ["clicked_at"] in indexes["search_clicks"]


async def test_a_failed_write_is_logged_and_dropped_never_raised(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await two_documents(world)
    buffer = await quiet(world.client)
    working = buffer.sessionmaker

    def broken() -> Any:
        raise OSError("database unreachable")

    buffer.sessionmaker = broken  # type: ignore[assignment]
    try:
        answer = await world.client.get(SEARCH, params={"q": "最低生活保障"})
        assert answer.status_code == 200 and answer.json()["total"] == 1
        assert buffer.pending == 1
        with caplog.at_level(logging.ERROR, logger="gongkai.catalog.analytics"):
            await buffer.flush()  # does not raise
        assert buffer.pending == 0
        assert "1 searches and 0 clicks failed" in caplog.text
    finally:
        buffer.sessionmaker = working
    await buffer.flush()
    assert await rows(world.client, SearchLogEntry) == []


# --- clicks ---------------------------------------------------------------------------------------------


async def test_a_click_on_a_published_document_is_204_and_logged_without_who(world: World) -> None:
    first, _ = await two_documents(world)
    buffer = await quiet(world.client)
    clicked = await world.client.post(
        CLICKS,
        json={"q": "最低生活保障標準", "document_id": first, "position": 3},
        headers={"User-Agent": "Mozilla/5.0", "X-Forwarded-For": "203.0.113.7"},
    )
    assert clicked.status_code == 204 and clicked.content == b""
    await buffer.flush()
    (click,) = await rows(world.client, SearchClick)
    assert (click.q, click.document_id, click.position) == ("最低生活保障标准", first, 3)
    assert click.clicked_at.tzinfo is not None
    assert "203.0.113.7" not in repr(click.model_dump()) and "Mozilla" not in repr(click.model_dump())


async def test_a_click_on_an_unknown_or_unpublished_document_is_422_naming_document_id(world: World) -> None:
    buffer = await quiet(world.client)
    draft = await world.draft()
    revoked = await world.publish(title="将被撤销的文件")
    assert (await world.act(revoked["id"], "revoke", "101", {"reason": "测试撤销"})).status_code == 200
    for document_id in (draft["id"], revoked["id"], 999_999):
        answer = await world.client.post(
            CLICKS, json={"q": "最低生活保障", "document_id": document_id, "position": 1}
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == PROBLEM
        assert [e["field"] for e in answer.json()["errors"]] == ["body.document_id"]
    for body, field in (
        ({"q": "   ", "document_id": revoked["id"], "position": 1}, "body.q"),
        ({"q": "低保", "document_id": revoked["id"], "position": 0}, "body.position"),
        ({"q": "低保", "document_id": revoked["id"], "position": 101}, "body.position"),
        ({"q": "低保", "document_id": 2**31, "position": 1}, "body.document_id"),
        ({"q": "低" * 201, "document_id": revoked["id"], "position": 1}, "body.q"),
    ):
        answer = await world.client.post(CLICKS, json=body)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field, answer.text
    await buffer.flush()
    assert await rows(world.client, SearchClick) == []


# --- retention ------------------------------------------------------------------------------------------


async def test_rows_older_than_180_days_are_deleted_by_the_flush(world: World) -> None:
    first, _ = await two_documents(world)
    buffer = await quiet(world.client)
    now = utcnow()
    assert buffer.retention == timedelta(days=180)
    for age_days in (181, 179):
        buffer.clock = at(now - timedelta(days=age_days))
        await world.client.get(SEARCH, params={"q": f"已有{age_days}天"})
        await world.client.post(CLICKS, json={"q": f"已有{age_days}天", "document_id": first, "position": 1})
        await buffer.flush()  # written with its own time; the cutoff is then 180 days before that
    assert (
        len(await rows(world.client, SearchLogEntry)) == 2 and len(await rows(world.client, SearchClick)) == 2
    )
    buffer.clock = utcnow
    await buffer.flush()
    assert [e.q for e in await rows(world.client, SearchLogEntry)] == ["已有179天"]
    assert [c.q for c in await rows(world.client, SearchClick)] == ["已有179天"]


# --- the report -----------------------------------------------------------------------------------------


async def test_the_report_counts_searches_zero_results_and_unclicked_queries_exactly(world: World) -> None:
    """A known week of searches and clicks, with Asia/Shanghai midnights at both ends of the range."""
    first, second = await two_documents(world)
    client, buffer = world.client, await quiet(world.client)
    d1 = datetime.now(SHANGHAI).date() - timedelta(days=10)
    d0, d2, d3 = d1 - timedelta(days=1), d1 + timedelta(days=1), d1 + timedelta(days=2)
    totals: dict[str, int] = {}

    async def search(moment: datetime, q: str, times: int = 1, **extra: Any) -> None:
        buffer.clock = at(moment)
        for _ in range(times):
            answer = await client.get(SEARCH, params={"q": q, **extra})
            assert answer.status_code == 200, answer.text
            totals[q] = answer.json()["total"]

    async def click(moment: datetime, q: str, document_id: int, position: int = 1) -> None:
        buffer.clock = at(moment)
        body = {"q": q, "document_id": document_id, "position": position}
        assert (await client.post(CLICKS, json=body)).status_code == 204

    await search(shanghai(d0, 23, 59, 59), "最低生活保障")  # the day before the range
    await search(shanghai(d1, 0), "最低生活保障", 4)  # the range's first midnight
    await search(shanghai(d1, 10), "最低生活保障", page=2)  # the same search, its next page
    await click(shanghai(d1, 10, 1), "最低生活保障", first)
    await click(shanghai(d1, 10, 2), "最低生活保障", first, 2)
    await search(shanghai(d2, 23, 59, 59), "最低生活保障")  # the range's last second
    await search(shanghai(d2, 9), "加装电梯", 4)
    await search(shanghai(d3, 0), "加装电梯")  # the day after the range
    await click(shanghai(d3, 0), "加装电梯", second)  # after the range: inside it nobody clicked
    await search(shanghai(d1, 11), "火星移民", 3)
    await search(shanghai(d1, 12), "量子纠缠", 2)
    await search(shanghai(d2, 12), "城乡")
    await buffer.flush()
    assert totals["最低生活保障"] == totals["加装电梯"] == 1 and totals["城乡"] >= 1
    assert totals["火星移民"] == totals["量子纠缠"] == 0

    admin = world.tokens.header("admin")
    answer = await client.get(REPORT, params={"from": d1.isoformat(), "to": d2.isoformat()}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json() == {
        "from": d1.isoformat(),
        "to": d2.isoformat(),
        "searches": 15,
        "zero_result_searches": 5,
        "zero_result_rate": 0.3333,
        "clicks": 2,
        "click_through_rate": 0.1333,
        "top_queries": [
            {"q": "最低生活保障", "searches": 5, "zero_result_searches": 0, "clicks": 2},
            {"q": "加装电梯", "searches": 4, "zero_result_searches": 0, "clicks": 0},
            {"q": "火星移民", "searches": 3, "zero_result_searches": 3, "clicks": 0},
            {"q": "量子纠缠", "searches": 2, "zero_result_searches": 2, "clicks": 0},
            {"q": "城乡", "searches": 1, "zero_result_searches": 0, "clicks": 0},
        ],
        "top_zero_result_queries": [{"q": "火星移民", "searches": 3}, {"q": "量子纠缠", "searches": 2}],
        # 城乡 found something but was searched once; 量子纠缠 was searched twice but found nothing.
        "unclicked_queries": [{"q": "加装电梯", "searches": 4, "total": 1}],
    }
    shortened = await client.get(
        REPORT, params={"from": d1.isoformat(), "to": d2.isoformat(), "limit": 1}, headers=admin
    )
    assert [q["q"] for q in shortened.json()["top_queries"]] == ["最低生活保障"]
    assert len(shortened.json()["top_zero_result_queries"]) == 1
    widened = await client.get(REPORT, params={"from": d0.isoformat(), "to": d3.isoformat()}, headers=admin)
    assert widened.json()["searches"] == 17 and widened.json()["unclicked_queries"] == []


async def test_the_report_defaults_to_the_last_30_days_and_refuses_bad_ranges(world: World) -> None:
    admin = world.tokens.header("admin")
    today = datetime.now(SHANGHAI).date()
    default = await world.client.get(REPORT, headers=admin)
    assert default.status_code == 200, default.text
    assert (default.json()["from"], default.json()["to"]) == (
        (today - timedelta(days=29)).isoformat(),
        today.isoformat(),
    )
    assert default.json()["searches"] == 0 and default.json()["zero_result_rate"] == 0.0
    only_to = await world.client.get(REPORT, params={"to": "2026-03-31"}, headers=admin)
    assert only_to.json()["from"] == "2026-03-02"
    full_year = await world.client.get(
        REPORT, params={"from": "2028-01-01", "to": "2028-12-31"}, headers=admin
    )
    assert full_year.status_code == 200, "366 days (a leap year) is the longest range"
    for params, field in (
        ({"from": "2026-03-02", "to": "2026-03-01"}, "query.from"),
        ({"from": "2026-01-01", "to": "2027-01-02"}, "query.to"),
        ({"from": "2026-02-30"}, "query.from"),
        ({"to": "1900-01-01"}, "query.to"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
    ):
        answer = await world.client.get(REPORT, params=params, headers=admin)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"] == PROBLEM
        assert field in [e["field"] for e in answer.json()["errors"]], (params, answer.json())


async def test_the_report_is_refused_to_everyone_but_admins(
    catalog: httpx.AsyncClient, tokens: Tokens
) -> None:
    assert (await catalog.get(REPORT)).status_code == 401
    for role, extra in (("public", {}), ("clerk", {"agency_id": 1}), ("inspector", {"region_id": 1})):
        answer = await catalog.get(REPORT, headers=tokens.header(role, **extra))
        assert answer.status_code == 403, (role, answer.text)
        assert answer.headers["content-type"] == PROBLEM


async def test_the_report_is_one_grouped_query_per_list_at_100k_rows(catalog: httpx.AsyncClient) -> None:
    """100k searches over 5k queries and 20k clicks in a month: answered without loading rows."""
    now = utcnow()
    searches = [
        {
            "searched_at": now - timedelta(minutes=n % 40_000),
            "q": f"检索词{n % 5000}",
            "filters": {"sort": "relevance"},
            "page": 1,
            "total": 0 if n % 7 == 0 else n % 50,
            "relaxed": False,
        }
        for n in range(100_000)
    ]
    clicks = [
        {"clicked_at": now - timedelta(minutes=n), "q": f"检索词{n % 3000}", "document_id": 1, "position": 1}
        for n in range(20_000)
    ]
    async with catalog.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        connection = await session.connection()
        await connection.execute(SearchLogEntry.__table__.insert(), searches)  # type: ignore[attr-defined]
        await connection.execute(SearchClick.__table__.insert(), clicks)  # type: ignore[attr-defined]
        await session.commit()
    from services.catalog.search.analytics import report

    async with catalog.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        started = time.perf_counter()
        found = await report(session, from_date=None, to_date=None, limit=20)
        elapsed = time.perf_counter() - started
    assert found.searches == 100_000 and found.clicks == 20_000
    assert len(found.top_queries) == len(found.unclicked_queries) == 20
    assert elapsed < 1.0, f"report took {elapsed:.2f} s at 100k rows"


# --- through the gateway ----------------------------------------------------------------------------------


@pytest.fixture
async def gateway_to_catalog(
    backend: str, tmp_path: Path, tokens: Tokens
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """The gateway in process (3 anonymous POSTs a minute per address) in front of the catalog
    served by uvicorn on a free port, as in production."""
    from gateway.app import create_app as create_gateway
    from gateway.settings import GatewaySettings
    from services.catalog.app import create_app as create_catalog
    from services.catalog.settings import CatalogSettings

    catalog = create_catalog(
        CatalogSettings(
            database_url=await create_database(backend, tmp_path, "catalog", schema="catalog"),
            environment="test",
            search_index_dir=tmp_path / "search",
            attachment_dir=tmp_path / "files",
        )
    )
    catalog.state.verifier = tokens.verifier()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(catalog, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the catalog did not start"
        await asyncio.sleep(0.05)
    dead = f"http://127.0.0.1:{free_port()}"
    settings = GatewaySettings(
        database_url=await create_database(backend, tmp_path, "gateway", schema="gateway"),
        environment="test",
        key_dir=tmp_path / "keys",
        catalog_url=f"http://127.0.0.1:{port}",
        requests_url=dead,
        feedback_url=dead,
        rate_limit_anonymous_post="3/minute",
    )
    try:
        async for client in _serve(create_gateway(settings), "http://gateway"):
            yield client, catalog
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)


async def test_through_the_gateway_clicks_are_counted_and_rate_limited_like_other_anonymous_posts(
    gateway_to_catalog: tuple[httpx.AsyncClient, Any], tokens: Tokens
) -> None:
    gateway, catalog = gateway_to_catalog
    admin = tokens.header("admin")
    agency = await gateway.post(
        "/api/v1/catalog/agencies",
        headers=admin,
        json={"code": "990121", "name": "东湖县", "level": "province"},
    )
    assert agency.status_code == 201, agency.text
    world = World(gateway, tokens, {"east": agency.json()["id"]})
    document = await world.publish()
    for _ in range(100):
        if (await gateway.get(SEARCH, params={"q": "最低生活保障"})).json()["total"]:
            break
        await asyncio.sleep(0.05)
    body = {"q": "最低生活保障", "document_id": document["id"], "position": 1}
    codes = [(await gateway.post(CLICKS, json=body)).status_code for _ in range(4)]
    assert codes == [204, 204, 204, 429]
    limited = await gateway.post(CLICKS, json=body)
    assert limited.status_code == 429 and limited.headers["content-type"] == PROBLEM
    assert limited.json()["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
    # The buffer writes about once a second: the report, through the gateway, sees it soon after.
    for _ in range(60):
        found = (await gateway.get(REPORT, headers=admin)).json()
        if found["clicks"] == 3 and found["searches"] >= 1:
            break
        await asyncio.sleep(0.1)
    assert found["clicks"] == 3, found
    assert found["top_queries"][0]["q"] == "最低生活保障" and found["top_queries"][0]["clicks"] == 3
    assert catalog.state.analytics.pending == 0
