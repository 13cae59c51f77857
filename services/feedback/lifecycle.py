"""The life of a feedback case, one table for every channel (docs/time-limits.md, "Feedback, hotline
and 信访").

received ─ take (首问负责: the first clerk owns it; 信访: the acceptance) → assigned
received ─ refuse (信访 only, within the acceptance limit: 不予受理, with its notice) → refused
received / assigned ─ hand_over (to another agency: received there; to a colleague: assigned)
assigned ─ extend (信访 only, ≤ 30 days in all) → assigned
assigned ─ reply → replied ─ close → closed
replied / closed ─ rate (the sender) → closed, or, 不满意 with reopen (once) → assigned, round 2
closed ─ return_visit (投诉、举报) → closed

A 复查 or 复核 (信访工作条例第三十五条) is a case of its own at the level above, linked to the case
whose opinion it contests (`review`), with this same life under the `petition-review-2022` limits.

Every step writes one event row (actor, reason, before/after) in the transaction that changes the
case. Clock facts ride on the events; the deadline is `compute_deadline` over the facts of the
current round, and its due date is stored on the case at every step (a cache, always rewritten).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.feedback.models import DEFAULT_LEVEL, STATE_LABELS, CaseState, FeedbackCase
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.db import row_id, utcnow
from shared.deadlines import (
    RULE_SETS,
    ClockEvent,
    DayKind,
    Deadline,
    RuleSet,
    compute_deadline,
    get_rule_set,
    warning_periods,
)
from shared.deadlines import flag_condition as deadlines_flag_condition
from shared.errors import Conflict
from shared.events import Event, record_event

S = CaseState
AGGREGATE = "feedback_case"
OPEN = frozenset({S.RECEIVED, S.ASSIGNED})

# action -> (states it may start from, state it leads to; None = decided by the step)
TRANSITIONS: dict[str, tuple[frozenset[CaseState], CaseState | None]] = {
    "take": (frozenset({S.RECEIVED}), S.ASSIGNED),
    "refuse": (frozenset({S.RECEIVED}), S.REFUSED),
    "hand_over": (OPEN, None),  # received at another agency, or assigned to a colleague
    "extend": (frozenset({S.ASSIGNED}), S.ASSIGNED),
    "reply": (frozenset({S.ASSIGNED}), S.REPLIED),
    "close": (frozenset({S.REPLIED}), S.CLOSED),
    "rate": (frozenset({S.REPLIED, S.CLOSED}), None),  # closed, or assigned again when reopened
    "return_visit": (frozenset({S.CLOSED}), S.CLOSED),
}
ACTION_LABELS = {
    "submitted": "提交留言",
    "recorded": "登记来电、来信或来访",
    "take": "受理（首问负责）",
    "refuse": "不予受理",
    "review_opened": "收到复查或复核请求",
    "review_requested": "请求复查或复核",
    "hand_over": "移交",
    "extend": "延长办理期限",
    "reply": "答复",
    "close": "办结",
    "rate": "评价",
    "reopen": "不满意，重新办理",
    "return_visit": "回访",
    "publish": "公开答复",
}


class InvalidTransition(Conflict):
    code = "invalid_transition"


def check_transition(case: FeedbackCase, action: str) -> None:
    allowed, _ = TRANSITIONS[action]
    if CaseState(case.state) not in allowed:
        current = STATE_LABELS[CaseState(case.state)]
        raise InvalidTransition(f"事项当前状态为「{current}」，不能{ACTION_LABELS[action]}")


# 信访工作条例第三十五条 (复查) and 第三十六条 (复核): the opinion within 30 days of receiving the request. No
# acceptance stage (a request out of time or out of turn is refused when it is made) and no extension.
PETITION_REVIEW: RuleSet = RuleSet(
    key="petition-review-2022",
    title="信访事项复查、复核（信访工作条例 2022）",
    basis="《信访工作条例》第三十五条、第三十六条：收到复查、复核请求之日起30日内提出复查、复核意见",
    day_kind=DayKind.NATURAL,
    answer_days=30,
    extension_max_days=0,
)
# Only this service counts with it, so it lives here rather than in shared.deadlines.
LOCAL_RULE_SETS = {PETITION_REVIEW.key: PETITION_REVIEW}


def rules_for(rule_set: str, level: str | None) -> RuleSet:
    """The local rule's limit depends on the coordination level (the longest until one is set)."""
    rules = LOCAL_RULE_SETS.get(rule_set) or get_rule_set(rule_set)
    return rules.for_level(level or DEFAULT_LEVEL) if rules.levels else rules


def rule_set_of(case: FeedbackCase) -> RuleSet:
    return rules_for(case.rule_set, case.level)


