"""A disabled account or a revoked login stops working at the gateway within seconds, on every
replica, not when its access token expires (15 minutes later).

Each test runs two gateway instances sharing one database (SQLite and PostgreSQL) and, in the
Redis variant, one Redis: replicas behind a load balancer. The admin acts through the first, the
clerk's next request goes through the second. A fake service behind both answers every proxied
request with 200, so a refusal can only come from the gateway. Under CI=true the Redis variant
must run.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.devrun import free_port
from tests.conftest import CI, create_database, login

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "clerk-password-1"
# Short enough for quick tests; the production default (2 s) is measured in its own test.
CACHE_SECONDS = 0.3


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


REDIS_UP = _redis_up()


async def answer(request: Request) -> Response:
    """Any service route: 200, so only the gateway can refuse."""
    return JSONResponse({"id": 1, "path": request.url.path, "method": request.method})


service = Starlette(routes=[Route("/{rest:path}", answer, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    """The fake service on a real socket (the proxy reaches services over HTTP)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(service, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest) -> str:
    if request.param == "redis" and not REDIS_UP:
        reason = "no Redis on 127.0.0.1:6379"
        if CI:
            pytest.fail(f"CI=true: {reason} — the shared revocation set must be tested in CI", pytrace=False)
        pytest.skip(f"!!! REDIS REVOCATION TESTS NOT RUN: {reason}")
    return str(request.param)


