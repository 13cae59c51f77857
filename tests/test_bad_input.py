"""Every body-taking route refuses bad input cleanly, through the gateway, on every backend.

The routes and their fields come from the contract computed from the code (`build_from_code()`):
each operation with a `requestBody` gets malformed JSON, invalid UTF-8, a non-object, `{}`, an
unknown field, every field in a wrong type, 100k-character strings, out-of-range integers, NUL
characters and 2 MB bodies (with and without Content-Length). The form-encoded login gets the
analogous form cases. The answer must be a 4xx (400 malformed, 413 too big, 422 validation, with
`errors[]` naming the field) as `application/problem+json` — never a 5xx. Afterwards the system
still answers and the data accepted before is still there.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
import pytest

from shared.devrun import Cluster

PASSWORD = "gongkai-demo"
PROBLEM = "application/problem+json"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
TWO_MB = 2 * 1024 * 1024
LONG = 100_000
OK = frozenset(range(200, 300))
CLIENT_ERROR = frozenset(range(400, 500))
DEMO_CODES = {"990000", "990100", "990101", "990102", "990121", "990122", "99012101", "99012102", "99012201"}


# --- the routes, from the contract ------------------------------------------------------------


@cache
def contract() -> dict[str, Any]:
    from gateway.openapi import build_from_code

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:  # building the apps reconfigures logging; leave pytest's handlers as they were
        return build_from_code()
    finally:
        root.handlers[:], root.level = handlers, level


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return contract()["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else node


def _kind(prop: dict[str, Any]) -> str:
    """`string` (strings and string enums) or `integer`, looking through `anyOf [X, null]`."""
    options = [_resolve(o) for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    assert len(options) == 1, f"unexpected union in request schema: {prop}"
    kind = _resolve(options[0]).get("type")
    assert kind in ("string", "integer"), f"request field of a type this test does not cover: {prop}"
    return kind


@dataclass(frozen=True)
class BodyRoute:
    method: str
    path: str
    media_type: str
    fields: dict[str, str]  # name → "string" | "integer"
    required: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@cache
def body_routes() -> tuple[BodyRoute, ...]:
    found = []
    for path, item in contract()["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or "requestBody" not in operation:
                continue
            content = operation["requestBody"]["content"]
            assert len(content) == 1, f"{method.upper()} {path}: more than one media type"
            ((media_type, body),) = content.items()
            schema = _resolve(body["schema"])
            found.append(
                BodyRoute(
                    method=method.upper(),
                    path=path,
                    media_type=media_type,
                    fields={name: _kind(prop) for name, prop in schema["properties"].items()},
                    required=tuple(schema.get("required", ())),
                )
            )
    return tuple(found)


# --- how to call each one validly ---------------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@dataclass
class Env:
    client: httpx.Client
    admin_token: str
    state: dict[str, Any]

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, url, **kwargs)
        if method == "POST" and url == "/api/v1/catalog/agencies" and response.status_code == 201:
            self.state["created_agencies"] += 1
        if response.status_code >= 500:
            # A 5xx makes the service close its connection right after answering; give the
            # gateway's pooled connection time to notice, so the next case is not a stray 503.
            time.sleep(0.5)
        return response

    def ok(self, response: httpx.Response, status: int) -> dict[str, Any]:
        assert response.status_code == status, f"setup failed: {response.request.url} {response.text}"
        return response.json()

    def throwaway_user(self) -> int:
        """Whose password the reset route may change (never a demo user's)."""
        if "user" not in self.state:
            self.state["user"] = self.ok(
                self.client.post(
                    "/api/v1/auth/register",
                    json={"username": unique("bad_"), "password": PASSWORD, "display_name": "坏输入测试用户"},
                ),
                201,
            )["id"]
        return self.state["user"]

    def throwaway_agency(self) -> int:
        """A province of its own, outside the demo tree, that PATCH may rename."""
        if "agency" not in self.state:
            self.state["agency"] = self.ok(
                self.send(
                    "POST",
                    "/api/v1/catalog/agencies",
                    headers=self.admin,
                    json={"code": unique("BAD"), "name": "坏输入测试省", "level": "province"},
                ),
                201,
            )["id"]
        return self.state["agency"]

    def refresh_token(self) -> str:
        login = self.client.post("/api/v1/auth/token", data={"username": "citizen", "password": PASSWORD})
        return self.ok(login, 200)["refresh_token"]


PLACEHOLDER_REFRESH = "0123456789abcdef.not-a-real-refresh-secret"


@dataclass(frozen=True)
class Valid:
    """A request the route accepts: its URL (path params filled), whether admin, a body."""

    url: Callable[[Env, Any], str]
    body: Callable[[Env], dict[str, Any]]
    admin: bool = False
    control: Callable[[Env], dict[str, Any]] | None = None  # the positive control, when `body` is not


VALID: dict[tuple[str, str], Valid] = {
    ("POST", "/api/v1/auth/register"): Valid(
        url=lambda env, _: "/api/v1/auth/register",
        body=lambda env: {
            "username": unique("bad_"),
            "password": PASSWORD,
            "display_name": "坏输入测试",
            "account_type": "person",
            "email": "bad@example.org",
            "phone": "+86 571 0000",
        },
    ),
    ("POST", "/api/v1/auth/token"): Valid(
        url=lambda env, _: "/api/v1/auth/token",
        body=lambda env: {"username": "citizen", "password": PASSWORD},
    ),
    ("POST", "/api/v1/auth/refresh"): Valid(
        url=lambda env, _: "/api/v1/auth/refresh",
        body=lambda env: {"refresh_token": PLACEHOLDER_REFRESH},
        control=lambda env: {"refresh_token": env.refresh_token()},
    ),
    ("POST", "/api/v1/auth/logout"): Valid(
        url=lambda env, _: "/api/v1/auth/logout",
        body=lambda env: {"refresh_token": PLACEHOLDER_REFRESH},
        control=lambda env: {"refresh_token": env.refresh_token()},
    ),
    ("POST", "/api/v1/admin/users"): Valid(
        url=lambda env, _: "/api/v1/admin/users",
        body=lambda env: {
            "username": unique("bad_"),
            "password": PASSWORD,
            "display_name": "坏输入经办人",
            "role": "clerk",
            "agency_id": env.state["agencies"]["990121"],
            "email": "clerk@example.org",
            "phone": "0571-0000000",
        },
        admin=True,
    ),
    ("POST", "/api/v1/admin/users/{user_id}/password"): Valid(
        url=lambda env, uid: f"/api/v1/admin/users/{env.throwaway_user() if uid is None else uid}/password",
        body=lambda env: {"new_password": unique("new-passphrase-")},
        admin=True,
    ),
    ("POST", "/api/v1/catalog/agencies"): Valid(
        url=lambda env, _: "/api/v1/catalog/agencies",
        body=lambda env: {
            "code": unique("BAD"),
            "name": "坏输入测试部门",
            "level": "department",
            "parent_id": env.throwaway_agency(),
        },
        admin=True,
    ),
    ("PATCH", "/api/v1/catalog/agencies/{agency_id}"): Valid(
        url=lambda env, aid: f"/api/v1/catalog/agencies/{env.throwaway_agency() if aid is None else aid}",
        body=lambda env: {"name": unique("坏输入测试省-")},
        admin=True,
    ),
}


# --- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    route: BodyRoute
    name: str
    field: str | None = None
    value: Any = None

    @property
    def id(self) -> str:
        return f"{self.route.label} | {self.name}" + (f" [{self.field}]" if self.field else "")


JSON_CASES = (
    "valid",
    "malformed_json",
    "invalid_utf8",
    "not_an_object",
    "missing_required",
    "unknown_field",
    "too_big_content_length",
    "too_big_chunked",
)
FORM_CASES = (
    "valid",
    "malformed_form",
    "invalid_utf8",
    "invalid_utf8_percent_encoded",
    "missing_required",
    "json_instead_of_form",
    "unknown_field",
    "too_big_content_length",
    "too_big_chunked",
)
STRING_CASES = ("wrong_type_number", "wrong_type_list", "string_100k", "nul_character")
INTEGER_CASES = ("wrong_type_string", "wrong_type_list")
OUT_OF_RANGE = {"2^31": 2**31, "2^63": 2**63}  # beyond PostgreSQL integer, beyond SQLite INTEGER


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for route in body_routes():
        if route.media_type == FORM:
            cases += [Case(route, name) for name in FORM_CASES]
            cases += [
                Case(route, "string_100k", name) for name, kind in route.fields.items() if kind == "string"
            ]
            cases += [Case(route, "nul_character", name) for name in ("username", "password")]
            cases.append(Case(route, "wrong_value", "grant_type", "client_credentials"))
            continue
        cases += [Case(route, name) for name in JSON_CASES]
        for name, kind in route.fields.items():
            if kind == "string":
                cases += [Case(route, case, name) for case in STRING_CASES]
            else:
                cases += [Case(route, case, name) for case in INTEGER_CASES]
                cases += [
                    Case(route, f"integer_out_of_range_{label}", name, value)
                    for label, value in OUT_OF_RANGE.items()
                ]
        if "{" in route.path:
            cases += [
                Case(route, f"path_id_out_of_range_{label}", None, value)
                for label, value in OUT_OF_RANGE.items()
            ]
    return cases


CASES = all_cases()


def test_every_body_taking_route_is_covered() -> None:
    routes = body_routes()
    assert routes, "the contract has no operation with a requestBody: the derivation is broken"
    keys = {r.key for r in routes}
    missing = sorted(keys - VALID.keys())
    assert not missing, "body-taking routes without a valid request here: " + ", ".join(
        f"{m} {p}" for m, p in missing
    )
    assert not VALID.keys() - keys, (
        f"rows for routes that no longer take a body: {sorted(VALID.keys() - keys)}"
    )
    covered = {c.route.key for c in CASES}
    assert covered == keys
    assert {r.media_type for r in routes} <= {JSON, FORM}, "a media type this test does not know how to break"
    assert any(r.media_type == FORM for r in routes), "the form-encoded login is expected among them"


# --- the cluster ------------------------------------------------------------------------------------

_STATE: dict[str, dict[str, Any]] = {}  # cluster url → tokens, ids, counts (kept for the whole session)


@pytest.fixture
def env(cluster: Cluster) -> Iterator[Env]:
    base = cluster.url("gateway")
    # No keep-alive: a 5xx from the gateway closes the connection, which must not fail the next case.
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base, timeout=60.0, limits=limits) as client:
        state = _STATE.get(base)
        if state is None:
            login = client.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})
            assert login.status_code == 200, login.text
            listed = client.get("/api/v1/catalog/agencies", params={"page_size": 100})
            assert listed.status_code == 200, listed.text
            state = _STATE[base] = {
                "admin_token": login.json()["access_token"],
                "agencies_before": listed.json()["total"],
                "agencies": {a["code"]: a["id"] for a in listed.json()["items"]},
                "created_agencies": 0,
            }
        yield Env(client=client, admin_token=state["admin_token"], state=state)


