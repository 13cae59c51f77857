"""The client services use to call each other: timeouts, the service token, request id,
and retries only for idempotent methods."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from shared.auth import SERVICE_TOKEN_HEADER
from shared.observability import request_id_var

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class ServiceClient:
    def __init__(
        self,
        base_url: str,
        service_token: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff_seconds: float = 0.1,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retries = retries
        self.backoff = backoff_seconds
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            headers={SERVICE_TOKEN_HEADER: service_token},
            transport=transport,
        )

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        method = method.upper()
        attempts = 1 + (self.retries if method in IDEMPOTENT else 0)
        headers = {"X-Request-ID": request_id_var.get(), **kwargs.pop("headers", {})}
        for attempt in range(1, attempts + 1):
            try:
                response = await self._client.request(method, url, headers=headers, **kwargs)
            except (httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError):
                if attempt == attempts:
                    raise
            else:
                if response.status_code < 500 or attempt == attempts:
                    return response
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        await self._client.aclose()
