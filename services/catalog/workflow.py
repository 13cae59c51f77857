"""The publication workflow of a document: one table of allowed transitions, checked before any
write, and one event per change in the same transaction (条例第十七条: review before publication;
docs/architecture.md, "Events and the outbox").

draft ⇄ (edit) → in_review → approved: published | scheduled → published
                            ↘ returned → (edit) → in_review
published → amendment proposed → approved by a second person: amended (new version) | returned
published → validity changed (from a stated day) | revoked

Each publication and each validity change also writes a `ValidityEntry` (the validity and the day
it takes effect), so counts as of a past date stay right after later changes.

An amendment never changes the live document by itself: it waits, as a `DocumentAmendment`, for
the same 保密审查 by someone other than its author as a first publication; the public and search
keep the live version until then.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import nh3
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.attachments import Storage, attachment_texts
from services.catalog.models import (
    DOCUMENT_STATUS_LABELS,
    Agency,
    AmendmentStatus,
    Document,
    DocumentAmendment,
    DocumentStatus,
    DocumentVersion,
    IndexCounter,
    Scope,
    ValidityEntry,
)
from services.catalog.schemas import (
    Amendment,
    AmendmentApproval,
    Approval,
    DocumentDraft,
    DocumentEdit,
    ImportBatch,
    PersonalDataFinding,
    PersonalDataReport,
    ValidityChange,
)
from services.catalog.scope import ensure_clerk_of
from services.catalog.vocabulary import ensure_known_terms
from shared.auth import Principal
from shared.calendar import local_date, start_of_local_day
from shared.db import backend_name, row_id, utcnow
from shared.errors import Conflict, DomainError, Forbidden, InvalidField, NotFound
from shared.events import record_event
from shared.personal_data import Finding, find_personal_data, mask_findings

S = DocumentStatus
SEARCH_TOPIC = "catalog.document"

# action -> (states it may start from, state it leads to; None = decided by the action)
TRANSITIONS: dict[str, tuple[frozenset[DocumentStatus], DocumentStatus | None]] = {
    "edit": (frozenset({S.DRAFT, S.RETURNED}), None),
    "submit": (frozenset({S.DRAFT, S.RETURNED}), S.IN_REVIEW),
    "return": (frozenset({S.IN_REVIEW}), S.RETURNED),
    "approve": (frozenset({S.IN_REVIEW}), None),  # published, or scheduled with publish_at
    "publish_scheduled": (frozenset({S.SCHEDULED}), S.PUBLISHED),
    "amend": (frozenset({S.PUBLISHED}), S.PUBLISHED),  # proposing, approving or returning one
    "change_validity": (frozenset({S.PUBLISHED}), S.PUBLISHED),
    "revoke": (frozenset({S.PUBLISHED, S.SCHEDULED}), S.REVOKED),
}
ACTION_LABELS = {
    "edit": "修改草稿",
    "submit": "提交审核",
    "return": "退回",
    "approve": "审核通过",
    "publish_scheduled": "定时发布",
    "amend": "修订",
    "change_validity": "变更有效性",
    "revoke": "撤销",
}
CONTENT_FIELDS = (
    "title",
    "doc_number",
    "written_on",
    "information_date",
    "category",
    "doc_type",
    "validity",
    "scope",
    "stage",
    "body_text",
    "body_html",
)


class InvalidTransition(Conflict):
    code = "invalid_transition"


class PersonalDataFound(DomainError):
    """Publication refused: unmasked personal data and no reasoned exception by the reviewer."""

    status, code, title = 422, "personal_data_found", "待发布内容含未遮蔽的个人信息"


# What is published as text and checked for personal data before it goes live.
CHECKED_FIELDS = ("title", "body_text", "body_html")


def personal_data_in(
    content: dict[str, Any], attachments: dict[str, str | None] | None = None
) -> list[tuple[str, Finding]]:
    """Each ID number, mobile or bank card number, and each name in a 公示 list, in the published
    text, with the field it is in."""
    return [
        (name, finding)
        for name in CHECKED_FIELDS
        if isinstance(content.get(name), str)
        for finding in find_personal_data(content[name])
    ] + [
        (name, finding)
        for name, text in (attachments or {}).items()
        if text is not None
        for finding in find_personal_data(text)
    ]


def masked_content(content: dict[str, Any]) -> dict[str, str | None]:
    """The published text with every finding masked (张**-style masks from shared.personal_data)."""
    out: dict[str, str | None] = {}
    for name in CHECKED_FIELDS:
        value = content.get(name)
        out[name] = mask_findings(value, find_personal_data(value)) if isinstance(value, str) else value
    return out


def _check_personal_data(
    content: dict[str, Any], override: str | None, attachments: dict[str, str | None] | None = None
) -> dict[str, Any]:
    """条例第十五条 and docs/architecture.md, "Personal data": nothing goes live with ID numbers, mobiles, bank
    cards or names in 公示 lists unmasked unless the reviewer records a reasoned exception (kept in
    the event)."""
    findings = personal_data_in(content, attachments)
    if not findings:
        return {}
    summary = [
        {"field": name, "kind": f.kind, "start": f.start, "end": f.end, "masked": f.masked}
        for name, f in findings
    ]
    if override is None:
        raise PersonalDataFound(
            f"发现 {len(findings)} 处未遮蔽的个人信息，请遮蔽后再发布，或由审核人说明理由后例外发布",
            errors=[
                {
                    "field": name,
                    "message": f"第 {f.start + 1}–{f.end} 个字符：{f.label} {f.masked}",
                    "type": f"personal_data.{f.kind}",
                }
                for name, f in findings
            ],
        )
    return {"personal_data_override": override, "personal_data": summary}


def check_transition(document: Document, action: str) -> None:
    allowed, _ = TRANSITIONS[action]
    if DocumentStatus(document.status) not in allowed:
        current = DOCUMENT_STATUS_LABELS[DocumentStatus(document.status)]
        raise InvalidTransition(
            f"文件当前状态为「{current}」，不能{ACTION_LABELS[action]}", code="invalid_transition"
        )


def _content(document: Document) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in CONTENT_FIELDS:
        value = getattr(document, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


def _state(document: Document) -> dict[str, Any]:
    return {
        "status": document.status,
        "version": document.version,
        "validity": document.validity,
        "index_no": document.index_no,
    }


def sanitize_html(raw: str | None) -> str | None:
    """Keeps formatting tags only: no scripts, handlers, styles or foreign frames."""
    return nh3.clean(raw) if raw else raw


async def get_document(session: AsyncSession, document_id: int, actor: Principal | None = None) -> Document:
    """With `actor` (a clerk about to act on it): a document the public cannot see is as missing to
    a clerk of another agency as one that does not exist, since its existence is internal too; a
    published one is refused by `ensure_clerk_of` (403)."""
    document = await session.get(Document, document_id)
    hidden = (
        document is not None
        and actor is not None
        and not (document.status == S.PUBLISHED and document.scope == Scope.PUBLIC)
        and not actor.is_clerk_of(document.agency_id)
    )
    if document is None or hidden:
        raise NotFound(f"文件 {document_id} 不存在", code="document_not_found")
    return document


def _record(
    session: AsyncSession,
    document: Document,
    action: str,
    actor: Principal | None,
    *,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    index: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    record_event(
        session,
        aggregate_type="document",
        aggregate_id=document.id,
        action=action,
        actor=actor,
        reason=reason,
        before=before,
        after={**_state(document), **(extra or {})},
        topic=SEARCH_TOPIC if index else None,
    )


def _new_document(
    data: DocumentDraft, *, agency_id: int, actor: Principal, default_date: date, **state: Any
) -> Document:
    """A document row from what a clerk wrote (or the old system published)."""
    return Document(
        agency_id=agency_id,
        title=data.title,
        doc_number=data.doc_number,
        written_on=data.written_on,
        information_date=data.information_date or data.written_on or default_date,
        category=data.category,
        doc_type=data.doc_type,
        validity=data.validity,
        scope=data.scope,
        stage=data.stage,
        body_text=data.body_text,
        body_html=sanitize_html(data.body_html),
        created_by=actor.subject,
        **state,
    )


async def create_draft(*, session: AsyncSession, data: DocumentDraft, actor: Principal) -> Document:
    if actor.agency_id is None:
        raise Forbidden("只有机关经办人员可以起草文件", code="agency_scope")
    await ensure_known_terms(session, category=data.category, doc_type=data.doc_type)
    document = _new_document(
        data, agency_id=actor.agency_id, actor=actor, default_date=local_date(utcnow()), status=S.DRAFT
    )
    session.add(document)
    await session.flush()
    _record(session, document, "drafted", actor)
    await session.commit()
    return document


def _apply(document: Document, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if name == "body_html":
            value = sanitize_html(value)
        setattr(document, name, value)
    document.updated_at = utcnow()


async def edit_draft(
    *, session: AsyncSession, document_id: int, data: DocumentEdit, actor: Principal
) -> Document:
    document = await get_document(session, document_id, actor)
    ensure_clerk_of(actor, document.agency_id)
    check_transition(document, "edit")
    changes = data.model_dump(exclude_unset=True)
    await ensure_known_terms(session, category=changes.get("category"), doc_type=changes.get("doc_type"))
    before = _content(document)
    _apply(document, changes)
    session.add(document)
    record_event(
        session,
        aggregate_type="document",
        aggregate_id=document.id,
        action="edited",
        actor=actor,
        before=before,
        after=_content(document),
    )
    await session.commit()
    return document


async def submit(*, session: AsyncSession, document_id: int, actor: Principal) -> Document:
    document = await get_document(session, document_id, actor)
    ensure_clerk_of(actor, document.agency_id)
    check_transition(document, "submit")
    before = _state(document)
    document.status, document.submitted_by, document.status_reason = S.IN_REVIEW, actor.subject, None
    document.updated_at = utcnow()
    session.add(document)
    _record(session, document, "submitted", actor, before=before)
    await session.commit()
    return document


def _ensure_second_person(document: Document, actor: Principal) -> None:
    """保密审查 is done by someone other than the author (a second clerk of the same agency)."""
    ensure_clerk_of(actor, document.agency_id)
    if actor.subject in {document.created_by, document.submitted_by}:
        raise Forbidden("审核须由起草人以外的本机关经办人员进行", code="second_person_required")


async def return_for_changes(
    *, session: AsyncSession, document_id: int, reason: str, actor: Principal
) -> Document:
    document = await get_document(session, document_id, actor)
    _ensure_second_person(document, actor)
    check_transition(document, "return")
    before = _state(document)
    document.status, document.reviewed_by, document.status_reason = S.RETURNED, actor.subject, reason
    document.updated_at = utcnow()
    session.add(document)
    _record(session, document, "returned", actor, reason=reason, before=before)
    await session.commit()
    return document


async def _next_index_no(session: AsyncSession, agency_id: int, year: int) -> str:
    """索引号: the agency's code, the year and a five-digit sequence; given once, never changed."""
    insert = pg_insert if backend_name(session) == "postgresql" else sqlite_insert
    await session.exec(
        insert(IndexCounter).values(agency_id=agency_id, year=year, last=0).on_conflict_do_nothing()
    )
    result = await session.exec(
        update(IndexCounter)
        .where(col(IndexCounter.agency_id) == agency_id, col(IndexCounter.year) == year)
        .values(last=IndexCounter.last + 1)
        .returning(col(IndexCounter.last))
    )
    sequence = result.scalar_one()
    agency = await session.get(Agency, agency_id)
    assert agency is not None
    candidate = f"{agency.code}/{year}-{sequence:05d}"
    # An imported document may already carry the number the counter reaches: skip past it.
    while (await session.exec(select(Document.id).where(Document.index_no == candidate))).first() is not None:
        result = await session.exec(
            update(IndexCounter)
            .where(col(IndexCounter.agency_id) == agency_id, col(IndexCounter.year) == year)
            .values(last=IndexCounter.last + 1)
            .returning(col(IndexCounter.last))
        )
        candidate = f"{agency.code}/{year}-{result.scalar_one():05d}"
    return candidate


