"""Feedback tables and enumerations: mailbox, hotline, letters and visits (docs/time-limits.md,
"Feedback, hotline and 信访")."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from shared.db import UTCDateTime, utcnow


class FeedbackKind(StrEnum):
    SUGGESTION = "suggestion"
    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    REPORT = "report"


class Channel(StrEnum):
    MAILBOX = "mailbox"
    HOTLINE = "hotline"
    LETTER = "letter"
    VISIT = "visit"


KIND_LABELS = {
    FeedbackKind.SUGGESTION: "建议",
    FeedbackKind.CONSULTATION: "咨询",
    FeedbackKind.COMPLAINT: "投诉",
    FeedbackKind.REPORT: "举报",
}
# Only suggestions and reports may be sent without a name (docs/architecture.md, "Reports naming an agency").
ANONYMOUS_ALLOWED = frozenset({FeedbackKind.SUGGESTION, FeedbackKind.REPORT})
# Complaints and reports get a return visit (回访) after they are closed.
RETURN_VISIT_KINDS = frozenset({FeedbackKind.COMPLAINT, FeedbackKind.REPORT})
CHANNEL_LABELS = {
    Channel.MAILBOX: "意见箱（网站、移动端）",
    Channel.HOTLINE: "举报电话",
    Channel.LETTER: "来信",
    Channel.VISIT: "来访",
}
# Letters and visits are 信访 and follow its national rule; the mailbox and the hotline follow the
# local rule by coordination level (docs/time-limits.md, "Feedback, hotline and 信访"; shared.deadlines).
RULE_SET_BY_CHANNEL = {
    Channel.MAILBOX: "feedback-local",
    Channel.HOTLINE: "feedback-local",
    Channel.LETTER: "petition-2022",
    Channel.VISIT: "petition-2022",
}


class Level(StrEnum):
    """How much coordination an answer needs (the local rule for 来信来访): sets its time limit."""

    OWN_AUTHORITY = "own_authority"
    AREA_COORDINATION = "area_coordination"
    CROSS_DEPARTMENT = "cross_department"


LEVEL_LABELS = {
    Level.OWN_AUTHORITY: "职权范围内，立即答复",
    Level.AREA_COORDINATION: "需辖区内协调，1至3天",
    Level.CROSS_DEPARTMENT: "需协调其他部门，一周内",
}
# Until a clerk chooses, a case is held to the longest local limit.
DEFAULT_LEVEL = Level.CROSS_DEPARTMENT


class CaseState(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    REPLIED = "replied"
    CLOSED = "closed"
    REFUSED = "refused"  # 不予受理 (信访): a written decision, the case ends


STATE_LABELS = {
    CaseState.RECEIVED: "待受理",
    CaseState.ASSIGNED: "办理中",
    CaseState.REPLIED: "已答复",
    CaseState.CLOSED: "已办结",
    CaseState.REFUSED: "不予受理",
}


class RefusalReason(StrEnum):
    """Why a 信访 case is not accepted; each has its wording and what the sender is told to do."""

    LEGAL_CHANNEL = "legal_channel"
    NOT_COMPETENT = "not_competent"
    ALREADY_HANDLED = "already_handled"
    REVIEW_CONCLUDED = "review_concluded"
    OTHER = "other"


REFUSAL_LABELS = {
    RefusalReason.LEGAL_CHANNEL: "属于应当通过诉讼、仲裁、行政复议等法定途径解决的事项",
    RefusalReason.NOT_COMPETENT: "不属于本机关职权范围",
    RefusalReason.ALREADY_HANDLED: "同一事项已经受理或者正在办理",
    RefusalReason.REVIEW_CONCLUDED: "已经复核终结，以同一事实和理由再次提出",
    RefusalReason.OTHER: "其他",
}


class ReviewLevel(StrEnum):
    """信访工作条例第三十五条: 复查 by the level above the handling agency; 第三十六条: then 复核 by the level above
    that; nothing after 复核."""

    REVIEW = "review"
    FINAL_REVIEW = "final_review"


REVIEW_LEVEL_LABELS = {
    ReviewLevel.REVIEW: "复查",
    ReviewLevel.FINAL_REVIEW: "复核",
}


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


RATING_LABELS = {
    Rating.SATISFIED: "满意",
    Rating.BASICALLY_SATISFIED: "基本满意",
    Rating.UNSATISFIED: "不满意",
}


class Disposition(StrEnum):
    """What became of a call, letter or visit the clerk recorded."""

    ANSWERED = "answered"
    CASE_OPENED = "case_opened"
    TRANSFERRED = "transferred"


DISPOSITION_LABELS = {
    Disposition.ANSWERED: "当场答复",
    Disposition.CASE_OPENED: "转为办理事项",
    Disposition.TRANSFERRED: "转其他单位",
}


class FeedbackCase(SQLModel, table=True):
    """One message, call or letter that needs an answer. The sender's identity and contact are
    encrypted (shared.personal_data); the clock facts are `events` rows (aggregate "feedback_case"),
    and `due_on` is rewritten from them at every step so queues and statistics need no replay."""

    __tablename__ = "feedback_cases"
    __table_args__ = (
        sa.Index("ix_feedback_cases_agency_state", "agency_id", "state"),
        sa.Index("ix_feedback_cases_content_hash_created", "content_hash", "created_at"),
        # A region's rows by `agency_path LIKE '/1/2/%'`: PostgreSQL's plain index serves equality only.
        sa.Index(
            "ix_feedback_cases_agency_path_prefix",
            "agency_path",
            postgresql_ops={"agency_path": "varchar_pattern_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_no: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    query_code_hash: str = Field(max_length=128)
    kind: str = Field(max_length=20)
    channel: str = Field(max_length=20)
    agency_id: int = Field(index=True)
    agency_path: str = Field(max_length=400, index=True)
    intake: bool = False  # sent to a region's intake ("don't know which agency")
    accused_agency_id: int | None = Field(default=None, index=True)
    accused_agency_path: str | None = Field(default=None, max_length=400, index=True)
    subject: str = Field(max_length=200)
    content: str
    content_hash: str = Field(max_length=64)
    anonymous: bool = False
    sender_user_id: str | None = Field(default=None, max_length=64, index=True)
    sender_name: str | None = None  # encrypted
    sender_phone: str | None = None  # encrypted
    sender_email: str | None = None  # encrypted
    sender_address: str | None = None  # encrypted
    consent_to_publish: bool = False
    rule_set: str = Field(max_length=40)
    level: str | None = Field(default=None, max_length=30)
    state: str = Field(max_length=20, index=True)
    owner_id: str | None = Field(default=None, max_length=64, index=True)
    round: int = 1  # 2 after an unsatisfied rating reopened the case (at most once)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    received_on: date = Field(index=True)  # received_at's date in Asia/Shanghai
    due_on: date | None = Field(default=None, index=True)
    due_provisional: bool = False
    first_replied_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    replied_on: date | None = None
    reply: str | None = None
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    on_time: bool | None = None  # the (last) reply came by its due date
    rating: str | None = Field(default=None, max_length=30)
    rating_comment: str | None = None
    rated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    return_visited_on: date | None = None
    contact_record_id: int | None = Field(default=None, index=True)
    refusal_reason: str | None = Field(default=None, max_length=30)  # 不予受理: its reason code
    refusal_text: str | None = None  # 不予受理: the written reason
    review_level: str | None = Field(default=None, max_length=20)  # a 复查 or 复核 request (ReviewLevel)
    # The case whose opinion a 复查 (the original) or 复核 (the 复查) contests; each is contested once.
    reviewed_case_id: int | None = Field(default=None, unique=True, index=True)
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class ContactRecord(SQLModel, table=True):
    """A hotline call (举报电话), letter or visit as the clerk recorded it; the caller's number and
    name are encrypted and shown masked."""

    __tablename__ = "contact_records"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    agency_id: int = Field(index=True)
    agency_path: str = Field(max_length=400, index=True)
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    duration_seconds: int | None = None
    contact_number: str | None = None  # encrypted
    contact_name: str | None = None  # encrypted
    kind: str = Field(max_length=20)
    summary: str
    disposition: str = Field(max_length=20)
    transferred_to: str | None = Field(default=None, max_length=200)
    case_id: int | None = Field(default=None, index=True)
    accused_agency_id: int | None = Field(default=None, index=True)  # a report naming an agency
    recorded_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class PublishedReply(SQLModel, table=True):
    """A question and its answer published with the sender's consent, personal data masked."""

    __tablename__ = "published_replies"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column_kwargs={"unique": True})
    agency_id: int = Field(index=True)
    agency_path: str = Field(max_length=400, index=True)
    kind: str = Field(max_length=20, index=True)
    subject: str = Field(max_length=200)
    question: str
    answer: str
    asked_on: date
    replied_on: date
    published_by: str = Field(max_length=64)
    published_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Attachment(SQLModel, table=True):
    """A file the sender added to a message (photos, documents); kept in this service's database."""

    __tablename__ = "feedback_attachments"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    uploaded_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class NoticeKind(StrEnum):
    REFUSAL = "refusal"  # 不予受理告知书
    OPINION = "opinion"  # 办理意见书
    REVIEW_OPINION = "review_opinion"  # 复查意见书
    FINAL_REVIEW_OPINION = "final_review_opinion"  # 复核意见书


