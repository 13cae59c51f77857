"""Service-to-service client: timeouts, retries only for idempotent calls, the service token;
and the key ring: a retired key leaves the JWKS once its tokens have expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from gateway.keys import KeyRing
from shared.http import ServiceClient


def flaky(fail_times: int, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) <= fail_times:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"ok": True})

    return httpx.MockTransport(handle)


async def test_idempotent_calls_are_retried_and_carry_the_service_token() -> None:
    seen: list[httpx.Request] = []
    client = ServiceClient(
        "http://catalog", "secret-token", retries=2, backoff_seconds=0, transport=flaky(2, seen)
    )
    response = await client.get("/api/v1/catalog/agencies/1")
    await client.aclose()
    assert response.status_code == 200 and len(seen) == 3
    assert all(r.headers["x-service-token"] == "secret-token" for r in seen)
    assert all("x-request-id" in r.headers for r in seen)


async def test_a_post_is_never_retried() -> None:
    seen: list[httpx.Request] = []
    client = ServiceClient("http://catalog", "t", retries=2, backoff_seconds=0, transport=flaky(1, seen))
    try:
        await client.post("/api/v1/catalog/agencies", json={})
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("a failed POST must surface, not be retried")
    finally:
        await client.aclose()
    assert len(seen) == 1


async def test_a_5xx_answer_to_a_get_is_retried_then_returned() -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503)

    client = ServiceClient(
        "http://x", "t", retries=1, backoff_seconds=0, transport=httpx.MockTransport(handle)
    )
    response = await client.get("/")
    await client.aclose()
    assert response.status_code == 503 and calls == 2


def test_a_retired_key_stays_in_the_jwks_until_its_tokens_expired(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ring = KeyRing.from_settings(
        signing_key="", previous_public_keys=[], key_dir=tmp_path, keep_retired=timedelta(minutes=16)
    )
    old = ring.kid
    new = ring.rotate()
    now = datetime.now(UTC)
    assert [k["kid"] for k in ring.jwks(now)["keys"]] == [new, old]
    assert [k["kid"] for k in ring.jwks(now + timedelta(minutes=17))["keys"]] == [new]
    reloaded = KeyRing.from_settings(
        signing_key="", previous_public_keys=[], key_dir=tmp_path, keep_retired=timedelta(minutes=16)
    )
    assert reloaded.kid == new and [k["kid"] for k in reloaded.jwks(now)["keys"]] == [new, old]
