"""Catalog API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, computed_field, field_validator

from services.catalog.models import (
    AGENCY_LEVEL_LABELS,
    AgencyLevel,
    AmendmentStatus,
    DocumentStatus,
    Scope,
    Validity,
)
from shared.deadlines import RULE_SETS
from shared.schemas import MAX_ID, OfficialDate, OfficialDatetime, RequestModel

AGENCY_CODE = r"^[0-9A-Za-z-]{2,32}$"


class AgencyCreate(RequestModel):
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
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="上级机关 ID；省级机关为空")


class AgencyUpdate(RequestModel):
    code: str | None = Field(default=None, pattern=AGENCY_CODE)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="新的上级机关 ID")


class AgencyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    level: AgencyLevel
    parent_id: int | None
    created_at: datetime
    updated_at: datetime

    @computed_field(description="层级的中文名称")  # type: ignore[prop-decorator]  # mypy refuses decorators over @property
    @property
    def level_label(self) -> str:
        return AGENCY_LEVEL_LABELS[self.level]


class RuleSetChange(RequestModel):
    """An agency's rule set for its applications from a day on (docs/time-limits.md, "Rule sets")."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"rule_set": "local-legacy", "effective_on": "2027-01-01", "reason": "执行本县政务公开制度"}
            ]
        },
    )

    rule_set: str = Field(
        min_length=1,
        max_length=40,
        description="期限规则：national-2019 政府信息公开条例（2019年修订）、local-legacy 本地政务公开制度"
        "（答复15个工作日、补正告知5个工作日，延期以条例的20个工作日为限）。地方规则只能比条例更严",
    )
    effective_on: OfficialDate = Field(
        description="生效日期：收到日期在此日及以后的申请适用新规则。最早为明天（今天及以前收到的申请已按原规则办理），"
        "不得早于已登记的最后一次变更的生效日期"
    )
    reason: str = Field(min_length=2, max_length=1000, description="理由（记入历史）")


class RuleSetEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rule_set: str = Field(description="期限规则")
    previous: str = Field(description="生效日前一天适用的期限规则")
    effective_on: date = Field(description="生效日期（按收到日期）")
    reason: str
    recorded_at: datetime

    @computed_field(description="期限规则的名称")  # type: ignore[prop-decorator]  # mypy refuses decorators over @property
    @property
    def rule_set_title(self) -> str:
        return RULE_SETS[self.rule_set].title if self.rule_set in RULE_SETS else self.rule_set


class AgencyDetail(AgencyPublic):
    """One agency with its rule set: the one in force today and every change, in the order they
    take effect (an application takes the one in force on its received date)."""

    rule_set: str = Field(description="今天收到的申请适用的期限规则")
    rule_set_title: str = Field(description="期限规则的名称")
    rule_set_history: list[RuleSetEntry] = Field(
        description="期限规则的变更历史，按生效日期排列；为空时一直适用条例"
    )


