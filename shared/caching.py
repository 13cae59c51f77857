"""ETag and Cache-Control on public reads, so browsers, CDNs and mobile apps revalidate cheaply."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse


def public_json(request: Request, payload: Any, *, max_age: int = 60) -> Response:
    """JSON with a strong ETag; answers 304 when the client already has this version."""
    response = JSONResponse(jsonable_encoder(payload))
    etag = '"' + hashlib.blake2b(response.body, digest_size=16).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Authorization"}
    inm = request.headers.get("if-none-match")
    if inm and etag in {tag.strip() for tag in inm.split(",")}:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
