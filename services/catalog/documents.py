"""Reading documents: what each caller may see, lists, versions, history, the 20-working-day rule,
guides and each agency's public catalog."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ScalarSelect, func
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.models import (
    DOCUMENT_STATUS_LABELS,
    SCOPE_LABELS,
    VALIDITY_LABELS,
    Agency,
    Attachment,
    Document,
    DocumentStatus,
    DocumentVersion,
    Guide,
    Scope,
    Validity,
    ValidityEntry,
)
from services.catalog.schemas import (
    AgencyCatalog,
    AgencyPublic,
    AttachmentPublic,
    CatalogCount,
    DocumentPublic,
    DocumentSummary,
    GuideIn,
    LateDocument,
)
from services.catalog.scope import can_read_internal, ensure_clerk_of, internal_scope_filter
from services.catalog.service import get_agency
from services.catalog.vocabulary import labels
from shared.auth import Principal
from shared.calendar import WorkingCalendar, local_date, start_of_local_day
from shared.db import utcnow
from shared.errors import Forbidden, NotFound
from shared.events import Event, record_event
from shared.pagination import PageParams

PUBLICATION_LIMIT_WORKING_DAYS = 20  # 条例第二十六条: within 20 working days of being made or changed


def is_public(document: Document) -> bool:
    return document.status == DocumentStatus.PUBLISHED and document.scope == Scope.PUBLIC


async def readable_document(session: AsyncSession, document_id: int, principal: Principal | None) -> Document:
    """The document if this caller may read it; otherwise 404 (drafts are not announced)."""
    document = await session.get(Document, document_id)
    if document is not None:
        if is_public(document):
            return document
        agency = await session.get(Agency, document.agency_id)
        if agency is not None and can_read_internal(principal, agency):
            return document
    raise NotFound(f"文件 {document_id} 不存在", code="document_not_found")


async def internal_document(session: AsyncSession, document_id: int, principal: Principal) -> Document:
    """Drafts, versions and history: clerks of the agency and inspectors of its region only. Outside
    them, a document the public cannot see is answered exactly as a missing one: its existence is
    internal too."""
    document = await session.get(Document, document_id)
    missing = NotFound(f"文件 {document_id} 不存在", code="document_not_found")
    if document is None:
        raise missing
    agency = await session.get(Agency, document.agency_id)
    if agency is None or not can_read_internal(principal, agency):
        if not is_public(document):
            raise missing
        raise Forbidden("无权查看此文件的内部记录", code="agency_scope")
    return document


async def present(session: AsyncSession, document: Document) -> DocumentPublic:
    attachments = (
        await session.exec(
            select(Attachment).where(Attachment.document_id == document.id).order_by(col(Attachment.id))
        )
    ).all()
    out = DocumentPublic.model_validate(document, from_attributes=True)
    out.attachments = [
        AttachmentPublic.model_validate(a).model_copy(update={"url": f"/api/v1/catalog/attachments/{a.id}"})
        for a in attachments
    ]
    out.labels = {
        "category": (await labels(session, "category")).get(document.category, document.category),
        "doc_type": (await labels(session, "doc_type")).get(document.doc_type, document.doc_type),
        "validity": VALIDITY_LABELS.get(document.validity, document.validity),
        "scope": SCOPE_LABELS.get(document.scope, document.scope),
        "status": DOCUMENT_STATUS_LABELS.get(document.status, document.status),
    }
    return out


async def list_documents(
    *,
    session: AsyncSession,
    principal: Principal | None,
    page: PageParams,
    agency_id: int | None = None,
    category: str | None = None,
    doc_type: str | None = None,
    validity: str | None = None,
    year: int | None = None,
    status: DocumentStatus | None = None,
    in_force_on: date | None = None,
    repealed_from: date | None = None,
    repealed_to: date | None = None,
) -> tuple[list[Document], int]:
    """The public list (published, public scope), or with `status` a staff member's internal list.
    `in_force_on` and `repealed_from`/`repealed_to` read the validity history (`ValidityEntry`), so
    a count for a past day or year is the same before and after later changes."""
    query = select(Document).join(Agency, col(Agency.id) == col(Document.agency_id))
    if status is None:
        query = query.where(Document.status == DocumentStatus.PUBLISHED, Document.scope == Scope.PUBLIC)
    else:
        scope = internal_scope_filter(principal) if principal else None
        if scope is None:
            raise Forbidden("按状态查询仅限本机关经办人员或本地区监察人员", code="agency_scope")
        query = query.where(scope, Document.status == status)
    if agency_id is not None:
        root = await get_agency(session=session, agency_id=agency_id)
        query = query.where(
            (col(Agency.id) == root.id) | col(Agency.path).startswith(f"{root.path}{root.id}/")
        )
    for column, value in (
        (Document.category, category),
        (Document.doc_type, doc_type),
        (Document.validity, validity),
    ):
        if value is not None:
            query = query.where(column == value)
    if year is not None:
        query = query.where(
            col(Document.published_at) >= start_of_local_day(date(year, 1, 1)),
            col(Document.published_at) < start_of_local_day(date(year + 1, 1, 1)),
        )
    if in_force_on is not None:
        query = query.where(validity_on(in_force_on) == Validity.VALID)
    if repealed_from is not None or repealed_to is not None:
        repeal = select(ValidityEntry.document_id).where(
            col(ValidityEntry.validity) == Validity.REPEALED,
            col(ValidityEntry.previous).is_not(None),
            col(ValidityEntry.previous) != Validity.REPEALED,
        )
        if repealed_from is not None:
            repeal = repeal.where(col(ValidityEntry.effective_on) >= repealed_from)
        if repealed_to is not None:
            repeal = repeal.where(col(ValidityEntry.effective_on) <= repealed_to)
        query = query.where(col(Document.id).in_(repeal))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    order = (
        (col(Document.published_at).desc(), col(Document.id).desc())
        if status in (None, DocumentStatus.PUBLISHED)
        else (col(Document.updated_at).desc(), col(Document.id).desc())
    )
    rows = await session.exec(query.order_by(*order).offset(page.offset).limit(page.page_size))
    return list(rows.all()), total


def validity_on(day: date) -> ScalarSelect[str]:
    """The document's validity at the end of `day` (NULL before it was published), as SQL."""
    return (
        select(ValidityEntry.validity)
        .where(col(ValidityEntry.document_id) == col(Document.id), col(ValidityEntry.effective_on) <= day)
        .order_by(col(ValidityEntry.effective_on).desc(), col(ValidityEntry.id).desc())
        .limit(1)
        .correlate(Document)
        .scalar_subquery()
    )


