"""Who may call what: every route of the merged contract × every role, through the gateway.

One table (`MATRIX`) names the expected status of each (method, path) for each role; a second
test derives the route set from the code (`build_from_code()`), so a new route without a row
fails here by name. Each row has a request builder that would succeed for the allowed roles
(valid body, unique values, existing ids), so a 401/403 is about the caller and nothing else.

Semantics: no credential → 401, a role that is not allowed → 403, an allowed role → 2xx, and
every non-2xx answer is `application/problem+json`.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import pytest

from shared.devrun import Cluster

PASSWORD = "gongkai-demo"
ROLES = ("anonymous", "public", "clerk", "inspector", "admin")
USERS = {"public": "citizen", "clerk": "clerk1", "inspector": "inspector", "admin": "admin"}
# Not part of the API surface the roles use: liveness/readiness probes.
INFRASTRUCTURE = {("GET", "/healthz"), ("GET", "/readyz")}
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
PROBLEM = "application/problem+json"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, status), "anonymous": 401}


def admin_only(status: int) -> dict[str, int]:
    return {"anonymous": 401, "public": 403, "clerk": 403, "inspector": 403, "admin": status}


ROTATE = ("POST", "/api/v1/admin/keys/rotate")

MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/.well-known/jwks.json"): everyone(200),
    ("POST", "/api/v1/auth/register"): everyone(201),
    ("POST", "/api/v1/auth/token"): everyone(200),
    # These two take the refresh token in the body; "anonymous" presents an invalid one.
    ("POST", "/api/v1/auth/refresh"): signed_in(200),
    ("POST", "/api/v1/auth/logout"): signed_in(204),
    ("GET", "/api/v1/auth/me"): signed_in(200),
    ("GET", "/api/v1/admin/users"): admin_only(200),
    ("POST", "/api/v1/admin/users"): admin_only(201),
    ("POST", "/api/v1/admin/users/{user_id}/disable"): admin_only(200),
    ("POST", "/api/v1/admin/users/{user_id}/enable"): admin_only(200),
    ("POST", "/api/v1/admin/users/{user_id}/password"): admin_only(200),
    ("GET", "/api/v1/catalog/agencies"): everyone(200),
    ("POST", "/api/v1/catalog/agencies"): admin_only(201),
    ("GET", "/api/v1/catalog/agencies/{agency_id}"): everyone(200),
    ("PATCH", "/api/v1/catalog/agencies/{agency_id}"): admin_only(200),
    ("GET", "/api/v1/feedback/vocabulary"): everyone(200),
    ("GET", "/api/v1/requests/outcomes"): everyone(200),
    # Last on purpose: every later login in the session is signed with the new key.
    ROTATE: admin_only(200),
}


@cache
def contract_operations() -> frozenset[tuple[str, str]]:
    """(METHOD, path) of every operation in the merged contract computed from the code."""
    from gateway.openapi import build_from_code

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:  # building the apps reconfigures logging; leave pytest's handlers as they were
        spec = build_from_code()
    finally:
        root.handlers[:], root.level = handlers, level
    return frozenset(
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    )


def test_every_route_of_the_contract_has_a_matrix_row() -> None:
    routes = contract_operations() - INFRASTRUCTURE
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, "routes without an authorization matrix row: " + ", ".join(
        f"{m} {p}" for m, p in missing
    )
    assert not stale, "matrix rows for routes that no longer exist: " + ", ".join(
        f"{m} {p}" for m, p in stale
    )
    assert all(set(expected) == set(ROLES) for expected in MATRIX.values())
    assert REQUESTS.keys() == MATRIX.keys()


# --- the cluster, as each role sees it ---------------------------------------------------------

_TOKENS: dict[str, dict[str, str]] = {}  # cluster url → role → access token (valid 15 minutes)
_STATE: dict[str, dict[str, Any]] = {}  # cluster url → ids looked up / created once


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def login(client: httpx.Client, username: str) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


def claims_of(access_token: str) -> dict[str, Any]:
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@dataclass
class Env:
    client: httpx.Client
    tokens: dict[str, str]
    state: dict[str, Any]

    def auth(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def ok(self, response: httpx.Response, *statuses: int) -> dict[str, Any]:
        assert response.status_code in statuses, f"setup failed: {response.request.url} {response.text}"
        return response.json() if response.content else {}

    def throwaway_user(self, *, disabled: bool = False) -> int:
        """A fresh public account, so no demo user (nor the admin) is ever disabled or reset."""
        name = unique("mx_")
        user = self.ok(
            self.client.post(
                "/api/v1/auth/register",
                json={"username": name, "password": PASSWORD, "display_name": "矩阵测试用户"},
            ),
            201,
        )
        if disabled:
            self.ok(
                self.client.post(f"/api/v1/admin/users/{user['id']}/disable", headers=self.auth("admin")), 200
            )
        return user["id"]

    def throwaway_agency(self) -> int:
        """A province of its own (outside the demo tree), created once per cluster."""
        if "throwaway_agency" not in self.state:
            created = self.ok(
                self.client.post(
                    "/api/v1/catalog/agencies",
                    headers=self.auth("admin"),
                    json={"code": unique("MX"), "name": "矩阵测试省", "level": "province"},
                ),
                201,
            )
            self.state["throwaway_agency"] = created["id"]
        return self.state["throwaway_agency"]

    def refresh_token(self, role: str) -> str:
        if role == "anonymous":
            return f"{uuid.uuid4().hex}.not-a-real-secret"
        return login(self.client, USERS[role])["refresh_token"]


@pytest.fixture
def env(cluster: Cluster) -> Iterator[Env]:
    base = cluster.url("gateway")
    with httpx.Client(base_url=base, timeout=30.0) as client:
        tokens = _TOKENS.get(base)
        if tokens is None:
            tokens = _TOKENS[base] = {
                role: login(client, user)["access_token"] for role, user in USERS.items()
            }
        state = _STATE.setdefault(base, {})
        if "agencies" not in state:
            listed = client.get("/api/v1/catalog/agencies", params={"page_size": 100})
            assert listed.status_code == 200, listed.text
            state["agencies"] = {a["code"]: a["id"] for a in listed.json()["items"]}
            users = client.get(
                "/api/v1/admin/users",
                params={"page_size": 100},
                headers={"Authorization": f"Bearer {tokens['admin']}"},
            )
            assert users.status_code == 200, users.text
            state["users"] = {u["username"]: u["id"] for u in users.json()["items"]}
        yield Env(client=client, tokens=tokens, state=state)


# --- one request per row that the allowed roles would get a 2xx for ----------------------------

Builder = Callable[[Env, str], dict[str, Any]]


def _plain(path: str) -> Builder:
    return lambda env, role: {"url": path, "headers": env.auth(role)}


def _register(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": "/api/v1/auth/register",
        "headers": env.auth(role),
        "json": {
            "username": unique("mx_"),
            "password": PASSWORD,
            "display_name": "矩阵测试",
            "account_type": "person",
        },
    }


def _token(env: Env, role: str) -> dict[str, Any]:
    user = USERS.get(role, "citizen")  # anonymous: anyone may log in
    return {
        "url": "/api/v1/auth/token",
        "headers": env.auth(role),
        "data": {"username": user, "password": PASSWORD},
    }


def _with_refresh(path: str) -> Builder:
    return lambda env, role: {"url": path, "json": {"refresh_token": env.refresh_token(role)}}


def _create_staff(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": "/api/v1/admin/users",
        "headers": env.auth(role),
        "json": {
            "username": unique("mx_"),
            "password": PASSWORD,
            "display_name": "矩阵测试经办人",
            "role": "clerk",
            "agency_id": env.state["agencies"]["990121"],
        },
    }


def _disable(env: Env, role: str) -> dict[str, Any]:
    return {"url": f"/api/v1/admin/users/{env.throwaway_user()}/disable", "headers": env.auth(role)}


def _enable(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"/api/v1/admin/users/{env.throwaway_user(disabled=True)}/enable",
        "headers": env.auth(role),
    }


def _password(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"/api/v1/admin/users/{env.throwaway_user()}/password",
        "headers": env.auth(role),
        "json": {"new_password": unique("new-passphrase-")},
    }


def _create_agency(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": "/api/v1/catalog/agencies",
        "headers": env.auth(role),
        "json": {
            "code": unique("MX"),
            "name": "矩阵测试部门",
            "level": "department",
            "parent_id": env.throwaway_agency(),
        },
    }


def _agency(env: Env, role: str) -> dict[str, Any]:
    return {"url": f"/api/v1/catalog/agencies/{env.state['agencies']['990121']}", "headers": env.auth(role)}


def _update_agency(env: Env, role: str) -> dict[str, Any]:
    return {
        "url": f"/api/v1/catalog/agencies/{env.throwaway_agency()}",
        "headers": env.auth(role),
        "json": {"name": f"矩阵测试省（{role}）"},
    }


REQUESTS: dict[tuple[str, str], Builder] = {
    ("GET", "/.well-known/jwks.json"): _plain("/.well-known/jwks.json"),
    ("POST", "/api/v1/auth/register"): _register,
    ("POST", "/api/v1/auth/token"): _token,
    ("POST", "/api/v1/auth/refresh"): _with_refresh("/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"): _with_refresh("/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"): _plain("/api/v1/auth/me"),
    ("GET", "/api/v1/admin/users"): _plain("/api/v1/admin/users"),
    ("POST", "/api/v1/admin/users"): _create_staff,
    ("POST", "/api/v1/admin/users/{user_id}/disable"): _disable,
    ("POST", "/api/v1/admin/users/{user_id}/enable"): _enable,
    ("POST", "/api/v1/admin/users/{user_id}/password"): _password,
    ("GET", "/api/v1/catalog/agencies"): _plain("/api/v1/catalog/agencies"),
    ("POST", "/api/v1/catalog/agencies"): _create_agency,
    ("GET", "/api/v1/catalog/agencies/{agency_id}"): _agency,
    ("PATCH", "/api/v1/catalog/agencies/{agency_id}"): _update_agency,
    ("GET", "/api/v1/feedback/vocabulary"): _plain("/api/v1/feedback/vocabulary"),
    ("GET", "/api/v1/requests/outcomes"): _plain("/api/v1/requests/outcomes"),
    ROTATE: _plain("/api/v1/admin/keys/rotate"),
}


def _wait_until_services_accept_new_tokens(env: Env) -> None:
    """After a rotation, services learn the new key from JWKS, re-fetched at most every 10 s.

    Until then a token signed with the new key can be refused with 401 `unknown_key` (reported
    as an app issue); wait here so later tests in the session are not hit by it.
    """
    fresh = login(env.client, "admin")["access_token"]
    target = f"/api/v1/catalog/agencies/{env.throwaway_agency()}"
    deadline = time.monotonic() + 20
    while True:
        response = env.client.patch(target, json={}, headers={"Authorization": f"Bearer {fresh}"})
        if response.status_code == 200:
            return
        assert time.monotonic() < deadline, (
            f"catalog still refuses a token signed after rotation: {response.text}"
        )
        time.sleep(0.5)


@pytest.mark.parametrize(("method", "path"), list(MATRIX), ids=[f"{m} {p}" for m, p in MATRIX])
def test_each_role_gets_the_expected_status(env: Env, method: str, path: str) -> None:
    expected = MATRIX[(method, path)]
    problems: list[str] = []
    for role in ROLES:
        request = REQUESTS[(method, path)](env, role)
        response = env.client.request(method, **request)
        status, want = response.status_code, expected[role]
        kind = response.headers.get("content-type", "")
        if status != want:
            problems.append(f"{role}: expected {want}, got {status} {response.text[:300]}")
        if not 200 <= status < 300:
            if not kind.startswith(PROBLEM):
                problems.append(f"{role}: {status} answered as {kind!r}, not {PROBLEM}")
            elif response.json().get("status") != status:
                problems.append(f"{role}: problem document says status {response.json().get('status')}")
    if (method, path) == ROTATE:
        _wait_until_services_accept_new_tokens(env)
    assert not problems, f"{method} {path}:\n  " + "\n  ".join(problems)


def test_staff_tokens_and_profiles_carry_their_agency_scope(env: Env) -> None:
    agencies = env.state["agencies"]
    county, city = agencies["990121"], agencies["990100"]
    expected = {
        "clerk1": {"role": "clerk", "agency_id": county, "region_id": None},
        "inspector": {"role": "inspector", "agency_id": None, "region_id": city},
        "clerk2": {"role": "clerk", "agency_id": agencies["990122"], "region_id": None},
        "citizen": {"role": "public", "agency_id": None, "region_id": None},
        "admin": {"role": "admin", "agency_id": None, "region_id": None},
    }
    for username, scope in expected.items():
        access = login(env.client, username)["access_token"]
        claims = claims_of(access)
        assert {k: claims.get(k) for k in scope} == scope, f"{username}'s token claims"
        me = env.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"})
        assert me.status_code == 200, me.text
        profile = me.json()
        assert profile["username"] == username
        assert profile["id"] == env.state["users"][username]
        assert {k: profile[k] for k in scope} == scope, f"{username}'s /auth/me"
