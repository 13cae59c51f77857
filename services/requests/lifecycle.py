"""The life of an application (条例第二十七条至第四十五条): one table of allowed transitions, checked
before any write; each change writes one event (who, why, and the clock fact) in the same
transaction, and the clock fact is checked with `compute_deadline` before anything is written.

registered ─ request_correction → correction_requested ─ submit_correction → in_progress
registered / in_progress / extended ─ start_consultation → consultation ─ end_consultation → back
  (a third party's silence ends the pause by itself after 15 working days, 条例第三十二条: the state
  stays `consultation` until the clerk records the end, but the clock already runs)
registered / in_progress / extended ─ extend → extended
registered / in_progress / extended ─ decide → decided │ refer → referred
registered / in_progress / extended ─ fee_notice → fee_notified ─ fee_paid │ fee_waived → back (the pause ends)
fee_notified (payment period passed) ─ decide (outcome other.fee_unpaid only) → decided
any open state ─ withdraw (the applicant) → withdrawn
correction_requested (period passed) ─ abandon → abandoned (outcome other.no_correction)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests.models import STATE_LABELS, Application, ApplicationState, Outcome
from shared import deadlines
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.db import row_id, utcnow
from shared.deadlines import (
    ClockEvent,
    ClockEventKind,
    Deadline,
    DeadlineRuleViolation,
    Flag,
    Stage,
    compute_deadline,
    get_rule_set,
)
from shared.errors import Conflict, InvalidField
from shared.events import Event, record_event

S = ApplicationState
AGGREGATE = "application"
WORKING = frozenset({S.REGISTERED, S.IN_PROGRESS, S.EXTENDED})
OPEN = frozenset({*WORKING, S.CORRECTION_REQUESTED, S.CONSULTATION, S.FEE_NOTIFIED})

# action -> (states it may start from, state it leads to; None = decided by the action)
TRANSITIONS: dict[str, tuple[frozenset[ApplicationState], ApplicationState | None]] = {
    "request_correction": (frozenset({S.REGISTERED}), S.CORRECTION_REQUESTED),
    "submit_correction": (frozenset({S.CORRECTION_REQUESTED}), S.IN_PROGRESS),
    "start_consultation": (WORKING, S.CONSULTATION),
    "end_consultation": (frozenset({S.CONSULTATION}), None),  # back to in_progress / extended
    "extend": (WORKING, S.EXTENDED),
    "fee_notice": (WORKING, S.FEE_NOTIFIED),
    "fee_paid": (frozenset({S.FEE_NOTIFIED}), None),  # back to in_progress / extended
    "fee_waived": (frozenset({S.FEE_NOTIFIED}), None),  # nothing left to pay: as after payment
    # From fee_notified only with outcome other.fee_unpaid, after the payment period (api.decide).
    "decide": (frozenset({*WORKING, S.FEE_NOTIFIED}), S.DECIDED),
    "refer": (WORKING, S.REFERRED),
    "withdraw": (OPEN, S.WITHDRAWN),
    "abandon": (frozenset({S.CORRECTION_REQUESTED}), S.ABANDONED),
}
ACTION_LABELS = {
    "applied": "网上提交申请",
    "registered": "登记申请",
    "request_correction": "告知补正",
    "submit_correction": "提交补正",
    "start_consultation": "征求意见",
    "end_consultation": "收到意见",
    "extend": "延长答复期限",
    "decide": "作出答复",
    "refer": "告知获取途径或掌握机关",
    "withdraw": "撤回申请",
    "abandon": "视为放弃申请",
    "fee_notice": "发出收费通知",
    "fee_paid": "缴纳费用",
    "fee_waived": "免收信息处理费",
    # Recorded while the fee notice is open, without a clock fact (the pause goes on): fees.py.
    "fee_receipt": "登记收费通知送达日期",
    "fee_reduced": "减收信息处理费",
    "assign": "分派经办人",
    "correction_file_added": "上传补正材料",
    "withdrawal_file_added": "上传撤回材料",
}

# The actions that end an application; their date is its closing date (`closed_on`, the annual report).
CLOSING_ACTIONS = frozenset({"decide", "refer", "withdraw", "abandon"})

CLOCK_KINDS = {
    "applied": ClockEventKind.RECEIVED,
    "registered": ClockEventKind.RECEIVED,
    "request_correction": ClockEventKind.CORRECTION_REQUESTED,
    "submit_correction": ClockEventKind.CORRECTED,
    "start_consultation": ClockEventKind.PAUSE_STARTED,
    "end_consultation": ClockEventKind.PAUSE_ENDED,
    "fee_notice": ClockEventKind.PAUSE_STARTED,
    "fee_paid": ClockEventKind.PAUSE_ENDED,
    "fee_waived": ClockEventKind.PAUSE_ENDED,
    "extend": ClockEventKind.EXTENDED,
    "decide": ClockEventKind.DECIDED,
    "refer": ClockEventKind.DECIDED,
    "withdraw": ClockEventKind.WITHDRAWN,
    "abandon": ClockEventKind.ABANDONED,
}


# 条例第三十二条: a third-party consultation is a pause the engine ends by itself after the third
# party's period; another agency's opinion (第三十四条) is an open pause, ended by the clerk.
THIRD_PARTY = "third_party"
_CONSULTATION_KINDS = {
    ClockEventKind.PAUSE_STARTED: ClockEventKind.CONSULTATION_STARTED,
    ClockEventKind.PAUSE_ENDED: ClockEventKind.CONSULTATION_ENDED,
}


def _consulting_third_party(history: list[Event]) -> bool:
    """Whether the latest consultation in the history asked a third party."""
    for event in reversed(history):
        if event.action == "start_consultation":
            return (event.after or {}).get("consultation") == THIRD_PARTY
    return False


def clock_kind(step: Step, history: list[Event]) -> ClockEventKind:
    """The clock fact an action writes; a consultation's depends on whom it asks, an extension's on
    its article (第三十五条 runs to a day the agency sets)."""
    kind = CLOCK_KINDS[step.action]
    if step.action == "extend" and step.until is not None:
        return ClockEventKind.EXTENDED_UNTIL
    if step.action == "start_consultation":
        third_party = step.details.get("consultation") == THIRD_PARTY
    else:
        third_party = step.action == "end_consultation" and _consulting_third_party(history)
    return _CONSULTATION_KINDS[kind] if third_party else kind


class InvalidTransition(Conflict):
    code = "invalid_transition"


def check_transition(application: Application, action: str) -> None:
    allowed, _ = TRANSITIONS[action]
    if ApplicationState(application.state) not in allowed:
        current = STATE_LABELS[ApplicationState(application.state)]
        raise InvalidTransition(f"申请当前状态为「{current}」，不能{ACTION_LABELS[action]}")


def clock_fact(
    kind: ClockEventKind, on: date, days: int | None = None, until: date | None = None
) -> dict[str, Any]:
    fact: dict[str, Any] = {"kind": str(kind), "on": on.isoformat()}
    if days is not None:
        fact["days"] = days
    if until is not None:
        fact["until"] = until.isoformat()
    return fact


def clock_events(events: list[Event]) -> list[ClockEvent]:
    out = []
    third_party = False
    for event in events:
        if event.action == "start_consultation":
            third_party = (event.after or {}).get("consultation") == THIRD_PARTY
        fact = (event.after or {}).get("clock")
        if fact:
            kind = ClockEventKind(fact["kind"])
            if third_party and event.action in ("start_consultation", "end_consultation"):
                # Written as an open pause before 条例第三十二条's limit was applied: read it as bounded.
                kind = _CONSULTATION_KINDS.get(kind, kind)
            until = date.fromisoformat(fact["until"]) if fact.get("until") else None
            out.append(ClockEvent(kind, date.fromisoformat(fact["on"]), fact.get("days"), until))
    return out


async def events_of(session: AsyncSession, application_ids: list[int]) -> dict[int, list[Event]]:
    found: dict[int, list[Event]] = {i: [] for i in application_ids}
    if not application_ids:
        return found
    rows = await session.exec(
        select(Event)
        .where(Event.aggregate_type == AGGREGATE)
        .where(col(Event.aggregate_id).in_([str(i) for i in application_ids]))
        .order_by(col(Event.id))
    )
    for event in rows.all():
        found[int(event.aggregate_id)].append(event)
    return found


async def history_of(session: AsyncSession, application: Application) -> list[Event]:
    """One application's events, oldest first."""
    application_id = row_id(application)
    return (await events_of(session, [application_id]))[application_id]


