"""Embedding sites: the admin registry, CORS that follows it (own and proxied routes), API keys,
per-site rate limits, and the in-memory cache in front of the table."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from gateway.models import EmbeddingSite
from shared.devrun import Cluster, free_port
from shared.events import Event
from tests.conftest import _serve, create_database, login

SITES = "/api/v1/admin/sites"
STATIC = "https://static.example.org"
DONGHU = "https://www.donghu.example.gov.cn"
STRANGER = "https://evil.example.com"
PROXIED = "/api/v1/catalog/agencies"  # the catalog is down in process: 503, through the proxy
OWN = "/.well-known/jwks.json"


@pytest.fixture
async def gw(backend: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in process with one static CORS origin and a long cache (so only
    invalidation, not expiry, can make a change visible)."""
    from gateway.app import create_app
    from gateway.settings import GatewaySettings

    dead = f"http://127.0.0.1:{free_port()}"
    settings = GatewaySettings(
        database_url=await create_database(backend, tmp_path, "gateway", schema="gateway"),
        environment="test",
        key_dir=tmp_path / "keys",
        catalog_url=dead,
        requests_url=dead,
        feedback_url=dead,
        rate_limit_login="1000/minute",
        rate_limit_register="1000/minute",
        upstream_timeout_seconds=2.0,
        upstream_connect_timeout_seconds=0.5,
        cors_origins=[STATIC],
        site_cache_seconds=3600,
    )
    async for client in _serve(create_app(settings), "http://gateway"):
        yield client


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {(await login(client, 'admin'))['access_token']}"}


async def register_site(client: httpx.AsyncClient, admin: dict[str, str], **body: object) -> dict:
    response = await client.post(SITES, headers=admin, json={"name": "东湖县门户", **body})
    assert response.status_code == 201, response.text
    return response.json()


def cors_of(response: httpx.Response) -> str | None:
    return response.headers.get("access-control-allow-origin")


async def test_only_admins_manage_sites(gw: httpx.AsyncClient) -> None:
    registered = await gw.post(
        "/api/v1/auth/register",
        json={"username": "zhangsan", "password": "a-long-passphrase", "display_name": "张三"},
    )
    assert registered.status_code == 201, registered.text
    citizen = {
        "Authorization": f"Bearer {(await login(gw, 'zhangsan', 'a-long-passphrase'))['access_token']}"
    }
    calls = [
        ("POST", SITES, {"origin": DONGHU, "name": "x"}),
        ("GET", SITES, None),
        ("PATCH", f"{SITES}/1", {"is_active": False}),
        ("POST", f"{SITES}/1/rotate-key", None),
    ]
    for method, url, body in calls:
        anonymous = await gw.request(method, url, json=body)
        assert anonymous.status_code == 401, (method, url, anonymous.text)
        assert anonymous.headers["content-type"] == "application/problem+json"
        forbidden = await gw.request(method, url, json=body, headers=citizen)
        assert forbidden.status_code == 403, (method, url, forbidden.text)


