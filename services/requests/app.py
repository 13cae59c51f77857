"""Requests service app factory (`uvicorn services.requests.app:create_app --factory`)."""

from pathlib import Path

from fastapi import FastAPI

from services.requests.api import router
from services.requests.settings import RequestsSettings, get_settings
from shared.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RequestsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="Gongkai 依申请公开服务 (requests)",
        description="政府信息公开申请的受理、期限、答复、告知书与年度报告。",
        routers=[router],
        migrations_dir=MIGRATIONS,
    )