def flag_condition(flag: str, calendar: WorkingCalendar, today: date) -> Any:
    """`shared.deadlines.flag_condition` over the stored due date, each case with its rule set's
    warning period (the caller selects open cases)."""
    periods = warning_periods(col(FeedbackCase.rule_set), [*RULE_SETS.values(), *LOCAL_RULE_SETS.values()])
    return deadlines_flag_condition(col(FeedbackCase.due_on), flag, today, calendar, periods)


def clock_facts(*facts: ClockEvent) -> list[dict[str, Any]]:
    out = []
    for fact in facts:
        item: dict[str, Any] = {"kind": str(fact.kind), "on": fact.on.isoformat()}
        if fact.days is not None:
            item["days"] = fact.days
        out.append(item)
    return out


def clock_events(events: list[Event], round_: int) -> list[ClockEvent]:
    """The clock facts of one round (a reopened case starts its clock again)."""
    out = []
    for event in events:
        after = event.after or {}
        if after.get("round", 1) != round_:
            continue
        for fact in after.get("clock", []):
            out.append(ClockEvent(fact["kind"], date.fromisoformat(fact["on"]), fact.get("days")))
    return out


async def events_of(session: AsyncSession, case_ids: list[int]) -> dict[int, list[Event]]:
    found: dict[int, list[Event]] = {i: [] for i in case_ids}
    if not case_ids:
        return found
    rows = await session.exec(
        select(Event)
        .where(Event.aggregate_type == AGGREGATE)
        .where(col(Event.aggregate_id).in_([str(i) for i in case_ids]))
        .order_by(col(Event.id))
    )
    for event in rows.all():
        found[int(event.aggregate_id)].append(event)
    return found


async def history_of(session: AsyncSession, case: FeedbackCase) -> list[Event]:
    """One case's events, oldest first."""
    case_id = row_id(case)
    return (await events_of(session, [case_id]))[case_id]


def deadline(case: FeedbackCase, events: list[Event], calendar: WorkingCalendar, today: date) -> Deadline:
    """Raises `DeadlineRuleViolation` for a history that breaks a rule."""
    return compute_deadline(clock_events(events, case.round), rule_set_of(case), calendar, today)


@dataclass
class Step:
    """One action on one case, as the caller asked for it."""

    action: str
    actor: Principal | None
    on: date
    at: datetime | None = None  # when it happened (the service's clock); now if not given
    reason: str | None = None
    clock: list[ClockEvent] = field(default_factory=list)
    target: CaseState | None = None  # for actions whose target the step decides
    values: dict[str, Any] = field(default_factory=dict)  # columns to set with the state
    details: dict[str, Any] = field(default_factory=dict)  # more for the event row
    event_action: str | None = None  # the event's name when it differs from the action
    # Rows the step writes with it (a numbered notice), after the change and in its transaction;
    # what it returns goes into the event row.
    write: Callable[[AsyncSession, FeedbackCase], Awaitable[dict[str, Any]]] | None = None


async def perform(
    session: AsyncSession, case: FeedbackCase, step: Step, *, calendar: WorkingCalendar, today: date
) -> FeedbackCase:
    """Checks the transition and the clock, then writes the change, the stored due date and the
    event in one commit; a concurrent change of the state makes this one a 409."""
    check_transition(case, step.action)
    _, target = TRANSITIONS[step.action]
    target = step.target or target
    assert target is not None, step.action
    history = await history_of(session, case)
    values = dict(step.values)
    round_ = values.get("round", case.round)
    rules = rules_for(case.rule_set, values.get("level", case.level))
    # Raises a DeadlineRuleViolation (422) naming the broken rule before anything is written.
    found = compute_deadline(
        [*clock_events(history, round_), *step.clock], rules, calendar, max(today, step.on)
    )
    old_state = case.state
    values.update(
        state=str(target), updated_at=step.at or utcnow(), due_on=found.due, due_provisional=found.provisional
    )
    changed = await session.exec(
        update(FeedbackCase)
        .where(col(FeedbackCase.id) == case.id)
        .where(col(FeedbackCase.state) == old_state)
        .where(col(FeedbackCase.round) == case.round)
        .values(**values)
    )
    if changed.rowcount != 1:  # someone else acted first
        await session.rollback()
        raise InvalidTransition("事项状态已被他人更改，请刷新后重试")
    after: dict[str, Any] = {"state": str(target), "round": round_, **step.details}
    if step.clock:
        after["clock"] = clock_facts(*step.clock)
    if step.write is not None:
        after.update(await step.write(session, case))
    record_event(
        session,
        aggregate_type=AGGREGATE,
        aggregate_id=case.id,
        action=step.event_action or step.action,
        actor=step.actor,
        reason=step.reason,
        before={"state": old_state},
        after=after,
    )
    await session.commit()
    await session.refresh(case)
    return case