class DocumentDraft(RequestModel):
    """What a clerk writes; the agency is the clerk's own."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "东湖县关于调整城乡最低生活保障标准的通知",
                    "doc_number": "东政发〔2026〕12号",
                    "written_on": "2026-11-02",
                    "category": "civil_affairs",
                    "doc_type": "notice",
                    "body_text": "各乡镇人民政府，县政府各部门：经县政府研究决定，自2027年1月1日起调整城乡最低生活保障标准。",
                }
            ]
        }
    )

    title: str = Field(min_length=2, max_length=300, description="标题")
    doc_number: str | None = Field(default=None, max_length=100, description="文号，如 东政发〔2026〕12号")
    written_on: OfficialDate | None = Field(default=None, description="成文日期")
    information_date: OfficialDate | None = Field(
        default=None, description="信息形成或变更的日期（20 个工作日公开时限的起点）；缺省为成文日期或今天"
    )
    category: str = Field(max_length=40, description="主题分类代码，见 GET /api/v1/catalog/vocabulary")
    doc_type: str = Field(max_length=40, description="体裁代码，见 GET /api/v1/catalog/vocabulary")
    validity: Validity = Field(
        default=Validity.VALID, description="有效性：valid 有效、expired 失效、repealed 废止"
    )
    scope: Scope = Field(
        default=Scope.PUBLIC, description="公开范围：public 社会公开、limited 一定范围内公开"
    )
    stage: Literal["decision", "execution", "management", "service", "result"] | None = Field(
        default=None,
        description="五公开：decision 决策、execution 执行、management 管理、service 服务、result 结果",
    )
    body_text: str = Field(min_length=1, max_length=200_000, description="正文（纯文本）")
    body_html: str | None = Field(default=None, max_length=400_000, description="正文（HTML，保存前清洗）")


class DocumentEdit(RequestModel):
    title: str | None = Field(default=None, min_length=2, max_length=300)
    doc_number: str | None = Field(default=None, max_length=100)
    written_on: OfficialDate | None = None
    information_date: OfficialDate | None = None
    category: str | None = Field(default=None, max_length=40)
    doc_type: str | None = Field(default=None, max_length=40)
    scope: Scope | None = None
    stage: Literal["decision", "execution", "management", "service", "result"] | None = None
    body_text: str | None = Field(default=None, min_length=1, max_length=200_000)
    body_html: str | None = Field(default=None, max_length=400_000)

    @field_validator("title", "category", "doc_type", "scope", "body_text", "information_date", mode="after")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("不能为空（不修改就不要传这个字段）")
        return value


class Amendment(DocumentEdit):
    reason: str = Field(min_length=2, max_length=1000, description="修改理由（记入历史）")


class Approval(RequestModel):
    confidentiality_checked: StrictBool = Field(description="已完成保密审查（必须为 true）")
    publish_at: OfficialDatetime | None = Field(
        default=None, description="定时发布时间（须带时区，如 2026-12-01T09:00:00+08:00）；缺省为立即发布"
    )
    note: str | None = Field(default=None, max_length=1000)
    personal_data_override: str | None = Field(
        default=None,
        min_length=10,
        max_length=1000,
        description="例外发布个人信息的理由（审核人填写，记入历史）：仅当内容含未遮蔽的身份证号、手机号码或银行卡号且确需公开时填写，否则发布被拒绝（422）",
    )


class AmendmentApproval(RequestModel):
    confidentiality_checked: StrictBool = Field(description="已完成保密审查（必须为 true）")
    note: str | None = Field(default=None, max_length=1000, description="审核意见（记入历史）")
    personal_data_override: str | None = Field(
        default=None,
        min_length=10,
        max_length=1000,
        description="例外发布个人信息的理由（审核人填写，记入历史）：仅当内容含未遮蔽的身份证号、手机号码或银行卡号且确需公开时填写，否则发布被拒绝（422）",
    )


class PersonalDataFinding(BaseModel):
    field: str = Field(
        description="所在字段：title、body_text、body_html，或附件 `attachments.<附件ID>`（Word、Excel、PowerPoint 附件的文字）"
    )
    kind: Literal["id_number", "mobile", "bank_card", "name"] = Field(
        description="id_number 身份证号、mobile 手机号码、bank_card 银行卡号、name 公示名单中的姓名"
    )
    start: int = Field(description="在该字段中的起始位置（从 0 起的字符序号）")
    end: int = Field(description="结束位置（不含）")
    masked: str = Field(description="遮蔽后的写法，如 110105********1234、138****0000、（不公开）")


class PersonalDataReport(BaseModel):
    """What a publication would check: the findings and the same text with each of them masked."""

    amendment_id: int | None = Field(description="检查的是待审核修订（有待审核修订时）还是文件本身（为空）")
    findings: list[PersonalDataFinding]
    masked: dict[str, str | None] = Field(description="遮蔽后的 title、body_text、body_html，可直接用于修改")
    unread_attachments: list[int] = Field(
        default_factory=list,
        description="无法读取文字、未经自动检查的附件 ID（扫描件、OFD、图片等）：须由审核人逐页人工核对",
    )


class AmendmentPublic(BaseModel):
    """A proposed new version: it replaces the live version only when another clerk approves it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    document_id: int
    based_on_version: int = Field(description="提出修订时在线的版本号")
    changes: dict[str, Any] = Field(description="拟修改的字段及新值")
    reason: str
    status: AmendmentStatus = Field(
        description="pending 待审核、approved 已通过、returned 已退回、superseded 已被新修订取代"
    )
    created_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class Reason(RequestModel):
    reason: str = Field(min_length=2, max_length=1000, description="理由（记入历史）")


class ValidityChange(Reason):
    validity: Validity = Field(description="有效性：valid 有效、expired 失效、repealed 废止")
    effective_on: OfficialDate | None = Field(
        default=None,
        description="变更生效日期（如废止决定施行之日），缺省为今天；不得晚于今天，不得早于发布日期或上一次变更的生效日期。"
        "年度报告按此日期统计本年废止和 12 月 31 日的现行有效件数",
    )


class AttachmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    url: str = ""


class DocumentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    index_no: str | None
    title: str
    doc_number: str | None
    agency_id: int
    written_on: date | None
    published_at: datetime | None
    category: str
    doc_type: str
    validity: Validity
    scope: Scope
    status: DocumentStatus
    version: int


class DocumentPublic(DocumentSummary):
    information_date: date
    stage: str | None
    body_text: str
    body_html: str | None
    publish_at: datetime | None
    status_reason: str | None
    attachments: list[AttachmentPublic] = Field(default_factory=list)
    labels: dict[str, str] = Field(
        default_factory=dict, description="分类、体裁、有效性、范围、状态的中文名称"
    )


class VersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    content: dict[str, Any]
    reason: str | None
    created_by: str
    created_at: datetime


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    actor_id: str | None
    actor_role: str | None
    reason: str | None
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class LateDocument(BaseModel):
    id: int
    title: str
    agency_id: int
    information_date: date
    version: int | None = Field(
        default=None, description="逾期发布的版本（首次发布或变更信息形成日期的修订）；未发布时为空"
    )
    due_on: date = Field(description="应公开日期（信息形成后第 20 个工作日）")
    published_on: date | None
    working_days_late: int
    provisional: bool = Field(description="截止日落在尚未录入节假日安排的年份，按周一至周五估算")
    status: DocumentStatus


class GuideIn(RequestModel):
    how_to_apply: str = Field(min_length=10, max_length=20_000, description="申请方式与流程")
    office_address: str = Field(min_length=2, max_length=300)
    office_hours: str = Field(min_length=2, max_length=200)
    phone: str = Field(min_length=5, max_length=50, pattern=r"^[0-9+\-() 转,，]{5,50}$")
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    postal_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    fees_note: str = Field(min_length=2, max_length=5000, description="收费说明")


class GuidePublic(GuideIn):
    model_config = ConfigDict(from_attributes=True)

    agency_id: int
    updated_at: datetime


class CatalogCount(BaseModel):
    code: str
    label: str
    count: int


class AgencyCatalog(BaseModel):
    agency: AgencyPublic
    total: int
    by_category: list[CatalogCount]
    by_type: list[CatalogCount]
    recent: list[DocumentSummary]


class VocabularyItem(BaseModel):
    code: str
    label: str
    builtin: bool = True


class Vocabulary(BaseModel):
    categories: list[VocabularyItem]
    doc_types: list[VocabularyItem]
    validities: list[VocabularyItem]
    scopes: list[VocabularyItem]
    statuses: list[VocabularyItem]
    agency_levels: list[VocabularyItem]


class VocabularyTermIn(RequestModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str = Field(min_length=1, max_length=100)


class SynonymsIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"groups": [["低保", "最低生活保障"], ["医保", "医疗保险"]]}]}
    )

    groups: list[list[Annotated[str, Field(min_length=1, max_length=40)]]] = Field(max_length=500)


class SearchHitPublic(BaseModel):
    id: int
    index_no: str
    title: str
    title_html: str = Field(description="标题，命中处以 <mark> 标出（内容已转义）")
    snippet_html: str = Field(description="正文摘要，命中处以 <mark> 标出（内容已转义）")
    doc_number: str | None
    agency_id: int
    agency_name: str
    category: str
    doc_type: str
    validity: str
    published_at: datetime
    score: float
    matched_words: list[str] = Field(
        default_factory=list, description="本条结果包含的检索词（见 query_words）"
    )
    missing_words: list[str] = Field(
        default_factory=list, description="本条结果未包含的检索词，可显示为“未包含：…”"
    )


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class SearchResponse(BaseModel):
    q: str
    total: int = Field(description="结果总数（放宽匹配后实际返回的结果集）")
    page: int
    page_size: int
    took_ms: float
    hits: list[SearchHitPublic]
    facets: dict[str, list[FacetValue]]
    query_words: list[str] = Field(
        default_factory=list, description="参与匹配的检索词（不含“怎么办、多久、吗”等疑问词和虚词）"
    )
    relaxed: bool = Field(
        default=False, description="true：包含全部检索词的结果不足一页，已放宽为部分匹配（包含词多者在前）"
    )
    did_you_mean: list[str] = Field(
        default_factory=list, description="无结果时给出的相近检索词（同音、形近或拼音输入）"
    )


