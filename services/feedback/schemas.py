"""Feedback API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from services.feedback.models import (
    CaseState,
    Channel,
    Disposition,
    FeedbackKind,
    Level,
    NoticeKind,
    Rating,
    RefusalReason,
    ReviewLevel,
)
from shared.schemas import DeadlinePublic, OfficialDate, RequestModel, id_field


class KindPublic(BaseModel):
    code: FeedbackKind
    label: str
    anonymous_allowed: bool = Field(description="是否允许匿名提交")


class ChannelPublic(BaseModel):
    code: Channel
    label: str


class CodeLabel(BaseModel):
    code: str
    label: str


class FeedbackVocabulary(BaseModel):
    kinds: list[KindPublic]
    channels: list[ChannelPublic]
    states: list[CodeLabel]
    levels: list[CodeLabel]
    ratings: list[CodeLabel]
    dispositions: list[CodeLabel]
    refusal_reasons: list[CodeLabel] = Field(description="不予受理的理由类别（来信来访）")
    review_levels: list[CodeLabel] = Field(description="复查、复核")


KIND_DESCRIPTION = "类别：suggestion 建议；consultation 咨询；complaint 投诉；report 举报"


# --- in -----------------------------------------------------------------------------------------


class SenderIn(RequestModel):
    name: str = Field(min_length=1, max_length=100, description="姓名或单位名称")
    phone: str | None = Field(default=None, min_length=3, max_length=30, description="联系电话")
    email: str | None = Field(default=None, max_length=254, description="电子邮箱")
    address: str | None = Field(default=None, max_length=300, description="通信地址")


class MessageIn(RequestModel):
    """A message to the mailbox (意见箱), from a logged-in user or anyone (匿名只限建议、举报)."""

    kind: FeedbackKind = Field(description=KIND_DESCRIPTION)
    agency_id: int | None = id_field("收件机关 ID；不清楚向哪个机关反映时改填 region_id")
    region_id: int | None = id_field("不清楚收件机关时：所在地区（县、市）的 ID，由该地区统一受理后分办")
    accused_agency_id: int | None = id_field("举报涉及的机关 ID（只限举报）：由其所在地区的监察人员监督办理")
    subject: str = Field(min_length=1, max_length=100, description="标题")
    content: str = Field(min_length=5, max_length=5000, description="内容")
    anonymous: bool = Field(default=False, description="匿名提交（只限建议、举报）")
    sender: SenderIn | None = Field(default=None, description="联系人信息；匿名时不填")
    consent_to_publish: bool = Field(default=False, description="同意在网站公开问题和答复（个人信息脱敏）")


class ContactRecordIn(RequestModel):
    """A call to the hotline, a letter or a visit, recorded by a clerk of the receiving agency."""

    channel: Channel = Field(description="hotline 举报电话；letter 来信；visit 来访（意见箱留言不在此登记）")
    agency_id: int | None = id_field("受理机关 ID，默认为经办人员本机关")
    occurred_at: AwareDatetime = Field(description="来电、收信或来访时间（带时区）")
    duration_seconds: int | None = Field(
        default=None, ge=0, le=86_400, description="通话时长（秒，只限来电）"
    )
    contact_number: str | None = Field(
        default=None, min_length=3, max_length=30, description="来电号码或联系电话"
    )
    contact_name: str | None = Field(
        default=None, min_length=1, max_length=100, description="来电人、来信人姓名"
    )
    contact_address: str | None = Field(default=None, max_length=300, description="通信地址")
    kind: FeedbackKind = Field(description=KIND_DESCRIPTION)
    accused_agency_id: int | None = id_field(
        "举报涉及的机关 ID（只限转为办理事项的举报）：与意见箱举报一样，由其上一级地区受理，被举报机关不能办理"
    )
    summary: str = Field(min_length=2, max_length=5000, description="内容摘要")
    disposition: Disposition = Field(
        description="处理方式：answered 当场答复；case_opened 转为办理事项；transferred 转其他单位"
    )
    transferred_to: str | None = Field(default=None, min_length=1, max_length=200, description="转往的单位")
    subject: str | None = Field(
        default=None, min_length=1, max_length=100, description="转为办理事项时的标题"
    )
    consent_to_publish: bool = Field(default=False, description="来电人同意公开答复")


class TakeIn(RequestModel):
    level: Level | None = Field(
        default=None,
        description="协调级别（意见箱、来电必填）：own_authority 职权范围内立即答复；"
        "area_coordination 辖区内协调 1-3 天；cross_department 协调其他部门一周内",
    )
    note: str | None = Field(default=None, max_length=1000, description="备注")


class HandOverIn(RequestModel):
    to_agency_id: int | None = id_field("移交给的机关 ID（与 to_clerk_id 二选一）")
    to_clerk_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="移交给本机关的同事"
    )
    reason: str = Field(min_length=2, max_length=1000, description="移交理由（首问负责制：须记录）")


class ExtensionIn(RequestModel):
    days: int = Field(ge=1, le=30, description="延长天数（信访事项，合计不超过 30 日）")
    reason: str = Field(min_length=2, max_length=1000, description="延长理由")


class ReplyIn(RequestModel):
    reply: str = Field(min_length=2, max_length=10_000, description="答复内容")


class CloseIn(RequestModel):
    note: str | None = Field(default=None, max_length=1000, description="办结说明")


class RatingIn(RequestModel):
    rating: Rating = Field(description="satisfied 满意；basically_satisfied 基本满意；unsatisfied 不满意")
    comment: str | None = Field(default=None, max_length=1000, description="评价意见")
    reopen: bool = Field(default=False, description="不满意时要求重新办理（每个事项只能一次）")


class TrackedRatingIn(RatingIn):
    code: str = Field(min_length=1, max_length=64, description="查询码")


REFUSAL_DESCRIPTION = (
    "不予受理的理由：legal_channel 应当通过诉讼、仲裁、行政复议等法定途径解决；not_competent 不属于本机关"
    "职权范围；already_handled 同一事项已经受理或者正在办理；review_concluded 已经复核终结、以同一事实和理由"
    "再次提出；other 其他"
)


class RefusalIn(RequestModel):
    """不予受理 (信访): the reason code and the written reason the notice states."""

    reason: RefusalReason = Field(description=REFUSAL_DESCRIPTION)
    text: str = Field(min_length=5, max_length=5000, description="书面理由（写入不予受理告知书）")


REVIEW_LEVEL_DESCRIPTION = "review 复查（对办理意见不服）；final_review 复核（对复查意见不服）"


class ReviewRequestIn(RequestModel):
    """A 复查 or 复核 request (信访工作条例第三十五条) by the sender."""

    level: ReviewLevel = Field(description=REVIEW_LEVEL_DESCRIPTION)
    reason: str = Field(min_length=5, max_length=5000, description="不服的理由和请求")
    received_on: OfficialDate | None = Field(
        default=None,
        description="收到办理意见书（或复查意见书）的日期；默认为意见书出具之日。30 日自这一天起算",
    )


class TrackedReviewRequestIn(ReviewRequestIn):
    code: str = Field(min_length=1, max_length=64, description="查询码")


class ReturnVisitIn(RequestModel):
    visited_on: OfficialDate = Field(description="回访日期")
    note: str = Field(min_length=2, max_length=2000, description="回访情况")


class PublicationIn(RequestModel):
    subject: str | None = Field(
        default=None, min_length=1, max_length=100, description="公开标题（默认用原标题）"
    )
    question: str | None = Field(
        default=None, min_length=2, max_length=5000, description="公开的问题（默认用原文）"
    )
    answer: str | None = Field(
        default=None, min_length=2, max_length=10_000, description="公开的答复（默认用答复原文）"
    )


# --- out ----------------------------------------------------------------------------------------


class MessageReceipt(BaseModel):
    id: int
    tracking_no: str = Field(description="事项编号")
    query_code: str = Field(description="查询码：只显示这一次，凭编号和查询码查询进度、评价答复")
    received_on: date
    due: date | None = Field(description="当前答复期限")


class SenderPublic(BaseModel):
    name: str | None
    phone: str | None
    email: str | None
    address: str | None
    masked: bool


class AttachmentPublic(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    url: str = Field(description="下载地址（须能查看该事项）")


class RefusalPublic(BaseModel):
    reason: RefusalReason
    label: str
    text: str


class ReviewLink(BaseModel):
    """The other end of a 复查/复核 link: the case and the opinion it contests or that contests it."""

    id: int
    tracking_no: str
    agency_id: int
    review_level: ReviewLevel | None
    state: CaseState
    reply: str | None = Field(description="该事项的办理意见（复查、复核机关据以审查）")
    replied_on: date | None


class CasePublic(BaseModel):
    id: int
    tracking_no: str
    kind: FeedbackKind
    channel: Channel
    agency_id: int
    intake: bool = Field(description="由地区统一受理（来信人不清楚收件机关）")
    accused_agency_id: int | None
    subject: str
    content: str
    anonymous: bool
    sender: SenderPublic | None = Field(description="举报人信息只对承办人和监察人员显示；匿名时为空")
    consent_to_publish: bool
    rule_set: str
    level: Level | None
    state: CaseState
    owner_id: str | None
    round: int
    received_on: date
    deadline: DeadlinePublic
    reply: str | None
    replied_on: date | None
    rating: Rating | None
    rating_comment: str | None
    return_visited_on: date | None
    contact_record_id: int | None
    published_reply_id: int | None
    attachments: list[AttachmentPublic]
    refusal: RefusalPublic | None = Field(description="不予受理的理由（不予受理时）")
    review_level: ReviewLevel | None = Field(description="复查或复核请求；原事项为空")
    reviewed: ReviewLink | None = Field(description="复查、复核所针对的事项及其意见")
    review: ReviewLink | None = Field(description="针对本事项意见提出的复查或复核")
    created_at: datetime
    updated_at: datetime
    labels: dict[str, str]


class NoticeAgency(BaseModel):
    id: int
    name: str


class NoticeReviewed(BaseModel):
    """The opinion a 复查 or 复核 opinion rules on."""

    tracking_no: str
    number: str | None
    issued_on: date | None


class NoticeContent(BaseModel):
    """A written notice as issued; the sender's name is stored masked and filled in for the sender
    and the case's handler."""

    kind: NoticeKind
    kind_label: str
    number: str
    title: str
    agency: NoticeAgency
    issued_on: date
    sender_name: str
    tracking_no: str
    received_on: date
    subject: str
    decision: str = Field(description="不予受理的理由类别，或“办理意见”“复查意见”“复核意见”")
    reason: str = Field(description="书面理由，或意见的内容")
    legal_basis: list[str]
    next_step: str = Field(description="信访人可以做什么（复查、复核的机关和期限，或不再受理）")
    reviewed: NoticeReviewed | None = None


