"""`/healthz` (the process answers) and `/readyz` (its dependencies answer)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

ReadinessCheck = Callable[[], Awaitable[object]]


def health_router(checks: Callable[[Request], dict[str, ReadinessCheck]], timeout: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="进程存活检查", operation_id="health-live")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="就绪检查（数据库、搜索等依赖）", operation_id="health-ready")
    async def readyz(request: Request) -> JSONResponse:
        results: dict[str, object] = {}
        ready = True
        for name, check in checks(request).items():
            try:
                detail = await asyncio.wait_for(check(), timeout)
                results[name] = detail if isinstance(detail, dict) else "ok"
                if isinstance(detail, dict) and detail.get("status") not in (None, "ok"):
                    ready = False
            except Exception as exc:  # readiness reports failures, it does not raise them
                ready = False
                results[name] = {"status": "error", "error": type(exc).__name__}
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": results}, status_code=200 if ready else 503
        )

    return router
