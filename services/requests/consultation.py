"""Consulting a third party or another agency (条例第三十二条、第三十四条): the time it takes is not
counted in the answer limit; a third party's period is bounded (15 working days), after which the
clock runs again by itself (see `shared.deadlines`)."""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import lifecycle
from services.requests.models import Application
from services.requests.schemas import ConsultationEndIn, ConsultationStartIn
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
) -> Application:
    step = lifecycle.Step(
        "start_consultation",
        actor,
        today,
        reason=data.reason,
        details={"consultation": str(data.kind), "party": data.party},
    )
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
