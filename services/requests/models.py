"""Requests tables and the legal enumerations they use."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from shared.db import UTCDateTime, utcnow


class Outcome(StrEnum):
    """Decision outcomes; each maps to exactly one row of annual-report table 三
    (docs/outcomes-and-report.md, "Outcome codes")."""

    DISCLOSED = "disclosed"
    PARTIAL = "partially_disclosed"
    STATE_SECRET = "withheld.state_secret"
    PROHIBITED_BY_LAW = "withheld.prohibited_by_law"
    SECURITY_STABILITY = "withheld.three_securities_one_stability"
    THIRD_PARTY_RIGHTS = "withheld.third_party_rights"
    INTERNAL_AFFAIRS = "withheld.internal_affairs"
    PROCESS_INFORMATION = "withheld.process_information"
    ENFORCEMENT_CASE_FILE = "withheld.enforcement_case_file"
    ADMINISTRATIVE_INQUIRY = "withheld.administrative_inquiry"
    NOT_HELD = "unavailable.not_held"
    NEEDS_CREATION = "unavailable.needs_creation"
    STILL_UNCLEAR = "unavailable.still_unclear"
    PETITION_OR_COMPLAINT = "not_processed.petition_or_complaint"
    DUPLICATE = "not_processed.duplicate"
    PUBLICATION = "not_processed.publication"
    MASS_UNREASONABLE = "not_processed.mass_unreasonable"
    CONFIRM_OR_REISSUE = "not_processed.confirm_or_reissue"
    NO_CORRECTION = "other.no_correction"
    FEE_UNPAID = "other.fee_unpaid"
    OTHER = "other.other"


# (report row, label) — the wording of 政府信息公开工作年度报告格式 table 三.
OUTCOME_REPORT_ROWS: dict[Outcome, tuple[str, str]] = {
    Outcome.DISCLOSED: ("（一）", "予以公开"),
    Outcome.PARTIAL: ("（二）", "部分公开（区分处理的，只计这一情形，不计其他情形）"),
    Outcome.STATE_SECRET: ("（三）1", "属于国家秘密"),
    Outcome.PROHIBITED_BY_LAW: ("（三）2", "其他法律行政法规禁止公开"),
    Outcome.SECURITY_STABILITY: ("（三）3", "危及“三安全一稳定”"),
    Outcome.THIRD_PARTY_RIGHTS: ("（三）4", "保护第三方合法权益"),
    Outcome.INTERNAL_AFFAIRS: ("（三）5", "属于三类内部事务信息"),
    Outcome.PROCESS_INFORMATION: ("（三）6", "属于四类过程性信息"),
    Outcome.ENFORCEMENT_CASE_FILE: ("（三）7", "属于行政执法案卷"),
    Outcome.ADMINISTRATIVE_INQUIRY: ("（三）8", "属于行政查询事项"),
    Outcome.NOT_HELD: ("（四）1", "本机关不掌握相关政府信息"),
    Outcome.NEEDS_CREATION: ("（四）2", "没有现成信息需要另行制作"),
    Outcome.STILL_UNCLEAR: ("（四）3", "补正后申请内容仍不明确"),
    Outcome.PETITION_OR_COMPLAINT: ("（五）1", "信访举报投诉类申请"),
    Outcome.DUPLICATE: ("（五）2", "重复申请"),
    Outcome.PUBLICATION: ("（五）3", "要求提供公开出版物"),
    Outcome.MASS_UNREASONABLE: ("（五）4", "无正当理由大量反复申请"),
    Outcome.CONFIRM_OR_REISSUE: ("（五）5", "要求行政机关确认或重新出具已获取信息"),
    Outcome.NO_CORRECTION: ("（六）1", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    Outcome.FEE_UNPAID: ("（六）2", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    Outcome.OTHER: ("（六）3", "其他"),
}


# --------------------------------------------------------------------------------------------
# Applications (依申请公开, 条例第二十七条至第四十五条)


class ApplicantType(StrEnum):
    """Columns of annual-report table 三."""

    NATURAL_PERSON = "natural_person"
    COMMERCIAL_ENTERPRISE = "commercial_enterprise"
    RESEARCH_INSTITUTION = "research_institution"
    PUBLIC_INTEREST_ORGANISATION = "public_interest_organisation"
    LEGAL_SERVICE_INSTITUTION = "legal_service_institution"
    OTHER = "other"


APPLICANT_TYPE_LABELS = {
    ApplicantType.NATURAL_PERSON: "自然人",
    ApplicantType.COMMERCIAL_ENTERPRISE: "商业企业",
    ApplicantType.RESEARCH_INSTITUTION: "科研机构",
    ApplicantType.PUBLIC_INTEREST_ORGANISATION: "社会公益组织",
    ApplicantType.LEGAL_SERVICE_INSTITUTION: "法律服务机构",
    ApplicantType.OTHER: "其他",
}


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    UNIFIED_SOCIAL_CREDIT_CODE = "unified_social_credit_code"
    OTHER = "other"


ID_TYPE_LABELS = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.PASSPORT: "护照",
    IdType.UNIFIED_SOCIAL_CREDIT_CODE: "统一社会信用代码",
    IdType.OTHER: "其他证件",
}


class Form(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"
    EMAIL = "email"
    ON_SITE = "on_site"


FORM_LABELS = {
    Form.PAPER: "纸质",
    Form.ELECTRONIC: "电子文档",
    Form.EMAIL: "电子邮件",
    Form.ON_SITE: "当场查阅",
}


class Delivery(StrEnum):
    POST = "post"
    EMAIL = "email"
    PICKUP = "pickup"
    ONLINE = "online"


DELIVERY_LABELS = {
    Delivery.POST: "邮寄",
    Delivery.EMAIL: "电子邮件",
    Delivery.PICKUP: "自行领取",
    Delivery.ONLINE: "网上获取",
}


class Channel(StrEnum):
    ONLINE = "online"
    LETTER_REGISTERED = "letter_registered"
    LETTER_ORDINARY = "letter_ordinary"
    FAX = "fax"
    IN_PERSON = "in_person"


CHANNEL_LABELS = {
    Channel.ONLINE: "网上申请",
    Channel.LETTER_REGISTERED: "挂号信",
    Channel.LETTER_ORDINARY: "平信",
    Channel.FAX: "传真",
    Channel.IN_PERSON: "当面提交",
}


class ApplicationState(StrEnum):
    REGISTERED = "registered"
    CORRECTION_REQUESTED = "correction_requested"
    IN_PROGRESS = "in_progress"
    CONSULTATION = "consultation"
    EXTENDED = "extended"
    FEE_NOTIFIED = "fee_notified"
    DECIDED = "decided"
    REFERRED = "referred"
    WITHDRAWN = "withdrawn"
    ABANDONED = "abandoned"


STATE_LABELS = {
    ApplicationState.REGISTERED: "已登记",
    ApplicationState.CORRECTION_REQUESTED: "待补正",
    ApplicationState.IN_PROGRESS: "办理中",
    ApplicationState.CONSULTATION: "征求意见中",
    ApplicationState.EXTENDED: "已延期",
    ApplicationState.FEE_NOTIFIED: "待缴费",
    ApplicationState.DECIDED: "已答复",
    ApplicationState.REFERRED: "已告知（指引）",
    ApplicationState.WITHDRAWN: "已撤回",
    ApplicationState.ABANDONED: "视为放弃",
}
CLOSED_STATES = frozenset(
    {
        ApplicationState.DECIDED,
        ApplicationState.REFERRED,
        ApplicationState.WITHDRAWN,
        ApplicationState.ABANDONED,
    }
)


class Application(SQLModel, table=True):
    """One 政府信息公开申请. Personal fields are encrypted (shared.personal_data); the clock facts
    live in the `events` rows (aggregate_type "application") and the deadline is derived from them
    (the `due_on` … `deadline_stage` columns keep the result for lists)."""

    __tablename__ = "applications"
    __table_args__ = (
        sa.Index("ix_applications_agency_state", "agency_id", "state"),
        sa.Index("ix_applications_agency_due", "agency_id", "due_on"),
        sa.Index("ix_applications_agency_received", "agency_id", "received_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_no: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    query_code_hash: str = Field(max_length=128)
    agency_id: int = Field(index=True)
    agency_path: str = Field(max_length=400, index=True)
    applicant_user_id: str | None = Field(default=None, max_length=64, index=True)
    applicant_type: str = Field(max_length=40)
    applicant_name: str  # encrypted
    id_type: str = Field(max_length=40)
    id_number: str  # encrypted
    id_number_index: str = Field(max_length=64, index=True)
    phone: str  # encrypted
    email: str | None = Field(default=None, max_length=254)
    address: str | None = None  # encrypted
    description: str
    form: str = Field(max_length=20)
    delivery: str = Field(max_length=20)
    channel: str = Field(max_length=30)
    received_on: date
    rule_set: str = Field(default="national-2019", max_length=40)
    state: str = Field(max_length=30, index=True)
    outcome: str | None = Field(default=None, max_length=60)
    assigned_to: str | None = Field(default=None, max_length=64, index=True)
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # The deadline from the events (`lifecycle.stored_deadline`): a cache written with every event and
    # rewritten when the calendar changes, so the clerk queue filters and flags without the events.
    due_on: date | None = None  # while paused: as it stood when the pause began
    due_provisional: bool = False
    paused_since: date | None = None
    deadline_stage: str | None = Field(default=None, max_length=30)  # None: not computed yet
    # The `on` date of the closing event (decide, refer, withdraw, abandon): what the annual report
    # counts by, so it reads no events.
    closed_on: date | None = None


class FilePurpose(StrEnum):
    """What an applicant's document was sent for."""

    CORRECTION = "correction"  # 补正材料 (条例第三十条)
    WITHDRAWAL = "withdrawal"  # 撤回申请的书面材料, received on paper and recorded by a clerk