class NoticePublic(NoticeContent):
    id: int
    case_id: int


class NoticeListItem(BaseModel):
    id: int
    kind: NoticeKind
    label: str
    number: str
    issued_on: date
    html_url: str = Field(description="可打印的 A4 页面")
    pdf_url: str = Field(description="PDF（嵌入中文字体）")


class CaseSummary(BaseModel):
    id: int
    tracking_no: str
    kind: FeedbackKind
    channel: Channel
    agency_id: int
    subject: str
    state: CaseState
    owner_id: str | None
    received_on: date
    due: date | None
    flag: str
    provisional: bool
    rating: Rating | None
    labels: dict[str, str]


class TimelineEntry(BaseModel):
    action: str
    label: str
    at: datetime
    actor_role: str | None
    actor_id: str | None
    reason: str | None
    details: dict[str, Any]


class TrackingStatus(BaseModel):
    tracking_no: str
    kind: FeedbackKind
    state: CaseState
    state_label: str
    received_on: date
    due: date | None
    reply: str | None
    replied_on: date | None
    rating: Rating | None
    can_rate: bool
    can_reopen: bool
    refusal: RefusalPublic | None = Field(default=None, description="不予受理的理由（不予受理时）")
    notices: list[NoticeListItem] = Field(
        default_factory=list,
        description="不予受理告知书、办理意见书等书面文书；地址后加 ?code=查询码 打开",
    )


