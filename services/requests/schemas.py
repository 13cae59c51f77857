"""Requests API shapes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.requests.models import (
    ApplicantType,
    Channel,
    Delivery,
    FeeDelivery,
    FeeMethod,
    FeeRelief,
    FeeReliefReason,
    Form,
    IdType,
    Outcome,
    ReviewKind,
    ReviewResult,
)
from shared.schemas import DeadlinePublic, OfficialDate, RequestModel, id_field


class OutcomePublic(BaseModel):
    code: Outcome
    report_row: str = Field(description="年度报告表三中的行号，如 （三）1")
    label: str = Field(description="中文名称")


# --- what an applicant gives (条例第二十九条) -----------------------------------------------------


class ApplicationIn(RequestModel):
    """An application submitted online by a registered member of the public."""

    agency_id: int = id_field("申请的行政机关 ID")
    applicant_type: ApplicantType = Field(
        description="申请人类型：natural_person 自然人；commercial_enterprise 商业企业；research_institution 科研机构；"
        "public_interest_organisation 社会公益组织；legal_service_institution 法律服务机构；other 其他"
    )
    applicant_name: str = Field(min_length=1, max_length=100, description="申请人姓名或组织名称")
    id_type: IdType = Field(
        description="证件类型：resident_id 居民身份证（校验码检查）；passport 护照；"
        "unified_social_credit_code 统一社会信用代码；other 其他"
    )
    id_number: str = Field(min_length=1, max_length=40, description="证件号码")
    phone: str = Field(min_length=3, max_length=30, description="联系电话")
    email: str | None = Field(default=None, max_length=254, description="电子邮箱")
    address: str | None = Field(default=None, max_length=300, description="通信地址")
    description: str = Field(
        min_length=1, max_length=5000, description="所需政府信息的名称、文号或者便于查询的其他特征性描述"
    )
    form: Form = Field(
        description="获取信息的形式：paper 纸质；electronic 电子文档；email 电子邮件；on_site 当场查阅"
    )
    delivery: Delivery = Field(
        description="获取方式：post 邮寄；email 电子邮件；pickup 自行领取；online 网上获取"
    )


class RegistrationIn(ApplicationIn):
    """An application received by letter, fax or in person, registered by a clerk of the agency
    (`agency_id` must be the clerk's own). 条例第三十一条: in person → that day (today); registered
    post → the day signed for; ordinary letter or fax → the day the office confirmed with the applicant;
    in person → the day it was handed in (`received_on`, today when left out), even if registered later."""

    channel: Channel = Field(
        description="收到方式：in_person 当面提交；letter_registered 挂号信；letter_ordinary 平信；fax 传真"
        "（online 只能由申请人在网上提交）"
    )
    signed_for_on: OfficialDate | None = Field(
        default=None, description="挂号信的签收日期（letter_registered 必填）"
    )
    confirmed_on: OfficialDate | None = Field(
        default=None, description="与申请人确认的日期（letter_ordinary、fax 必填）"
    )
    received_on: OfficialDate | None = Field(
        default=None,
        description="当面提交的日期（仅 in_person；不填为今天）：条例第三十一条，当面提交的以提交之日为收到申请之日，"
        "事后登记的也以该日为准",
    )


class TrackingReceipt(BaseModel):
    id: int
    tracking_no: str = Field(description="申请编号")
    query_code: str = Field(description="查询码：只显示这一次，凭申请编号和查询码可查询办理状态")
    received_on: date
    due: date | None = Field(description="答复期限")


# --- what comes back --------------------------------------------------------------------------


class ApplicantPublic(BaseModel):
    name: str
    id_type: IdType
    id_number: str
    phone: str
    email: str | None
    address: str | None
    masked: bool = Field(description="true：个人信息已脱敏")


class FeeStatus(BaseModel):
    """What the applicant must pay and by when (the latest fee notice), as the tracking views show it."""

    amount: int = Field(description="收费金额（元，减免前）")
    relief: FeeRelief | None = Field(description="减免：reduced 减收；waived 免收")
    relief_amount: int = Field(description="减免的金额（元）")
    amount_due: int = Field(description="应缴金额（元）；免收的为 0")
    notified_on: date
    received_on: date | None = Field(description="收到收费通知的日期；邮寄、当面送达的，回执日期登记前为空")
    due_on: date | None = Field(description="缴费期限；收到日期未登记时为空（自收到之日起计算）")
    payment_terms: str = Field(description="缴费期限的计算方式与当前的缴费期限")
    paid_on: date | None


class ApplicationPublic(BaseModel):
    id: int
    tracking_no: str
    agency_id: int
    applicant_type: ApplicantType
    applicant: ApplicantPublic
    description: str
    form: Form
    delivery: Delivery
    channel: Channel
    received_on: date
    rule_set: str
    state: str
    outcome: Outcome | None
    assigned_to: str | None
    created_at: datetime
    updated_at: datetime
    deadline: DeadlinePublic
    remedies: str | None = Field(
        default=None,
        description="逾期未答复时申请人的救济途径（行政复议法第二十三条第一款第（三）项：先申请行政复议）；"
        "未逾期或已答复时为空",
    )
    fee: FeeStatus | None = Field(default=None, description="信息处理费（最近一份收费通知）；未收费时为空")
    labels: dict[str, str] = Field(description="枚举值的中文名称")


class ApplicationSummary(BaseModel):
    id: int
    tracking_no: str
    agency_id: int
    applicant_type: ApplicantType
    applicant_name: str = Field(description="已脱敏")
    channel: Channel
    received_on: date
    state: str
    outcome: Outcome | None
    due: date | None
    flag: str | None
    provisional: bool
    labels: dict[str, str]


class PersonalData(BaseModel):
    id: int
    tracking_no: str
    applicant: ApplicantPublic


class TimelineEntry(BaseModel):
    action: str
    label: str
    at: datetime
    actor_role: str | None
    actor_id: str | None = Field(description="仅工作人员可见")
    reason: str | None
    details: dict[str, Any]


class TrackingStatus(BaseModel):
    tracking_no: str
    state: str
    state_label: str
    received_on: date
    due: date | None
    outcome: Outcome | None
    outcome_label: str | None
    remedies: str | None = Field(
        default=None,
        description="逾期未答复时申请人的救济途径（行政复议法第二十三条第一款第（三）项：先申请行政复议）；"
        "未逾期或已答复时为空",
    )
    fee: FeeStatus | None = Field(default=None, description="信息处理费（最近一份收费通知）；未收费时为空")


# --- action bodies ------------------------------------------------------------------------------


class CorrectionItem(RequestModel):
    text: str = Field(min_length=1, max_length=500, description="需要补正的一项内容")


class CorrectionRequestIn(RequestModel):
    items: list[CorrectionItem] = Field(
        min_length=1, max_length=30, description="一次性告知需要补正的全部事项（条例第三十条）"
    )
    days: int = Field(ge=1, le=60, description="给申请人的补正期限（工作日）")
    notified_on: OfficialDate | None = Field(
        default=None, description="补正告知书发出的日期（默认今天；不能晚于今天、不能早于收到日期）"
    )


class CorrectionIn(RequestModel):
    """The correction: this text and every file uploaded for it (…/correction/attachments) and not yet sent."""

    text: str = Field(min_length=1, max_length=5000, description="补正后的申请内容或说明")
    received_on: OfficialDate | None = Field(
        default=None,
        description="收到补正的日期：仅经办人员登记以信件、传真或当面收到的补正时填写（必填），"
        "答复期限自该日起重新计算（条例第三十条）；申请人在网上补正时不填",
    )


class CorrectionFilePublic(BaseModel):
    id: int
    application_id: int
    filename: str
    content_type: str
    size: int = Field(description="字节数")
    sha256: str
    created_at: datetime
    submitted_at: datetime | None = Field(description="随补正提交的时间；为空：已上传、尚未随补正提交")
    url: str = Field(description="下载地址（能查看该申请的人可以下载）")


class ConsultationKind(StrEnum):
    THIRD_PARTY = "third_party"
    OTHER_AGENCY = "other_agency"


class ConsultationStartIn(RequestModel):
    kind: ConsultationKind = Field(
        description="third_party 征求第三方意见（第三十二条）；other_agency 征求其他机关意见（第三十四条）"
    )
    party: str = Field(min_length=1, max_length=200, description="被征求意见的第三方或机关")
    reason: str = Field(min_length=1, max_length=2000)


class ConsultationEndIn(RequestModel):
    opinion: str = Field(min_length=1, max_length=5000, description="收到的意见摘要")


class ExtensionBasis(StrEnum):
    """Why the time limit is longer: the reason code printed on the 延期告知书."""

    ORDINARY = "ordinary"  # 条例第三十三条第二款: 需要延长答复期限，最长不超过 20 个工作日
    MASS_APPLICATIONS = (
        "mass_applications"  # 条例第三十五条: 数量、频次明显超过合理范围，确定合理的延迟答复期限
    )


EXTENSION_BASIS_LABELS = {
    ExtensionBasis.ORDINARY: "需要延长答复期限（条例第三十三条第二款）",
    ExtensionBasis.MASS_APPLICATIONS: "申请公开政府信息的数量、频次明显超过合理范围（条例第三十五条）",
}


class ExtensionIn(RequestModel):
    basis: ExtensionBasis = Field(
        default=ExtensionBasis.ORDINARY,
        description="ordinary 延长答复期限（第三十三条，给出 days）；"
        "mass_applications 大量、频繁申请，确定延迟答复的期限（第三十五条，给出 until）",
    )
    days: int | None = Field(
        default=None, ge=1, le=60, description="ordinary：延长的工作日数（合计不超过规则上限，条例为 20）"
    )
    until: OfficialDate | None = Field(
        default=None,
        description="mass_applications：机关确定的答复期限（日期），须晚于现行期限，至多再多 60 个工作日",
    )
    reason: str = Field(min_length=1, max_length=2000, description="延期理由")
    approver_name: str = Field(
        min_length=1, max_length=100, description="同意延期的负责人姓名（经政府信息公开工作机构负责人同意）"
    )
    approver_role: str = Field(
        min_length=1, max_length=100, description="同意延期的负责人职务，如“政府信息公开办公室主任”"
    )


class ExtensionNoticePublic(BaseModel):
    """延期告知书, generated from the extension's event."""

    id: int = Field(description="延期事件的编号（…/extension-notices/{id}.html）")
    number: str = Field(description="告知书编号（按机关、年度连续编号，与答复告知书同一序列）")
    title: str
    agency: NoticeAgency
    issued_on: date
    applicant_name: str
    tracking_no: str
    received_on: date
    description: str
    basis: ExtensionBasis
    basis_label: str
    legal_basis: str
    reason: str
    days: int | None = None
    until: date | None = None
    due_before: date | None = Field(default=None, description="延期前的答复期限")
    due_on: date | None = Field(default=None, description="延期后的答复期限")
    approver_name: str
    approver_role: str


class WithheldItem(RequestModel):
    item: str = Field(min_length=1, max_length=500, description="不予公开的部分")
    reason: str = Field(min_length=1, max_length=2000, description="不予公开的理由")


class DecisionIn(RequestModel):
    outcome: Outcome = Field(description="办理结果代码（见 GET /api/v1/requests/outcomes）")
    reason: str = Field(min_length=1, max_length=5000, description="理由")
    legal_basis: str = Field(min_length=1, max_length=2000, description="法律依据")
    disclosed: str | None = Field(
        default=None, max_length=5000, description="公开的内容（partially_disclosed 必填：公开的部分）"
    )
    withheld: list[WithheldItem] | None = Field(
        default=None,
        max_length=50,
        description="不予公开的部分及理由（条例第三十七条；partially_disclosed 必填且不能为空，其他结果不填）",
    )


class ReferralKind(StrEnum):
    ALREADY_PUBLISHED = "already_published"
    OTHER_AGENCY = "other_agency"
    SHOULD_HAVE_BEEN_PROACTIVE = "should_have_been_proactive"


# Referrals that point the applicant to a document published in the catalog.
DOCUMENT_REFERRALS = frozenset({ReferralKind.ALREADY_PUBLISHED, ReferralKind.SHOULD_HAVE_BEEN_PROACTIVE})


class ReferralIn(RequestModel):
    kind: ReferralKind = Field(
        description="already_published 已主动公开（告知获取途径）；other_agency 不属于本机关（告知掌握机关）；"
        "should_have_been_proactive 属于应当主动公开的信息，本机关已在收到申请后主动公开（告知获取途径）"
    )
    document_id: int | None = id_field(
        "政府信息公开目录中已公开文件的 ID（already_published、should_have_been_proactive 必填；"
        "should_have_been_proactive 须为本机关在收到申请之日或之后公开的文件）"
    )
    agency_name: str | None = Field(
        default=None, max_length=200, description="掌握该信息的机关（other_agency 必填）"
    )
    reason: str = Field(min_length=1, max_length=2000)


class FeeReliefIn(RequestModel):
    """A reduction or waiver (减免) of the fee the agency grants: always with its reason."""

    kind: FeeRelief = Field(description="reduced 减收（部分）；waived 免收（全部）")
    amount: int | None = Field(
        default=None,
        ge=1,
        le=100_000_000,
        description="减收的金额（元）：reduced 必填，须少于收费金额；waived 不填（免收全部）",
    )
    reason_code: FeeReliefReason = Field(description="减免原因：financial_hardship 经济困难；other 其他")
    reason: str = Field(min_length=1, max_length=2000, description="减免的具体理由（必填）")


class FeeNoticeIn(RequestModel):
    method: FeeMethod = Field(
        description="by_count 按件计收（同一申请人一个自然月内向本机关申请的件数）；by_pages 按量计收（本申请的页数）"
    )
    pages: int | None = Field(default=None, ge=1, le=1_000_000, description="页数（by_pages 必填）")
    reason: str = Field(min_length=1, max_length=2000, description="收费理由（条例第四十二条）")
    delivery: FeeDelivery = Field(
        default=FeeDelivery.ONLINE,
        description="送达方式：online 网上送达、email 电子邮件送达（发出当日即为收到）；post 邮寄送达、"
        "in_person 当面送达（以回执上的日期为收到日期，由经办人员登记，登记前缴费期限未确定）",
    )


class FeeReceiptIn(RequestModel):
    received_on: OfficialDate = Field(
        description="申请人收到收费通知的日期（回执上的日期；不早于通知日期，不晚于今天）"
    )


class FeePaidIn(RequestModel):
    paid_on: OfficialDate | None = Field(
        default=None, description="缴费日期（默认今天；不早于收费通知日期，不晚于今天和缴费期限）"
    )
    note: str | None = Field(default=None, max_length=2000, description="备注（票据号等）")


class FeeNoticePublic(BaseModel):
    id: int
    application_id: int
    method: FeeMethod
    method_label: str
    applications_this_month: int | None = Field(description="按件计收：本申请是该申请人当月向本机关的第几件")
    pages: int | None
    amount: int = Field(description="按计收方式算出的收费金额（元，减免前）")
    reason: str
    notified_on: date
    delivery: FeeDelivery
    delivery_label: str
    received_on: date | None = Field(
        description="申请人收到收费通知的日期；邮寄、当面送达的，回执日期登记前为空"
    )
    due_on: date | None = Field(
        description="缴费期限：自收到收费通知之日起 20 个工作日（不计入答复期限）；收到日期未登记时为空"
    )
    payment_terms: str = Field(description="缴费期限的计算方式与当前的缴费期限（通知上载明的文字）")
    relief: FeeRelief | None = Field(description="减免：reduced 减收；waived 免收；未减免时为空")
    relief_label: str | None
    relief_amount: int = Field(description="减免的金额（元）")
    relief_reason_code: FeeReliefReason | None
    relief_reason: str | None
    relief_on: date | None
    amount_due: int = Field(description="减免后应缴的金额（元）；免收的为 0")
    paid_on: date | None


class FeeTally(BaseModel):
    count: int = Field(description="件数")
    amount: int = Field(description="金额（元）")


class FeeTotals(BaseModel):
    """Information-processing fees of an agency and all agencies below it in one year."""

    agency_id: int
    year: int
    notified: FeeTally = Field(description="本年发出的收费通知：件数与按计收方式算出的金额（减免前）")
    reduced: FeeTally = Field(description="其中减收的：件数与减收金额")
    waived: FeeTally = Field(description="其中免收的：件数与免收金额")
    charged: FeeTally = Field(description="减免后仍须缴费的：件数与应缴金额")
    collected: FeeTally = Field(description="本年实际收取的：件数与金额（按缴费日期计入年度）")


class AssignmentIn(RequestModel):
    clerk_id: str = Field(min_length=1, max_length=64, description="承办经办人员的用户 ID")
    reason: str = Field(min_length=1, max_length=2000, description="分派理由")


class WithdrawalIn(RequestModel):
    reason: str | None = Field(default=None, max_length=2000, description="撤回理由（可不填）")
    received_on: OfficialDate | None = Field(
        default=None,
        description="收到撤回申请的日期：仅经办人员登记以信件或当面收到的撤回时填写（必填）；申请人在网上撤回时不填",
    )


class AbandonmentIn(RequestModel):
    reason: str = Field(min_length=1, max_length=2000)


# --- the decision notice (告知书) ---------------------------------------------------------------


class NoticeAgency(BaseModel):
    id: int
    name: str = Field(description="作出答复的机关（来自目录服务）")


class NoticeDecision(BaseModel):
    outcome: Outcome
    report_row: str
    label: str = Field(description="办理结果（年度报告表三的行名）")
    reason: str
    legal_basis: str = Field(description="经办人员给出的法律依据")
    default_basis: list[str] = Field(description="该类办理结果的条例依据")


class NoticeWithheld(BaseModel):
    item: str
    reason: str


class NoticeDelivery(BaseModel):
    form: Form
    form_label: str
    delivery: Delivery
    delivery_label: str


class NoticeContent(BaseModel):
    number: str = Field(
        description="告知书编号，如 东湖县人民政府公开告〔2026〕第 12 号（按机关、年度连续编号）"
    )
    title: str
    agency: NoticeAgency
    issued_on: date
    applicant_name: str = Field(
        description="申请人姓名或名称：申请人本人和受理机关经办人员看到全名，监察人员看到脱敏后的姓名"
    )
    tracking_no: str
    received_on: date
    description: str = Field(description="申请公开的政府信息")
    decision: NoticeDecision
    disclosed: str | None = Field(description="公开的内容")
    withheld: list[NoticeWithheld] = Field(description="不予公开的部分及理由（部分公开）")
    referral: dict[str, Any] | None = Field(description="告知获取途径或掌握机关")
    delivery: NoticeDelivery
    reconsideration_body: str = Field(description="行政复议机关")
    remedies: str = Field(description="救济途径：行政复议 60 日、行政诉讼 6 个月")


class NoticePublic(NoticeContent):
    id: int
    application_id: int


class NoticeKind(StrEnum):
    """Every notice an application's handling issues, each numbered in the agency's one yearly sequence."""

    RECEIPT = "receipt"  # 登记回执: a letter, fax or visit registered (条例第三十一条)
    CORRECTION = "correction"  # 补正告知书 (第三十条)
    CONSULTATION = "consultation"  # 征求第三方意见书, to the third party (第三十二条)
    EXTENSION = "extension"  # 延期告知书 (第三十三条第二款、第三十五条)
    FEE = "fee"  # 收费通知书 (第四十二条)
    DECISION = "decision"  # 答复告知书 (第三十六条), every outcome
    REFERRAL = (
        "referral"  # 告知书: where it is published, or which agency holds it (第三十六条第（一）、（五）项)
    )


NOTICE_KIND_LABELS = {
    NoticeKind.RECEIPT: "登记回执",
    NoticeKind.CORRECTION: "补正告知书",
    NoticeKind.CONSULTATION: "征求第三方意见书",
    NoticeKind.EXTENSION: "延期告知书",
    NoticeKind.FEE: "收费通知书",
    NoticeKind.DECISION: "答复告知书",
    NoticeKind.REFERRAL: "告知书（获取途径或掌握机关）",
}


class NoticeListItem(BaseModel):
    """One notice of an application, as listed (no personal data: the documents carry the names)."""

    id: int = Field(description="告知书 ID（出具它的办理事件的编号）")
    kind: NoticeKind = Field(
        description="receipt 登记回执；correction 补正告知书；consultation 征求第三方意见书；extension 延期告知书；"
        "fee 收费通知书；decision 答复告知书；referral 告知书（获取途径或掌握机关）"
    )
    kind_label: str
    number: str = Field(description="编号（按机关、年度连续编号，各类告知书同一序列）")
    issued_on: date = Field(description="出具日期")
    addressed_to: str = Field(description="送达对象：申请人，或被征求意见的第三方")
    html_url: str = Field(description="可打印的 A4 页面")
    pdf_url: str = Field(description="PDF（嵌入中文字体）")


# --- review cases (行政复议 / 行政诉讼): annual-report table 四 --------------------------------------


class ReviewCaseIn(RequestModel):
    kind: ReviewKind = Field(
        description="reconsideration 行政复议；lawsuit_direct 行政诉讼（未经复议直接起诉）；"
        "lawsuit_after_reconsideration 行政诉讼（复议后起诉）"
    )
    filed_on: OfficialDate = Field(description="申请复议或起诉的日期（不早于收到申请之日，不晚于今天）")
    note: str | None = Field(default=None, max_length=2000, description="备注（案号、复议机关或法院等）")


class ReviewCaseResultIn(RequestModel):
    result: ReviewResult = Field(
        description="upheld 维持；corrected 纠正；other 其他结果；pending 尚未审结（撤回已记录的结果）"
    )
    concluded_on: OfficialDate | None = Field(
        default=None, description="审结日期（pending 时须为空；其他结果不填则为今天）"
    )
    note: str | None = Field(default=None, max_length=2000, description="备注")


class ReviewCasePublic(BaseModel):
    id: int
    application_id: int
    kind: ReviewKind
    kind_label: str
    filed_on: date
    result: ReviewResult
    result_label: str
    concluded_on: date | None
    note: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime


# --- the annual report (政府信息公开工作年度报告) ------------------------------------------------------


class ReportAgency(BaseModel):
    id: int
    name: str = Field(description="机关名称（来自目录服务）")


class ReportColumn(BaseModel):
    key: str = Field(description="列代码：申请人类型，或 total 总计")
    label: str = Field(description="列名：自然人；商业企业、科研机构、社会公益组织、法律服务机构、其他；总计")
    group: str | None = Field(description="上级列名：法人或其他组织（自然人与总计为空）")


class ReportRow(BaseModel):
    key: str = Field(description="行代码：new、carried_over、办理结果代码、decided_total、carried_forward")
    row: str = Field(description="报告格式中的行号，如 一、 （三）1 （七）")
    label: str = Field(description="报告格式中的中文名称")
    section: str | None = Field(default=None, description="所属大项，如 三、本年度办理结果")
    group: str | None = Field(default=None, description="所属小项，如 （三）不予公开")
    values: dict[str, int] = Field(description="列代码 → 件数")


class Table3(BaseModel):
    title: str = Field(description="三、收到和处理政府信息公开申请情况")
    columns: list[ReportColumn]
    rows: list[ReportRow]
    check: str = Field(description="核对规则：一 + 二 = 三（七） + 四（逐列）")
    reconciles: bool = Field(description="每一列都满足核对规则")
    unreconciled_columns: list[str] = Field(description="不满足核对规则的列代码")


class Table4Group(BaseModel):
    key: str = Field(description="reconsideration、lawsuit_direct、lawsuit_after_reconsideration")
    label: str = Field(description="行政复议；行政诉讼（未经复议直接起诉）；行政诉讼（复议后起诉）")
    values: dict[str, int] = Field(
        description="upheld 结果维持、corrected 结果纠正、other 其他结果、pending 尚未审结、total 总计"
    )


class Table4(BaseModel):
    title: str = Field(description="四、政府信息公开行政复议、行政诉讼情况")
    columns: dict[str, str] = Field(description="列代码 → 中文名称")
    groups: list[Table4Group]


class Table2Row(BaseModel):
    key: str
    label: str = Field(description="规章；行政规范性文件；行政许可；行政处罚；行政强制；行政事业性收费")
    item: str = Field(description="对应条例第二十条的项，如 第二十条第（一）项")
    values: dict[str, int | float | None] = Field(
        description="规章、行政规范性文件：issued 本年制发件数、repealed 本年废止件数、in_force 现行有效件数；"
        "行政许可、处罚、强制：decisions 本年处理决定数量；行政事业性收费：amount 本年收费金额（万元）。"
        "null = 暂无数据来源"
    )
    note: str | None = None


class Table2(BaseModel):
    title: str = Field(description="二、主动公开政府信息情况")
    rows: list[Table2Row]


REPORT_TEXT_MAX = 20_000


class ReportTextsIn(RequestModel):
    """The written sections of the national format (2021): 一、总体情况; 五、存在的主要问题及改进情况;
    六、其他需要报告的事项. The tables (二 to 四) are counted, never written."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "overview": "2026年，本机关坚持以公开为常态、不公开为例外，全面推进政务公开工作。",
                    "problems": "主动公开的及时性有待提高。下一步将完善发布审核流程。",
                    "other_matters": "本年度无其他需要报告的事项。",
                    "version": 0,
                }
            ]
        }
    )

    overview: str = Field(max_length=REPORT_TEXT_MAX, description="一、总体情况（最多 2 万字）")
    problems: str = Field(
        max_length=REPORT_TEXT_MAX, description="五、存在的主要问题及改进情况（最多 2 万字）"
    )
    other_matters: str = Field(
        max_length=REPORT_TEXT_MAX,
        description="六、其他需要报告的事项（最多 2 万字；信息处理费的收取情况由系统按收费通知统计并列在其后）",
    )
    version: int | None = Field(
        default=None,
        ge=0,
        le=1_000_000,
        description="编辑所依据的版本号（GET 年度报告的 texts.version）；与当前版本不同则 409，避免覆盖他人的修改",
    )


class ReportSection(BaseModel):
    key: str = Field(
        description="overview 总体情况；problems 存在的主要问题及改进情况；other_matters 其他需要报告的事项"
    )
    number: str = Field(description="报告格式中的序号：一、五、六")
    title: str
    text: str = Field(description="机关填写的内容（未填写为空字符串）")


class ReportTexts(BaseModel):
    agency_id: int
    year: int
    sections: list[ReportSection] = Field(description="一、五、六 三部分，按报告顺序")
    version: int = Field(description="版本号：每次修改加 1（从未填写为 0）")
    updated_by: str | None = Field(description="最后修改人")
    updated_at: datetime | None = Field(description="最后修改时间")


class ReportPublication(BaseModel):
    agency_id: int
    year: int
    document_id: int = Field(description="政府信息公开目录中的文件 ID")
    document_status: str = Field(
        description="文件状态：draft 草稿、returned 已退回、published 已发布（修订待审核）等"
    )
    document_status_label: str
    action: str = Field(
        description="created 新建草稿；updated 更新原草稿；amendment_proposed 已发布的报告提出修订（待审核）"
    )
    action_label: str
    amendment_id: int | None = Field(default=None, description="提出的修订 ID（仅 amendment_proposed）")


class AnnualReport(BaseModel):
    title: str = Field(description="XX 政府信息公开工作年度报告（YYYY年）")
    year: int
    agency: ReportAgency
    scope: str = Field(description="统计范围：该机关及其全部下级机关")
    generated_at: datetime = Field(description="生成时间（北京时间）")
    table2: Table2
    table3: Table3
    table4: Table4
    fees: FeeTotals = Field(description="信息处理费：收费通知、减免与本年实际收取的件数和金额（元）")
    notes: list[str] = Field(description="统计口径说明")
    texts: ReportTexts = Field(description="机关填写的一、五、六部分")
    catalog_document_id: int | None = Field(
        description="报告送交政府信息公开目录发布后的文件 ID（未送交为空）；是否已发布以目录中的状态为准"
    )


# --- the holiday calendar -------------------------------------------------------------------------


class CalendarDayIn(RequestModel):
    day: date = Field(description="日期")
    working: bool = Field(description="true：工作日（如调休上班的周末）；false：休息日（节假日）")
    name: str | None = Field(default=None, min_length=1, max_length=40, description="名称，如 元旦、春节调休")


class CalendarYearIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "days": [
                        {"day": "2027-02-04", "working": False, "name": "春节"},
                        {"day": "2027-02-09", "working": False, "name": "春节"},
                        {"day": "2027-02-20", "working": True, "name": "春节调休"},
                    ],
                    "confirmed": True,
                }
            ]
        }
    )

    days: list[CalendarDayIn] = Field(
        max_length=366,
        description="该年全部例外日期（整体替换）。法定节假日（元旦、春节、清明、劳动节、端午、中秋、国庆）"
        "无须录入，录入国务院通知的调休放假日与调休上班日即可",
    )
    confirmed: bool = Field(
        default=False,
        description="true：已按国务院当年放假安排通知录入全年，该年期限不再为暂定；"
        "false（默认）：仅录入部分日期，该年仍为暂定",
    )


class StatutoryHoliday(BaseModel):
    day: date
    name: str = Field(description="节日名称，如 春节、清明节")


class CalendarDayPublic(BaseModel):
    day: date
    working: bool
    name: str | None
    updated_by: str | None
    updated_at: datetime


class CalendarYearPublic(BaseModel):
    year: int
    known_to_library: bool = Field(description="chinese_calendar 是否已收录该年的法定节假日安排")
    entered: bool = Field(description="管理员是否已录入该年的任一日期")
    confirmed: bool = Field(description="管理员是否已确认该年日历录入完整")
    confirmed_by: str | None = Field(default=None, description="确认的管理员")
    confirmed_at: datetime | None = Field(default=None, description="确认时间")
    provisional: bool = Field(
        description="既未收录也未确认的年份为暂定：法定节假日照常休息，调休未知，按周一至周五计算其余日期"
    )
    statutory: list[StatutoryHoliday] = Field(
        description="《全国年节及纪念日放假办法》规定的该年法定节假日（未经录入也按休息日计算）"
    )
    days: list[CalendarDayPublic]
