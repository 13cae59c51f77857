"""Every GET route with query parameters refuses bad ones with the one answer the contract implies.

The parameters come from the contract computed from the code (`build_from_code()`), as the body
cases of tests/test_bad_input.py do: an integer gets a word and a value just outside its bounds, a
yes/no a word, an enumeration a non-member, a date `0`, an impossible date and one outside its
bounds, a bounded string one character too many, a required parameter nothing and an empty value,
and every route a NUL character. Each answer is a 422 `validation_failed` naming `query.<name>` in
`errors[]` — except the NUL, which the edge refuses before any route (400 `nul_character`).

Each route is called as a role that may call it, on a target that exists, so that the parameter is
the only thing wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import httpx
import pytest

from tests.test_bad_input import (
    APPLICATIONS,
    FEEDBACK,
    MESSAGES,
    Env,
    Expect,
    Verdict,
    _resolve,
    contract,
    gateway_client,  # noqa: F401 (a fixture `on_cluster` needs)
    refused,
    shanghai_today,
)
from tests.test_bad_input import env as on_cluster  # noqa: F401 (the fixture: tokens and targets)

NUL = Expect(400, "nul_character")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # integer, boolean, enum, date, string, strings (an array of strings), enums
    required: bool
    schema: dict[str, Any]


@dataclass(frozen=True)
class QueryRoute:
    path: str
    params: tuple[Param, ...]


def _kind(schema: dict[str, Any]) -> str:
    if "enum" in schema or "const" in schema:
        return "enum"
    kind = schema.get("type")
    if kind == "string" and schema.get("format") == "date":
        return "date"
    if kind == "array":
        return "enums" if _kind(_resolve(schema["items"])) == "enum" else "strings"
    assert kind in ("integer", "boolean", "string"), f"a query parameter of a type not covered: {schema}"
    return kind


@cache
def query_routes() -> tuple[QueryRoute, ...]:
    found = []
    for path, item in contract()["paths"].items():
        operation = item.get("get")
        if not operation:
            continue
        params = []
        for p in operation.get("parameters", []):
            if p["in"] != "query":
                continue
            options = [
                _resolve(o) for o in p["schema"].get("anyOf", [p["schema"]]) if o.get("type") != "null"
            ]
            assert len(options) == 1, f"GET {path}: a query parameter of several types: {p}"
            params.append(Param(p["name"], _kind(options[0]), p.get("required", False), options[0]))
        if params:
            found.append(QueryRoute(path, tuple(params)))
    return tuple(found)


# --- a request each route accepts: who calls it, on what --------------------------------------------


@dataclass(frozen=True)
class Valid:
    caller: str | None
    url: Callable[[Env], str] = lambda env: ""  # the route's path itself, when it has no parameters
    params: Callable[[Env], dict[str, Any]] = lambda env: {}


def _tracked(env: Env) -> dict[str, Any]:
    """An open complaint's receipt (tracking number, query code), made once."""
    if "query_receipt" not in env.state:
        case_id = env.feedback_case()
        env.state["query_receipt"] = env.state["receipts"][case_id]
    return env.state["query_receipt"]


def _refusal(env: Env) -> tuple[dict[str, Any], int]:
    """A refused letter's receipt and its 不予受理告知书, made once."""
    if "query_refusal" not in env.state:
        case_id = env.letter_case(taken=False)
        body = {"reason": "not_competent", "text": "坏输入测试：不属于本机关职权范围"}
        env.ok(env.client.post(f"{MESSAGES}/{case_id}/refusal", headers=env.auth("clerk"), json=body), 200)
        notices = env.ok(env.client.get(f"{MESSAGES}/{case_id}/notices", headers=env.auth("clerk")), 200)
        env.state["query_refusal"] = (env.state["receipts"][case_id], notices[0]["id"])
    return env.state["query_refusal"]