async def versions(session: AsyncSession, document: Document) -> list[DocumentVersion]:
    rows = await session.exec(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id)
        .order_by(col(DocumentVersion.version))
    )
    return list(rows.all())


async def history(session: AsyncSession, document: Document) -> list[Event]:
    rows = await session.exec(
        select(Event)
        .where(Event.aggregate_type == "document", Event.aggregate_id == str(document.id))
        .order_by(col(Event.id))
    )
    return list(rows.all())


def _publications(document: Document, rows: list[DocumentVersion]) -> list[tuple[int, date, date]]:
    """(version, information date, publication day) of each publication of new information: the
    first one, and each approved amendment that changed the information date. Earlier ones stay
    on record when a later version moves the date (the late publication happened all the same)."""
    out: list[tuple[int, date, date]] = []
    previous: str | None = None
    for row in rows:
        information_date = row.content.get("information_date")
        if information_date is None or information_date == previous:
            continue
        first = not out and document.published_at is not None
        published = document.published_at if first else row.created_at
        assert published is not None
        out.append((row.version, date.fromisoformat(information_date), local_date(published)))
        previous = information_date
    return out


async def late_documents(
    *, session: AsyncSession, principal: Principal, calendar: WorkingCalendar, today: date | None = None
) -> list[LateDocument]:
    """Publications later than 20 working days after their information date (each version that
    brought new information), and documents still unpublished past that limit (条例第二十六条)."""
    today = today or local_date(utcnow())
    scope = internal_scope_filter(principal)
    if scope is None:
        raise Forbidden("仅限经办人员或监察人员", code="agency_scope")
    bound = today - timedelta(days=PUBLICATION_LIMIT_WORKING_DAYS)
    # 20 working days are at least 20 calendar days: a cheap bound before the exact count. An
    # amended document is looked at whatever its current date: an earlier version may be late.
    candidates = (
        scope,
        col(Document.status) != DocumentStatus.REVOKED,
        (col(Document.information_date) <= bound)
        | ((col(Document.status) == DocumentStatus.PUBLISHED) & (col(Document.version) > 1)),
    )
    rows = (
        await session.exec(
            select(Document)
            .join(Agency, col(Agency.id) == col(Document.agency_id))
            .where(*candidates)
            .order_by(col(Document.information_date), col(Document.id))
        )
    ).all()
    published_versions: dict[int, list[DocumentVersion]] = {}
    for version_row in (
        await session.exec(
            select(DocumentVersion)
            .join(Document, col(Document.id) == col(DocumentVersion.document_id))
            .join(Agency, col(Agency.id) == col(Document.agency_id))
            .where(*candidates, col(Document.status) == DocumentStatus.PUBLISHED)
            .order_by(col(DocumentVersion.document_id), col(DocumentVersion.version))
        )
    ).all():
        published_versions.setdefault(version_row.document_id, []).append(version_row)
    late = []
    for document in rows:
        found = published_versions.get(document.id or 0)
        if document.status == DocumentStatus.PUBLISHED and found:
            cases: list[tuple[int | None, date, date | None]] = list(_publications(document, found))
        else:
            published_on = local_date(document.published_at) if document.published_at else None
            cases = [(None, document.information_date, published_on)]
        for version, information_date, published_on in cases:
            if information_date > bound:
                continue
            due = calendar.add_working_days(information_date, PUBLICATION_LIMIT_WORKING_DAYS)
            reference = published_on or today
            if reference <= due.day:
                continue
            overrun = calendar.working_days_between(due.day, reference)
            if overrun.days == 0:
                continue
            late.append(
                LateDocument(
                    id=document.id or 0,
                    title=document.title,
                    agency_id=document.agency_id,
                    information_date=information_date,
                    version=version,
                    due_on=due.day,
                    published_on=published_on,
                    working_days_late=overrun.days,
                    provisional=due.provisional or overrun.provisional,
                    status=DocumentStatus(document.status),
                )
            )
    late.sort(key=lambda row: (row.information_date, row.id))
    return late