def deadline(
    application: Application, events: list[Event], calendar: WorkingCalendar, today: date
) -> Deadline:
    """Raises `DeadlineRuleViolation` (readers catch it and report the deadline as unknown)."""
    return compute_deadline(clock_events(events), get_rule_set(application.rule_set), calendar, today)


# --- the stored deadline: a cache of `compute_deadline` on the application row ---------------------

INVALID_STAGE = "invalid"  # the history breaks a rule: the deadline is unknown
RUNNING_STAGES = frozenset({str(Stage.ANSWER), str(Stage.ACCEPTANCE)})


_STORED_MEMO: dict[tuple[str, tuple[ClockEvent, ...], str], dict[str, Any]] = {}
_STORED_MEMO_SIZE = 4096


def stored_deadline(rule_set: str, clock: list[ClockEvent], calendar: WorkingCalendar) -> dict[str, Any]:
    """The deadline columns of an application, from its clock events and the calendar alone (not
    from today), so the clerk queue can filter and sort without reading events: the due date in
    force (while paused: as it stood when the pause began), whether it is provisional, when the
    pause began, and the stage. Rewritten with every event and every calendar change.

    A pure function of its arguments, so it is remembered by (rule set, clock, calendar
    fingerprint): every application received on one day starts with the same clock.

    A third-party consultation (条例第三十二条) keeps the due date the clock will have when it runs
    again by itself at the end of the third party's period; like every paused row, the queue judges
    it from its events, which know whether that day has passed."""
    key = (rule_set, tuple(clock), calendar.fingerprint())
    found = _STORED_MEMO.get(key)
    if found is None:
        if len(_STORED_MEMO) >= _STORED_MEMO_SIZE:
            _STORED_MEMO.clear()
        found = _STORED_MEMO[key] = _stored_deadline(rule_set, clock, calendar)
    return dict(found)


