"""Requests domain logic."""

from services.requests.models import OUTCOME_REPORT_ROWS
from services.requests.schemas import OutcomePublic


def outcomes() -> list[OutcomePublic]:
    """The outcome codes in report order, so front ends and reports use one list."""
    return [
        OutcomePublic(code=code, report_row=row, label=label)
        for code, (row, label) in OUTCOME_REPORT_ROWS.items()
    ]