class CorrectionFile(SQLModel, table=True):
    """A document of the applicant kept in this service's database: a file sent with a correction
    (补正材料, 条例第三十条), or the letter or signed form of a withdrawal received on paper. Uploaded
    before the step; part of it once the step is recorded (`submitted_at`)."""

    __tablename__ = "correction_files"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    purpose: str = Field(
        default=str(FilePurpose.CORRECTION),
        max_length=20,
        sa_column_kwargs={"server_default": str(FilePurpose.CORRECTION)},
    )
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    uploaded_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


# --------------------------------------------------------------------------------------------
# Review cases (行政复议 / 行政诉讼) about an application: annual-report table 四.


class ReviewKind(StrEnum):
    RECONSIDERATION = "reconsideration"
    LAWSUIT_DIRECT = "lawsuit_direct"
    LAWSUIT_AFTER_RECONSIDERATION = "lawsuit_after_reconsideration"


REVIEW_KIND_LABELS = {
    ReviewKind.RECONSIDERATION: "行政复议",
    ReviewKind.LAWSUIT_DIRECT: "行政诉讼（未经复议直接起诉）",
    ReviewKind.LAWSUIT_AFTER_RECONSIDERATION: "行政诉讼（复议后起诉）",
}


class ReviewResult(StrEnum):
    UPHELD = "upheld"
    CORRECTED = "corrected"
    OTHER = "other"
    PENDING = "pending"