async def _publish(
    session: AsyncSession, document: Document, actor: Principal | None, reason: str | None
) -> None:
    now = utcnow()
    document.status, document.published_at = S.PUBLISHED, now
    if document.index_no is None:
        document.index_no = await _next_index_no(session, document.agency_id, local_date(now).year)
    document.version += 1
    session.add(
        DocumentVersion(
            document_id=row_id(document),
            version=document.version,
            content=_content(document),
            reason=reason,
            created_by=actor.subject if actor else "system",
        )
    )
    if document.version == 1:
        _validity_from(session, document, local_date(now), actor.subject if actor else "system")


def _validity_from(
    session: AsyncSession, document: Document, day: date, by: str, previous: str | None = None
) -> None:
    """The document's validity from `day` on (at publication `previous` is None)."""
    session.add(
        ValidityEntry(
            document_id=document.id or 0,
            validity=document.validity,
            previous=previous,
            effective_on=day,
            recorded_by=by,
        )
    )


async def approve(
    *,
    session: AsyncSession,
    document_id: int,
    data: Approval,
    actor: Principal,
    storage: Storage | None = None,
) -> Document:
    document = await get_document(session, document_id, actor)
    _ensure_second_person(document, actor)
    check_transition(document, "approve")
    if not data.confidentiality_checked:
        raise InvalidField(
            "confidentiality_checked", "发布前须完成保密审查", code="confidentiality_check_required"
        )
    texts = await attachment_texts(session, storage, document_id) if storage is not None else {}
    exception = _check_personal_data(_content(document), data.personal_data_override, texts)
    before = _state(document)
    document.reviewed_by, document.status_reason = actor.subject, data.note
    document.updated_at = utcnow()
    if data.publish_at is not None and data.publish_at > utcnow():
        document.status, document.publish_at = S.SCHEDULED, data.publish_at
        session.add(document)
        _record(session, document, "scheduled", actor, reason=data.note, before=before, extra=exception)
    else:
        await _publish(session, document, actor, data.note)
        session.add(document)
        _record(
            session,
            document,
            "published",
            actor,
            reason=data.note,
            before=before,
            index=True,
            extra=exception,
        )
    await session.commit()
    return document