# --- sending and judging ------------------------------------------------------------------------------


@dataclass
class Verdict:
    case: Case
    problems: list[str] = field(default_factory=list)

    def judge(self, response: httpx.Response, allowed: frozenset[int] | set[int], *names: str) -> None:
        status, kind = response.status_code, response.headers.get("content-type", "")
        what = f"{response.request.method} {response.request.url.path} → {status}"
        if status >= 500:
            self.problems.append(f"{what}: a server error for bad input: {response.text[:400]}")
        elif status not in allowed:
            self.problems.append(f"{what}: expected {sorted(allowed)[:6]}: {response.text[:400]}")
        if status in OK:
            return
        if not kind.startswith(PROBLEM):
            self.problems.append(f"{what}: content-type {kind!r}, not {PROBLEM}")
            return
        body = response.json()
        if body.get("status") != status or not body.get("code"):
            self.problems.append(f"{what}: incomplete problem document {body}")
        if status == 422:
            fields = [e.get("field", "") for e in body.get("errors", [])]
            for name in names:
                if not any(name in f for f in fields):
                    self.problems.append(f"{what}: errors[] does not name {name!r}: {fields}")


def _chunks(total: int, prefix: bytes, suffix: bytes) -> Iterator[bytes]:
    """A body streamed without Content-Length (chunked transfer encoding)."""
    yield prefix
    sent = 0
    while sent < total:
        piece = min(64 * 1024, total - sent)
        yield b"x" * piece
        sent += piece
    yield suffix