REVIEW_RESULT_LABELS = {
    ReviewResult.UPHELD: "结果维持",
    ReviewResult.CORRECTED: "结果纠正",
    ReviewResult.OTHER: "其他结果",
    ReviewResult.PENDING: "尚未审结",
}


class ReviewCase(SQLModel, table=True):
    """A reconsideration or lawsuit about the handling of one application."""

    __tablename__ = "review_cases"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    kind: str = Field(max_length=40)
    filed_on: date = Field(index=True)
    result: str = Field(default=str(ReviewResult.PENDING), max_length=20)
    concluded_on: date | None = None
    note: str | None = None
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


# --------------------------------------------------------------------------------------------
# Notices: the decision notice (告知书) and the fee notice (收费通知书).


class NoticeCounter(SQLModel, table=True):
    """The last notice number an agency used in a year (告知书编号按机关、年度连续编号)."""

    __tablename__ = "notice_counters"

    agency_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class DecisionNotice(SQLModel, table=True):
    """The written decision sent to the applicant; issued with the decision, never changed."""

    __tablename__ = "decision_notices"
    __table_args__ = (sa.UniqueConstraint("agency_id", "year", "seq", name="uq_decision_notices_number"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", sa_column_kwargs={"unique": True})
    agency_id: int
    year: int
    seq: int
    number: str = Field(max_length=200)
    content: str  # JSON: the notice as issued (personal data already masked)
    issued_on: date
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class FeeMethod(StrEnum):
    BY_COUNT = "by_count"
    BY_PAGES = "by_pages"


FEE_METHOD_LABELS = {FeeMethod.BY_COUNT: "按件计收", FeeMethod.BY_PAGES: "按量计收"}


class FeeDelivery(StrEnum):
    """How the fee notice reaches the applicant; the 20 working days to pay count from its receipt."""

    ONLINE = "online"
    EMAIL = "email"
    POST = "post"
    IN_PERSON = "in_person"


FEE_DELIVERY_LABELS = {
    FeeDelivery.ONLINE: "网上送达",
    FeeDelivery.EMAIL: "电子邮件送达",
    FeeDelivery.POST: "邮寄送达",
    FeeDelivery.IN_PERSON: "当面送达",
}
# Received the day it is issued (the system or the mailbox delivers it at once); a paper notice is
# received on the day its return receipt (回执 / 送达回证) shows, which a clerk records.
FEE_RECEIVED_ON_ISSUE = frozenset({FeeDelivery.ONLINE, FeeDelivery.EMAIL})


class FeeRelief(StrEnum):
    """A reduction or waiver (减免) of the fee, which the agency may grant."""

    REDUCED = "reduced"
    WAIVED = "waived"


FEE_RELIEF_LABELS = {FeeRelief.REDUCED: "减收", FeeRelief.WAIVED: "免收"}


class FeeReliefReason(StrEnum):
    FINANCIAL_HARDSHIP = "financial_hardship"
    OTHER = "other"


FEE_RELIEF_REASON_LABELS = {FeeReliefReason.FINANCIAL_HARDSHIP: "经济困难", FeeReliefReason.OTHER: "其他"}


class FeeNotice(SQLModel, table=True):
    """条例第四十二条, 国办函〔2020〕109号: an information-processing fee notice (收费通知书)."""

    __tablename__ = "fee_notices"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    method: str = Field(max_length=20)
    applications_this_month: int | None = None
    pages: int | None = None
    amount: int  # yuan, as computed from the method: before any reduction or waiver
    reason: str
    notified_on: date
    delivery: str = Field(default=str(FeeDelivery.ONLINE), max_length=20)
    # The day the applicant received the notice: the issue day for online and email delivery, the
    # return receipt's day for paper (None until a clerk records it).
    received_on: date | None = None
    # The last day to pay: 20 working days from `received_on`; None while that day is unknown.
    due_on: date | None = None
    paid_on: date | None = None
    # 减免: the yuan taken off `amount` (all of it: waived); with its reason, day and clerk.
    relief_amount: int = 0
    relief_reason_code: str | None = Field(default=None, max_length=40)
    relief_reason: str | None = None
    relief_on: date | None = None
    relief_by: str | None = Field(default=None, max_length=64)
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))

    @property
    def amount_due(self) -> int:
        return self.amount - self.relief_amount

    @property
    def relief(self) -> FeeRelief | None:
        if self.relief_amount <= 0:
            return None
        return FeeRelief.WAIVED if self.relief_amount >= self.amount else FeeRelief.REDUCED