def _application(env: Env) -> dict[str, Any]:
    """The citizen's application receipt (tracking number, query code), made once."""
    if "query_application" not in env.state:
        from tests.test_bad_input import application_body

        response = env.client.post(APPLICATIONS, headers=env.auth("public"), json=application_body(env))
        env.state["query_application"] = env.ok(response, 201)
    return env.state["query_application"]


def _notice(ext: str) -> Valid:
    def url(env: Env) -> str:
        receipt, notice_id = _refusal(env)
        return f"{FEEDBACK}/track/{receipt['tracking_no']}/notices/{notice_id}.{ext}"

    return Valid(None, url, lambda env: {"code": _refusal(env)[0]["query_code"]})


def _report_scope(env: Env) -> dict[str, Any]:
    return {"year": shanghai_today().year, "agency_id": env.county}


VALID: dict[str, Valid] = {
    "/api/v1/admin/calendar": Valid("admin"),
    "/api/v1/admin/sites": Valid("admin"),
    "/api/v1/admin/users": Valid("admin"),
    "/api/v1/auth/colleagues": Valid("clerk"),
    "/api/v1/catalog/agencies": Valid(None),
    "/api/v1/catalog/documents": Valid("clerk"),  # `status` filters drafts: the agency's clerks
    "/api/v1/catalog/search": Valid(None),
    "/api/v1/catalog/search/report": Valid("admin"),
    "/api/v1/catalog/search/suggest": Valid(None),
    f"{FEEDBACK}/contact-records": Valid("clerk"),
    MESSAGES: Valid("clerk"),
    f"{FEEDBACK}/replies": Valid(None),
    f"{FEEDBACK}/stats": Valid("clerk"),
    f"{FEEDBACK}/supervision/overdue": Valid("clerk"),
    f"{FEEDBACK}/track/{{tracking_no}}": Valid(
        None,
        lambda env: f"{FEEDBACK}/track/{_tracked(env)['tracking_no']}",
        lambda env: {"code": _tracked(env)["query_code"]},
    ),
    f"{FEEDBACK}/track/{{tracking_no}}/notices/{{notice_id}}.html": _notice("html"),
    f"{FEEDBACK}/track/{{tracking_no}}/notices/{{notice_id}}.pdf": _notice("pdf"),
    APPLICATIONS: Valid("clerk"),
    f"{APPLICATIONS}/fees/totals": Valid("clerk", params=_report_scope),
    f"{APPLICATIONS}/reports/annual": Valid("clerk", params=_report_scope),
    f"{APPLICATIONS}/supervision/overdue": Valid("clerk"),
    f"{APPLICATIONS}/track/{{tracking_no}}": Valid(
        None,
        lambda env: f"{APPLICATIONS}/track/{_application(env)['tracking_no']}",
        lambda env: {"code": _application(env)["query_code"]},
    ),
    "/api/v1/supervision/overdue": Valid("clerk"),
}


# --- the cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    route: QueryRoute
    name: str
    param: Param | None = None
    value: Any = None

    @property
    def id(self) -> str:
        return f"GET {self.route.path} | {self.name}" + (f" [{self.param.name}]" if self.param else "")


def _bounds(param: Param) -> list[tuple[str, Any]]:
    schema, found = param.schema, []
    if "minimum" in schema:
        found.append(("below_minimum", schema["minimum"] - 1))
    if "maximum" in schema:
        found.append(("above_maximum", schema["maximum"] + 1))
    if "ge" in schema:
        found.append(("before_first_date", date.fromisoformat(schema["ge"]).year - 1))
    if "le" in schema:
        found.append(("after_last_date", date.fromisoformat(schema["le"]).year + 1))
    return found


