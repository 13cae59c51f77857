"""Catalog tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow


class AgencyLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    DEPARTMENT = "department"


AGENCY_LEVEL_LABELS = {
    AgencyLevel.PROVINCE: "省级",
    AgencyLevel.CITY: "市级",
    AgencyLevel.COUNTY: "县级",
    AgencyLevel.TOWNSHIP: "乡镇（街道）",
    AgencyLevel.DEPARTMENT: "部门",
}

# Which levels may sit directly under which (省 › 市 › 县 › 乡镇/部门; departments at any level).
ALLOWED_PARENT_LEVELS: dict[AgencyLevel, frozenset[AgencyLevel | None]] = {
    AgencyLevel.PROVINCE: frozenset({None}),
    AgencyLevel.CITY: frozenset({AgencyLevel.PROVINCE}),
    AgencyLevel.COUNTY: frozenset({AgencyLevel.CITY}),
    AgencyLevel.TOWNSHIP: frozenset({AgencyLevel.COUNTY}),
    AgencyLevel.DEPARTMENT: frozenset({AgencyLevel.PROVINCE, AgencyLevel.CITY, AgencyLevel.COUNTY}),
}


class Agency(SQLModel, table=True):
    """A government body; `path` (`/1/4/9/`) lists its ancestors for subtree queries."""

    __tablename__ = "agencies"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(32), unique=True, nullable=False))
    name: str = Field(max_length=100)
    level: AgencyLevel = Field(sa_column=Column(String(20), nullable=False))
    parent_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    path: str = Field(default="/", max_length=400, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
