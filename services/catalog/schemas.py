"""Catalog API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.catalog.models import AGENCY_LEVEL_LABELS, AgencyLevel

AGENCY_CODE = r"^[0-9A-Za-z-]{2,32}$"


class AgencyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"code": "330110", "name": "余杭区人民政府", "level": "county", "parent_id": 2}]
        },
    )

    code: str = Field(pattern=AGENCY_CODE, description="机关代码（行政区划代码或组织机构代码），唯一")
    name: str = Field(min_length=1, max_length=100, description="机关名称")
    level: AgencyLevel = Field(
        description="层级：province 省级、city 市级、county 县级、township 乡镇（街道）、department 部门"
    )
    parent_id: int | None = Field(default=None, ge=1, description="上级机关 ID；省级机关为空")


class AgencyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(default=None, pattern=AGENCY_CODE)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: int | None = Field(default=None, ge=1, description="新的上级机关 ID")


class AgencyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    level: AgencyLevel
    parent_id: int | None
    created_at: datetime
    updated_at: datetime

    @computed_field(description="层级的中文名称")  # type: ignore[prop-decorator]
    @property
    def level_label(self) -> str:
        return AGENCY_LEVEL_LABELS[self.level]
