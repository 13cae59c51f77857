"""Reverse proxy to the three services, as a thin ASGI layer in front of the gateway app.

Bodies stream both ways; forwarded headers are set; an unreachable service answers 503 and
a slow one 504 (problem+json), never a hang. Anonymous POSTs are rate-limited here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.ratelimit import RateLimits
from shared.auth import SERVICE_TOKEN_HEADER
from shared.errors import DomainError, ServiceUnavailable, UpstreamTimeout, problem_response
from shared.observability import request_id_var

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
        SERVICE_TOKEN_HEADER.lower().encode(),
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"x-request-id",
    }
)
RESPONSE_DROP = frozenset({b"connection", b"keep-alive", b"transfer-encoding", b"upgrade", b"trailer"})
BUFFER_LIMIT = 64 * 1024
SERVICE_LABELS = {"catalog": "目录服务", "requests": "依申请公开服务", "feedback": "意见反馈服务"}


class ServiceProxy:
    def __init__(
        self,
        app: ASGIApp,
        *,
        upstreams: dict[str, str],
        timeout: float,
        connect_timeout: float,
        ratelimits: RateLimits,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.app = app
        self.routes = [(f"/api/v1/{name}", name, url.rstrip("/")) for name, url in upstreams.items()]
        self.ratelimits = ratelimits
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout, pool=connect_timeout),
            limits=httpx.Limits(max_connections=512, max_keepalive_connections=128),
            follow_redirects=False,
            transport=transport,
        )

    def _match(self, path: str) -> tuple[str, str] | None:
        for prefix, name, url in self.routes:
            if path == prefix or path.startswith(prefix + "/"):
                return name, url
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        match = self._match(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        try:
            await self._forward(scope, receive, send, *match)
        except DomainError as exc:
            await problem_response(exc.status, exc.code, exc.title, exc.detail, headers=exc.headers)(
                scope, receive, send
            )
        except HTTPException as exc:  # the body limit, raised while streaming the request
            await problem_response(exc.status_code, "payload_too_large", "请求体过大", str(exc.detail))(
                scope, receive, send
            )

    async def _forward(self, scope: Scope, receive: Receive, send: Send, name: str, base: str) -> None:
        method = scope["method"]
        headers: list[tuple[bytes, bytes]] = []
        forwarded_for = b""
        host = b""
        content_length: int | None = None
        has_body = False
        authenticated = False
        for key, value in scope["headers"]:
            if key == b"content-length":
                has_body = value not in (b"", b"0")
                content_length = int(value) if value.isdigit() else None
            elif key == b"transfer-encoding":
                has_body = True
            elif key == b"host":
                host = value
            elif key == b"x-forwarded-for":
                forwarded_for = value + b", "
            elif key == b"authorization":
                authenticated = True
            if key not in HOP_BY_HOP:
                headers.append((key, value))
        client_ip = scope["client"][0] if scope.get("client") else "unknown"
        if method == "POST" and not authenticated:
            await self.ratelimits.hit("anonymous_post", client_ip)
        headers += [
            (b"x-forwarded-for", forwarded_for + client_ip.encode()),
            (b"x-forwarded-proto", scope.get("scheme", "http").encode()),
            (b"x-forwarded-host", host),
            (b"x-request-id", request_id_var.get().encode()),
        ]
        content: bytes | AsyncIterator[bytes] | None = None
        if has_body:
            if content_length is not None and content_length <= BUFFER_LIMIT:
                content = await _read_all(receive)
            else:
                content = _stream(receive)
        url = base + scope["path"]
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        label = SERVICE_LABELS.get(name, name)
        # A pooled connection the service has just closed fails before any answer: safe to retry
        # once when the request has no body and does not change anything.
        attempts = 2 if content is None and method in ("GET", "HEAD", "OPTIONS") else 1
        for attempt in range(1, attempts + 1):
            request = self.client.build_request(method, url, headers=headers, content=content)
            try:
                upstream = await self.client.send(request, stream=True)
                break
            except httpx.TimeoutException as exc:
                if isinstance(exc, httpx.ConnectTimeout):
                    raise _unavailable(label) from exc
                raise _timeout(label) from exc
            except httpx.ConnectError as exc:
                raise _unavailable(label) from exc
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                if attempt == attempts:
                    raise _unavailable(label) from exc
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": upstream.status_code,
                    "headers": [
                        (k.lower(), v) for k, v in upstream.headers.raw if k.lower() not in RESPONSE_DROP
                    ],
                }
            )
            async for chunk in upstream.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await upstream.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()


def _unavailable(label: str) -> DomainError:
    return ServiceUnavailable(f"{label}暂不可用，请稍后重试", headers={"Retry-After": "5"})


def _timeout(label: str) -> DomainError:
    return UpstreamTimeout(f"{label}未在规定时间内响应")


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _stream(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body"):
            return