class ContactRecordPublic(BaseModel):
    id: int
    channel: Channel
    agency_id: int
    occurred_at: datetime
    duration_seconds: int | None
    contact_number: str | None = Field(description="已脱敏；指明被举报机关的举报只向承办人和监察人员显示")
    contact_name: str | None = Field(description="已脱敏；指明被举报机关的举报只向承办人和监察人员显示")
    kind: FeedbackKind
    accused_agency_id: int | None
    summary: str
    disposition: Disposition
    transferred_to: str | None
    case_id: int | None
    recorded_by: str
    created_at: datetime
    labels: dict[str, str]


class ContactRecordReceipt(BaseModel):
    record: ContactRecordPublic
    case: MessageReceipt | None = Field(description="转为办理事项时：事项编号和查询码（可告知来电人）")


class PublishedReplyPublic(BaseModel):
    id: int
    agency_id: int
    kind: FeedbackKind
    kind_label: str
    subject: str
    question: str
    answer: str
    asked_on: date
    replied_on: date
    published_at: datetime


class Durations(BaseModel):
    count: int
    median_hours: float | None
    p95_hours: float | None


class AgencyCount(BaseModel):
    agency_id: int
    count: int


class FeedbackStats(BaseModel):
    agency_id: int | None = Field(description="统计范围：该机关及其下级；为空时为调用者的范围")
    from_date: date | None = Field(alias="from", serialization_alias="from")
    to_date: date | None = Field(alias="to", serialization_alias="to")
    total: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    by_state: dict[str, int]
    by_agency: list[AgencyCount]
    closed: int
    closed_on_time: int
    on_time_share: float | None = Field(description="已办结事项中按期答复的比例")
    first_reply: Durations = Field(description="从收到到首次答复")
    close: Durations = Field(description="从收到到办结")
    rated: int
    by_rating: dict[str, int]
    satisfaction_rate: float | None = Field(description="（满意 + 基本满意）/ 已评价")
    overdue_open: int = Field(description="未办结且已超期（红牌）")
    yellow_open: int = Field(description="未办结且临近期限（黄牌）")

    model_config = {"populate_by_name": True}
