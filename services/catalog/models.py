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


class Validity(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REPEALED = "repealed"


VALIDITY_LABELS = {Validity.VALID: "有效", Validity.EXPIRED: "失效", Validity.REPEALED: "废止"}


class Scope(StrEnum):
    PUBLIC = "public"
    LIMITED = "limited"


SCOPE_LABELS = {Scope.PUBLIC: "社会公开", Scope.LIMITED: "一定范围内公开"}

# Topic categories (主题分类) and types (体裁): the built-in closed lists; an admin may add more
# (stored in the database), never remove one that documents use.
BUILTIN_CATEGORIES: dict[str, str] = {
    "general": "综合政务",
    "economy": "国民经济管理、国有资产监管",
    "finance": "财政、金融、审计",
    "land_energy": "国土资源、能源",
    "agriculture": "农业、林业、水利",
    "industry_transport": "工业、交通",
    "commerce_tourism": "商贸、海关、旅游",
    "market_safety": "市场监管、安全生产监管",
    "construction_environment": "城乡建设、环境保护",
    "science_education": "科技、教育",
    "culture_media": "文化、广电、新闻出版",
    "health_sports": "卫生、体育",
    "population_family": "人口与计划生育、妇女儿童工作",
    "labour_personnel": "劳动、人事、监察",
    "public_security_justice": "公安、安全、司法",
    "civil_affairs": "民政、扶贫、救灾",
    "ethnic_religion": "民族、宗教",
    "foreign_affairs": "对外事务",
    "other": "其他",
}

BUILTIN_DOC_TYPES: dict[str, str] = {
    "regulation": "规章",
    "normative": "规范性文件",
    "notice": "通知",
    "announcement": "公告",
    "report": "报告",
    "plan": "计划",
    "programme": "规划",
    "statistics": "统计",
    "service_guide": "办事指南",
    "other": "其他",
}
