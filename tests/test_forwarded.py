"""A client cannot choose the address its rate limits count under (X-Forwarded-For from anyone).

The gateway runs as in production, under `gongkai serve` (uvicorn), so the server's own handling of
forwarded headers is what is tested, not the app's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.devrun import Cluster, free_port, wiring_env

pytestmark = pytest.mark.e2e

WRONG = {"username": "admin", "password": "not-the-password"}


def gateway(tmp: Path, **settings: str) -> Iterator[Cluster]:
    ports = {name: free_port() for name in ("catalog", "requests", "feedback", "gateway")}
    env = wiring_env(ports) | {
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}",
        "GATEWAY_ENVIRONMENT": "test",
        "GATEWAY_KEY_DIR": str(tmp / "keys"),
        "GATEWAY_RATE_LIMIT_LOGIN": "3/minute",
        # uvicorn's own default trusts this variable: a deployment that sets it must not undo ours
        "FORWARDED_ALLOW_IPS": "*",
        **settings,
    }
    running = Cluster(ports=ports, env=env, cwd=tmp, log_dir=tmp)
    try:
        running.start("gateway")
        running.wait_healthy("gateway")
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def default_gateway(tmp_path: Path) -> Iterator[Cluster]:
    yield from gateway(tmp_path)


@pytest.fixture
def gateway_behind_a_proxy(tmp_path: Path) -> Iterator[Cluster]:
    yield from gateway(tmp_path, GATEWAY_FORWARDED_ALLOW_IPS="127.0.0.1")


def logins(base: str, forwarded_for: list[str]) -> list[int]:
    return [
        httpx.post(f"{base}/api/v1/auth/token", data=WRONG, headers={"X-Forwarded-For": address}).status_code
        for address in forwarded_for
    ]


def test_a_spoofed_forwarded_address_does_not_escape_the_login_limit(default_gateway: Cluster) -> None:
    spoofed = [f"203.0.113.{i}" for i in range(1, 6)]
    assert logins(default_gateway.url(), spoofed) == [401, 401, 401, 429, 429]


def test_behind_a_configured_proxy_each_client_keeps_its_own_limit(gateway_behind_a_proxy: Cluster) -> None:
    base = gateway_behind_a_proxy.url()
    # The proxy (here 127.0.0.1) names five different clients: none of them is limited...
    assert logins(base, [f"203.0.113.{i}" for i in range(1, 6)]) == [401] * 5
    # ...while one client behind it is, after its own three attempts.
    assert logins(base, ["198.51.100.7"] * 4) == [401, 401, 401, 429]


def test_raw_chinese_in_a_url_is_a_chinese_problem_saying_to_percent_encode(default_gateway: Cluster) -> None:
    """HTTP allows only ASCII in the request target: curl sends 加装电梯 raw, and the parser refuses it."""
    import socket

    port = default_gateway.ports["gateway"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall("GET /api/v1/catalog/search?q=加装电梯 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/problem+json" in head.lower()
    problem = json.loads(body)
    assert problem["code"] == "invalid_http_request" and "--data-urlencode" in problem["detail"]
    # The same query, encoded as the problem says, is answered.
    assert httpx.get(f"{default_gateway.url()}/healthz", params={"q": "加装电梯"}).status_code == 200