async def publish_due(*, session: AsyncSession, now: datetime | None = None) -> int:
    """Publishes scheduled documents whose time has come (run by the catalog's scheduler)."""
    now = now or utcnow()
    due = (
        await session.exec(
            select(Document).where(Document.status == S.SCHEDULED, col(Document.publish_at) <= now).limit(100)
        )
    ).all()
    for document in due:
        before = _state(document)
        await _publish(session, document, None, "定时发布")
        session.add(document)
        _record(session, document, "published", None, reason="定时发布", before=before, index=True)
    await session.commit()
    return len(due)


class AmendmentNotPending(Conflict):
    code = "amendment_not_pending"


DATE_FIELDS = ("written_on", "information_date")


async def amend(
    *, session: AsyncSession, document_id: int, data: Amendment, actor: Principal
) -> DocumentAmendment:
    """Proposes a new version; a pending proposal of the same document is superseded by it."""
    document = await get_document(session, document_id, actor)
    ensure_clerk_of(actor, document.agency_id)
    check_transition(document, "amend")
    changes = data.model_dump(mode="json", exclude_unset=True, exclude={"reason"})
    if not changes:
        raise InvalidField("body", "修订至少要改动一项内容", code="empty_amendment")
    await ensure_known_terms(session, category=changes.get("category"), doc_type=changes.get("doc_type"))
    for earlier in await pending_amendments(session, document_id):
        earlier.status, earlier.decided_by, earlier.decided_at = (
            AmendmentStatus.SUPERSEDED,
            actor.subject,
            utcnow(),
        )
        session.add(earlier)
    amendment = DocumentAmendment(
        document_id=document_id,
        based_on_version=document.version,
        changes=changes,
        reason=data.reason,
        created_by=actor.subject,
    )
    session.add(amendment)
    await session.flush()
    record_event(
        session,
        aggregate_type="document",
        aggregate_id=document.id,
        action="amendment_proposed",
        actor=actor,
        reason=data.reason,
        before=_content(document),
        after={"amendment_id": amendment.id, "changes": changes},
    )
    await session.commit()
    return amendment


