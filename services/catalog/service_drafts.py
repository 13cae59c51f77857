"""Drafts another service writes for an agency: the requests service sends the annual report
(条例第四十九条: 向社会公布) here with the service token. Nothing is published from this path: the draft
is the clerk's who asked for it, and it goes through the same submit and second-person review
(保密审查) as any document; a report already published gets an amendment, which waits for the same
review. The same matter sent again updates its draft instead of writing a second one.
"""

from __future__ import annotations

from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog import workflow
from services.catalog.models import (
    DOCUMENT_STATUS_LABELS,
    Agency,
    Document,
    DocumentAmendment,
    DocumentStatus,
)
from services.catalog.schemas import Amendment, DocumentDraft, DocumentEdit, ServiceDraft
from shared.auth import Principal, Role
from shared.db import row_id
from shared.errors import InvalidField, NotFound

# What a later sending may change in the earlier draft or the published document.
UPDATED_FIELDS = ("title", "category", "doc_type", "body_text", "body_html")


DraftAction = Literal["created", "updated", "amendment_proposed"]


async def draft_for_agency(
    *, session: AsyncSession, agency_id: int, data: ServiceDraft
) -> tuple[DraftAction, Document, DocumentAmendment | None]:
    """(what was done, the document, the amendment proposed if any), each step one transaction of
    the workflow with its event, in the name of `data.drafted_by` as a clerk of the agency."""
    if await session.get(Agency, agency_id) is None:
        raise NotFound(f"机关 {agency_id} 不存在", code="agency_not_found")
    author = Principal(
        subject=data.drafted_by, role=Role.CLERK, username=data.drafted_by, agency_id=agency_id
    )
    earlier = await session.get(Document, data.document_id) if data.document_id is not None else None
    if data.document_id is not None and (earlier is None or earlier.agency_id != agency_id):
        raise InvalidField(
            "document_id", f"文件 {data.document_id} 不是该机关的文件", code="document_not_of_agency"
        )
    changes = data.model_dump(include=set(UPDATED_FIELDS))
    if earlier is None or earlier.status == DocumentStatus.REVOKED:
        draft = DocumentDraft.model_validate(data.model_dump(include=set(DocumentDraft.model_fields)))
        return "created", await workflow.create_draft(session=session, data=draft, actor=author), None
    if earlier.status in (DocumentStatus.DRAFT, DocumentStatus.RETURNED):
        edit = DocumentEdit.model_validate(changes)
        document = await workflow.edit_draft(
            session=session, document_id=row_id(earlier), data=edit, actor=author
        )
        return "updated", document, None
    if earlier.status == DocumentStatus.PUBLISHED:
        amendment = await workflow.amend(
            session=session,
            document_id=row_id(earlier),
            data=Amendment.model_validate({**changes, "reason": data.reason}),
            actor=author,
        )
        return "amendment_proposed", await workflow.get_document(session, row_id(earlier)), amendment
    current = DOCUMENT_STATUS_LABELS[DocumentStatus(earlier.status)]
    raise workflow.InvalidTransition(
        f"文件 {earlier.id} 当前状态为「{current}」：待审核通过或退回后才能再次送交",
        code="invalid_transition",
    )