class SuggestionPublic(BaseModel):
    text: str = Field(description="建议的检索词、标题或文号")
    kind: Literal["term", "title", "doc_number"] = Field(
        description="term 词语；title 文件标题；doc_number 文号"
    )
    document_id: int | None = Field(default=None, description="标题或文号所属文件（词语为 null）")


class SuggestResponse(BaseModel):
    q: str
    items: list[SuggestionPublic]


class ImportedDocument(DocumentDraft):
    """A document already published by the previous system, brought over with its history."""

    agency_id: int = Field(ge=1, le=MAX_ID, description="发布机关")
    published_on: OfficialDate = Field(description="原发布日期（北京时间）")
    index_no: str | None = Field(default=None, max_length=64, description="原索引号；缺省时按发布年份生成")


class ImportBatch(RequestModel):
    documents: list[ImportedDocument] = Field(min_length=1, max_length=500)


class ImportResult(BaseModel):
    imported: int
    ids: list[int]


class SearchClickIn(RequestModel):
    """A result the visitor opened, as the search widget reports it (nothing about who)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"q": "最低生活保障", "document_id": 12, "position": 1}]},
    )

    q: str = Field(min_length=1, max_length=200, description="打开该结果时的检索词（与检索请求的 `q` 相同）")
    document_id: int = Field(ge=1, le=MAX_ID, description="被打开的文件 ID（须为已发布、社会公开的文件）")
    position: int = Field(ge=1, le=100, description="该文件在结果列表中的位置，第 1 条为 1")

    @field_validator("q")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("检索词不能只有空白")
        return value


class ReportedQuery(BaseModel):
    q: str = Field(description="检索词（已规范化：繁体转简体、全角转半角、英文小写、空白合并）")
    searches: int = Field(description="检索次数（只计第 1 页）")
    zero_result_searches: int = Field(description="其中没有结果的次数")
    clicks: int = Field(description="从该检索词的结果中打开文件的次数")


class ZeroResultQuery(BaseModel):
    q: str = Field(description="检索词（已规范化）")
    searches: int = Field(description="没有结果的检索次数")


class UnclickedQuery(BaseModel):
    q: str = Field(description="检索词（已规范化）")
    searches: int = Field(description="有结果的检索次数")
    total: int = Field(description="结果数（区间内最多的一次）")


class SearchReport(BaseModel):
    """What the public searched for in a period: the list an admin turns into synonyms."""

    model_config = ConfigDict(populate_by_name=True)

    from_date: date = Field(alias="from", serialization_alias="from", description="起始日（北京时间，含）")
    to_date: date = Field(alias="to", serialization_alias="to", description="截止日（北京时间，含）")
    searches: int = Field(description="检索次数（非空检索词的第 1 页；翻页不重复计）")
    zero_result_searches: int = Field(description="没有结果的检索次数")
    zero_result_rate: float = Field(description="无结果率 = 没有结果的检索次数 ÷ 检索次数（无检索时为 0）")
    clicks: int = Field(description="从检索结果打开文件的次数")
    click_through_rate: float = Field(description="点击率 = 点击次数 ÷ 检索次数（无检索时为 0；可大于 1）")
    top_queries: list[ReportedQuery] = Field(description="检索最多的词，按次数降序")
    top_zero_result_queries: list[ZeroResultQuery] = Field(description="没有结果最多的词：宜补充同义词或内容")
    unclicked_queries: list[UnclickedQuery] = Field(
        description="有结果、检索至少 2 次、却从没有人打开结果的词，按次数降序：结果可能答非所问"
    )


class ServiceDraft(DocumentDraft):
    """A document another service writes for an agency (the requests service's annual report), in the
    name of the clerk who asked for it: that clerk is its author, so a second person reviews it."""

    drafted_by: str = Field(
        min_length=1, max_length=64, description="提出发布的经办人员（或管理员）的用户 ID，记为起草人"
    )
    document_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="此前为同一事项生成的文件：草稿或被退回的更新其内容，已发布的提出修订（待审核），已撤销的另起草稿",
    )
    reason: str = Field(
        default="内容更新", min_length=2, max_length=1000, description="修订理由（仅对已发布的文件）"
    )


class ServiceDraftResult(BaseModel):
    action: Literal["created", "updated", "amendment_proposed"] = Field(
        description="created 新建草稿；updated 更新原草稿；amendment_proposed 对已发布的文件提出修订（待审核）"
    )
    document: DocumentPublic
    amendment_id: int | None = Field(default=None, description="提出的修订 ID（仅 amendment_proposed）")
