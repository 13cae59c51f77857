"""Feedback service app factory (`uvicorn services.feedback.app:create_app --factory`)."""

from pathlib import Path

from fastapi import FastAPI

from services.feedback.api import router
from services.feedback.settings import FeedbackSettings, get_settings
from shared.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: FeedbackSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="Gongkai 意见反馈服务 (feedback)",
        description="意见箱、举报电话、来信来访的受理、答复、评价与统计。",
        routers=[router],
        migrations_dir=MIGRATIONS,
    )
