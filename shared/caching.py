"""ETag and Cache-Control on public reads, so browsers, CDNs and mobile apps revalidate cheaply."""

from __future__ import annotations

import hashlib
from collections.abc import Set
from typing import Any

import pydantic_core
from fastapi import Request, Response


def public_json(
    request: Request, payload: Any, *, max_age: int = 60, volatile: Set[str] = frozenset()
) -> Response:
    """JSON with a strong ETag; answers 304 when the client already has this version.

    Serialised by pydantic-core in one pass (FastAPI's `jsonable_encoder` walks every value in
    Python and cost more than the search itself on result pages). `volatile` names top-level
    fields left out of the ETag (a timing such as `took_ms` changes on every call, and an ETag
    that hashes it never matches).
    """
    body = pydantic_core.to_json(payload)
    meaning = pydantic_core.to_json(payload, exclude=set(volatile)) if volatile else body
    etag = '"' + hashlib.blake2b(meaning, digest_size=16).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Authorization"}
    inm = request.headers.get("if-none-match")
    if inm and etag in {tag.strip() for tag in inm.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def private_json(payload: Any) -> Response:
    """JSON that no browser or proxy may keep: what only staff may read stays out of shared caches."""
    return Response(
        pydantic_core.to_json(payload),
        media_type="application/json",
        headers={"Cache-Control": "private, no-store"},
    )