async def pending_amendments(session: AsyncSession, document_id: int) -> list[DocumentAmendment]:
    rows = await session.exec(
        select(DocumentAmendment).where(
            DocumentAmendment.document_id == document_id,
            DocumentAmendment.status == AmendmentStatus.PENDING,
        )
    )
    return list(rows.all())


async def amendments(session: AsyncSession, document: Document) -> list[DocumentAmendment]:
    rows = await session.exec(
        select(DocumentAmendment)
        .where(DocumentAmendment.document_id == document.id)
        .order_by(col(DocumentAmendment.id))
    )
    return list(rows.all())


async def personal_data_report(
    session: AsyncSession, document: Document, storage: Storage | None = None
) -> PersonalDataReport:
    """The check publication will run, on what would go live next (the pending amendment if there
    is one), with the masked text a clerk can put in its place."""
    content, amendment_id = _content(document), None
    pending = await pending_amendments(session, document.id or 0)
    if pending:
        content, amendment_id = {**content, **pending[-1].changes}, pending[-1].id
    texts = await attachment_texts(session, storage, document.id or 0) if storage else {}
    return PersonalDataReport(
        amendment_id=amendment_id,
        findings=[
            PersonalDataFinding(field=name, kind=f.kind, start=f.start, end=f.end, masked=f.masked)
            for name, f in personal_data_in(content, texts)
        ],
        masked=masked_content(content),
        unread_attachments=[
            int(name.removeprefix("attachments.")) for name, text in texts.items() if text is None
        ],
    )