async def test_a_site_is_registered_normalised_and_its_key_shown_once_and_hashed_at_rest(
    gw: httpx.AsyncClient,
) -> None:
    admin = await admin_headers(gw)
    site = await register_site(gw, admin, origin="HTTPS://WWW.Donghu.Example.gov.cn:443/", with_api_key=True)
    assert site["origin"] == DONGHU and site["rate_limit"] == "600/minute" and site["is_active"]
    key = site["api_key"]
    assert key.startswith("gk_") and len(key) > 30 and site["has_api_key"]

    listed = (await gw.get(SITES, headers=admin)).json()
    assert listed["total"] == 1 and listed["items"][0]["has_api_key"] is True
    assert "api_key" not in listed["items"][0] and key not in str(listed)

    async with gw.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        row = (await session.exec(select(EmbeddingSite))).one()
        events = (await session.exec(select(Event).where(Event.aggregate_type == "embedding_site"))).all()
    assert row.api_key_hash == hashlib.sha256(key.encode()).hexdigest() != key
    assert [e.action for e in events] == ["site_created"] and events[0].actor_role == "admin"
    assert key not in str(events[0].after) and row.api_key_hash not in str(events[0].after)

    without_key = await register_site(gw, admin, origin="http://127.0.0.1:8080", rate_limit="20/second")
    assert without_key["api_key"] is None and without_key["has_api_key"] is False
    idn = await register_site(gw, admin, origin="https://政府.example.cn")
    assert idn["origin"] == "https://xn--mxtq1m.example.cn"

    duplicate = await gw.post(
        SITES, headers=admin, json={"origin": "https://www.DONGHU.example.gov.cn", "name": "x"}
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "site_origin_taken"
    for body, field in [
        ({"origin": "ftp://x.example.cn", "name": "x"}, "body.origin"),
        ({"origin": "https://x.example.cn/search", "name": "x"}, "body.origin"),
        ({"origin": "https://user:pw@x.example.cn", "name": "x"}, "body.origin"),
        ({"origin": "https://x.example.cn:99999", "name": "x"}, "body.origin"),
        ({"origin": "https://bad_host!.cn", "name": "x"}, "body.origin"),
        ({"origin": "https://x.example.cn", "name": "x", "rate_limit": "lots"}, "body.rate_limit"),
        ({"origin": "https://x.example.cn", "name": "x", "rate_limit": "0/minute"}, "body.rate_limit"),
        (
            {"origin": "https://x.example.cn", "name": "x", "rate_limit": "1/second;9/minute"},
            "body.rate_limit",
        ),
    ]:
        refused = await gw.post(SITES, headers=admin, json=body)
        assert refused.status_code == 422, (body, refused.text)
        error = refused.json()["errors"][0]
        assert error["field"] == field and any("\u4e00" <= c <= "\u9fff" for c in error["message"]), error


async def test_patch_and_rotate_write_events_and_validate(gw: httpx.AsyncClient) -> None:
    admin = await admin_headers(gw)
    site = await register_site(gw, admin, origin=DONGHU)
    url = f"{SITES}/{site['id']}"
    renamed = await gw.patch(
        url, headers=admin, json={"name": "东湖县人民政府网", "rate_limit": "1200/minute"}
    )
    assert renamed.status_code == 200 and renamed.json()["rate_limit"] == "1200/minute"
    unchanged = await gw.patch(url, headers=admin, json={"name": "东湖县人民政府网"})
    assert unchanged.status_code == 200 and unchanged.json()["updated_at"] == renamed.json()["updated_at"]
    assert (await gw.patch(url, headers=admin, json={})).status_code == 200  # nothing to change: no event
    assert (await gw.patch(url, headers=admin, json={"rate_limit": "1200 a minute"})).status_code == 422
    assert (await gw.patch(url, headers=admin, json={"origin": STRANGER})).status_code == 422
    assert (await gw.patch(f"{SITES}/999", headers=admin, json={"name": "x"})).status_code == 404
    assert (await gw.post(f"{SITES}/999/rotate-key", headers=admin)).status_code == 404

    issued = (await gw.post(f"{url}/rotate-key", headers=admin)).json()
    rotated = (await gw.post(f"{url}/rotate-key", headers=admin)).json()
    assert issued["api_key"] != rotated["api_key"] and rotated["has_api_key"]
    assert (await gw.patch(url, headers=admin, json={"is_active": False})).json()["is_active"] is False
    refused = await gw.post(f"{url}/rotate-key", headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "site_inactive"

    async with gw.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        events = (
            await session.exec(
                select(Event).where(Event.aggregate_type == "embedding_site").order_by(col(Event.id))
            )
        ).all()
    assert [e.action for e in events] == [
        "site_created",
        "site_updated",
        "site_key_issued",
        "site_key_rotated",
        "site_disabled",
    ]
    assert events[1].before["rate_limit"] == "600/minute" and events[1].after["rate_limit"] == "1200/minute"
    assert all(e.actor_role == "admin" and e.request_id not in (None, "-") for e in events)


async def test_cors_follows_the_registry_on_own_and_proxied_routes(gw: httpx.AsyncClient) -> None:
    admin = await admin_headers(gw)
    await register_site(gw, admin, origin=DONGHU)
    for path in (OWN, PROXIED):
        allowed = await gw.get(path, headers={"Origin": DONGHU})
        assert cors_of(allowed) == DONGHU, (path, allowed.status_code)
        assert "Origin" in allowed.headers["vary"]
        exposed = {h.strip() for h in allowed.headers["access-control-expose-headers"].split(",")}
        assert {"X-Request-ID", "ETag", "Retry-After"} <= exposed
        assert "access-control-allow-credentials" not in allowed.headers
        assert cors_of(await gw.get(path, headers={"Origin": STATIC})) == STATIC
        stranger = await gw.get(path, headers={"Origin": STRANGER})
        assert stranger.status_code == allowed.status_code
        assert not any(h.startswith("access-control-") for h in stranger.headers), stranger.headers
        assert "Origin" in stranger.headers["vary"]
        assert cors_of(await gw.get(path, headers={"Origin": "null"})) is None
    assert (await gw.get(PROXIED, headers={"Origin": DONGHU})).status_code == 503  # really proxied


async def test_preflight_is_answered_by_the_gateway(gw: httpx.AsyncClient) -> None:
    admin = await admin_headers(gw)
    await register_site(gw, admin, origin=DONGHU)
    ask = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-api-key, content-type",
    }
    for path in ("/api/v1/catalog/search", OWN, "/api/v1/auth/token"):
        answer = await gw.options(path, headers={"Origin": DONGHU, **ask})
        assert answer.status_code == 204, (path, answer.text)
        assert cors_of(answer) == DONGHU and "Origin" in answer.headers["vary"]
        methods = {m.strip() for m in answer.headers["access-control-allow-methods"].split(",")}
        allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
        assert {"GET", "POST", "PATCH", "OPTIONS"} <= methods
        assert {"authorization", "content-type", "x-api-key", "x-request-id"} <= allowed
        assert answer.headers["x-request-id"]
        refused = await gw.options(path, headers={"Origin": STRANGER, **ask})
        assert refused.status_code == 403 and cors_of(refused) is None
        assert refused.json()["code"] == "cors_origin_not_allowed"
    assert cors_of(await gw.options(OWN, headers={"Origin": STATIC, **ask})) == STATIC


async def test_a_deactivated_site_loses_cors_at_once_and_the_registry_is_cached(
    gw: httpx.AsyncClient,
) -> None:
    admin = await admin_headers(gw)
    site = await register_site(gw, admin, origin=DONGHU)
    registry = gw.app.state.sites  # type: ignore[attr-defined]
    assert cors_of(await gw.get(OWN, headers={"Origin": DONGHU})) == DONGHU
    loads = registry.loads
    for _ in range(20):
        assert cors_of(await gw.get(OWN, headers={"Origin": DONGHU})) == DONGHU
        await gw.get(OWN, headers={"Origin": f"https://unknown-{uuid.uuid4().hex[:6]}.example.com"})
    assert registry.loads == loads, "the registry must not be read on every request"

    await gw.patch(f"{SITES}/{site['id']}", headers=admin, json={"is_active": False})
    assert cors_of(await gw.get(OWN, headers={"Origin": DONGHU})) is None
    assert (
        await gw.options(OWN, headers={"Origin": DONGHU, "Access-Control-Request-Method": "GET"})
    ).status_code == 403
    await gw.patch(f"{SITES}/{site['id']}", headers=admin, json={"is_active": True})
    assert cors_of(await gw.get(OWN, headers={"Origin": DONGHU})) == DONGHU


async def test_each_site_has_its_own_rate_limit(gw: httpx.AsyncClient) -> None:
    admin = await admin_headers(gw)
    small = await register_site(gw, admin, origin=DONGHU, rate_limit="3/minute")
    await register_site(gw, admin, origin="https://www.xiling.example.gov.cn", rate_limit="100/minute")
    for _ in range(3):
        assert (await gw.get(OWN, headers={"Origin": DONGHU})).status_code == 200
    limited = await gw.get(PROXIED, headers={"Origin": DONGHU})
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) in range(1, 61)
    assert cors_of(limited) == DONGHU, "the widget must be able to read the 429"
    assert (await gw.get(OWN, headers={"Origin": "https://www.xiling.example.gov.cn"})).status_code == 200
    assert (await gw.get(OWN)).status_code == 200, "callers that name no site are not counted against one"
    assert (await gw.get(OWN, headers={"Origin": STATIC})).status_code == 200

    raised = await gw.patch(f"{SITES}/{small['id']}", headers=admin, json={"rate_limit": "100/minute"})
    assert raised.status_code == 200
    assert (await gw.get(OWN, headers={"Origin": DONGHU})).status_code == 200