def _send(env: Env, case: Case, *, url: str | None = None, **kwargs: Any) -> httpx.Response:
    valid = VALID[case.route.key]
    headers = dict(kwargs.pop("headers", {}))
    if valid.admin:
        headers.update(env.admin)
    return env.send(case.route.method, url or valid.url(env, None), headers=headers, **kwargs)


def _json_bytes(env: Env, case: Case, raw: bytes) -> httpx.Response:
    return _send(env, case, content=raw, headers={"Content-Type": JSON})


def _run_common(env: Env, case: Case, v: Verdict, media_type: str) -> bool:
    """The cases both encodings share; False when `case` is not one of them."""
    name = case.name
    if name == "too_big_content_length":
        prefix = b'{"name": "' if media_type == JSON else b"username="
        body = prefix + b"x" * TWO_MB + (b'"}' if media_type == JSON else b"")
        v.judge(_send(env, case, content=body, headers={"Content-Type": media_type}), {413})
    elif name == "too_big_chunked":
        prefix, suffix = (b'{"name": "', b'"}') if media_type == JSON else (b"username=", b"")
        response = _send(
            env, case, content=_chunks(TWO_MB, prefix, suffix), headers={"Content-Type": media_type}
        )
        assert "content-length" not in response.request.headers
        v.judge(response, {413})
    elif name == "invalid_utf8":
        raw = b'{"name": "\xff\xfe"}' if media_type == JSON else b"username=\xff\xfe&password=\xff"
        v.judge(
            _send(env, case, content=raw, headers={"Content-Type": media_type}),
            {400} if media_type == JSON else {400, 401, 422},
        )
    else:
        return False
    return True


