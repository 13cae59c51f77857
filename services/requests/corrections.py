"""The applicant's correction (补正, 条例第三十条): text and files.

Files are uploaded one at a time while the correction is awaited (…/correction/attachments); the
correction itself (…/correction) consists of its text and every file uploaded and not yet sent,
which become part of it in the same transaction as the state change and its event. Whoever may read the application (the
applicant, the agency's clerks, the region's inspectors) may download them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import lifecycle, notices
from services.requests.models import Application, CorrectionFile, FilePurpose
from services.requests.schemas import CorrectionFilePublic, CorrectionIn, CorrectionRequestIn
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.db import row_id, utcnow
from shared.deadlines import Deadline
from shared.errors import Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.files import stored_file

MAX_FILES = 10  # per application and purpose (one correction: 条例第三十条 asks for it once)
# What each purpose's files are called, and the step they become part of.
FILE_LABELS = {FilePurpose.CORRECTION: "补正材料", FilePurpose.WITHDRAWAL: "撤回材料"}
FILE_STEPS = {FilePurpose.CORRECTION: "submit_correction", FilePurpose.WITHDRAWAL: "withdraw"}


def public(row: CorrectionFile) -> CorrectionFilePublic:
    folder = "withdrawal" if row.purpose == FilePurpose.WITHDRAWAL else "correction"
    return CorrectionFilePublic(
        id=row_id(row),
        application_id=row.application_id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        created_at=row.created_at,
        submitted_at=row.submitted_at,
        url=f"/api/v1/requests/{row.application_id}/{folder}/attachments/{row.id}",
    )


async def add_file(
    session: AsyncSession,
    application: Application,
    *,
    filename: str,
    data: bytes,
    max_bytes: int,
    actor: Principal,
    purpose: FilePurpose = FilePurpose.CORRECTION,
) -> CorrectionFilePublic:
    """Only while the step they belong to can still be taken: a correction while it is awaited
    (afterwards the clock has restarted on what came), a withdrawal before the answer."""
    lifecycle.check_transition(application, FILE_STEPS[purpose])
    count = (
        await session.exec(
            select(func.count())
            .select_from(CorrectionFile)
            .where(CorrectionFile.application_id == application.id)
            .where(CorrectionFile.purpose == str(purpose))
        )
    ).one()
    if count >= MAX_FILES:
        raise InvalidField(
            "file", f"每件申请最多 {MAX_FILES} 个{FILE_LABELS[purpose]}", code="too_many_files"
        )
    row = CorrectionFile(
        application_id=row_id(application),
        purpose=str(purpose),
        uploaded_by=actor.subject,
        **stored_file(filename, data, max_bytes),
    )
    session.add(row)
    await session.flush()
    record_event(
        session,
        aggregate_type=lifecycle.AGGREGATE,
        aggregate_id=application.id,
        action="correction_file_added" if purpose == FilePurpose.CORRECTION else "withdrawal_file_added",
        actor=actor,
        after={"attachment_id": row.id, "filename": row.filename, "size": row.size, "sha256": row.sha256},
    )
    await session.commit()
    return public(row)


async def list_files(
    session: AsyncSession, application: Application, purpose: FilePurpose = FilePurpose.CORRECTION
) -> list[CorrectionFilePublic]:
    rows = await session.exec(
        select(CorrectionFile)
        .where(CorrectionFile.application_id == application.id)
        .where(CorrectionFile.purpose == str(purpose))
        .order_by(col(CorrectionFile.id))
    )
    return [public(row) for row in rows.all()]


async def get_file(
    session: AsyncSession,
    application: Application,
    file_id: int,
    purpose: FilePurpose = FilePurpose.CORRECTION,
) -> CorrectionFile:
    row = await session.get(CorrectionFile, file_id)
    if row is None or row.application_id != application.id or row.purpose != purpose:
        raise NotFound(f"{FILE_LABELS[purpose]} {file_id} 不存在", code=f"{purpose}_file_not_found")
    return row


async def pending(
    session: AsyncSession, application: Application, purpose: FilePurpose = FilePurpose.CORRECTION
) -> list[CorrectionFile]:
    """The files uploaded for the step and not part of it yet: the step consists of them."""
    rows = await session.exec(
        select(CorrectionFile)
        .where(CorrectionFile.application_id == application.id)
        .where(CorrectionFile.purpose == str(purpose))
        .where(col(CorrectionFile.submitted_at).is_(None))
        .order_by(col(CorrectionFile.id))
    )
    return list(rows.all())


def recorded(files: list[CorrectionFile]) -> list[dict[str, Any]]:
    """The files as the correction's event records them."""
    return [
        {"attachment_id": f.id, "filename": f.filename, "size": f.size, "sha256": f.sha256} for f in files
    ]


def submit_writer(files: list[CorrectionFile]) -> Any:
    """The `write` step of the step's transaction (a correction, a paper withdrawal): the files
    become part of it (once)."""
    ids = [f.id for f in files]

    async def write(session: AsyncSession, application: Application) -> None:
        if not ids:
            return
        changed = await session.exec(
            update(CorrectionFile)
            .where(col(CorrectionFile.application_id) == application.id)
            .where(col(CorrectionFile.id).in_(ids))
            .where(col(CorrectionFile.submitted_at).is_(None))
            .values(submitted_at=utcnow())
        )
        if changed.rowcount != len(ids):  # sent with another correction in the meantime
            await session.rollback()
            raise Conflict("补正材料已随补正提交，请刷新后重试", code="correction_file_submitted")

    return write


async def request(
    session: AsyncSession,
    application: Application,
    data: CorrectionRequestIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    agency_info: notices.AgencyInfo | None = None,
) -> Application:
    """The one 补正告知 (第三十条): all items and the period at once, dated the day it was sent, as a
    numbered 补正告知书 (the agency's name is asked first: with the catalog down nothing is written)."""
    on = data.notified_on or today
    if on > today:
        raise InvalidField("notified_on", "不能晚于今天")
    lifecycle.check_transition(application, "request_correction")
    agency_name, _ = await notices.names(agency_info, application.agency_id)
    notice = await notices.numbered(session, application.agency_id, agency_name, on)

    def check(found: Application, _: Deadline) -> None:
        if on < found.received_on:
            raise InvalidField("notified_on", f"不能早于收到申请的日期 {found.received_on}")

    step = lifecycle.Step(
        "request_correction",
        actor,
        on,
        reason="；".join(item.text for item in data.items),
        days=data.days,
        details={"items": [item.text for item in data.items], "days": data.days, "notice": notice},
        date_field="notified_on",
    )
    return await lifecycle.perform(session, application, step, check=check, calendar=calendar, today=today)


async def submit(
    session: AsyncSession,
    application: Application,
    data: CorrectionIn,
    actor: Principal,
    on: date,
    *,
    calendar: WorkingCalendar,
    today: date,
) -> Application:
    """The correction arrived on `on` (the applicant online: today; on paper: the day the clerk
    records): its text and every file uploaded and not yet sent, and the clock restarts."""
    lifecycle.check_transition(application, "submit_correction")
    files = await pending(session, application)
    details: dict[str, Any] = {"text": data.text}
    if files:
        details["attachments"] = recorded(files)
    step = lifecycle.Step(
        "submit_correction", actor, on, reason=None, details=details, date_field="received_on"
    )
    return await lifecycle.perform(
        session, application, step, write=submit_writer(files), calendar=calendar, today=today
    )
