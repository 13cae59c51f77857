"""Fixtures: throwaway databases on every backend, in-process apps, tokens, and a real cluster.

Database tests run on SQLite and, when PostgreSQL on 127.0.0.1:5432 answers, on PostgreSQL
too. Under CI=true PostgreSQL is required: the run stops at once if it cannot be reached.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from gateway.keys import KeyRing
from shared.auth import TokenVerifier
from shared.db import utcnow
from shared.devrun import ORDER, PREFIX, Cluster, free_port, wiring_env

CI = os.environ.get("CI", "").lower() == "true"
PG_HOST = os.environ.get("GONGKAI_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN = f"postgresql://postgres@{PG_HOST}:5432/postgres"
ISSUER, AUDIENCE = "gongkai-gateway", "gongkai"


def _postgres_reachable() -> bool:
    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    return True


PG_OK = _postgres_reachable()
BACKENDS = ["sqlite", "postgresql"] if PG_OK else ["sqlite"]


def pytest_sessionstart(session: pytest.Session) -> None:
    if CI and not PG_OK:
        pytest.exit(f"CI=true but PostgreSQL at {PG_ADMIN} is unreachable: refusing to skip it", returncode=1)


def pytest_report_header(config: pytest.Config) -> str:
    if PG_OK:
        return f"database backends: {', '.join(BACKENDS)}"
    return "database backends: sqlite ONLY — PostgreSQL unreachable, its tests are NOT run (CI would fail)"


async def create_database(backend: str, tmp_path: Path, name: str, *, schema: str | None = None) -> str:
    """A new database: empty, or with `schema` (a process name) the process's migrations at head,
    copied from a template migrated once per test session (a fresh migration per test was a large
    part of the suite's time). PostgreSQL ones are dropped at the end."""
    if backend == "sqlite":
        path = tmp_path / f"{name}-{uuid.uuid4().hex[:8]}.db"
        if schema is not None:
            shutil.copyfile(await _template(backend, schema), path)
        return f"sqlite+aiosqlite:///{path}"
    db = f"gk_test_{name}_{uuid.uuid4().hex[:10]}"
    template = f' TEMPLATE "{await _template(backend, schema)}"' if schema is not None else ""
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'CREATE DATABASE "{db}"{template}')
    finally:
        await conn.close()
    _CREATED.append(db)
    return f"postgresql+asyncpg://postgres@{PG_HOST}:5432/{db}"


_CREATED: list[str] = []
_TEMPLATES: dict[tuple[str, str], str] = {}  # (backend, process) -> SQLite file / PostgreSQL database
_TEMPLATE_DIR = Path(tempfile.mkdtemp(prefix="gongkai-test-templates-"))


async def _template(backend: str, process: str) -> str:
    from shared.cli import migrations_dir
    from shared.db import migrate

    found = _TEMPLATES.get((backend, process))
    if found is None:
        if backend == "sqlite":
            found = str(_TEMPLATE_DIR / f"{process}.db")
            await asyncio.to_thread(migrate, migrations_dir(process), f"sqlite+aiosqlite:///{found}")
        else:
            url = await create_database(backend, _TEMPLATE_DIR, f"template_{process}")
            await asyncio.to_thread(migrate, migrations_dir(process), url)
            found = url.rsplit("/", 1)[1]
        _TEMPLATES[(backend, process)] = found
    return found


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(_TEMPLATE_DIR, ignore_errors=True)
    if not _CREATED:
        return

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            for db in reversed(_CREATED):  # copies before their template
                await conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def gateway_with_clerks(clerks: dict[int, list[int]], *, down: bool = False) -> Any:
    """The services' assignee check (`shared.staff.gateway_clerks`) against a stand-in gateway that
    knows `clerks` (agency id → ids of its working clerks), or answers 503 when `down`."""
    from shared.http import ServiceClient
    from shared.staff import gateway_clerks

    def answer(request: httpx.Request) -> httpx.Response:
        if down:
            return httpx.Response(503)
        agency = int(request.url.params["agency_id"])
        return httpx.Response(
            200,
            json=[
                {"id": i, "username": f"clerk{i}", "display_name": "经办人"} for i in clerks.get(agency, [])
            ],
        )

    client = ServiceClient("http://gateway", "test", retries=0, transport=httpx.MockTransport(answer))
    return gateway_clerks(client)


class Tokens:
    """Signs access tokens the way the gateway does, with a test key."""

    def __init__(self, keyring: KeyRing) -> None:
        self.keyring = keyring

    def claims(self, role: str, **extra: Any) -> dict[str, Any]:
        now = utcnow()
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": extra.pop("sub", "1001"),
            "name": f"test-{role}",
            "role": role,
            "agency_id": None,
            "region_id": None,
            "typ": "access",
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=15)).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        claims.update(extra)
        return claims

    def make(self, role: str, **extra: Any) -> str:
        return self.keyring.sign(self.claims(role, **extra))

    def header(self, role: str, **extra: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make(role, **extra)}"}

    def verifier(self) -> TokenVerifier:
        async def keys() -> dict[str, Any]:
            return self.keyring.jwks()

        return TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, min_refresh_seconds=0.0)


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    ring = KeyRing.from_settings(
        signing_key="",
        previous_public_keys=[],
        key_dir=tmp_path_factory.mktemp("keys"),
        keep_retired=timedelta(minutes=16),
    )
    return Tokens(ring)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