NOTICE_KIND_LABELS = {
    NoticeKind.REFUSAL: "不予受理告知书",
    NoticeKind.OPINION: "办理意见书",
    NoticeKind.REVIEW_OPINION: "复查意见书",
    NoticeKind.FINAL_REVIEW_OPINION: "复核意见书",
}


class NoticeCounter(SQLModel, table=True):
    """The last notice number an agency used in a year (one sequence for every kind of notice)."""

    __tablename__ = "feedback_notice_counters"

    agency_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class FeedbackNotice(SQLModel, table=True):
    """A written decision sent to the sender (不予受理告知书, 办理意见书, 复查/复核意见书): issued with
    the step, in its transaction, from the record; never changed afterwards. `content` is the JSON
    of `NoticeContent` with the sender's name masked (the entitled reader gets it filled in)."""

    __tablename__ = "feedback_notices"
    __table_args__ = (
        sa.UniqueConstraint("agency_id", "year", "seq", name="uq_feedback_notices_number"),
        sa.UniqueConstraint("case_id", "kind", "round", name="uq_feedback_notices_case_kind_round"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(index=True)
    kind: str = Field(max_length=30)
    round: int = 1
    agency_id: int
    year: int
    seq: int
    number: str = Field(max_length=200)
    issued_on: date
    content: str
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class CalendarState(SQLModel, table=True):
    """The calendar the stored due dates were computed with (one row): when the holiday calendar
    changes, open cases' due dates are recomputed once, by whichever replica notices first."""

    __tablename__ = "calendar_state"

    id: int = Field(default=1, primary_key=True)
    fingerprint: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
