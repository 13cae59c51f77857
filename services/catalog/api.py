"""Catalog routes (thin: parse, authorize, call the service, shape the answer)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse

from services.catalog import attachments, documents, rule_sets, service, service_drafts, vocabulary, workflow
from services.catalog.models import AgencyLevel, Attachment, DocumentStatus, Validity
from services.catalog.schemas import (
    AgencyCatalog,
    AgencyCreate,
    AgencyDetail,
    AgencyPublic,
    AgencyUpdate,
    Amendment,
    AmendmentApproval,
    AmendmentPublic,
    Approval,
    AttachmentPublic,
    DocumentDraft,
    DocumentEdit,
    DocumentPublic,
    DocumentSummary,
    EventPublic,
    GuideIn,
    GuidePublic,
    ImportBatch,
    ImportResult,
    LateDocument,
    PersonalDataReport,
    Reason,
    RuleSetChange,
    SearchClickIn,
    SearchReport,
    SearchResponse,
    ServiceDraft,
    ServiceDraftResult,
    SuggestResponse,
    SynonymsIn,
    ValidityChange,
    VersionPublic,
    Vocabulary,
    VocabularyItem,
    VocabularyTermIn,
)
from services.catalog.search import analytics, indexing
from services.catalog.search.base import SearchQuery
from shared.auth import (
    AdminUser,
    ClerkUser,
    OptionalPrincipal,
    ServiceUser,
    StaffReader,
)
from shared.caching import private_json, public_json
from shared.db import SessionDep
from shared.errors import PROBLEM_RESPONSES, InvalidField, NotFound
from shared.pagination import Page, PageDep
from shared.schemas import MAX_ID, IdPath, OfficialDate

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"], responses=PROBLEM_RESPONSES)


@router.get(
    "/agencies",
    response_model=Page[AgencyPublic],
    summary="机关列表（组织机构树）",
    description="按树的顺序列出行政机关。可按上级机关、层级、子树（`under`：该机关及其全部下级）或名称筛选。公开接口，带 ETag。",
)
async def list_agencies(
    request: Request,
    session: SessionDep,
    page: PageDep,
    parent_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="只列出此机关的直接下级")] = None,
    level: Annotated[AgencyLevel | None, Query(description="层级")] = None,
    under: Annotated[int | None, Query(ge=1, le=MAX_ID, description="此机关及其全部下级")] = None,
    q: Annotated[str | None, Query(max_length=50, description="名称包含的文字或机关代码")] = None,
) -> Response:
    rows, total = await service.list_agencies(
        session=session, page=page, parent_id=parent_id, level=level, under=under, q=q
    )
    body = Page[AgencyPublic](
        items=[AgencyPublic.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )
    return public_json(request, body)


@router.get(
    "/agencies/{agency_id}",
    response_model=AgencyDetail,
    summary="机关详情",
    description="机关信息，以及它的依申请公开期限规则：今天适用的（`rule_set`）和变更历史（`rule_set_history`）。"
    "每件申请适用其收到日期当天有效的期限规则。",
)
async def get_agency(request: Request, session: SessionDep, agency_id: IdPath) -> Response:
    agency = await service.get_agency(session=session, agency_id=agency_id)
    return public_json(request, await rule_sets.detail(session, agency, request.app.state.today()))


@router.post(
    "/agencies",
    response_model=AgencyPublic,
    status_code=status.HTTP_201_CREATED,
    summary="新增机关（管理员）",
    description="层级须符合 省 › 市 › 县 › 乡镇/部门；机关代码唯一。",
)
async def create_agency(session: SessionDep, data: AgencyCreate, actor: AdminUser) -> AgencyPublic:
    return AgencyPublic.model_validate(await service.create_agency(session=session, data=data, actor=actor))


@router.patch(
    "/agencies/{agency_id}",
    response_model=AgencyPublic,
    summary="修改机关（管理员）",
    description="可改名称、代码或上级机关（移动时整棵子树随之移动，不能形成环）。",
)
async def update_agency(
    session: SessionDep, agency_id: IdPath, data: AgencyUpdate, actor: AdminUser
) -> AgencyPublic:
    return AgencyPublic.model_validate(
        await service.update_agency(session=session, agency_id=agency_id, data=data, actor=actor)
    )


@router.put(
    "/agencies/{agency_id}/rule-set",
    response_model=AgencyDetail,
    summary="设定机关的期限规则（管理员）",
    description="自生效日期起，该机关收到的依申请公开申请适用所选期限规则（national-2019 或 local-legacy）；"
    "此前收到的申请仍适用原规则。生效日期最早为明天，且不早于上一次变更的生效日期。"
    "地方规则只能比条例更严。同一变更重复提交不重复记录。",
)
async def set_rule_set(
    request: Request, session: SessionDep, agency_id: IdPath, data: RuleSetChange, actor: AdminUser
) -> AgencyDetail:
    return await rule_sets.set_rule_set(
        session=session, agency_id=agency_id, data=data, actor=actor, today=request.app.state.today()
    )


def _index_soon(request: Request) -> None:
    """Nudges the outbox relay so search sees the change at once instead of at the next poll."""
    relay = getattr(request.app.state, "relay", None)
    if relay is not None:
        relay.wake()


@router.get(
    "/vocabulary",
    response_model=Vocabulary,
    summary="代码表：主题分类、体裁、有效性、公开范围、状态、机关层级",
)
async def get_vocabulary(request: Request, session: SessionDep) -> Response:
    return public_json(request, await vocabulary.vocabulary(session), max_age=300)


@router.post(
    "/vocabulary/categories", response_model=VocabularyItem, status_code=201, summary="新增主题分类（管理员）"
)
async def add_category(session: SessionDep, data: VocabularyTermIn, actor: AdminUser) -> VocabularyItem:
    return await vocabulary.add_term(session=session, kind="category", data=data, actor=actor)


@router.post(
    "/vocabulary/doc-types", response_model=VocabularyItem, status_code=201, summary="新增体裁（管理员）"
)
async def add_doc_type(session: SessionDep, data: VocabularyTermIn, actor: AdminUser) -> VocabularyItem:
    return await vocabulary.add_term(session=session, kind="doc_type", data=data, actor=actor)


@router.get(
    "/documents",
    response_model=Page[DocumentSummary],
    summary="公开文件列表",
    description="默认列出已发布、社会公开的文件（按发布时间倒序）。经办人员和监察人员可加 `status` 查看本机关 / 本地区的草稿、待审核、已撤销等文件。",
)
async def list_documents(
    request: Request,
    session: SessionDep,
    page: PageDep,
    principal: OptionalPrincipal,
    agency_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="发布机关（含其全部下级）")] = None,
    category: Annotated[str | None, Query(max_length=40, description="主题分类代码")] = None,
    doc_type: Annotated[str | None, Query(max_length=40, description="体裁代码")] = None,
    validity: Annotated[Validity | None, Query(description="有效性")] = None,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="发布年份")] = None,
    status: Annotated[DocumentStatus | None, Query(description="状态（仅限工作人员）")] = None,
    in_force_on: Annotated[
        OfficialDate | None,
        Query(description="该日终了时有效（按有效性变更记录及其生效日期，如 2025-12-31 的现行有效件数）"),
    ] = None,
    repealed_from: Annotated[
        OfficialDate | None, Query(description="废止生效日期不早于此日（按有效性变更记录）")
    ] = None,
    repealed_to: Annotated[
        OfficialDate | None, Query(description="废止生效日期不晚于此日（按有效性变更记录）")
    ] = None,
) -> Response:
    if repealed_from is not None and repealed_to is not None and repealed_to < repealed_from:
        raise InvalidField("query.repealed_to", "repealed_to 不能早于 repealed_from")
    rows, total = await documents.list_documents(
        session=session,
        principal=principal,
        page=page,
        agency_id=agency_id,
        category=category,
        doc_type=doc_type,
        validity=validity,
        year=year,
        status=status,
        in_force_on=in_force_on,
        repealed_from=repealed_from,
        repealed_to=repealed_to,
    )
    answer = Page[DocumentSummary](
        items=[DocumentSummary.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )
    if status is None:  # published public documents only: the same answer for everyone
        return public_json(request, answer, max_age=30)
    return private_json(answer)


@router.get(
    "/documents/late",
    response_model=list[LateDocument],
    summary="超过 20 个工作日未公开或逾期公开的文件",
    description="按信息形成（变更）日期起算 20 个工作日（条例第二十六条），列出逾期发布或至今未发布的文件。经办人员看本机关，监察人员看本地区。",
)
async def late_documents(request: Request, session: SessionDep, principal: StaffReader) -> list[LateDocument]:
    today = request.app.state.today()
    calendar = await request.app.state.calendar_source.current(today)
    return await documents.late_documents(
        session=session, principal=principal, calendar=calendar, today=today
    )


@router.get(
    "/documents/{document_id}",
    response_model=DocumentPublic,
    summary="文件详情",
    description="公众可看已发布、社会公开的文件；本机关经办人员和本地区监察人员还可看草稿和已撤销文件。"
    "已发布的社会公开文件带 ETag，可用 If-None-Match 取得 304；其他文件不缓存（no-store）。",
)
async def get_document(
    request: Request, session: SessionDep, document_id: IdPath, principal: OptionalPrincipal
) -> Response:
    document = await documents.readable_document(session, document_id, principal)
    answer = await documents.present(session, document)
    if documents.is_public(document):
        return public_json(request, answer)
    return private_json(answer)  # drafts and withdrawn documents stay out of shared caches


@router.post(
    "/documents",
    response_model=DocumentPublic,
    status_code=201,
    summary="起草文件（经办人员）",
    description="在本机关起草一份待公开的文件，状态为草稿。",
)
async def create_document(session: SessionDep, data: DocumentDraft, actor: ClerkUser) -> DocumentPublic:
    return await documents.present(
        session, await workflow.create_draft(session=session, data=data, actor=actor)
    )


@router.post(
    "/agencies/{agency_id}/drafts",
    response_model=ServiceDraftResult,
    include_in_schema=False,  # not reachable through the gateway, which strips the service token
    summary="由其他服务为机关起草文件（仅内部服务）",
    description="只接受服务令牌（依申请公开服务送交年度报告时使用），经网关无法调用。文件记在提出发布的经办人员名下，"
    "与其他文件一样须提交审核、由另一位本机关经办人员完成保密审查后才发布。带 `document_id` 再次送交时："
    "草稿或被退回的文件更新内容；已发布的文件提出修订（待审核，审核通过前公众看到的仍是原版本）；"
    "已撤销的另起草稿；待审核或待定时发布的答复 409。",
)
async def draft_for_agency(
    session: SessionDep, agency_id: IdPath, data: ServiceDraft, _: ServiceUser
) -> ServiceDraftResult:
    action, document, amendment = await service_drafts.draft_for_agency(
        session=session, agency_id=agency_id, data=data
    )
    return ServiceDraftResult(
        action=action,
        document=await documents.present(session, document),
        amendment_id=amendment.id if amendment is not None else None,
    )


@router.post(
    "/documents/import",
    response_model=ImportResult,
    status_code=201,
    summary="迁移原系统已发布的文件（管理员）",
    description="一次最多 500 份，全部成功或全部不导入。保留原发布日期和原索引号（缺省时按发布年份生成），每份记一条“迁移”事件并进入检索。",
)
async def import_documents(
    request: Request, session: SessionDep, data: ImportBatch, actor: AdminUser
) -> ImportResult:
    ids = await workflow.import_published(session=session, batch=data, actor=actor)
    _index_soon(request)
    return ImportResult(imported=len(ids), ids=ids)


@router.patch("/documents/{document_id}", response_model=DocumentPublic, summary="修改草稿或被退回的文件")
async def edit_document(
    session: SessionDep, document_id: IdPath, data: DocumentEdit, actor: ClerkUser
) -> DocumentPublic:
    document = await workflow.edit_draft(session=session, document_id=document_id, data=data, actor=actor)
    return await documents.present(session, document)


@router.post("/documents/{document_id}/submit", response_model=DocumentPublic, summary="提交审核")
async def submit_document(session: SessionDep, document_id: IdPath, actor: ClerkUser) -> DocumentPublic:
    return await documents.present(
        session, await workflow.submit(session=session, document_id=document_id, actor=actor)
    )


@router.post(
    "/documents/{document_id}/approve",
    response_model=DocumentPublic,
    summary="审核通过并发布（另一位经办人员）",
    description="须由起草人以外的本机关经办人员在完成保密审查后操作；可指定定时发布时间。发布后 2 秒内可被检索到。内容含未遮蔽的身份证号、手机号码、银行卡号或公示名单中的姓名时拒绝发布（422，逐处列出位置），除非审核人在 `personal_data_override` 中写明例外理由。",
)
async def approve_document(
    request: Request, session: SessionDep, document_id: IdPath, data: Approval, actor: ClerkUser
) -> DocumentPublic:
    document = await workflow.approve(
        session=session, document_id=document_id, data=data, actor=actor, storage=request.app.state.storage
    )
    _index_soon(request)
    return await documents.present(session, document)


@router.post("/documents/{document_id}/return", response_model=DocumentPublic, summary="退回修改（附理由）")
async def return_document(
    session: SessionDep, document_id: IdPath, data: Reason, actor: ClerkUser
) -> DocumentPublic:
    document = await workflow.return_for_changes(
        session=session, document_id=document_id, reason=data.reason, actor=actor
    )
    return await documents.present(session, document)


@router.post(
    "/documents/{document_id}/amend",
    response_model=AmendmentPublic,
    status_code=201,
    summary="提出修订（待另一位经办人员审核后生效）",
    description="修订（标题、正文、日期等）是一个待审核的新版本：在另一位本机关经办人员完成保密审查并通过前，公众看到和检索到的仍是在线版本。同一文件再次提出修订时，尚未审核的上一份修订被取代。",
)
async def amend_document(
    session: SessionDep, document_id: IdPath, data: Amendment, actor: ClerkUser
) -> AmendmentPublic:
    amendment = await workflow.amend(session=session, document_id=document_id, data=data, actor=actor)
    return AmendmentPublic.model_validate(amendment)


@router.get(
    "/documents/{document_id}/amendments",
    response_model=list[AmendmentPublic],
    summary="修订记录（待审核、已通过、已退回）",
)
async def document_amendments(
    session: SessionDep, document_id: IdPath, principal: StaffReader
) -> list[AmendmentPublic]:
    document = await documents.internal_document(session, document_id, principal)
    return [AmendmentPublic.model_validate(a) for a in await workflow.amendments(session, document)]


@router.get(
    "/documents/{document_id}/personal-data",
    response_model=PersonalDataReport,
    summary="发布前个人信息检查（含遮蔽后的文本）",
    description="列出待发布内容（有待审核修订时为修订后的内容）及 Word、Excel、PowerPoint 附件文字中未遮蔽的身份证号（校验位正确）、手机号码、银行卡号（Luhn 校验）和公示名单（表格或分列的文字行）姓名列中的姓名及其位置，并给出遮蔽后的标题和正文（张**、110105********1234、138****0000，银行卡号不公开），供经办人员修改后提交。",
)
async def document_personal_data(
    request: Request, session: SessionDep, document_id: IdPath, principal: StaffReader
) -> PersonalDataReport:
    document = await documents.internal_document(session, document_id, principal)
    return await workflow.personal_data_report(session, document, request.app.state.storage)


@router.post(
    "/documents/{document_id}/amendments/{amendment_id}/approve",
    response_model=DocumentPublic,
    summary="审核通过修订（另一位经办人员），新版本替换在线版本",
    description="须由修订提出人以外的本机关经办人员在完成保密审查后操作；通过后生成新版本（旧版本保留），2 秒内检索到新内容。修订后的内容含未遮蔽的个人信息时拒绝（422），除非审核人在 `personal_data_override` 中写明例外理由。",
)
async def approve_amendment(
    request: Request,
    session: SessionDep,
    document_id: IdPath,
    amendment_id: IdPath,
    data: AmendmentApproval,
    actor: ClerkUser,
) -> DocumentPublic:
    document = await workflow.approve_amendment(
        session=session, document_id=document_id, amendment_id=amendment_id, data=data, actor=actor
    )
    _index_soon(request)
    return await documents.present(session, document)


@router.post(
    "/documents/{document_id}/amendments/{amendment_id}/return",
    response_model=AmendmentPublic,
    summary="退回修订（附理由；在线版本不变）",
)
async def return_amendment(
    session: SessionDep, document_id: IdPath, amendment_id: IdPath, data: Reason, actor: ClerkUser
) -> AmendmentPublic:
    amendment = await workflow.return_amendment(
        session=session, document_id=document_id, amendment_id=amendment_id, reason=data.reason, actor=actor
    )
    return AmendmentPublic.model_validate(amendment)


@router.post(
    "/documents/{document_id}/validity",
    response_model=DocumentPublic,
    summary="变更有效性（有效、失效、废止）",
    description="记录新的有效性及其生效日期（`effective_on`，缺省为今天），保留每一次变更；"
    "年度报告的现行有效、本年废止件数按生效日期统计。",
)
async def change_validity(
    request: Request, session: SessionDep, document_id: IdPath, data: ValidityChange, actor: ClerkUser
) -> DocumentPublic:
    document = await workflow.change_validity(
        session=session, document_id=document_id, data=data, actor=actor
    )
    _index_soon(request)
    return await documents.present(session, document)


@router.post(
    "/documents/{document_id}/revoke",
    response_model=DocumentPublic,
    summary="撤销已发布文件（附理由；退出公开列表和检索，保留在历史中）",
)
async def revoke_document(
    request: Request, session: SessionDep, document_id: IdPath, data: Reason, actor: ClerkUser
) -> DocumentPublic:
    document = await workflow.revoke(
        session=session, document_id=document_id, reason=data.reason, actor=actor
    )
    _index_soon(request)
    return await documents.present(session, document)


@router.get("/documents/{document_id}/versions", response_model=list[VersionPublic], summary="历史版本")
async def document_versions(
    session: SessionDep, document_id: IdPath, principal: StaffReader
) -> list[VersionPublic]:
    document = await documents.internal_document(session, document_id, principal)
    return [VersionPublic.model_validate(v) for v in await documents.versions(session, document)]


@router.get(
    "/documents/{document_id}/history", response_model=list[EventPublic], summary="操作记录（谁、何时、为何）"
)
async def document_history(
    session: SessionDep, document_id: IdPath, principal: StaffReader
) -> list[EventPublic]:
    document = await documents.internal_document(session, document_id, principal)
    return [EventPublic.model_validate(e) for e in await documents.history(session, document)]


@router.get("/agencies/{agency_id}/guide", response_model=GuidePublic, summary="政府信息公开指南")
async def get_guide(request: Request, session: SessionDep, agency_id: IdPath) -> Response:
    return public_json(request, GuidePublic.model_validate(await documents.get_guide(session, agency_id)))


@router.put(
    "/agencies/{agency_id}/guide", response_model=GuidePublic, summary="编辑本机关的公开指南（经办人员）"
)
async def put_guide(session: SessionDep, agency_id: IdPath, data: GuideIn, actor: ClerkUser) -> GuidePublic:
    guide = await documents.put_guide(session=session, agency_id=agency_id, data=data, actor=actor)
    return GuidePublic.model_validate(guide)


@router.get(
    "/agencies/{agency_id}/catalog",
    response_model=AgencyCatalog,
    summary="机关的政府信息公开目录（按主题分类、体裁统计）",
)
async def get_agency_catalog(request: Request, session: SessionDep, agency_id: IdPath) -> Response:
    return public_json(request, await documents.agency_catalog(session, agency_id))


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="全文检索",
    description="中文、英文、数字、文号混合检索；繁体可检索简体；内置政务同义词与词典（可另设同义词）。"
    "“怎么办、多久、哪些、吗”等疑问词和虚词不要求匹配；用英文双引号括起的短语须原样出现。"
    "文号可用任意括号书写（〔〕[]()（）【】），也能找到正文中引用该文号的文件，文号本身所属文件排在最前。"
    "先要求包含全部检索词；不足一页时放宽为部分匹配（`relaxed`=true），包含检索词多者在前，"
    "每条结果的 `matched_words` / `missing_words` 说明它包含和未包含哪些检索词；无结果时 `did_you_mean` 给出相近的词。"
    "`q` 为空时按筛选条件浏览（按日期排序）。"
    "筛选：机关（含下级）、主题分类、体裁、有效性、发布日期范围；分面统计：机关、主题分类、体裁、年份。"
    "`title_html` / `snippet_html` 已转义，仅含 `<mark>` 标签。",
)
async def search_documents(
    request: Request,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str, Query(max_length=200, description="检索词")] = "",
    agency_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="发布机关（含其全部下级）")] = None,
    category: Annotated[list[str] | None, Query(description="主题分类代码，可多个")] = None,
    doc_type: Annotated[list[str] | None, Query(description="体裁代码，可多个")] = None,
    validity: Annotated[list[Validity] | None, Query(description="有效性，可多个")] = None,
    published_from: Annotated[
        OfficialDate | None, Query(alias="from", description="发布日期起（含）")
    ] = None,
    published_to: Annotated[OfficialDate | None, Query(alias="to", description="发布日期止（含）")] = None,
    sort: Annotated[
        Literal["relevance", "date"], Query(description="relevance 相关度；date 发布日期")
    ] = "relevance",
    intent: Annotated[
        Literal["submit", "typing"],
        Query(
            description="submit 提交的检索（计入检索统计）；typing 边输入边检索（不计入，避免把半截词记为检索）"
        ),
    ] = "submit",
) -> Response:
    query = SearchQuery(
        q=q.strip(),
        agency_id=agency_id,
        categories=tuple(category or ()),
        doc_types=tuple(doc_type or ()),
        validities=tuple(v.value for v in validity or ()),
        published_from=published_from,
        published_to=published_to,
        sort=sort if q.strip() else "date",
        page=page.page,
        page_size=page.page_size,
    )
    response = await indexing.search(session, request.app.state.search, query)
    if intent == "submit":  # a half-typed word is not a search the admin should read about
        request.app.state.analytics.record_search(query, response)  # queued: written about once a second
    return public_json(request, response, max_age=30, volatile={"took_ms"})  # timing: not part of the meaning


@router.get(
    "/search/suggest",
    response_model=SuggestResponse,
    summary="检索建议（输入联想）",
    description="按已输入的前缀补全：文号（任意括号）、词语（政务词典与标题中的词）、文件标题。"
    "供检索框边输入边提示；`q` 为空时返回空列表。",
)
async def suggest_search(
    request: Request,
    q: Annotated[str, Query(max_length=100, description="已输入的检索词前缀")] = "",
    limit: Annotated[int, Query(ge=1, le=20, description="最多返回几条")] = 8,
    agency_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="只建议该机关（含其全部下级）的标题和文号")
    ] = None,
) -> Response:
    answer = await indexing.suggest(request.app.state.search, q.strip(), limit, agency_id)
    return public_json(request, answer, max_age=60)


@router.get("/search/synonyms", response_model=SynonymsIn, summary="检索同义词（管理员）")
async def get_synonyms(session: SessionDep, _: AdminUser) -> SynonymsIn:
    return SynonymsIn(groups=await indexing.synonym_groups(session))


@router.put(
    "/search/synonyms",
    response_model=SynonymsIn,
    summary="设置检索同义词（管理员）",
    description='每组是一组等价的词，如 ["低保", "最低生活保障"]；整体替换，立即生效。',
)
async def put_synonyms(
    request: Request, session: SessionDep, data: SynonymsIn, actor: AdminUser
) -> SynonymsIn:
    groups = await indexing.replace_synonyms(
        session=session, engine=request.app.state.search, data=data, actor=actor
    )
    return SynonymsIn(groups=groups)


@router.post(
    "/search/clicks",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="记录检索结果的点击（公开，检索组件调用）",
    description="访客从检索结果中打开一份文件时由检索组件调用，供检索统计使用：`q` 为该次检索的检索词，"
    "`position` 为文件在结果中的位置（第 1 条为 1）。不记录访客的地址、账号或浏览器信息。"
    "文件须为已发布、社会公开的文件，否则 422（`document_id`）。未登录调用按地址限流（429）。",
)
async def record_search_click(request: Request, session: SessionDep, data: SearchClickIn) -> Response:
    await analytics.record_click(session, request.app.state.analytics, data)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/search/report",
    response_model=SearchReport,
    summary="检索统计报告（管理员）",
    description="按北京时间的日期区间（含首尾，默认最近 30 天，最长 366 天）统计：检索次数、无结果率、点击率；"
    "检索最多的词、无结果最多的词，以及有结果却没有人点击的词（检索至少 2 次）——据此补充同义词或内容。"
    "只统计非空检索词的第 1 页；检索词已规范化（繁体转简体、全角转半角、英文小写）。"
    "记录默认保留 180 天（`CATALOG_SEARCH_LOG_RETENTION_DAYS`）。",
)
async def search_report(
    session: SessionDep,
    _: AdminUser,
    from_date: Annotated[
        OfficialDate | None,
        Query(
            alias="from",
            ge=date(2000, 1, 1),
            le=date(2099, 12, 31),
            description="起始日（北京时间，含）；默认截止日前 29 天",
        ),
    ] = None,
    to_date: Annotated[
        OfficialDate | None,
        Query(
            alias="to",
            ge=date(2000, 1, 1),
            le=date(2099, 12, 31),
            description="截止日（北京时间，含）；默认今天",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="每个列表最多几条")] = 20,
) -> JSONResponse:
    found = await analytics.report(session, from_date=from_date, to_date=to_date, limit=limit)
    return JSONResponse(found.model_dump(mode="json", by_alias=True), headers={"Cache-Control": "no-store"})


@router.post(
    "/documents/{document_id}/attachments",
    response_model=AttachmentPublic,
    status_code=201,
    summary="上传附件（草稿或退回状态）",
    description="接受 PDF、OFD、Word、Excel、PowerPoint、PNG、JPEG、ZIP；按文件内容识别类型，扩展名须一致；最大 20 MB。",
)
async def upload_attachment(
    request: Request, session: SessionDep, document_id: IdPath, file: UploadFile, actor: ClerkUser
) -> AttachmentPublic:
    document = await documents.readable_document(session, document_id, actor)
    settings = request.app.state.settings
    data = await file.read(settings.max_upload_bytes + 1)
    attachment = await attachments.add_attachment(
        session=session,
        storage=request.app.state.storage,
        document=document,
        filename=file.filename or "",
        data=data,
        max_bytes=settings.max_upload_bytes,
        actor=actor,
    )
    return AttachmentPublic.model_validate(attachment).model_copy(
        update={"url": f"/api/v1/catalog/attachments/{attachment.id}"}
    )


@router.get(
    "/attachments/{attachment_id}",
    summary="下载附件",
    response_class=FileResponse,
    description="总是以下载方式提供（Content-Disposition: attachment），不会在浏览器中执行。",
)
async def download_attachment(
    request: Request, session: SessionDep, attachment_id: IdPath, principal: OptionalPrincipal
) -> Response:
    attachment = await session.get(Attachment, attachment_id)
    missing = NotFound("附件不存在", code="attachment_not_found")
    if attachment is None:
        raise missing
    try:
        document = await documents.readable_document(session, attachment.document_id, principal)
    except NotFound:  # a draft's attachment is as missing as one that never was: not "document_not_found"
        raise missing from None
    storage: attachments.Storage = request.app.state.storage
    return storage.response(
        attachment.storage_key,
        attachment.content_type,
        {
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "public, max-age=3600" if documents.is_public(document) else "private, no-store",
            "ETag": f'"{attachment.sha256}"',
        },
    )