# --------------------------------------------------------------------------------------------
# The holiday calendar: admin-entered overrides per date (docs/time-limits.md, "Working days").


class CalendarDay(SQLModel, table=True):
    """One date whose working status an admin entered: a holiday, or a 调休 working weekend."""

    __tablename__ = "calendar_days"

    day: date = Field(primary_key=True)
    working: bool
    name: str | None = Field(default=None, max_length=40)
    updated_by: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class CalendarYear(SQLModel, table=True):
    """A year an admin confirmed as wholly entered from the State Council's notice: its deadlines stop
    being provisional. Entering dates alone never confirms a year."""

    __tablename__ = "calendar_years"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    confirmed_by: str | None = Field(default=None, max_length=64)
    confirmed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


# --------------------------------------------------------------------------------------------
# The annual report's written sections and its publication (条例第四十九条、第五十条).


class AnnualReportText(SQLModel, table=True):
    """What the agency writes into its report for a year: sections 一, 五 and 六 of the national format
    (the tables are counted), and the catalog document the report was sent to for publication."""

    __tablename__ = "annual_report_texts"
    __table_args__ = (sa.UniqueConstraint("agency_id", "year", name="uq_annual_report_texts_agency_year"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int
    year: int
    overview: str = Field(default="", sa_column=Column(sa.Text, nullable=False))
    problems: str = Field(default="", sa_column=Column(sa.Text, nullable=False))
    other_matters: str = Field(default="", sa_column=Column(sa.Text, nullable=False))
    version: int = 0
    updated_by: str | None = Field(default=None, max_length=64)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    catalog_document_id: int | None = None
    publication_requested_by: str | None = Field(default=None, max_length=64)
    publication_requested_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
