"""Catalog tables."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow


class AgencyLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    DEPARTMENT = "department"


AGENCY_LEVEL_LABELS: dict[str, str] = {
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


class AgencyRuleSet(SQLModel, table=True):
    """The rule set an agency chose, from a day on (docs/time-limits.md, "Rule sets"). An
    application takes the entry in force on its received date: the last one effective on or before
    it (by day, then by the order recorded); an agency with no entry keeps the Regulation's
    `national-2019`. Entries are never changed or removed, so an application received before a
    change keeps its rule set."""

    __tablename__ = "agency_rule_sets"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    rule_set: str = Field(max_length=40)
    previous: str = Field(max_length=40)  # the rule set in force on the day before `effective_on`
    effective_on: date
    reason: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Validity(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REPEALED = "repealed"


# Keyed by the enumerations' string values, as the rows store them.
VALIDITY_LABELS: dict[str, str] = {
    Validity.VALID: "有效",
    Validity.EXPIRED: "失效",
    Validity.REPEALED: "废止",
}


class Scope(StrEnum):
    PUBLIC = "public"
    LIMITED = "limited"


SCOPE_LABELS: dict[str, str] = {Scope.PUBLIC: "社会公开", Scope.LIMITED: "一定范围内公开"}

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


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    REVOKED = "revoked"


DOCUMENT_STATUS_LABELS: dict[str, str] = {
    DocumentStatus.DRAFT: "草稿",
    DocumentStatus.IN_REVIEW: "待审核",
    DocumentStatus.RETURNED: "已退回",
    DocumentStatus.SCHEDULED: "待定时发布",
    DocumentStatus.PUBLISHED: "已发布",
    DocumentStatus.REVOKED: "已撤销",
}


class Document(SQLModel, table=True):
    """A piece of proactively published information and its publication state."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_public_list", "status", "scope", "published_at"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    index_no: str | None = Field(default=None, sa_column=Column(String(64), unique=True, nullable=True))
    title: str = Field(max_length=300)
    doc_number: str | None = Field(default=None, max_length=100, index=True)
    written_on: date | None = None
    # When the information was made or last changed: the 20-working-day clock starts here.
    information_date: date
    category: str = Field(max_length=40, index=True)
    doc_type: str = Field(max_length=40, index=True)
    validity: str = Field(default=Validity.VALID, max_length=20)
    scope: str = Field(default=Scope.PUBLIC, max_length=20)
    stage: str | None = Field(default=None, max_length=20)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default=DocumentStatus.DRAFT, max_length=20, index=True)
    version: int = 0
    publish_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True, index=True)
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True, index=True)
    )
    created_by: str = Field(max_length=64)
    submitted_by: str | None = Field(default=None, max_length=64)
    reviewed_by: str | None = Field(default=None, max_length=64)
    status_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class ValidityEntry(SQLModel, table=True):
    """A document's validity (有效 / 失效 / 废止) from a given day on: the first entry is the validity it
    was published with, each later one a change and the day it takes effect. Counts "as of a date"
    (the annual report's 现行有效 on 31 December, 本年废止) are read from these, not from the
    current `Document.validity`."""

    __tablename__ = "document_validity"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    validity: str = Field(max_length=20)
    previous: str | None = Field(default=None, max_length=20)  # None: the validity at publication
    effective_on: date = Field(index=True)
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class DocumentVersion(SQLModel, table=True):
    """The published content of each version; never changed once written."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    version: int
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class AmendmentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    SUPERSEDED = "superseded"


AMENDMENT_STATUS_LABELS = {
    AmendmentStatus.PENDING: "待审核",
    AmendmentStatus.APPROVED: "已通过",
    AmendmentStatus.RETURNED: "已退回",
    AmendmentStatus.SUPERSEDED: "已被新修订取代",
}


class DocumentAmendment(SQLModel, table=True):
    """A proposed new version of a published document: it replaces the live version only once a
    second person has reviewed it (保密审查); until then the public keeps reading the live one."""

    __tablename__ = "document_amendments"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    based_on_version: int
    changes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=AmendmentStatus.PENDING, max_length=20, index=True)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    decision_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class IndexCounter(SQLModel, table=True):
    """Next index-number sequence per agency and year (索引号: code/year-00001)."""

    __tablename__ = "index_counters"

    agency_id: int = Field(foreign_key="agencies.id", primary_key=True)
    year: int = Field(primary_key=True)
    last: int = 0


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Guide(SQLModel, table=True):
    """An agency's 政府信息公开指南."""

    __tablename__ = "guides"

    agency_id: int = Field(foreign_key="agencies.id", primary_key=True)
    how_to_apply: str = Field(sa_column=Column(Text, nullable=False))
    office_address: str = Field(max_length=300)
    office_hours: str = Field(max_length=200)
    phone: str = Field(max_length=50)
    email: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=10)
    fees_note: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class VocabularyTerm(SQLModel, table=True):
    """Categories and types an admin added to the built-in lists."""

    __tablename__ = "vocabulary_terms"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # "category" | "doc_type"
    code: str = Field(max_length=40)
    label: str = Field(max_length=100)


class SynonymGroup(SQLModel, table=True):
    __tablename__ = "synonym_groups"

    id: int | None = Field(default=None, primary_key=True)
    terms: list[str] = Field(sa_column=Column(JSON, nullable=False))


# Search analytics (kept `search_log_retention_days`, 180 by default). Neither table holds an
# address, an account, a user agent or a token: the log says what the public looks for, never who.
# 64-bit keys on PostgreSQL (a busy portal writes millions of rows a month); SQLite's rowid is 64-bit.
LOG_ID = BigInteger().with_variant(Integer, "sqlite")


class SearchLogEntry(SQLModel, table=True):
    """One public search: page 1 of a non-empty query (later pages are the same search)."""

    __tablename__ = "search_log"

    id: int | None = Field(default=None, sa_column=Column(LOG_ID, primary_key=True))
    searched_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    q: str = Field(max_length=200)  # `analysis.normalize_query` of what was typed
    # agency_id, category, doc_type, validity, from, to (those given) and sort
    filters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    page: int = 1
    total: int  # documents found
    relaxed: bool = False  # whether the engine loosened the query to find anything


class SearchClick(SQLModel, table=True):
    """A result opened from a search (reported by the widget)."""

    __tablename__ = "search_clicks"

    id: int | None = Field(default=None, sa_column=Column(LOG_ID, primary_key=True))
    clicked_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    q: str = Field(max_length=200)  # normalised like `SearchLogEntry.q`, so the two join on it
    document_id: int
    position: int  # 1 = the first result
