"""What every feedback route shares: the roles it admits, the day and calendar it counts with, and
the case as the caller sees it after a step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Path, Request

from services.feedback import recompute, service
from services.feedback.models import FeedbackCase
from services.feedback.schemas import CasePublic
from shared.auth import Principal
from shared.calendar import local_date

TrackingNo = Annotated[str, Path(min_length=1, max_length=32, description="事项编号")]

CALENDAR_MARGIN_SECONDS = 60.0
NO_STORE = {"Cache-Control": "no-store"}


async def clock(request: Request, *, now: bool = True) -> dict[str, Any]:
    """The calendar and the service's clock (tests set `app.state.now`)."""
    state = request.app.state
    moment = state.now()
    today = local_date(moment)
    calendar = await state.calendar_source.current(today)
    followed: tuple[str, datetime] | None = getattr(state, "calendar_followed", None)
    if followed is None or followed[0] != calendar.fingerprint():
        # Since this process took up the calendar it is leaving, what it changed was counted with it
        # (less a margin for requests that were already under way).
        since = followed[1] - timedelta(seconds=CALENDAR_MARGIN_SECONDS) if followed else None
        async with state.sessionmaker() as session:
            await recompute.follow_calendar(session, calendar, today, since=since)
        state.calendar_followed = (calendar.fingerprint(), moment)
    ctx = {"calendar": calendar, "today": today}
    return {**ctx, "now": moment} if now else ctx


def notice_ctx(request: Request) -> dict[str, Any]:
    """What a step that issues a written notice needs: agency names and the key to the sender's name."""
    state = request.app.state
    return {"names": getattr(state, "agency_names", None), "cipher": state.cipher}


Action = Callable[..., Awaitable[FeedbackCase]]


async def act(
    request: Request, session: Any, case_id: int, actor: Principal, action: Action, data: Any, **extra: Any
) -> CasePublic:
    """Loads the case the actor may see, performs one step on it, and answers with the case."""
    case = await service.load(session, case_id, actor)
    ctx = await clock(request)
    case = await action(session, case, data, actor, **extra, **ctx)
    ctx.pop("now")
    return await service.view(session, case, actor, cipher=request.app.state.cipher, **ctx)
