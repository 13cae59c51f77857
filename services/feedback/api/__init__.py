"""Feedback routes, one module per sub-resource (as the domain modules are split); each route only
translates HTTP: parse, authorize, call the domain, shape the answer."""

from __future__ import annotations

from fastapi import APIRouter

from services.feedback.api import (
    attachments,
    cases,
    contacts,
    handling,
    notices,
    publication,
    review,
    supervision,
    tracking,
)
from shared.errors import PROBLEM_RESPONSES

router = APIRouter()
for module in (cases, handling, tracking, review, notices, publication, attachments, contacts, supervision):
    router.include_router(
        module.router, prefix="/api/v1/feedback", tags=["feedback"], responses=PROBLEM_RESPONSES
    )

__all__ = ["router"]