async def _pending_amendment(
    session: AsyncSession, document: Document, amendment_id: int
) -> DocumentAmendment:
    amendment = await session.get(DocumentAmendment, amendment_id)
    if amendment is None or amendment.document_id != document.id:
        raise NotFound(f"修订 {amendment_id} 不存在", code="amendment_not_found")
    if amendment.status != AmendmentStatus.PENDING:
        raise AmendmentNotPending("该修订已处理，不能再审核", code="amendment_not_pending")
    return amendment


def _ensure_amendment_reviewer(document: Document, amendment: DocumentAmendment, actor: Principal) -> None:
    """保密审查 of an amendment is done by a clerk of the agency other than its author."""
    ensure_clerk_of(actor, document.agency_id)
    if actor.subject == amendment.created_by:
        raise Forbidden("修订须由提出人以外的本机关经办人员审核", code="second_person_required")


async def approve_amendment(
    *,
    session: AsyncSession,
    document_id: int,
    amendment_id: int,
    data: AmendmentApproval,
    actor: Principal,
) -> Document:
    """The amendment becomes the live version: a new version row, an event and an outbox row for
    search, in one transaction."""
    document = await get_document(session, document_id, actor)
    amendment = await _pending_amendment(session, document, amendment_id)
    _ensure_amendment_reviewer(document, amendment, actor)
    check_transition(document, "amend")
    if not data.confidentiality_checked:
        raise InvalidField(
            "confidentiality_checked", "发布前须完成保密审查", code="confidentiality_check_required"
        )
    exception = _check_personal_data({**_content(document), **amendment.changes}, data.personal_data_override)
    changes: dict[str, Any] = {
        name: date.fromisoformat(value) if name in DATE_FIELDS and value is not None else value
        for name, value in amendment.changes.items()
    }
    await ensure_known_terms(session, category=changes.get("category"), doc_type=changes.get("doc_type"))
    before = _content(document)
    _apply(document, changes)
    document.version += 1
    document.reviewed_by = actor.subject
    session.add(
        DocumentVersion(
            document_id=row_id(document),
            version=document.version,
            content=_content(document),
            reason=amendment.reason,
            created_by=amendment.created_by,
        )
    )
    session.add(document)
    amendment.status, amendment.decided_by, amendment.decided_at = (
        AmendmentStatus.APPROVED,
        actor.subject,
        utcnow(),
    )
    amendment.decision_note = data.note
    session.add(amendment)
    record_event(
        session,
        aggregate_type="document",
        aggregate_id=document.id,
        action="amended",
        actor=actor,
        reason=amendment.reason,
        before=before,
        after={
            **_content(document),
            "amendment_id": amendment.id,
            "proposed_by": amendment.created_by,
            **exception,
        },
        topic=SEARCH_TOPIC,
    )
    await session.commit()
    return document


