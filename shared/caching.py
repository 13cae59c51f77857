"""ETag and Cache-Control on public reads, so browsers, CDNs and mobile apps revalidate cheaply."""

from __future__ import annotations

import hashlib
from collections.abc import Set
from typing import Any

import pydantic_core
from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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


PRIVATE = b"private, no-store"


class PrivateByDefaultMiddleware:
    """Marks `private, no-store` every answer whose route did not choose its own caching.

    Deny by default, as routers do: tokens, applications, complainants' details, notices with
    names, audit reads and account lists are never kept by a browser or a proxy, wherever they are
    answered (the gateway's own routes, or a service behind it), even by a route that forgets to
    say so. Public reads opt in with `public_json` (or their own `Cache-Control`) and keep it.
    Pure ASGI, so streamed answers stay streamed.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(key.lower() == b"cache-control" for key, _ in headers):
                    message = {**message, "headers": [*headers, (b"cache-control", PRIVATE)]}
            await send(message)

        await self.app(scope, receive, send_marked)
