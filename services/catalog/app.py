"""Catalog service app factory (`uvicorn services.catalog.app:create_app --factory`)."""

from pathlib import Path

from fastapi import FastAPI

from services.catalog.api import router
from services.catalog.settings import CatalogSettings, get_settings
from shared.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="Gongkai 目录服务 (catalog)",
        description="行政机关组织树、主动公开文件、公开指南与全文检索。",
        routers=[router],
        migrations_dir=MIGRATIONS,
    )