@asynccontextmanager
async def replicas(
    backend: str,
    tmp_path: Path,
    store: str,
    service_url: str,
    *,
    count: int = 2,
    cache_seconds: float = CACHE_SECONDS,
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`count` gateway apps on one database, one signing key and (Redis variant) one Redis."""
    from gateway.app import create_app
    from gateway.settings import GatewaySettings

    url = await create_database(backend, tmp_path, "gateway", schema="gateway")
    prefix = f"gongkai-test:revoked:{uuid.uuid4().hex}"
    settings = GatewaySettings(
        database_url=url,
        environment="test",
        key_dir=tmp_path / "keys",
        catalog_url=service_url,
        requests_url=service_url,
        feedback_url=service_url,
        rate_limit_login="1000/minute",
        rate_limit_register="1000/minute",
        redis_url=REDIS_URL if store == "redis" else "",
        revocation_cache_seconds=cache_seconds,
        revocation_redis_prefix=prefix,
    )
    try:
        async with AsyncExitStack() as stack:
            clients = []
            for index in range(count):
                app = create_app(settings)
                await stack.enter_async_context(app.router.lifespan_context(app))
                transport = httpx.ASGITransport(app=app)
                client = await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url=f"http://gateway-{index}")
                )
                client.app = app  # type: ignore[attr-defined]
                clients.append(client)
            yield clients
    finally:
        if store == "redis":
            from redis import asyncio as aioredis

            redis = aioredis.from_url(REDIS_URL)
            keys = [k async for k in redis.scan_iter(f"{prefix}:*")]
            if keys:
                await redis.delete(*keys)
            await redis.aclose()


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def claims(pair: dict[str, Any]) -> dict[str, Any]:
    payload = pair["access_token"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def make_clerk(gateway: httpx.AsyncClient, admin: dict[str, str], username: str = "clerk-a") -> int:
    response = await gateway.post(
        "/api/v1/admin/users",
        headers=admin,
        json={
            "username": username,
            "password": PASSWORD,
            "role": "clerk",
            "display_name": "王经办",
            "agency_id": 3,
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def write(gateway: httpx.AsyncClient, pair: dict[str, Any]) -> httpx.Response:
    """A clerk's write through the gateway's proxy."""
    return await gateway.post("/api/v1/catalog/documents", json={"title": "通知"}, headers=bearer(pair))


def assert_revoked(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "token_revoked", response.text
    assert response.headers["www-authenticate"] == "Bearer"


async def until_refused(gateway: httpx.AsyncClient, pair: dict[str, Any], limit: float = 5.0) -> float:
    """Seconds until the token's next write through `gateway` is refused (fails after `limit`)."""
    started = time.monotonic()
    while True:
        response = await write(gateway, pair)
        elapsed = time.monotonic() - started
        if response.status_code != 200:
            assert_revoked(response)
            return elapsed
        assert elapsed < limit, f"still accepted {elapsed:.2f}s after the revocation"
        await _sleep(0.02)


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def test_a_disabled_clerks_next_write_on_any_replica_is_401_token_revoked(
    backend: str, tmp_path: Path, store: str, service_url: str
) -> None:
    async with replicas(backend, tmp_path, store, service_url) as (first, second):
        admin = bearer(await login(first, "admin"))
        clerk_id = await make_clerk(first, admin)
        clerk = await login(second, "clerk-a", PASSWORD)
        assert (await write(first, clerk)).status_code == 200
        assert (await write(second, clerk)).status_code == 200

        disabled = await first.post(f"/api/v1/admin/users/{clerk_id}/disable", headers=admin)
        assert disabled.status_code == 200, disabled.text
        assert_revoked(await write(first, clerk))  # the replica that disabled: at once
        elapsed = await until_refused(second, clerk)
        print(f"\n[{backend}/{store}] disable → 401 on the other replica after {elapsed * 1000:.0f} ms")
        assert elapsed <= CACHE_SECONDS + 1.0
        # Reads and the gateway's own routes too, on both replicas.
        assert_revoked(await second.get("/api/v1/catalog/documents", headers=bearer(clerk)))
        for gateway in (first, second):
            assert_revoked(await gateway.get("/api/v1/auth/me", headers=bearer(clerk)))


async def test_with_the_default_cache_a_disable_is_refused_everywhere_within_five_seconds(
    backend: str, tmp_path: Path, store: str, service_url: str
) -> None:
    from gateway.settings import GatewaySettings

    default = GatewaySettings.model_fields["revocation_cache_seconds"].default
    assert default <= 5
    async with replicas(backend, tmp_path, store, service_url, cache_seconds=default) as (first, second):
        admin = bearer(await login(first, "admin"))
        clerk_id = await make_clerk(first, admin)
        clerk = await login(second, "clerk-a", PASSWORD)
        assert (await write(second, clerk)).status_code == 200  # the second replica has read the set
        assert (await first.post(f"/api/v1/admin/users/{clerk_id}/disable", headers=admin)).status_code == 200
        elapsed = await until_refused(second, clerk)
        print(f"\n[{backend}/{store}] default cache {default}s: disable → 401 after {elapsed * 1000:.0f} ms")
        assert elapsed <= default + 0.5


async def test_re_enabling_lets_a_new_login_work_and_tokens_from_before_stay_refused(
    backend: str, tmp_path: Path, store: str, service_url: str
) -> None:
    async with replicas(backend, tmp_path, store, service_url) as (first, second):
        admin = bearer(await login(first, "admin"))
        clerk_id = await make_clerk(first, admin)
        before = await login(second, "clerk-a", PASSWORD)
        assert (await first.post(f"/api/v1/admin/users/{clerk_id}/disable", headers=admin)).status_code == 200
        await until_refused(second, before)
        refused = await second.post("/api/v1/auth/token", data={"username": "clerk-a", "password": PASSWORD})
        assert refused.status_code == 401 and refused.json()["code"] == "account_disabled"

        assert (await first.post(f"/api/v1/admin/users/{clerk_id}/enable", headers=admin)).status_code == 200
        after = await login(second, "clerk-a", PASSWORD)
        await _sleep(CACHE_SECONDS + 0.2)  # both replicas have seen the enable
        for gateway in (first, second):
            assert (await write(gateway, after)).status_code == 200
            assert (await gateway.get("/api/v1/auth/me", headers=bearer(after))).status_code == 200
            assert_revoked(await write(gateway, before))
        again = await second.post("/api/v1/auth/refresh", json={"refresh_token": before["refresh_token"]})
        assert again.status_code == 401 and again.json()["code"] == "refresh_token_revoked"


async def test_reusing_a_refresh_token_refuses_the_access_tokens_of_its_family(
    backend: str, tmp_path: Path, store: str, service_url: str
) -> None:
    async with replicas(backend, tmp_path, store, service_url) as (first, second):
        admin = bearer(await login(first, "admin"))
        await make_clerk(first, admin)
        stolen = await login(first, "clerk-a", PASSWORD)
        other_session = await login(first, "clerk-a", PASSWORD)
        rotated = await first.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
        assert rotated.status_code == 200
        fresh = rotated.json()
        assert claims(fresh)["sid"] == claims(stolen)["sid"] != claims(other_session)["sid"]
        assert (await write(second, fresh)).status_code == 200

        reused = await first.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
        assert reused.status_code == 401 and reused.json()["code"] == "refresh_token_reused"
        assert_revoked(await write(first, fresh))
        await until_refused(second, fresh)
        await until_refused(second, stolen)
        assert (await write(second, other_session)).status_code == 200


async def test_logout_refuses_its_own_access_token_and_no_other_session(
    backend: str, tmp_path: Path, store: str, service_url: str
) -> None:
    async with replicas(backend, tmp_path, store, service_url) as (first, second):
        admin = bearer(await login(first, "admin"))
        await make_clerk(first, admin)
        phone = await login(second, "clerk-a", PASSWORD)
        desk = await login(second, "clerk-a", PASSWORD)
        assert (await write(second, phone)).status_code == 200
        out = await first.post("/api/v1/auth/logout", json={"refresh_token": phone["refresh_token"]})
        assert out.status_code == 204
        elapsed = await until_refused(second, phone)
        print(f"\n[{backend}/{store}] logout → 401 on the other replica after {elapsed * 1000:.0f} ms")
        assert_revoked(await second.get("/api/v1/auth/me", headers=bearer(phone)))
        for gateway in (first, second):
            assert (await write(gateway, desk)).status_code == 200
            assert (await gateway.get("/api/v1/auth/me", headers=bearer(desk))).status_code == 200


async def test_a_password_reset_refuses_every_session_of_the_user_only(
    backend: str, tmp_path: Path, store: str, service_url: str
) -> None:
    async with replicas(backend, tmp_path, store, service_url) as (first, second):
        admin = bearer(await login(first, "admin"))
        clerk_id = await make_clerk(first, admin)
        await make_clerk(first, admin, "clerk-b")
        sessions = [await login(second, "clerk-a", PASSWORD) for _ in range(2)]
        colleague = await login(second, "clerk-b", PASSWORD)
        reset = await first.post(
            f"/api/v1/admin/users/{clerk_id}/password", headers=admin, json={"new_password": "another-pass-2"}
        )
        assert reset.status_code == 200, reset.text
        for pair in sessions:
            await until_refused(second, pair)
        assert (await write(second, colleague)).status_code == 200
        assert (await write(second, await login(second, "clerk-a", "another-pass-2"))).status_code == 200


async def test_a_forged_token_naming_a_disabled_account_learns_nothing(
    backend: str, tmp_path: Path, store: str, service_url: str
) -> None:
    """The proxy reads claims unverified, but a hit is verified before it is answered."""
    async with replicas(backend, tmp_path, store, service_url, count=1) as (gateway,):
        admin = bearer(await login(gateway, "admin"))
        clerk_id = await make_clerk(gateway, admin)
        clerk = await login(gateway, "clerk-a", PASSWORD)
        assert (
            await gateway.post(f"/api/v1/admin/users/{clerk_id}/disable", headers=admin)
        ).status_code == 200
        head, _, signature = clerk["access_token"].split(".")
        forged_claims = {**claims(clerk), "sid": uuid.uuid4().hex}
        forged = base64.urlsafe_b64encode(json.dumps(forged_claims).encode()).rstrip(b"=").decode()
        response = await write(gateway, {"access_token": f"{head}.{forged}.{signature}"})
        assert response.status_code == 401 and response.json()["code"] == "invalid_token", response.text


async def test_tokens_name_their_session_and_unrevoked_traffic_reads_the_store_rarely(
    backend: str, tmp_path: Path, store: str, service_url: str
) -> None:
    async with replicas(backend, tmp_path, store, service_url, count=1) as (gateway,):
        admin_pair = await login(gateway, "admin")
        assert len(claims(admin_pair)["sid"]) == 32
        revocations = gateway.app.state.revocations  # type: ignore[attr-defined]
        loads, started = revocations.loads, time.monotonic()
        for _ in range(50):
            assert (await write(gateway, admin_pair)).status_code == 200
        elapsed = time.monotonic() - started
        # The database is read once per cache period; Redis is only asked for its version, and
        # the set itself is read once, as nothing changed.
        most = 1 + int(elapsed / CACHE_SECONDS) if store == "database" else 1
        assert revocations.loads - loads <= most


class FlakyStore:
    """A store whose version moves when told and which can be made unreachable."""

    def __init__(self) -> None:
        from gateway.revocation import Snapshot

        self.snapshot = Snapshot(frozenset(), frozenset({"7"}), "1")
        self.down = False
        self.versions = 0

    async def version(self) -> str | None:
        from redis.exceptions import ConnectionError as RedisConnectionError

        if self.down:
            raise RedisConnectionError("down")
        self.versions += 1
        return self.snapshot.version

    async def load(self) -> Any:
        return self.snapshot


async def test_the_set_is_read_once_per_period_and_a_store_outage_is_bridged_briefly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Within the period no request asks the store; while it is down the last copy serves for
    STALE_LIMIT_SECONDS, then requests are refused with 503 rather than let revoked tokens in."""
    from datetime import timedelta

    from gateway import revocation
    from gateway.revocation import Revocations, TokenRevoked
    from shared.errors import ServiceUnavailable

    clock = [1000.0]
    monkeypatch.setattr(revocation.time, "monotonic", lambda: clock[0])
    store = FlakyStore()
    revocations = Revocations(store, ttl=2.0, family_lifetime=timedelta(minutes=16))  # type: ignore[arg-type]
    with pytest.raises(TokenRevoked):
        await revocations.check("7", None)
    for _ in range(100):
        await revocations.check("8", "some-session")
    assert store.versions == 1 and revocations.loads == 1
    clock[0] += 2.0
    await revocations.check("8", None)
    assert store.versions == 2 and revocations.loads == 1  # same version: not read again

    store.down = True
    clock[0] += 5.0
    with pytest.raises(TokenRevoked):  # the last copy still refuses
        await revocations.check("7", None)
    clock[0] += revocation.STALE_LIMIT_SECONDS
    with pytest.raises(ServiceUnavailable):
        await revocations.check("8", None)
    asked = store.versions
    store.down = False
    with pytest.raises(ServiceUnavailable):  # until the retry is due, without asking the store
        await revocations.check("8", None)
    assert store.versions == asked
    clock[0] += revocation.RETRY_SECONDS
    await revocations.check("8", None)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            b"Bearer " + b".".join([b"e30", base64.urlsafe_b64encode(b'{"sub":"5","sid":"ab"}'), b"x"]),
            ("5", "ab"),
        ),
        (b"Bearer " + b".".join([b"e30", base64.urlsafe_b64encode(b'{"sub":5}'), b"x"]), ("5", None)),
        (b"Bearer not-a-jwt", (None, None)),
        (b"Bearer a.%%%.c", (None, None)),
        (b"Bearer a.WzFd.c", (None, None)),  # a JSON list, not claims
        (b"Basic dXNlcjpwYXNz", (None, None)),
    ],
)
def test_the_proxy_reads_sub_and_sid_of_any_bearer_without_failing(
    header: bytes, expected: tuple[str | None, str | None]
) -> None:
    from gateway.revocation import token_session

    assert token_session(header) == expected
