"""Requests API shapes."""

from pydantic import BaseModel, Field

from services.requests.models import Outcome


class OutcomePublic(BaseModel):
    code: Outcome
    report_row: str = Field(description="年度报告表三中的行号，如 （三）1")
    label: str = Field(description="中文名称")