async def return_amendment(
    *, session: AsyncSession, document_id: int, amendment_id: int, reason: str, actor: Principal
) -> DocumentAmendment:
    """The reviewer sends the amendment back; the live version stays as it is."""
    document = await get_document(session, document_id, actor)
    amendment = await _pending_amendment(session, document, amendment_id)
    _ensure_amendment_reviewer(document, amendment, actor)
    amendment.status, amendment.decided_by, amendment.decided_at = (
        AmendmentStatus.RETURNED,
        actor.subject,
        utcnow(),
    )
    amendment.decision_note = reason
    session.add(amendment)
    record_event(
        session,
        aggregate_type="document",
        aggregate_id=document.id,
        action="amendment_returned",
        actor=actor,
        reason=reason,
        after={"amendment_id": amendment.id},
    )
    await session.commit()
    return amendment


async def change_validity(
    *, session: AsyncSession, document_id: int, data: ValidityChange, actor: Principal
) -> Document:
    document = await get_document(session, document_id, actor)
    ensure_clerk_of(actor, document.agency_id)
    check_transition(document, "change_validity")
    if document.validity == data.validity:
        raise Conflict("有效性未改变", code="validity_unchanged")
    today = local_date(utcnow())
    effective_on = data.effective_on or today
    if effective_on > today:
        raise InvalidField("effective_on", "生效日期不能晚于今天（到期后再变更有效性）")
    since = (
        await session.exec(
            select(col(ValidityEntry.effective_on))
            .where(ValidityEntry.document_id == document.id)
            .order_by(col(ValidityEntry.effective_on).desc(), col(ValidityEntry.id).desc())
            .limit(1)
        )
    ).first()
    if since is not None and effective_on < since:
        raise InvalidField(
            "effective_on", f"生效日期不能早于发布日期或上一次有效性变更的生效日期（{since.isoformat()}）"
        )
    before = _state(document)
    previous, document.validity = document.validity, data.validity
    document.updated_at = utcnow()
    session.add(document)
    _validity_from(session, document, effective_on, actor.subject, previous)
    _record(
        session,
        document,
        "validity_changed",
        actor,
        reason=data.reason,
        before=before,
        index=True,
        extra={"effective_on": effective_on.isoformat()},
    )
    await session.commit()
    return document


async def revoke(*, session: AsyncSession, document_id: int, reason: str, actor: Principal) -> Document:
    """Leaves public lists and search; stays in the history for clerks and inspectors."""
    document = await get_document(session, document_id, actor)
    ensure_clerk_of(actor, document.agency_id)
    check_transition(document, "revoke")
    before = _state(document)
    document.status, document.status_reason = S.REVOKED, reason
    document.updated_at = utcnow()
    session.add(document)
    _record(session, document, "revoked", actor, reason=reason, before=before, index=True)
    await session.commit()
    return document


async def import_published(*, session: AsyncSession, batch: ImportBatch, actor: Principal) -> list[int]:
    """Brings over documents the previous system already published (admin, all or nothing)."""
    ids = []
    agencies: dict[int, Agency] = {}
    for position, item in enumerate(batch.documents):
        agency = agencies.get(item.agency_id) or await session.get(Agency, item.agency_id)
        if agency is None:
            raise InvalidField(
                f"documents.{position}.agency_id", f"机关 {item.agency_id} 不存在", code="agency_not_found"
            )
        agencies[item.agency_id] = agency
        await ensure_known_terms(session, category=item.category, doc_type=item.doc_type)
        published_at = start_of_local_day(item.published_on) + timedelta(hours=9)
        if published_at > utcnow():
            raise InvalidField(f"documents.{position}.published_on", "原发布日期不能晚于今天")
        document = _new_document(
            item,
            agency_id=item.agency_id,
            actor=actor,
            default_date=item.published_on,
            status=S.PUBLISHED,
            version=1,
            published_at=published_at,
            reviewed_by=actor.subject,
            index_no=item.index_no or await _next_index_no(session, item.agency_id, item.published_on.year),
        )
        session.add(document)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"第 {position + 1} 份文件的索引号 {document.index_no} 已存在", code="index_no_taken"
            ) from exc
        session.add(
            DocumentVersion(
                document_id=row_id(document),
                version=1,
                content=_content(document),
                reason="从原系统迁移",
                created_by=actor.subject,
            )
        )
        _validity_from(session, document, item.published_on, actor.subject)
        _record(session, document, "imported", actor, reason="从原系统迁移", index=True)
        ids.append(document.id or 0)
    await session.commit()
    return ids
