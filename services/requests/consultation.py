"""Consulting a third party or another agency (条例第三十二条、第三十四条): the time it takes is not
counted in the answer limit; a third party's period is bounded (15 working days), after which the
clock runs again by itself (see `shared.deadlines`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import lifecycle, notices
from services.requests.models import Application
from services.requests.schemas import ConsultationEndIn, ConsultationKind, ConsultationStartIn
from shared.auth import Principal
from shared.calendar import WorkingCalendar


async def start(
    session: AsyncSession,
    application: Application,
    data: ConsultationStartIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    agency_info: notices.AgencyInfo | None = None,
) -> Application:
    """A third party is asked in writing (第三十二条): a numbered 征求第三方意见书 addressed to it (the
    agency's name is asked first: with the catalog down nothing is written). Another agency's
    opinion (第三十四条) is asked between offices and issues no notice."""
    details: dict[str, Any] = {"consultation": str(data.kind), "party": data.party}
    if data.kind == ConsultationKind.THIRD_PARTY:
        lifecycle.check_transition(application, "start_consultation")
        agency_name, _ = await notices.names(agency_info, application.agency_id)
        details["notice"] = await notices.numbered(session, application.agency_id, agency_name, today)
    step = lifecycle.Step("start_consultation", actor, today, reason=data.reason, details=details)
    return await lifecycle.perform(session, application, step, calendar=calendar, today=today)


async def end(
    session: AsyncSession,
    application: Application,
    data: ConsultationEndIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
) -> Application:
    """The opinion arrived: recorded, and the clock runs again."""
    step = lifecycle.Step("end_consultation", actor, today, reason=data.opinion, details={})
    return await lifecycle.perform(session, application, step, calendar=calendar, today=today)
