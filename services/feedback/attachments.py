"""Attachments of a case: who may add one, the limit per case, listing and fetching them.

Kept apart from `service` (which lists them in the case view) because files are their own concern."""

from __future__ import annotations

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle
from services.feedback.models import Attachment, CaseState, FeedbackCase
from services.feedback.schemas import AttachmentPublic
from shared.auth import Principal, Role
from shared.db import row_id
from shared.errors import Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.files import stored_file

MAX_ATTACHMENTS = 5


def _may_attach(case: FeedbackCase, principal: Principal | None) -> bool:
    """The sender (by login or by code: `principal` None) while the case is open, or its handler."""
    if CaseState(case.state) not in lifecycle.OPEN:
        return False
    if principal is None:
        return True
    if principal.role == Role.PUBLIC:
        return case.sender_user_id == principal.subject
    return principal.role == Role.CLERK and case.owner_id == principal.subject


async def add_attachment(
    session: AsyncSession,
    case: FeedbackCase,
    *,
    filename: str,
    data: bytes,
    max_bytes: int,
    actor: Principal | None,
) -> AttachmentPublic:
    if not _may_attach(case, actor):
        raise Conflict("只有留言人或承办人可以在事项办结前添加附件", code="attachment_not_allowed")
    count = (await session.exec(select(func.count()).where(Attachment.case_id == case.id))).one()
    if count >= MAX_ATTACHMENTS:
        raise InvalidField("file", f"每个事项最多 {MAX_ATTACHMENTS} 个附件", code="too_many_files")
    row = Attachment(
        case_id=row_id(case),
        uploaded_by=actor.subject if actor is not None else None,
        **stored_file(filename, data, max_bytes),
    )
    session.add(row)
    await session.flush()
    record_event(
        session,
        aggregate_type=lifecycle.AGGREGATE,
        aggregate_id=case.id,
        action="attachment_added",
        actor=actor,
        after={"round": case.round, "attachment_id": row.id, "filename": row.filename, "size": row.size},
    )
    await session.commit()
    return attachment_public(row)


def attachment_public(row: Attachment) -> AttachmentPublic:
    return AttachmentPublic(
        id=row_id(row),
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        created_at=row.created_at,
        url=f"/api/v1/feedback/messages/{row.case_id}/attachments/{row.id}",
    )


async def attachments_of(session: AsyncSession, case_id: int) -> list[AttachmentPublic]:
    rows = await session.exec(
        select(Attachment).where(Attachment.case_id == case_id).order_by(col(Attachment.id))
    )
    return [attachment_public(r) for r in rows.all()]


async def get_attachment(session: AsyncSession, case: FeedbackCase, attachment_id: int) -> Attachment:
    row = await session.get(Attachment, attachment_id)
    if row is None or row.case_id != case.id:
        raise NotFound("附件不存在", code="attachment_not_found")
    return row
