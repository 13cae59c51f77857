"""The clerk's steps on a case (首问负责制): take it (信访: accept it) or refuse it (不予受理), hand it
over, extend its limit (信访), reply, close and, for complaints and reports, the return visit. Each is
checked here and written with its event — and its written notice, where it issues one — in one
transaction (`lifecycle.perform`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback import lifecycle, notices, service
from services.feedback.lifecycle import Step
from services.feedback.models import RETURN_VISIT_KINDS, CaseState, FeedbackCase, FeedbackKind
from services.feedback.notices import AgencyNames
from services.feedback.schemas import (
    CloseIn,
    ExtensionIn,
    HandOverIn,
    RefusalIn,
    ReplyIn,
    ReturnVisitIn,
    TakeIn,
)
from shared.agencies import AgencyLookup
from shared.auth import Principal, Role
from shared.calendar import WorkingCalendar
from shared.deadlines import ClockEvent, ClockEventKind
from shared.errors import Conflict, InvalidField
from shared.personal_data import PersonalDataCipher
from shared.scope import in_scope
from shared.staff import ClerkCheck


async def take(
    session: AsyncSession,
    case: FeedbackCase,
    data: TakeIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """首问负责: the clerk who takes the case owns it; for 信访 this is the decision to accept."""
    lifecycle.check_transition(case, "take")
    service.require_handler(case, actor)
    rules = lifecycle.rules_for(case.rule_set, None)
    values: dict[str, Any] = {"owner_id": actor.subject}
    clock: list[ClockEvent] = []
    if rules.levels:
        if data.level is None:
            raise InvalidField("level", "请选择协调级别（决定答复期限）")
        values["level"] = str(data.level)
    elif data.level is not None:
        raise InvalidField("level", "来信来访按《信访工作条例》计时，不选协调级别")
    if rules.acceptance_days is not None:
        clock.append(ClockEvent(ClockEventKind.ACCEPTED, today))
    step = Step(
        "take",
        actor,
        today,
        at=now,
        reason=data.note,
        clock=clock,
        values=values,
        details={"owner_id": actor.subject, "level": values.get("level")},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def refuse(
    session: AsyncSession,
    case: FeedbackCase,
    data: RefusalIn,
    actor: Principal,
    *,
    names: AgencyNames | None,
    cipher: PersonalDataCipher,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """不予受理: the other answer to the acceptance decision of a 信访 case, due within the acceptance
    limit; past it, the case has to be handled. The case ends, and the clerk who decided it owns it
    and its numbered 不予受理告知书."""
    lifecycle.check_transition(case, "refuse")
    service.require_handler(case, actor)
    if lifecycle.rules_for(case.rule_set, None).acceptance_days is None:
        raise Conflict(
            "意见箱、来电按本地规则办理，没有受理决定；不能办理的，请在答复中说明情况",
            code="refusal_not_applicable",
        )
    if case.due_on is not None and today > case.due_on:
        raise Conflict(
            f"受理期限已于 {case.due_on} 届满，不能再作不予受理决定；请受理后办理",
            code="acceptance_period_over",
        )

    async def write(session: AsyncSession, case: FeedbackCase) -> dict[str, Any]:
        return await notices.issue_refusal(
            session,
            case,
            reason=data.reason,
            text=data.text,
            names=names,
            cipher=cipher,
            issued_on=today,
            actor_id=actor.subject,
        )

    step = Step(
        "refuse",
        actor,
        today,
        at=now,
        reason=data.text,
        clock=[ClockEvent(ClockEventKind.DECIDED, today)],
        values={
            "owner_id": actor.subject,
            "refusal_reason": str(data.reason),
            "refusal_text": data.text,
            "closed_at": now,
            "on_time": True,
        },
        details={"refusal_reason": str(data.reason)},
        write=write,
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def hand_over(
    session: AsyncSession,
    case: FeedbackCase,
    data: HandOverIn,
    actor: Principal,
    *,
    lookup: AgencyLookup,
    clerk_check: ClerkCheck,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """A recorded hand-over, the only way responsibility leaves its first owner: to a colleague
    (a working clerk of the case's agency; still assigned) or to another agency (received there, to
    be taken again). Inspectors may reassign anything in their region."""
    if (data.to_agency_id is None) == (data.to_clerk_id is None):
        raise InvalidField(
            "to_agency_id",
            "请填写移交给的机关 to_agency_id 或同事 to_clerk_id（二选一）",
            also=("to_clerk_id",),
        )
    if actor.role != Role.INSPECTOR:
        service.require_handler(case, actor)
    before = {"agency_id": case.agency_id, "owner_id": case.owner_id}
    if data.to_clerk_id is not None:
        clerk = data.to_clerk_id.strip()
        if clerk == case.owner_id:
            raise InvalidField("to_clerk_id", "已是该事项的承办人")
        await clerk_check(case.agency_id, clerk, "to_clerk_id")
        values: dict[str, Any] = {"owner_id": clerk}
        clock: list[ClockEvent] = []
        target = CaseState.ASSIGNED
        details: dict[str, Any] = {"to_clerk_id": clerk}
    else:
        assert data.to_agency_id is not None
        if data.to_agency_id == case.agency_id:
            raise InvalidField("to_agency_id", "已在该机关")
        path = await lookup(data.to_agency_id, "to_agency_id")
        if case.accused_agency_path is not None and path.startswith(case.accused_agency_path):
            raise InvalidField(
                "to_agency_id", "举报不能交由被举报的机关（或其下级）办理", code="accused_agency"
            )
        if actor.role == Role.INSPECTOR and not in_scope(actor, data.to_agency_id, path):
            raise InvalidField("to_agency_id", "只能移交给本辖区的机关", code="region_scope")
        values = {
            "agency_id": data.to_agency_id,
            "agency_path": path,
            "intake": False,
            "owner_id": None,
            "level": None,
        }
        target = CaseState.RECEIVED
        details = {"to_agency_id": data.to_agency_id}
        clock = [ClockEvent(ClockEventKind.HANDED_OVER, today)]  # 信访: received there today
    step = Step(
        "hand_over",
        actor,
        today,
        at=now,
        reason=data.reason,
        clock=clock,
        target=target,
        values=values,
        details={"from": before, **details},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def extend(
    session: AsyncSession,
    case: FeedbackCase,
    data: ExtensionIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    service.require_handler(case, actor)
    step = Step(
        "extend",
        actor,
        today,
        at=now,
        reason=data.reason,
        clock=[ClockEvent(ClockEventKind.EXTENDED, today, data.days)],
        details={"days": data.days},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def reply(
    session: AsyncSession,
    case: FeedbackCase,
    data: ReplyIn,
    actor: Principal,
    *,
    names: AgencyNames | None,
    cipher: PersonalDataCipher,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """The answer; a 信访 case's (and a 复查's or 复核's) is its written opinion, issued with it."""
    service.require_handler(case, actor)
    values: dict[str, Any] = {
        "reply": data.reply,
        "replied_on": today,
        "on_time": case.due_on is not None and today <= case.due_on,
    }
    if case.first_replied_at is None:
        values["first_replied_at"] = now
    step = Step(
        "reply",
        actor,
        today,
        at=now,
        clock=[ClockEvent(ClockEventKind.DECIDED, today)],
        values=values,
        details={"on_time": values["on_time"], "due_on": case.due_on.isoformat() if case.due_on else None},
    )
    if notices.opinion_kind(case) is not None:

        async def write(session: AsyncSession, case: FeedbackCase) -> dict[str, Any]:
            return await notices.issue_opinion(
                session,
                case,
                reply=data.reply,
                names=names,
                cipher=cipher,
                issued_on=today,
                actor_id=actor.subject,
            )

        step.write = write
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def close(
    session: AsyncSession,
    case: FeedbackCase,
    data: CloseIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    service.require_handler(case, actor)
    step = Step("close", actor, today, at=now, reason=data.note, values={"closed_at": now})
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)


async def return_visit(
    session: AsyncSession,
    case: FeedbackCase,
    data: ReturnVisitIn,
    actor: Principal,
    *,
    calendar: WorkingCalendar,
    today: date,
    now: datetime,
) -> FeedbackCase:
    """回访 for complaints and reports, once, after the case is closed."""
    service.require_handler(case, actor)
    if FeedbackKind(case.kind) not in RETURN_VISIT_KINDS:
        raise Conflict("只有投诉、举报需要回访", code="return_visit_not_applicable")
    if case.return_visited_on is not None:
        raise Conflict(f"已于 {case.return_visited_on} 回访", code="already_return_visited")
    if data.visited_on > today:
        raise InvalidField("visited_on", "不能晚于今天")
    if case.replied_on is not None and data.visited_on < case.replied_on:
        raise InvalidField("visited_on", f"不能早于答复日期 {case.replied_on}")
    step = Step(
        "return_visit",
        actor,
        today,
        at=now,
        reason=data.note,
        values={"return_visited_on": data.visited_on},
        details={"visited_on": data.visited_on.isoformat()},
    )
    return await lifecycle.perform(session, case, step, calendar=calendar, today=today)