async def _serve(app: FastAPI, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def catalog(backend: str, tmp_path: Path, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    """The catalog service in process, on a fresh database, trusting the test key."""
    from services.catalog.app import create_app
    from services.catalog.settings import CatalogSettings

    url = await create_database(backend, tmp_path, "catalog", schema="catalog")
    app = create_app(
        CatalogSettings(
            database_url=url,
            environment="test",
            search_index_dir=tmp_path / "search",
            attachment_dir=tmp_path / "files",
            scheduler_seconds=0.2,
        )
    )
    app.state.verifier = tokens.verifier()
    async for client in _serve(app, "http://catalog"):
        yield client


@pytest.fixture
async def gateway(backend: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in process on a fresh database (no services behind it)."""
    from gateway.app import create_app
    from gateway.settings import GatewaySettings

    url = await create_database(backend, tmp_path, "gateway", schema="gateway")
    dead = f"http://127.0.0.1:{free_port()}"
    settings = GatewaySettings(
        database_url=url,
        environment="test",
        key_dir=tmp_path / "keys",
        catalog_url=dead,
        requests_url=dead,
        feedback_url=dead,
        rate_limit_login="1000/minute",
        rate_limit_register="1000/minute",
        upstream_timeout_seconds=2.0,
    )
    async for client in _serve(create_app(settings), "http://gateway"):
        yield client


async def login(client: httpx.AsyncClient, username: str, password: str = "gongkai-demo") -> dict[str, Any]:
    response = await client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def cluster_env(tmp: Path, ports: dict[str, int], urls: dict[str, str]) -> dict[str, str]:
    env = wiring_env(ports)
    for name in ORDER:
        env[f"{PREFIX[name]}DATABASE_URL"] = urls[name]
        env[f"{PREFIX[name]}ENVIRONMENT"] = "test"
        env[f"{PREFIX[name]}LOG_LEVEL"] = "INFO" if name == "catalog" else "WARNING"
    env |= {
        "GATEWAY_KEY_DIR": str(tmp / "keys"),
        "GATEWAY_RATE_LIMIT_LOGIN": "10000/minute",
        "GATEWAY_RATE_LIMIT_REGISTER": "10000/minute",
        "GATEWAY_RATE_LIMIT_ANONYMOUS_POST": "10000/minute",
        "GATEWAY_RATE_LIMIT_DEVICE": "10000/minute",
        "GATEWAY_RATE_LIMIT_TRACKING": "10000/minute",
        "GATEWAY_UPSTREAM_TIMEOUT_SECONDS": "3",
    }
    return env


@pytest.fixture(scope="session", params=BACKENDS)
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """All four processes under uvicorn on free ports, demo data seeded through the API."""
    from gateway.demo import seed

    backend = request.param
    tmp = tmp_path_factory.mktemp(f"cluster-{backend}")
    urls = {name: asyncio.run(create_database(backend, tmp, name)) for name in ORDER}
    ports = {name: free_port() for name in ORDER}
    running = Cluster(ports=ports, env=cluster_env(tmp, ports, urls), cwd=tmp, log_dir=tmp)
    try:
        running.start_all()
        seed(running.url())
        yield running
    finally:
        running.stop_all()


BODY = (
    "各乡镇人民政府，县政府各部门：经研究决定，自明年一月起提高城乡最低生活保障标准，城市每人每月九百八十元。"
)


class World:
    """Agencies (province › city › two counties) and the people who act on them."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens, ids: dict[str, int]) -> None:
        self.client, self.tokens, self.ids = client, tokens, ids

    def clerk(self, sub: str, agency: str = "east") -> dict[str, str]:
        return self.tokens.header("clerk", sub=sub, agency_id=self.ids[agency])

    def inspector(self, region: str = "city") -> dict[str, str]:
        return self.tokens.header("inspector", sub="900", region_id=self.ids[region])

    async def draft(self, author: str = "101", **extra: object) -> dict:
        body = {
            "title": "东湖县关于调整最低生活保障标准的通知",
            "doc_number": "东政发〔2026〕12号",
            "written_on": "2026-11-02",
            "category": "civil_affairs",
            "doc_type": "notice",
            "body_text": BODY,
            **extra,
        }
        response = await self.client.post("/api/v1/catalog/documents", json=body, headers=self.clerk(author))
        assert response.status_code == 201, response.text
        return response.json()

    async def publish(self, author: str = "101", reviewer: str = "102", **extra: object) -> dict:
        doc = await self.draft(author, **extra)
        assert (await self.act(doc["id"], "submit", author)).status_code == 200
        approved = await self.act(doc["id"], "approve", reviewer, {"confidentiality_checked": True})
        assert approved.status_code == 200, approved.text
        return approved.json()

    async def act(
        self, doc_id: int, action: str, who: str, body: dict | None = None, agency: str = "east"
    ) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/catalog/documents/{doc_id}/{action}", json=body, headers=self.clerk(who, agency)
        )


@pytest.fixture
async def world(catalog: httpx.AsyncClient, tokens: Tokens) -> World:
    ids: dict[str, int] = {}
    admin = tokens.header("admin")
    for key, code, level, parent in [
        ("province", "990000", "province", None),
        ("city", "990100", "city", "province"),
        ("east", "990121", "county", "city"),
        ("west", "990122", "county", "city"),
        ("other_city", "990200", "city", "province"),
    ]:
        response = await catalog.post(
            "/api/v1/catalog/agencies",
            headers=admin,
            json={
                "code": code,
                "name": f"{key}机关",
                "level": level,
                "parent_id": ids[parent] if parent else None,
            },
        )
        ids[key] = response.json()["id"]
    return World(catalog, tokens, ids)