def param_cases(param: Param) -> list[tuple[str, Any]]:
    """(name, value) of each bad value of one parameter; None as a value leaves the parameter out."""
    schema = param.schema
    cases: list[tuple[str, Any]] = []
    if param.kind == "integer":
        cases += [("wrong_type", "abc"), ("fraction", "1.5")]
        cases += _bounds(param)
    elif param.kind == "boolean":
        cases.append(("wrong_type", "maybe"))
    elif param.kind in ("enum", "enums"):
        cases.append(("not_a_member", "not-a-member"))
    elif param.kind == "date":
        cases += [("number", "0"), ("impossible_date", "2026-13-45"), ("date_time", "2026-01-01T00:00:00")]
        cases += [(name, f"{year:04d}-06-01") for name, year in _bounds(param)]
    elif param.kind == "string" and "maxLength" in schema:
        cases.append(("too_long", "x" * (schema["maxLength"] + 1)))
    if param.required:
        cases.append(("missing", None))
        if param.kind == "string":
            cases.append(("empty", ""))
    return cases


def all_cases() -> list[Case]:
    cases = []
    for route in query_routes():
        for param in route.params:
            cases += [Case(route, name, param, value) for name, value in param_cases(param)]
        cases.append(Case(route, "nul_character", route.params[0], "x\x00y"))
    return cases


CASES = all_cases()


def test_every_get_route_with_query_parameters_is_covered() -> None:
    routes = {r.path for r in query_routes()}
    assert len(routes) >= 19, f"only {len(routes)} GET routes with query parameters: the derivation is broken"
    assert routes == VALID.keys(), (
        f"without a valid request here: {sorted(routes - VALID.keys())}; "
        f"rows for routes without query parameters: {sorted(VALID.keys() - routes)}"
    )


def _expected(case: Case) -> Expect:
    assert case.param is not None
    if case.name == "nul_character":
        return NUL
    field = f"query.{case.param.name}"
    if case.param.kind == "enums":  # the item of the list that is wrong
        field += ".0"
    return refused(field)


def _send(env: Env, case: Case, params: dict[str, Any] | None) -> httpx.Response:
    valid = VALID[case.route.path]
    url = valid.url(env) or case.route.path
    headers = env.auth(valid.caller)
    return env.client.get(url, params=params, headers=headers)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_bad_query_parameter_gets_its_specific_answer(on_cluster: Env, case: Case) -> None:  # noqa: F811
    env = on_cluster
    assert case.param is not None
    valid = VALID[case.route.path]
    params = dict(valid.params(env))
    control = _send(env, case, params)
    assert control.status_code == 200, f"setup: the valid request failed: {control.text[:300]}"
    if case.value is None:
        params.pop(case.param.name, None)
    else:
        params[case.param.name] = case.value
    verdict = Verdict(case)  # type: ignore[arg-type]
    verdict.judge(_send(env, case, params), _expected(case))
    assert not verdict.problems, f"{case.id}:\n  " + "\n  ".join(verdict.problems)


# Parameters each valid alone but wrong together: the rule beyond the schema names the parameter,
# with its location, as the schema's own errors do.
COMBINED: list[tuple[str, dict[str, Any], str]] = [
    (
        "/api/v1/catalog/documents",
        {"repealed_from": "2026-02-01", "repealed_to": "2026-01-01"},
        "query.repealed_to",
    ),
    ("/api/v1/catalog/search/report", {"from": "2026-02-01", "to": "2026-01-01"}, "query.from"),
    (f"{FEEDBACK}/stats", {"from": "2026-02-01", "to": "2026-01-01"}, "query.from"),
    ("/api/v1/supervision/overdue", {"page": 51, "page_size": 100}, "query.page"),  # past 5,000 items
]


@pytest.mark.parametrize(("path", "params", "field"), COMBINED, ids=[f"GET {p} {f}" for p, _, f in COMBINED])
def test_parameters_wrong_together_name_the_parameter(
    on_cluster: Env,  # noqa: F811
    path: str,
    params: dict[str, Any],
    field: str,
) -> None:
    case = Case(QueryRoute(path, ()), "combined")
    verdict = Verdict(case)  # type: ignore[arg-type]
    response = on_cluster.client.get(path, params=params, headers=on_cluster.auth(VALID[path].caller))
    verdict.judge(response, refused(field))
    assert not verdict.problems, "\n  ".join(verdict.problems)