def _run_json(env: Env, case: Case, v: Verdict) -> None:
    route, valid, name = case.route, VALID[case.route.key], case.name
    if name == "valid":
        v.judge(_send(env, case, json=(valid.control or valid.body)(env)), OK)
    elif name == "malformed_json":
        response = _json_bytes(env, case, b'{"a":')
        v.judge(response, {400})
        if response.status_code == 400 and response.json().get("code") != "malformed_json":
            v.problems.append(f"malformed JSON answered with code {response.json().get('code')!r}")
    elif name == "not_an_object":
        for raw in (b"[]", b'"text"', b"42", b"null"):
            v.judge(_json_bytes(env, case, raw), {422}, "body")
    elif name == "missing_required":
        # A route without required fields (a partial update) must accept `{}`.
        v.judge(_send(env, case, json={}), {422} if route.required else OK, *route.required)
    elif name == "unknown_field":
        v.judge(_send(env, case, json={**valid.body(env), "zzz": 1}), {422}, "zzz")
    elif name.startswith("path_id_out_of_range"):
        v.judge(_send(env, case, url=valid.url(env, case.value), json=valid.body(env)), {404})
    elif name.startswith("integer_out_of_range"):
        v.judge(_send(env, case, json={**valid.body(env), case.field: case.value}), CLIENT_ERROR)
    else:
        assert case.field is not None, case
        body = valid.body(env)
        if name == "wrong_type_number":
            bad: Any = 12345
        elif name == "wrong_type_string":
            bad = "not-a-number"
        elif name == "wrong_type_list":
            bad = [body.get(case.field, "x")]
        elif name == "string_100k":
            bad = "x" * LONG
        elif name == "nul_character":
            current = body.get(case.field)
            bad = f"{current[:4]}\x00{current[4:]}" if isinstance(current, str) else "x\x00y"
        else:
            raise AssertionError(f"unknown case {name}")
        response = _send(env, case, json={**body, case.field: bad})
        if name == "nul_character":  # storing it or refusing it are both fine; failing is not
            v.judge(response, OK | CLIENT_ERROR, case.field)
        else:
            v.judge(response, {422}, case.field)