async def test_api_keys_identify_a_site_and_bad_ones_are_refused(gw: httpx.AsyncClient) -> None:
    admin = await admin_headers(gw)
    site = await register_site(gw, admin, origin=DONGHU, rate_limit="2/minute", with_api_key=True)
    key = site["api_key"]
    bad = await gw.get(OWN, headers={"X-Api-Key": "gk_not-a-key"})
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_api_key"
    assert bad.headers["content-type"] == "application/problem+json"
    bad_from_site = await gw.get(PROXIED, headers={"X-Api-Key": "nope", "Origin": DONGHU})
    assert bad_from_site.status_code == 401 and cors_of(bad_from_site) == DONGHU

    assert (await gw.get(OWN, headers={"X-Api-Key": key})).status_code == 200
    assert (await gw.get(OWN, headers={"X-Api-Key": key})).status_code == 200
    over = await gw.get(OWN, headers={"X-Api-Key": key})
    assert over.status_code == 429 and int(over.headers["retry-after"]) >= 1

    url = f"{SITES}/{site['id']}"
    await gw.patch(url, headers=admin, json={"rate_limit": "100/minute"})
    new_key = (await gw.post(f"{url}/rotate-key", headers=admin)).json()["api_key"]
    assert (await gw.get(OWN, headers={"X-Api-Key": key})).status_code == 401
    assert (await gw.get(OWN, headers={"X-Api-Key": new_key})).status_code == 200
    await gw.patch(url, headers=admin, json={"is_active": False})
    assert (await gw.get(OWN, headers={"X-Api-Key": new_key})).status_code == 401


def test_a_registered_origin_gets_cors_through_the_real_proxy(cluster: Cluster) -> None:
    base = cluster.url()
    token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "admin", "password": "gongkai-demo"})
    admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
    origin = f"https://portal-{uuid.uuid4().hex[:8]}.example.gov.cn"
    created = httpx.post(f"{base}{SITES}", headers=admin, json={"origin": origin, "name": "测试门户"})
    assert created.status_code == 201, created.text

    allowed = httpx.get(f"{base}{PROXIED}", headers={"Origin": origin})
    assert allowed.status_code == 200 and cors_of(allowed) == origin
    assert allowed.json()["total"] >= 1
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()
    stranger = httpx.get(f"{base}{PROXIED}", headers={"Origin": STRANGER})
    assert stranger.status_code == 200 and cors_of(stranger) is None
    preflight = httpx.options(
        f"{base}/api/v1/catalog/search",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )
    assert preflight.status_code == 204 and cors_of(preflight) == origin
