"""The written parts of the annual report (2021 national format): 一、总体情况, 五、存在的主要问题及改进情况
and 六、其他需要报告的事项, one text each per agency and year. The tables are counted (report.py);
these are written by the agency's clerks (or an admin), every change an event with before and after,
so the history of each text is kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests.models import AnnualReportText
from services.requests.schemas import ReportSection, ReportTexts, ReportTextsIn
from shared.agencies import AgencyLookup
from shared.auth import Principal, Role
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, InvalidField
from shared.events import record_event

AGGREGATE = "annual_report"
# (field, number in the national format, title)
SECTIONS = (
    ("overview", "一", "总体情况"),
    ("problems", "五", "存在的主要问题及改进情况"),
    ("other_matters", "六", "其他需要报告的事项"),
)


def aggregate_id(agency_id: int, year: int) -> str:
    return f"{agency_id}/{year}"


async def authorize_edit(principal: Principal, agency_id: int, lookup: AgencyLookup) -> str:
    """The agency's path if the caller may write its report: one of its clerks, or an admin."""
    if principal.role == Role.CLERK:
        if not principal.is_clerk_of(agency_id):
            raise Forbidden("经办人员只能编写本机关的年度报告", code="agency_scope")
    elif principal.role != Role.ADMIN:
        raise Forbidden("无权编写年度报告", code="role_forbidden")
    return await lookup(agency_id)


def check_year(year: int, today: date) -> None:
    """A report is written during its year or after it, never for a year that has not begun."""
    if year > today.year:
        raise InvalidField("year", f"{year}年尚未开始，不能编写该年度的报告", code="report_year_not_begun")


async def find(
    session: AsyncSession, agency_id: int, year: int, *, lock: bool = False
) -> AnnualReportText | None:
    query = select(AnnualReportText).where(
        AnnualReportText.agency_id == agency_id, AnnualReportText.year == year
    )
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).first()


def present(agency_id: int, year: int, row: AnnualReportText | None) -> ReportTexts:
    return ReportTexts(
        agency_id=agency_id,
        year=year,
        sections=[
            ReportSection(key=key, number=number, title=title, text=getattr(row, key) if row else "")
            for key, number, title in SECTIONS
        ],
        version=row.version if row else 0,
        updated_by=row.updated_by if row else None,
        updated_at=row.updated_at if row else None,
    )


def _texts(row: AnnualReportText) -> dict[str, Any]:
    return {key: getattr(row, key) for key, _, _ in SECTIONS} | {"version": row.version}


async def row_for(session: AsyncSession, agency_id: int, year: int) -> AnnualReportText:
    """The agency's row for the year, locked for this transaction; created (empty) if there is none.
    Two first writers at once: the loser of the unique (agency, year) insert reads the winner's row."""
    row = await find(session, agency_id, year, lock=True)
    if row is not None:
        return row
    try:
        async with session.begin_nested():
            session.add(AnnualReportText(agency_id=agency_id, year=year))
    except IntegrityError:
        pass
    row = await find(session, agency_id, year, lock=True)
    assert row is not None
    return row


async def update(
    session: AsyncSession, *, agency_id: int, year: int, data: ReportTextsIn, actor: Principal
) -> ReportTexts:
    """Replaces the three texts; refused (409) when `version` names another version than the
    current one, so that two clerks editing at once do not overwrite each other unseen."""
    row = await row_for(session, agency_id, year)
    if data.version is not None and data.version != row.version:
        raise Conflict(
            f"年度报告已被他人修改（当前版本 {row.version}，编辑依据的版本 {data.version}），请刷新后再改",
            code="stale_version",
        )
    before = _texts(row)
    for key, _, _ in SECTIONS:
        setattr(row, key, getattr(data, key).strip())
    row.version += 1
    row.updated_by, row.updated_at = actor.subject, utcnow()
    session.add(row)
    record_event(
        session,
        aggregate_type=AGGREGATE,
        aggregate_id=aggregate_id(agency_id, year),
        action="report_texts_updated",
        actor=actor,
        before=before,
        after=_texts(row),
    )
    await session.commit()
    return present(agency_id, year, row)
