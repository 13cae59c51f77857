"""The committed `openapi.json` is the code's contract; every operation is documented and secured."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.openapi import build_from_code, dump, merge_openapi

ROOT = Path(__file__).resolve().parent.parent


def test_the_committed_contract_matches_the_code() -> None:
    committed = (ROOT / "openapi.json").read_text(encoding="utf-8")
    assert committed == dump(build_from_code()), "openapi.json is stale: run `make openapi` and commit it"


def test_every_operation_has_a_unique_stable_id_and_a_chinese_summary() -> None:
    spec = build_from_code()
    ids = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            ids.append(op["operationId"])
            assert op.get("summary"), f"{method.upper()} {path} has no summary"
            assert any("\u4e00" <= c <= "\u9fff" for c in op["summary"]), (
                f"{method.upper()} {path}: summary not Chinese"
            )
    assert len(ids) == len(set(ids))


def test_errors_are_documented_as_problem_json() -> None:
    spec = build_from_code()
    op = spec["paths"]["/api/v1/catalog/agencies"]["post"]
    assert "application/problem+json" in op["responses"]["422"]["content"]
    assert "Problem" in spec["components"]["schemas"]


def test_the_password_flow_points_at_the_gateways_token_endpoint() -> None:
    scheme = build_from_code()["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"


def test_schemas_that_differ_under_one_name_are_kept_apart() -> None:
    ref = {"$ref": "#/components/schemas/Thing"}
    gateway = {
        "openapi": "3.1.0",
        "info": {},
        "paths": {"/a": {"get": {"responses": {"200": ref}}}},
        "components": {"schemas": {"Thing": {"type": "string"}}},
    }
    service = {
        "paths": {"/b": {"get": {"responses": {"200": ref}}}},
        "components": {"schemas": {"Thing": {"type": "integer"}}},
    }
    merged = merge_openapi(gateway, {"svc": service})
    assert merged["components"]["schemas"]["Thing"] == {"type": "string"}
    assert merged["components"]["schemas"]["svc_Thing"] == {"type": "integer"}
    assert json.dumps(merged["paths"]["/b"]).count("svc_Thing") == 1