def _run_form(env: Env, case: Case, v: Verdict) -> None:
    valid, name = VALID[case.route.key], case.name
    if name == "valid":
        v.judge(_send(env, case, data=valid.body(env)), OK)
    elif name == "malformed_form":
        raw = b"%%%&&&==;;%zz"
        v.judge(
            _send(env, case, content=raw, headers={"Content-Type": FORM}), {400, 422}, *case.route.required
        )
    elif name == "invalid_utf8_percent_encoded":
        raw = b"username=%FF%FE&password=%FF"
        v.judge(_send(env, case, content=raw, headers={"Content-Type": FORM}), {400, 401, 422})
    elif name == "missing_required":
        v.judge(_send(env, case, content=b"", headers={"Content-Type": FORM}), {422}, *case.route.required)
    elif name == "json_instead_of_form":  # the form route's "wrong type": a JSON body
        v.judge(_send(env, case, json=valid.body(env)), {415, 422}, *case.route.required)
    elif name == "unknown_field":
        # RFC 6749 §3.2: the token endpoint MUST ignore unrecognized request parameters.
        v.judge(_send(env, case, data={**valid.body(env), "zzz": "1"}), OK)
    elif name == "wrong_value":
        v.judge(_send(env, case, data={**valid.body(env), case.field: case.value}), {422}, case.field)
    elif name == "string_100k":
        assert case.field is not None
        response = _send(env, case, data={**valid.body(env), case.field: "x" * LONG})
        if case.field in ("username", "password"):
            v.judge(response, {401, 422}, case.field)  # wrong credentials, or refused as too long
        elif case.field == "grant_type":
            v.judge(response, {422}, case.field)
        else:  # unconstrained OAuth2 extras (scope, client_id, client_secret): ignored or refused
            v.judge(response, OK | {422}, case.field)
    elif name == "nul_character":
        assert case.field is not None
        body = valid.body(env)
        v.judge(_send(env, case, data={**body, case.field: body[case.field] + "\x00"}), {400, 401, 422})
    else:
        raise AssertionError(f"unknown case {name}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_a_clean_client_error(env: Env, case: Case) -> None:
    verdict = Verdict(case)
    if not _run_common(env, case, verdict, case.route.media_type):
        (_run_form if case.route.media_type == FORM else _run_json)(env, case, verdict)
    assert not verdict.problems, f"{case.id}:\n  " + "\n  ".join(verdict.problems)


def test_the_system_still_works_and_kept_its_data(env: Env) -> None:
    listed = env.client.get("/api/v1/catalog/agencies", params={"page_size": 100})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    expected = env.state["agencies_before"] + env.state["created_agencies"]
    assert page["total"] == expected, (
        f"{env.state['agencies_before']} agencies before, {env.state['created_agencies']} created by this "
        f"module, {page['total']} now"
    )
    codes = {a["code"] for a in page["items"]}
    assert codes >= DEMO_CODES
    for code, agency_id in env.state["agencies"].items():
        one = env.client.get(f"/api/v1/catalog/agencies/{agency_id}")
        assert one.status_code == 200 and one.json()["code"] == code, one.text
    for username in ("admin", "clerk1", "inspector", "citizen"):
        login = env.client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert login.status_code == 200, f"{username} can no longer log in: {login.text}"
        me = env.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
        assert me.status_code == 200 and me.json()["username"] == username, me.text
    users = env.client.get("/api/v1/admin/users", params={"page_size": 100}, headers=env.admin)
    assert users.status_code == 200, users.text
    assert {"admin", "clerk1", "clerk2", "inspector", "citizen"} <= {
        u["username"] for u in users.json()["items"]
    }
    for path in ("/api/v1/requests/outcomes", "/api/v1/feedback/vocabulary", "/.well-known/jwks.json"):
        assert env.client.get(path).status_code == 200, path