def _stored_deadline(rule_set: str, clock: list[ClockEvent], calendar: WorkingCalendar) -> dict[str, Any]:
    try:
        if not clock:
            raise DeadlineRuleViolation("没有收到日期，无法计算期限")
        rules = get_rule_set(rule_set)
        found = compute_deadline(clock, rules, calendar, max(e.on for e in clock))
        if found.paused_since is not None:  # judged as it stood when the pause began
            found = compute_deadline(clock, rules, calendar, found.paused_since)
    except DeadlineRuleViolation:
        return {
            "due_on": None,
            "due_provisional": False,
            "paused_since": None,
            "deadline_stage": INVALID_STAGE,
        }
    return {
        "due_on": found.due,
        "due_provisional": found.provisional,
        "paused_since": found.paused_since,
        "deadline_stage": str(found.stage),
    }


@dataclass(frozen=True)
class Standing:
    """What the clerk queue shows of a deadline."""

    due: date | None
    flag: str | None
    provisional: bool


def standing(application: Application, calendar: WorkingCalendar, today: date) -> Standing | None:
    """The queue's due date, flag and provisional mark from the stored columns, by the rules of
    `compute_deadline`; None when only the events can tell (a paused clock, whose due date moves
    every day it stays paused, or a row whose columns were never computed)."""
    stage = application.deadline_stage
    if stage is None or application.paused_since is not None:
        return None
    if stage == INVALID_STAGE:
        return Standing(None, None, False)
    if stage == str(Stage.CLOSED):
        return Standing(application.due_on, str(Flag.CLOSED), application.due_provisional)
    if stage not in RUNNING_STAGES or application.due_on is None:  # awaiting the applicant's correction
        return Standing(None, str(Flag.NONE), application.due_provisional)
    due = application.due_on
    warn = get_rule_set(application.rule_set).warn_working_days
    flag, left = deadlines.due_standing(due, today, calendar, warn)
    return Standing(due, str(flag), application.due_provisional or left.provisional)


def flag_condition(flag: str, calendar: WorkingCalendar, today: date) -> Any:
    """`shared.deadlines.flag_condition` over the stored due date, each row with its rule set's
    warning period (the caller selects running clocks)."""
    periods = deadlines.warning_periods(col(Application.rule_set), deadlines.RULE_SETS.values())
    return deadlines.flag_condition(col(Application.due_on), flag, today, calendar, periods)


async def refresh_stored(
    session: AsyncSession, calendar: WorkingCalendar, where: Any, *, batch: int = 500
) -> int:
    """Rewrites the deadline columns of the applications matching `where` from their events (after
    a calendar change), in the caller's transaction; returns how many were rewritten."""
    found = await session.exec(select(Application.id).where(where).order_by(col(Application.id)))
    ids = [i for i in found.all() if i is not None]  # stored rows: never None
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        rule_sets = dict(
            (
                await session.exec(
                    select(Application.id, Application.rule_set).where(col(Application.id).in_(chunk))
                )
            ).all()
        )
        histories = await events_of(session, chunk)
        rows = [
            {"id": i, **stored_deadline(rule_sets[i], clock_events(histories[i]), calendar)} for i in chunk
        ]
        await session.exec(update(Application), params=rows)  # by primary key
    return len(ids)


