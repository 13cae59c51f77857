"""The gateway's proxy: forwarded headers, streamed bodies both ways, limits, never a hang."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from gateway.proxy import ServiceProxy
from gateway.ratelimit import RateLimits
from shared.devrun import free_port
from shared.errors import problem_response
from shared.observability import BodyLimitMiddleware, RequestContextMiddleware
from tests.conftest import CI


async def echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.scope["path"],  # as the service reads it: decoded
            "query": request.url.query,
            "headers": {k: v for k, v in request.headers.items()},
            "body_len": len(body),
            "body_sum": sum(body) % 1_000_003,
        }
    )


async def stream(request: Request) -> Response:
    async def chunks():  # type: ignore[no-untyped-def]
        for i in range(200):
            yield bytes([i % 256]) * 10_000

    return StreamingResponse(chunks(), media_type="application/octet-stream")


upstream = Starlette(
    routes=[
        Route("/api/v1/catalog/stream", stream),
        Route("/api/v1/catalog/{rest:path}", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/api/v1/requests", echo, methods=["GET", "POST"]),
        Route("/api/v1/admin/calendar{rest:path}", echo, methods=["GET", "PUT"]),
    ]
)


async def slow(request: Request) -> Response:
    await asyncio.sleep(3)
    return Response("late")


upstream.router.routes.insert(0, Route("/api/v1/catalog/slow", slow))


async def moved(request: Request) -> Response:
    """A redirect to the service's own address, as a trailing-slash redirect would give."""
    return Response(status_code=307, headers={"location": f"{request.base_url}api/v1/catalog/things/?x=1"})


upstream.router.routes.insert(0, Route("/api/v1/catalog/moved", moved))


