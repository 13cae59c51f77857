"""Requests routes, one module per sub-resource (as the domain modules are split); each route only
translates HTTP: parse, authorize, call the domain, shape the answer.

Order matters: literal paths (`/outcomes`, `/registrations`, `/track/…`) come before
`/{application_id}`."""

from __future__ import annotations

from fastapi import APIRouter

from services.requests.api import (
    applications,
    consultation,
    corrections,
    decisions,
    extensions,
    fees,
    notices,
    report,
    review,
)
from services.requests.api.calendar import router as calendar_router
from shared.errors import PROBLEM_RESPONSES

router = APIRouter()
for module in (
    applications,
    corrections,
    consultation,
    extensions,
    decisions,
    notices,
    fees,
    review,
    report,
):
    router.include_router(
        module.router, prefix="/api/v1/requests", tags=["requests"], responses=PROBLEM_RESPONSES
    )

__all__ = ["calendar_router", "router"]
