"""Reverse proxy to the three services, as a thin ASGI layer in front of the gateway app.

Bodies stream both ways; forwarded headers are set; the path goes upstream exactly as the client
encoded it (a decoded `%23` or `%3F` would become a fragment or a query there); a redirect never
shows a service's internal address; an unreachable service answers 503 and
a slow one 504 (problem+json), never a hang. Anonymous POSTs are rate-limited here: per client
address and, when they carry an `X-Device-Token` (a mobile app's install id), per device too.
A bearer token of a disabled account or a revoked login is refused here (401 `token_revoked`)
within seconds of the revocation, not when the token expires (gateway/revocation.py).

The upstream client is aiohttp: on the hot path its keep-alive pool costs a fraction of the
CPU that httpx's does (measured with bench/gateway.py), and a proxy's whole job is that path.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import quote

import aiohttp
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from yarl import URL

from gateway.ratelimit import RateLimits
from shared.auth import SERVICE_TOKEN_HEADER
from shared.errors import DomainError, InvalidField, ServiceUnavailable, UpstreamTimeout, problem_response
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
# `date` and `server` too: the gateway's own server writes one of each (not two per response).
RESPONSE_DROP = frozenset(
    {b"connection", b"keep-alive", b"transfer-encoding", b"upgrade", b"trailer", b"date", b"server"}
)
# Characters kept as they are in a forwarded path: the reserved ones and `%` (the client's escapes
# stay escapes); any other byte (raw UTF-8, spaces, controls) is percent-encoded.
PATH_SAFE = "/!$&'()*+,;=:@~%-._"
BUFFER_LIMIT = 64 * 1024
SERVICE_LABELS = {"catalog": "目录服务", "requests": "依申请公开服务", "feedback": "意见反馈服务"}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths a service serves outside its own `/api/v1/{name}` prefix, checked first (the gateway's other
# `/api/v1/admin/...` routes stay with the gateway).
EXTRA_PREFIXES: tuple[tuple[str, str], ...] = (("/api/v1/admin/calendar", "requests"),)
DEVICE_HEADER = "X-Device-Token"
# A mobile app's install id: 8 to 128 visible ASCII characters (no spaces, no control characters).
DEVICE_TOKEN = re.compile(rb"[\x21-\x7e]{8,128}")


class ServiceProxy:
    def __init__(
        self,
        app: ASGIApp,
        *,
        upstreams: dict[str, str],
        timeout: float,
        connect_timeout: float,
        ratelimits: RateLimits,
        revocation_check: Callable[[bytes], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        # Refuses a bearer token of a disabled account or a revoked session (gateway/revocation.py).
        self.revocation_check = revocation_check
        bases = {name: url.rstrip("/") for name, url in upstreams.items()}
        self.routes: tuple[tuple[str, str, str], ...] = (
            *((prefix, name, bases[name]) for prefix, name in EXTRA_PREFIXES if name in bases),
            *((f"/api/v1/{name}", name, base) for name, base in bases.items()),
        )
        self.ratelimits = ratelimits
        self.timeout = aiohttp.ClientTimeout(total=None, connect=connect_timeout, sock_read=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        """Created on first use, inside the server's event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=512, limit_per_host=256, keepalive_timeout=30),
                timeout=self.timeout,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            )
        return self._session

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
            await problem_response(
                exc.status, exc.code, exc.title, exc.detail, errors=exc.errors, headers=exc.headers
            )(scope, receive, send)
        except HTTPException as exc:  # the body limit, raised while streaming the request
            await problem_response(exc.status_code, "payload_too_large", "请求体过大", str(exc.detail))(
                scope, receive, send
            )

    async def _forward(self, scope: Scope, receive: Receive, send: Send, name: str, base: str) -> None:
        method = scope["method"]
        headers: list[tuple[str, str]] = []
        forwarded_for = ""
        host = ""
        content_length: int | None = None
        has_body = False
        authorization: bytes | None = None
        devices: list[bytes] = []
        for key, value in scope["headers"]:
            if key == b"content-length":
                has_body = value not in (b"", b"0")
                content_length = int(value) if value.isdigit() else None
            elif key == b"transfer-encoding":
                has_body = True
            elif key == b"host":
                host = value.decode("latin-1")
            elif key == b"x-forwarded-for":
                forwarded_for = value.decode("latin-1") + ", "
            elif key == b"authorization":
                authorization = value
            elif key == b"x-device-token":
                devices.append(value)
            if key not in HOP_BY_HOP:
                headers.append((key.decode("latin-1"), value.decode("latin-1")))
        if authorization is not None and self.revocation_check is not None:
            await self.revocation_check(authorization)
        client_ip = scope["client"][0] if scope.get("client") else "unknown"
        if method == "POST" and authorization is None:
            await self.ratelimits.hit("anonymous_post", client_ip)
            if devices:
                await self.ratelimits.hit("device", _device_key(devices))
        elif "/track/" in scope["path"]:
            await self.ratelimits.hit("tracking", client_ip)
        headers += [
            ("X-Forwarded-For", forwarded_for + client_ip),
            ("X-Forwarded-Proto", scope.get("scheme", "http")),
            ("X-Forwarded-Host", host),
            ("X-Request-ID", request_id_var.get()),
        ]
        content: bytes | AsyncIterator[bytes] | None = None
        oversized: list[HTTPException] = []
        if has_body:
            if content_length is not None and content_length <= BUFFER_LIMIT:
                content = await _read_all(receive)
            else:
                content = _stream(receive, oversized)
        url = base + upstream_path(scope)
        if scope.get("query_string"):
            url += "?" + quote(scope["query_string"], safe=PATH_SAFE + "?/=&")
        label = SERVICE_LABELS.get(name, name)
        # A pooled connection the service has just closed fails before any answer: safe to retry
        # once when the request has no body and does not change anything.
        attempts = 2 if content is None and method in SAFE_METHODS else 1
        client = self._client()
        for attempt in range(1, attempts + 1):
            try:
                upstream = await client.request(
                    method, URL(url, encoded=True), headers=headers, data=content, allow_redirects=False
                )
                break
            except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
                raise _unavailable(label) from exc
            except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
                raise _timeout(label) from exc
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                if oversized:
                    raise oversized[0] from exc
                if attempt == attempts:
                    raise _unavailable(label) from exc
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": upstream.status,
                    "headers": [
                        (key, _public_location(v, base) if key == b"location" else v)
                        for k, v in upstream.raw_headers
                        if (key := k.lower()) not in RESPONSE_DROP
                    ],
                }
            )
            try:
                async for chunk in upstream.content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except (TimeoutError, aiohttp.ClientError):
                return  # the answer has begun: all a proxy can do is cut it short
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            upstream.release()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            await asyncio.sleep(0)