@pytest.fixture(scope="module")
def upstream_url() -> Iterator[str]:
    """The fake service as a real HTTP server: the proxy talks to it over a socket."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(upstream, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


async def not_proxied(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    await problem_response(404, "not_found", "资源不存在", "不在代理范围")(scope, receive, send)


@asynccontextmanager
async def gateway_app(
    url: str,
    anonymous_post: str = "1000/minute",
    max_body: int = 1_048_576,
    upstream_timeout: float = 5.0,
    device: str = "1000/minute",
) -> AsyncIterator[ASGIApp]:
    """The proxy in front of the fake service, as the gateway wires it (without the gateway's app)."""
    limits = RateLimits(
        redis_url="",
        login="10/minute",
        register="10/minute",
        anonymous_post=anonymous_post,
        tracking="3/minute",
        device=device,
    )
    proxy = ServiceProxy(
        not_proxied,
        upstreams={"catalog": url, "requests": url, "feedback": f"http://127.0.0.1:{free_port()}"},
        timeout=upstream_timeout,
        connect_timeout=5.0,  # a busy machine (the suite runs in parallel) can be slow to accept
        ratelimits=limits,
    )
    try:
        yield RequestContextMiddleware(BodyLimitMiddleware(proxy, max_bytes=max_body))
    finally:
        await proxy.aclose()


def client_from(app: ASGIApp, ip: str = "203.0.113.9") -> httpx.AsyncClient:
    """A client whose requests reach `app` from address `ip` (the proxy's client address is the
    socket's peer, never a caller's X-Forwarded-For)."""
    transport = httpx.ASGITransport(app=app, client=(ip, 4000))
    return httpx.AsyncClient(transport=transport, base_url="http://gw.example", timeout=30)


@asynccontextmanager
async def gateway(url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_app(url, **settings) as app, client_from(app) as client:
        yield client


async def test_path_query_method_and_forwarded_headers_reach_the_service(upstream_url: str) -> None:
    async with gateway(upstream_url) as client:
        response = await client.put(
            "/api/v1/catalog/things/7?x=1&y=二",
            content=b"abc",
            headers={
                "X-Request-ID": "rid-1",
                "Authorization": "Bearer t",
                "X-Forwarded-For": "198.51.100.1",
                "X-Service-Token": "smuggled",
            },
        )
    seen = response.json()
    assert seen["method"] == "PUT" and seen["path"] == "/api/v1/catalog/things/7"
    assert "x=1" in seen["query"]
    headers = seen["headers"]
    assert headers["x-forwarded-for"] == "198.51.100.1, 203.0.113.9"
    assert headers["x-forwarded-proto"] == "http" and headers["x-forwarded-host"] == "gw.example"
    assert headers["x-request-id"] == "rid-1" and headers["authorization"] == "Bearer t"
    assert "x-service-token" not in headers, "a caller must not pass a service token through the gateway"
    assert seen["body_len"] == 3


async def test_the_path_goes_upstream_as_the_client_encoded_it(upstream_url: str) -> None:
    # Decoded, %23 would end the path at a fragment (agency 5) and %3F would start a query.
    async with gateway(upstream_url) as client:
        hash_ = (await client.get("/api/v1/catalog/agencies/5%23/guide")).json()
        question = (await client.get("/api/v1/catalog/a%3Fb%2Fc?x=%E4%BA%8C")).json()
        raw = (await client.get("/api/v1/catalog/加装电梯")).json()
    assert (hash_["path"], hash_["query"]) == ("/api/v1/catalog/agencies/5#/guide", "")
    assert (question["path"], question["query"]) == ("/api/v1/catalog/a?b/c", "x=%E4%BA%8C")
    assert raw["path"] == "/api/v1/catalog/加装电梯"


async def test_a_redirect_never_shows_the_service_address_nor_a_second_date_or_server(
    upstream_url: str,
) -> None:
    async with gateway(upstream_url) as client:
        moved = await client.get("/api/v1/catalog/moved")
        echoed = await client.get("/api/v1/catalog/x")
    assert moved.status_code == 307 and moved.headers["location"] == "/api/v1/catalog/things/?x=1"
    # The service's own Date and Server stay behind: the gateway's server writes one of each.
    for response in (moved, echoed):
        assert "date" not in response.headers and "server" not in response.headers


async def test_the_exact_prefix_is_proxied_and_look_alikes_are_not(upstream_url: str) -> None:
    async with gateway(upstream_url) as client:
        assert (await client.get("/api/v1/requests")).json()["path"] == "/api/v1/requests"
        assert (await client.get("/api/v1/requestsx")).status_code == 404


async def test_the_calendar_admin_prefix_goes_to_requests_and_other_admin_routes_stay(
    upstream_url: str,
) -> None:
    async with gateway(upstream_url) as client:
        for path in ("/api/v1/admin/calendar", "/api/v1/admin/calendar/2027"):
            assert (await client.get(path)).json()["path"] == path
        assert (await client.get("/api/v1/admin/users")).status_code == 404  # the gateway's own
        assert (await client.get("/api/v1/admin/calendarx")).status_code == 404


async def test_a_large_body_streams_up_and_a_large_response_streams_down(upstream_url: str) -> None:
    payload = bytes(range(256)) * 3000  # 768 kB, above the buffering threshold

    async def body():  # type: ignore[no-untyped-def]
        for i in range(0, len(payload), 65_536):
            yield payload[i : i + 65_536]

    async with gateway(upstream_url) as client:
        up = await client.post(
            "/api/v1/catalog/upload", content=body(), headers={"Authorization": "Bearer t"}
        )
        assert up.json()["body_len"] == len(payload)
        assert up.json()["body_sum"] == sum(payload) % 1_000_003
        down = await client.get("/api/v1/catalog/stream")
        assert len(down.content) == 2_000_000 and down.content[10_000] == 1


async def test_a_body_over_the_limit_is_413_with_or_without_content_length(upstream_url: str) -> None:
    async def chunked():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 65_536

    async with gateway(upstream_url, max_body=1_000_000) as client:
        declared = await client.post("/api/v1/catalog/x", content=b"x" * 2_000_000)
        streamed = await client.post("/api/v1/catalog/x", content=chunked())
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_slow_service_is_504_and_an_absent_one_503_without_hanging(upstream_url: str) -> None:
    async with gateway(upstream_url, upstream_timeout=0.5) as client:
        started = time.monotonic()
        slow_answer = await client.get("/api/v1/catalog/slow")
        absent = await client.get("/api/v1/feedback/anything")
        elapsed = time.monotonic() - started
    assert slow_answer.status_code == 504 and slow_answer.json()["code"] == "upstream_timeout"
    assert absent.status_code == 503 and absent.json()["code"] == "service_unavailable"
    assert absent.headers["retry-after"] and elapsed < 3


async def test_anonymous_posts_are_rate_limited_but_authenticated_ones_and_reads_are_not(
    upstream_url: str,
) -> None:
    async with gateway(upstream_url, anonymous_post="2/minute") as client:
        codes = [(await client.post("/api/v1/catalog/m", json={})).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = await client.post("/api/v1/catalog/m", json={})
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) >= 1
        assert (
            await client.post("/api/v1/catalog/m", json={}, headers={"Authorization": "Bearer t"})
        ).status_code == 200
        assert (await client.get("/api/v1/catalog/m")).status_code == 200


DEVICE = "f3b0c442-98fc-1c14-9afb-4c8996fb9242"  # a mobile app's install id


async def test_anonymous_posts_are_limited_per_device_across_addresses(upstream_url: str) -> None:
    """One phone hopping between addresses (mobile data, Wi-Fi) still meets its own limit."""
    async with gateway_app(upstream_url, anonymous_post="100/minute", device="2/minute") as app:
        clients = [client_from(app, f"198.51.100.{n}") for n in (1, 2, 3, 4)]
        headers = {"X-Device-Token": DEVICE}
        codes = [
            (await client.post("/api/v1/catalog/m", json={}, headers=headers)).status_code
            for client in clients[:3]
        ]
        assert codes == [200, 200, 429]
        limited = await clients[3].post("/api/v1/catalog/m", json={}, headers=headers)
        assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) >= 1
        # Another device from the same address, the same address without a device token, and the
        # same device signed in are all counted apart from the full device bucket.
        other = {"X-Device-Token": "another-install-id-0002"}
        assert (await clients[3].post("/api/v1/catalog/m", json={}, headers=other)).status_code == 200
        assert (await clients[3].post("/api/v1/catalog/m", json={})).status_code == 200
        signed_in = {**headers, "Authorization": "Bearer t"}
        assert (await clients[3].post("/api/v1/catalog/m", json={}, headers=signed_in)).status_code == 200
        for client in clients:
            await client.aclose()


async def test_the_per_address_limit_holds_whatever_device_tokens_are_sent(upstream_url: str) -> None:
    """A fresh device token per request does not get around the per-address limit."""
    async with gateway_app(upstream_url, anonymous_post="2/minute", device="100/minute") as app:
        async with client_from(app) as client:
            codes = [
                (
                    await client.post(
                        "/api/v1/catalog/m", json={}, headers={"X-Device-Token": f"install-{n:04}"}
                    )
                ).status_code
                for n in range(3)
            ]
        async with client_from(app, "198.51.100.77") as elsewhere:
            fresh = await elsewhere.post(
                "/api/v1/catalog/m", json={}, headers={"X-Device-Token": "install-0000"}
            )
    assert codes == [200, 200, 429]
    assert fresh.status_code == 200  # another address, and that device has 99 left


@pytest.mark.parametrize(
    "token",
    ["short", "x" * 129, "has a space", "tab\there-token", "设备标识设备标识设备标识", ""],
    ids=["too_short", "too_long", "space", "control", "not_ascii", "empty"],
)
async def test_a_malformed_device_token_is_422_naming_the_header(upstream_url: str, token: str) -> None:
    async with gateway(upstream_url) as client:
        response = await client.post(
            "/api/v1/catalog/m", json={}, headers={"X-Device-Token": token.encode("utf-8")}
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["code"] == "validation_failed"
    assert [e["field"] for e in problem["errors"]] == ["header.X-Device-Token"]


async def test_two_device_tokens_on_one_request_are_refused(upstream_url: str) -> None:
    async with gateway(upstream_url) as client:
        response = await client.post(
            "/api/v1/catalog/m",
            json={},
            headers=[("X-Device-Token", "install-0001"), ("X-Device-Token", "install-0002")],
        )
    assert response.status_code == 422 and "X-Device-Token" in response.text


async def test_device_tokens_are_ignored_on_reads_and_signed_in_posts(upstream_url: str) -> None:
    """Only anonymous POSTs are counted per device, so only they are checked."""
    async with gateway(upstream_url, device="1/minute") as client:
        bad = {"X-Device-Token": "bad token"}
        assert (await client.get("/api/v1/catalog/m", headers=bad)).status_code == 200
        signed_in = {**bad, "Authorization": "Bearer t"}
        assert (await client.post("/api/v1/catalog/m", json={}, headers=signed_in)).status_code == 200


def test_the_device_limit_keys_the_token_by_its_hash() -> None:
    """The limiter's storage (Redis, shared) never holds the install id itself."""
    from gateway.proxy import _device_key

    key = _device_key([DEVICE.encode()])
    assert DEVICE not in key and len(key) == 64
    assert key == _device_key([DEVICE.encode()]) != _device_key([b"another-install-id-0002"])


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


async def test_rate_limits_are_shared_through_redis_when_configured() -> None:
    import uuid

    if not _redis_up():
        reason = "no Redis on 127.0.0.1:6379"
        if CI:
            pytest.fail(f"CI=true: {reason} — the shared rate limit test must run in CI", pytrace=False)
        pytest.skip(f"!!! REDIS RATE LIMIT TEST NOT RUN: {reason}")
    url = "redis://127.0.0.1:6379/0"
    first = RateLimits(redis_url=url, login="2/minute", register="1/minute", anonymous_post="1/minute")
    second = RateLimits(redis_url=url, login="2/minute", register="1/minute", anonymous_post="1/minute")
    assert await first.ping()
    who = uuid.uuid4().hex
    await first.hit("login", who)
    await second.hit("login", who)
    from shared.errors import TooManyRequests

    with pytest.raises(TooManyRequests):
        await first.hit("login", who)


def test_problem_bodies_are_json() -> None:
    assert json.loads(problem_response(503, "x", "t", "d").body)["status"] == 503


async def test_tracking_code_lookups_are_rate_limited_per_address(upstream_url: str) -> None:
    async with gateway(upstream_url) as client:
        codes = [
            (await client.get("/api/v1/requests/track/YSQ2026-X?code=guess")).status_code for _ in range(4)
        ]
        other = await client.get("/api/v1/requests/outcomes")
    assert codes[:3] == [404, 404, 404] and codes[3] == 429  # the fake service knows no such route
    assert other.status_code == 404


async def test_the_calendar_admin_prefix_goes_to_the_requests_service_only(upstream_url: str) -> None:
    """`/api/v1/admin/calendar…` is the requests service's; the gateway's other admin routes stay home."""
    limits = RateLimits(
        redis_url="", login="1/minute", register="1/minute", anonymous_post="1/minute", tracking="1/minute"
    )
    nowhere = f"http://127.0.0.1:{free_port()}"  # catalog and feedback: nothing listens there
    proxy = ServiceProxy(
        not_proxied,
        upstreams={"catalog": nowhere, "requests": upstream_url + "/", "feedback": nowhere},
        timeout=1.0,
        connect_timeout=5.0,  # a busy machine (the suite runs in parallel) can be slow to accept
        ratelimits=limits,
    )
    try:
        async with client_from(proxy) as client:
            for path in ("/api/v1/admin/calendar", "/api/v1/admin/calendar/2027"):
                reached = await client.get(path)
                assert reached.status_code == 200 and reached.json()["path"] == path, reached.text
            for path in ("/api/v1/admin/users", "/api/v1/admin/sites/1", "/api/v1/admin/calendars"):
                kept = await client.get(path)
                assert (kept.status_code, kept.json()["detail"]) == (404, "不在代理范围"), (path, kept.text)
            unreachable = await client.get("/api/v1/feedback/x")
            assert unreachable.status_code == 503, unreachable.text  # sent to feedback, which is down
    finally:
        await proxy.aclose()