async def get_guide(session: AsyncSession, agency_id: int) -> Guide:
    await get_agency(session=session, agency_id=agency_id)
    guide = await session.get(Guide, agency_id)
    if guide is None:
        raise NotFound("该机关尚未发布政府信息公开指南", code="guide_not_found")
    return guide


async def put_guide(*, session: AsyncSession, agency_id: int, data: GuideIn, actor: Principal) -> Guide:
    await get_agency(session=session, agency_id=agency_id)
    ensure_clerk_of(actor, agency_id)
    guide = await session.get(Guide, agency_id)
    before = None
    if guide is None:
        guide = Guide(agency_id=agency_id, updated_by=actor.subject, **data.model_dump())
    else:
        before = GuideIn.model_validate(guide, from_attributes=True).model_dump()
        for name, value in data.model_dump().items():
            setattr(guide, name, value)
        guide.updated_by, guide.updated_at = actor.subject, utcnow()
    session.add(guide)
    record_event(
        session,
        aggregate_type="guide",
        aggregate_id=agency_id,
        action="updated",
        actor=actor,
        before=before,
        after=data.model_dump(),
    )
    await session.commit()
    return guide


async def agency_catalog(session: AsyncSession, agency_id: int) -> AgencyCatalog:
    """An agency's 公开目录: its public documents counted by category and type."""
    agency = await get_agency(session=session, agency_id=agency_id)
    public = (
        Document.agency_id == agency_id,
        Document.status == DocumentStatus.PUBLISHED,
        Document.scope == Scope.PUBLIC,
    )
    category_labels, type_labels = await labels(session, "category"), await labels(session, "doc_type")

    async def counts(column: Mapped[str], names: dict[str, str]) -> list[CatalogCount]:
        rows = (
            await session.exec(
                select(column, func.count())
                .where(*public)
                .group_by(column)
                .order_by(func.count().desc(), column)
            )
        ).all()
        return [CatalogCount(code=code, label=names.get(code, code), count=n) for code, n in rows]

    by_category = await counts(col(Document.category), category_labels)
    recent = (
        await session.exec(
            select(Document).where(*public).order_by(col(Document.published_at).desc()).limit(10)
        )
    ).all()
    return AgencyCatalog(
        agency=AgencyPublic.model_validate(agency),
        total=sum(c.count for c in by_category),
        by_category=by_category,
        by_type=await counts(col(Document.doc_type), type_labels),
        recent=[DocumentSummary.model_validate(d) for d in recent],
    )
