"""The merged contract: the gateway's own OpenAPI plus each service's, as one document.

Run `python -m gateway.openapi > openapi.json` to regenerate the committed copy (a test
fails when the code and the file differ).
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from shared.auth import TOKEN_URL

SECURITY_SCHEME = {
    "OAuth2PasswordBearer": {
        "type": "oauth2",
        "description": "用登录名和密码换取访问令牌（Swagger 中点 Authorize 即可）。",
        "flows": {"password": {"tokenUrl": TOKEN_URL, "scopes": {}}},
    }
}


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                name = value.rsplit("/", 1)[1]
                out[key] = "#/components/schemas/" + renames.get(name, name)
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def merge_openapi(gateway: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Paths are disjoint by prefix; same-named schemas that differ get the service's prefix."""
    merged = copy.deepcopy(gateway)
    merged["openapi"] = gateway.get("openapi", "3.1.0")
    paths = merged.setdefault("paths", {})
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    tags = {t["name"]: t for t in merged.get("tags", [])}
    for name, spec in services.items():
        renames: dict[str, str] = {}
        for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
            if schema_name in schemas and schemas[schema_name] != schema:
                renames[schema_name] = f"{name}_{schema_name}"
        for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(schema_name, schema_name)] = _rewrite_refs(schema, renames)
        for path, item in spec.get("paths", {}).items():
            if path in ("/healthz", "/readyz") or path in paths:
                continue
            paths[path] = _rewrite_refs(item, renames)
        for tag in spec.get("tags", []):
            tags.setdefault(tag["name"], tag)
    merged["components"]["securitySchemes"] = SECURITY_SCHEME
    if tags:
        merged["tags"] = list(tags.values())
    merged["paths"] = dict(sorted(paths.items()))
    merged["components"]["schemas"] = dict(sorted(schemas.items()))
    return merged


def build_from_code() -> dict[str, Any]:
    """The merged contract computed from the apps' code, without starting any process."""
    from gateway.app import create_app as gateway_app
    from shared.cli import PROCESSES, _load

    services = {name: _load(PROCESSES[name][0])().openapi() for name in ("catalog", "requests", "feedback")}
    return merge_openapi(gateway_app().openapi(), services)


def dump(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(dump(build_from_code()))