def upstream_path(scope: Scope) -> str:
    """The path as the client sent it (`raw_path`, still percent-encoded), not the decoded `path`."""
    raw = scope.get("raw_path")
    if not raw:
        return quote(scope["path"], safe=PATH_SAFE.replace("%", ""))
    # Some servers (and test transports) put the query string in raw_path too: it travels apart.
    return quote(raw.split(b"?", 1)[0], safe=PATH_SAFE)


def _public_location(value: bytes, base: str) -> bytes:
    """A redirect to the service's own address (`http://127.0.0.1:8001/…`) becomes the same path on
    the gateway: a client is never shown an internal address."""
    internal = base.encode("latin-1")
    if value.startswith(internal) and value[len(internal) : len(internal) + 1] in (b"/", b"?", b""):
        return value[len(internal) :] or b"/"
    return value


def _device_key(values: list[bytes]) -> str:
    """The device bucket's key: a SHA-256 of the token (install ids are not kept in the limiter's
    storage); a malformed or repeated header is a 422 naming it."""
    if len(values) != 1 or DEVICE_TOKEN.fullmatch(values[0]) is None:
        raise InvalidField(
            f"header.{DEVICE_HEADER}", "设备标识须为 8 到 128 个可见 ASCII 字符（不含空格），且只能有一个"
        )
    return hashlib.sha256(values[0]).hexdigest()


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


async def _stream(receive: Receive, oversized: list[HTTPException]) -> AsyncIterator[bytes]:
    while True:
        try:
            message: Message = await receive()
        except HTTPException as exc:  # over the body limit: remember why the upload broke off
            oversized.append(exc)
            raise
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body"):
            return
