"""Catalog service app factory (`uvicorn services.catalog.app:create_app --factory`)."""

from pathlib import Path

import httpx
from fastapi import FastAPI, Request

from services.catalog.api import router
from services.catalog.settings import CatalogSettings, get_settings
from shared.app import create_service_app
from shared.health import ReadinessCheck

MIGRATIONS = Path(__file__).parent / "migrations"


def _search_checks(settings: CatalogSettings):  # type: ignore[no-untyped-def]
    async def meilisearch_health() -> dict[str, str]:
        async with httpx.AsyncClient(timeout=2.0) as client:
            response = await client.get(f"{settings.meili_url.rstrip('/')}/health")
            response.raise_for_status()
            return {"status": "ok" if response.json().get("status") == "available" else "error"}

    def checks(_: Request) -> dict[str, ReadinessCheck]:
        return {"search": meilisearch_health} if settings.search_engine == "meilisearch" else {}

    return checks


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    return create_service_app(
        settings=settings,
        title="Gongkai 目录服务 (catalog)",
        description="行政机关组织树、主动公开文件、公开指南与全文检索。",
        routers=[router],
        migrations_dir=MIGRATIONS,
        extra_checks=_search_checks(settings),
    )