class StillUnclearTooEarly(InvalidField):
    """（四）3 before the applicant had the chance to clarify (条例第三十条)."""


def _check_still_unclear(
    application: Application, history: list[Event], calendar: WorkingCalendar, today: date
) -> None:
    """The one rule for outcome unavailable.still_unclear: see `deadlines.correction_settled`."""
    rules = get_rule_set(application.rule_set)
    if not deadlines.correction_settled(clock_events(history), rules, calendar, today):
        raise StillUnclearTooEarly(
            "outcome",
            "“补正后申请内容仍不明确”（unavailable.still_unclear）只能在告知补正之后、申请人已提交补正"
            "或补正期限届满时作出（条例第三十条）；申请内容不明确的，请先告知补正（…/correction-request）",
            code="still_unclear_without_correction",
        )


@dataclass
class Step:
    """One action on one application, as the caller asked for it."""

    action: str
    actor: Principal
    on: date
    reason: str | None = None
    days: int | None = None
    outcome: Outcome | None = None
    details: dict[str, Any] = field(default_factory=dict)
    until: date | None = None  # extend under 条例第三十五条: the day the agency sets
    # The request field `on` came from (a clerk recording a paper step late names its day): a day
    # before the last step already recorded is refused naming it, not as a broken clock history.
    date_field: str | None = None


async def perform(
    session: AsyncSession,
    application: Application,
    step: Step,
    *,
    calendar: WorkingCalendar,
    today: date,
    check: Any = None,
    write: Any = None,
) -> Application:
    """Checks the transition and the clock, then writes the change and its event (one commit).

    `check(application, deadline_before)` may refuse the step for reasons of its own (e.g. the
    correction period has not passed)."""
    check_transition(application, step.action)
    history = await history_of(session, application)
    before = deadline(application, history, calendar, today)
    if check is not None:
        check(application, before)
    if step.outcome == Outcome.STILL_UNCLEAR:
        _check_still_unclear(application, history, calendar, max(today, step.on))
    kind = clock_kind(step, history)
    new = ClockEvent(kind, step.on, step.days, step.until)
    clock = [*clock_events(history), new]
    if step.date_field is not None and len(clock) > 1 and clock[-2].on > step.on:
        raise InvalidField(
            step.date_field, f"不能早于上一办理步骤的日期 {clock[-2].on}", code="before_previous_step"
        )
    # Raises a DeadlineRuleViolation (422) naming the broken rule before anything is written.
    compute_deadline(clock, get_rule_set(application.rule_set), calendar, max(today, step.on))
    _, target = TRANSITIONS[step.action]
    if target is None:  # end of a consultation or a fee notice: back to where the clock was
        extended = any(e.action == "extend" for e in history)
        target = S.EXTENDED if extended else S.IN_PROGRESS
    old_state = application.state
    now = utcnow()
    values: dict[str, Any] = {
        "state": str(target),
        "updated_at": now,
        **stored_deadline(application.rule_set, clock, calendar),
    }
    if step.outcome is not None:
        values["outcome"] = str(step.outcome)
    if step.action in CLOSING_ACTIONS:
        values["closed_on"] = step.on
    changed = await session.exec(
        update(Application)
        .where(col(Application.id) == application.id)
        .where(col(Application.state) == old_state)
        .values(**values)
    )
    if changed.rowcount != 1:  # someone else acted first
        await session.rollback()
        raise InvalidTransition("申请状态已被他人更改，请刷新后重试")
    after: dict[str, Any] = {
        "state": str(target),
        "clock": clock_fact(kind, step.on, step.days, step.until),
        **step.details,
    }
    if step.outcome is not None:
        after["outcome"] = str(step.outcome)
    record_event(
        session,
        aggregate_type=AGGREGATE,
        aggregate_id=application.id,
        action=step.action,
        actor=step.actor,
        reason=step.reason,
        before={"state": old_state},
        after=after,
    )
    if write is not None:
        await write(session, application)
    await session.commit()
    await session.refresh(application)
    return application


__all__ = ["DeadlineRuleViolation", "Step", "perform"]
