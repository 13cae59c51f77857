"""The deadline engine: time limits as data, the clock as a list of events, the due date derived.

Every service asks the same question — "when is this due, and is it late?" — and gets the answer
from `compute_deadline`, a pure function of the item's clock events, its rule set, the working
calendar and today's date. Nothing is stored here: a corrected calendar or a late-recorded event
moves the due date the next time it is computed; a service that keeps the result for its lists
rewrites it from this function with every event and calendar change (services/requests)
(docs/time-limits.md, "Working days").

Rule sets (docs/time-limits.md, "Rule sets") hold the limits; the Regulation (《中华人民共和国政府
信息公开条例》, 2019) is `national-2019`, the local 《政务信息公开依申请公开制度》 is `local-legacy`,
and public feedback has `feedback-local` (the local rule for 来信来访) and `petition-2022`
(《信访工作条例》, 2022).

Clock semantics (one function per rule below, each citing its article):
- the limit counts from the received date, that day not counted (条例第三十一条、第三十三条);
- a correction notice (补正) stops the clock; it restarts, from zero, on the day the corrected
  application arrives (条例第三十条); while the applicant is correcting, no answer is due;
- a pause (third-party consultation 第三十二条, another agency's opinion 第三十四条, a fee notice
  第四十二条) is not counted: the days between its start and end are added to the limit;
- a third-party consultation pauses no longer than the third party's 15 working days (第三十二条):
  it ends at the reply or on the last day of that period, whichever comes first, and the clock
  runs again by itself from the day after (`third_party_reply_due`);
- an extension adds its days, at most the rule set's maximum in total, and only if granted on
  or before the current due date (条例第三十三条: notified "before the limit passes");
- a longer period for many or repeated applications (条例第三十五条) runs to the day the agency
  sets, also granted on or before the current due date, not counted in 第三十三条's maximum; the
  day must be after the due date in force and at most `MASS_LONGER_PERIOD_MAX_DAYS` working
  days after it (a bound of ours: the article says only "reasonable");
- decided / withdrawn / abandoned stop the clock; the due date in force at that moment is kept,
  so "answered on time" can be judged afterwards.
- a hand-over to another agency (信访工作条例第二十四条、第二十五条), under a rule set with an
  acceptance stage, starts the clock again there: 15 days to accept from the hand-over.

Nothing here raises for a year the calendar does not know: such days count Monday–Friday and
the result is marked `provisional` (see `shared.calendar`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

import sqlalchemy as sa

from shared.calendar import DayCount, WorkingCalendar, WorkingDays
from shared.errors import DomainError

# ---------------------------------------------------------------------------------------------
# Errors: named for the broken rule; the edge turns them into problem+json (shared.errors).


class DeadlineRuleViolation(DomainError):
    """The event history breaks a time-limit rule; raised before anything is written."""

    status, code, title = 422, "deadline_rule_violation", "违反期限规则"


class ExtensionTooLong(DeadlineRuleViolation):
    code, title = "extension_too_long", "延长期限超过规定上限"


class ExtensionTooLate(DeadlineRuleViolation):
    code, title = "extension_too_late", "延长期限须在答复期限届满前告知"


class LongerPeriodOutOfBounds(DeadlineRuleViolation):
    code, title = "longer_period_out_of_bounds", "第三十五条确定的答复期限不合理"


# 条例第三十五条 says only "a reasonable longer period". Our bound: the day the agency sets is at
# most 60 working days (three times 第三十三条's 20) after the due date in force.
MASS_LONGER_PERIOD_MAX_DAYS: Final = 60


class CorrectionWindowClosed(DeadlineRuleViolation):
    code, title = "correction_window_closed", "补正告知期限已过"


class CorrectionAlreadyRequested(DeadlineRuleViolation):
    code, title = "correction_already_requested", "补正只能一次性告知"


class InvalidClockHistory(DeadlineRuleViolation):
    """Events that cannot happen in this order (or at all under this rule set)."""

    code, title = "invalid_clock_history", "办理事件顺序不合法"


class UnknownRuleSet(DomainError, KeyError):
    """No rule set with that key (a `KeyError`, so mapping-style callers can catch it)."""

    status, code, title = 422, "unknown_rule_set", "未知的期限规则"

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return self.detail


class UnknownLevel(UnknownRuleSet):
    code, title = "unknown_level", "未知的协调级别"


# ---------------------------------------------------------------------------------------------
# Rule sets


class DayKind(StrEnum):
    WORKING = "working"  # 工作日
    NATURAL = "natural"  # 自然日 (日 / 天 / 周)


WARN_WORKING_DAYS: Final = 3  # 电子监察: the usual warning period before a due date (yellow flag)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The time limits of one rule set; an agency chooses one, the one in force on the received
    date governs the item (docs/time-limits.md, "Rule sets"). All counts are in `day_kind` days.

    Natural-day limits whose last day is not a working day end on the next working day
    (《民法典》第二百零三条); working-day limits always end on a working day.
    """

    key: str
    title: str
    basis: str
    day_kind: DayKind
    answer_days: int  # the limit to answer / finish
    extension_max_days: int  # all extensions together
    correction_notice_days: int | None = None  # the agency's one correction notice, from receipt
    acceptance_days: int | None = None  # a decision to accept first; the answer limit runs from it
    third_party_days: int | None = None  # a consulted third party's time to answer (a pause)
    fee_payment_days: int | None = None  # the applicant's time to pay a fee notice (a pause)
    # 电子监察: yellow from this many working days before the due date
    warn_working_days: int = WARN_WORKING_DAYS
    levels: tuple[tuple[str, int], ...] = ()  # limit by coordination level (feedback)
    level: str | None = None  # the level chosen by `for_level`

    def level_days(self, level: str) -> int:
        for name, days in self.levels:
            if name == level:
                return days
        known = "、".join(name for name, _ in self.levels) or "（无）"
        raise UnknownLevel(f"期限规则 {self.key} 没有协调级别 {level!r}；可选：{known}")

    def for_level(self, level: str) -> RuleSet:
        """This rule set with the answer limit of one coordination level (feedback)."""
        return replace(self, level=level, answer_days=self.level_days(level))


NATIONAL_2019: Final = RuleSet(
    key="national-2019",
    title="政府信息公开条例（2019年修订）",
    basis="《中华人民共和国政府信息公开条例》第三十条、第三十二条、第三十三条、第三十四条、第四十二条；国办函〔2020〕109号",
    day_kind=DayKind.WORKING,
    answer_days=20,  # 第三十三条: 20 working days from receipt
    extension_max_days=20,  # 第三十三条: extension at most 20 working days
    correction_notice_days=7,  # 第三十条: one correction notice within 7 working days of receipt
    third_party_days=15,  # 第三十二条: the third party answers within 15 working days; not counted
    fee_payment_days=20,  # 第四十二条, 国办函〔2020〕109号: 20 working days to pay; not counted
)

LOCAL_LEGACY: Final = RuleSet(
    key="local-legacy",
    title="本地政务公开制度（依申请公开）",
    basis=(
        "本地《政务信息公开依申请公开制度》第七条、第八条："
        "收到申请当场登记，自登记之日起五个工作日内进行实质性审查；"
        "收到申请之日起15个工作日答复；延期以条例第三十三条的二十个工作日为限"
    ),
    day_kind=DayKind.WORKING,
    # The local rule's 第七条 chains "review within 5 working days" and "disclosure within 15
    # working days of the decision" (up to 20 working days in all), while another of its rules reads
    # "收到申请之日起15个工作日". We take the stricter, single reading: receipt is registration (当场登记), the
    # answer is due 15 working days from receipt, and the 5-day substantive review is the window
    # in which an unclear application must be sent back for correction.
    answer_days=15,
    # The local rule's 第八条 allows up to 30 (another unit says 15), but 条例第三十三条 caps every
    # extension at 20 working days and a local rule may be stricter than the Regulation, never looser.
    extension_max_days=20,
    correction_notice_days=5,  # 本地制度第七条: substantive review within 5 working days
    third_party_days=15,  # not in the local rule: the Regulation's pauses still apply nationally
    fee_payment_days=20,
)

FEEDBACK_LOCAL: Final = RuleSet(
    key="feedback-local",
    title="来信来访限期解决（本地政务公开制度）",
    basis=(
        "本地政务公开制度（群众来信来访）：职权范围内立即解决；辖区内协调1-3天内解决；"
        "需协调区内部门一周内解决；一时解决不了的说明情况"
    ),
    # The local rule says 天 and 一周 — calendar days, unlike the Regulation's 工作日 — so these are
    # natural days (ending on a working day, 民法典第二百零三条). "Immediately" is the same day.
    # Matters that cannot be solved in time are answered with an explanation: that reply is the
    # decision, so there is no extension.
    day_kind=DayKind.NATURAL,
    answer_days=7,  # the longest; `for_level` picks the level's own limit
    extension_max_days=0,
    levels=(("own_authority", 0), ("area_coordination", 3), ("cross_department", 7)),
)

PETITION_2022: Final = RuleSet(
    key="petition-2022",
    title="信访工作条例（2022）",
    basis="《信访工作条例》（2022）：收到之日起15日内决定是否受理；自受理之日起60日内办结；延长不超过30日",
    day_kind=DayKind.NATURAL,  # 日: calendar days
    acceptance_days=15,
    answer_days=60,  # counted from acceptance
    extension_max_days=30,
)

RULE_SETS: dict[str, RuleSet] = {
    rs.key: rs for rs in (NATIONAL_2019, LOCAL_LEGACY, FEEDBACK_LOCAL, PETITION_2022)
}
DEFAULT_RULE_SET: Final = NATIONAL_2019.key
# The rule sets an agency may choose for its 依申请公开 applications (its setting in the catalog);
# the feedback rule sets follow the channel instead (services/feedback).
APPLICATION_RULE_SETS: dict[str, RuleSet] = {rs.key: rs for rs in (NATIONAL_2019, LOCAL_LEGACY)}


def get_rule_set(key: str) -> RuleSet:
    try:
        return RULE_SETS[key]
    except KeyError:
        known = "、".join(sorted(RULE_SETS))
        raise UnknownRuleSet(f"未知的期限规则 {key!r}；可选：{known}") from None


LIMIT_LABELS: Final = {
    "answer_days": "答复期限",
    "extension_max_days": "延长答复期限",
    "correction_notice_days": "补正告知期限",
    "third_party_days": "第三方答复期限",
    "fee_payment_days": "缴费期限",
    "acceptance_days": "受理期限",
}


def looser_limits(rules: RuleSet, than: RuleSet = NATIONAL_2019) -> list[str]:
    """The limits in which `rules` is looser than the Regulation: empty for a lawful local rule set,
    which may be stricter, never looser (docs/time-limits.md, "Rule sets").

    The agency's own limits (answer, extension, correction notice) may only be shorter. The periods
    the Regulation gives someone else — the third party's 15 working days (第三十二条), the applicant's
    20 to pay (第四十二条) — are paused, not counted: a local rule can neither shorten them (a right of
    that person) nor lengthen them (more time for the agency). An acceptance stage before the answer
    limit would start the clock later, so an application rule set has none. Natural days are never
    more than as many working days, so a natural-day limit is compared by its count."""
    looser = [
        name
        for name in ("answer_days", "extension_max_days", "correction_notice_days")
        if (mine := getattr(rules, name)) is None or mine > getattr(than, name)
    ]
    looser += [
        name
        for name in ("third_party_days", "fee_payment_days")
        if getattr(rules, name) != getattr(than, name)
    ]
    if rules.acceptance_days is not None and than.acceptance_days is None:
        looser.append("acceptance_days")
    return looser


# ---------------------------------------------------------------------------------------------
# Counting days under a rule set


def add_days(start: date, count: int, rule_set: RuleSet, calendar: WorkingCalendar) -> DayCount:
    """The last day of a limit of `count` days after `start` (`start` not counted)."""
    if rule_set.day_kind is DayKind.WORKING:
        return calendar.add_working_days(start, count)
    # 民法典第二百零一条: the first day is not counted; 第二百零三条: a last day that is a
    # holiday moves to the day after the holiday.
    day, provisional = start + timedelta(days=count), False
    while True:
        working, unsure = calendar.is_working_day(day)
        provisional |= unsure
        if working:
            return DayCount(day, provisional)
        day += timedelta(days=1)


def days_between(start: date, end: date, rule_set: RuleSet, calendar: WorkingCalendar) -> WorkingDays:
    """Days after `start` up to and including `end`, in the rule set's kind of day."""
    if rule_set.day_kind is DayKind.WORKING:
        return calendar.working_days_between(start, end)
    return WorkingDays(max(0, (end - start).days), False)


def correction_notice_due(received: date, rule_set: RuleSet, calendar: WorkingCalendar) -> DayCount | None:
    """条例第三十条: the one correction notice goes out within 7 working days of receipt."""
    if rule_set.correction_notice_days is None:
        return None
    return add_days(received, rule_set.correction_notice_days, rule_set, calendar)


def answer_due(start: date, rule_set: RuleSet, calendar: WorkingCalendar, *, extra_days: int = 0) -> DayCount:
    """条例第三十三条: answer within 20 working days of receipt (or of the corrected application,
    第三十条), plus days not counted (pauses) and extensions."""
    return add_days(start, rule_set.answer_days + extra_days, rule_set, calendar)


def acceptance_due(received: date, rule_set: RuleSet, calendar: WorkingCalendar) -> DayCount | None:
    """信访工作条例: decide within 15 days of receipt whether to accept."""
    if rule_set.acceptance_days is None:
        return None
    return add_days(received, rule_set.acceptance_days, rule_set, calendar)


def third_party_reply_due(asked_on: date, rule_set: RuleSet, calendar: WorkingCalendar) -> DayCount | None:
    """条例第三十二条: the third party gives its opinion within 15 working days of being asked."""
    if rule_set.third_party_days is None:
        return None
    return add_days(asked_on, rule_set.third_party_days, rule_set, calendar)


def fee_payment_due(received_on: date, rule_set: RuleSet, calendar: WorkingCalendar) -> DayCount | None:
    """条例第四十二条, 国办函〔2020〕109号: 20 working days to pay from the day the applicant receives
    the fee notice (not from its issue: a notice sent by post is received days later)."""
    if rule_set.fee_payment_days is None:
        return None
    return add_days(received_on, rule_set.fee_payment_days, rule_set, calendar)


# ---------------------------------------------------------------------------------------------
# The clock


class ClockEventKind(StrEnum):
    RECEIVED = "received"  # 收到申请 (条例第三十一条 received date)
    ACCEPTED = "accepted"  # 受理 (only rule sets with an acceptance stage: 信访)
    HANDED_OVER = "handed_over"  # 移交另一机关 (信访: received there; see `since_hand_over`)
    CORRECTION_REQUESTED = "correction_requested"  # 告知补正; `days`: the period given, if any
    CORRECTED = "corrected"  # 补正材料到达
    PAUSE_STARTED = "pause_started"  # 征求其他机关意见 (第三十四条), 收费通知: ended by an event
    PAUSE_ENDED = "pause_ended"
    CONSULTATION_STARTED = "consultation_started"  # 征求第三方意见 (第三十二条): a bounded pause
    CONSULTATION_ENDED = "consultation_ended"  # 第三方答复 (after its period: changes nothing)
    EXTENDED = "extended"  # 延期 (第三十三条); `days` required
    EXTENDED_UNTIL = "extended_until"  # 第三十五条 longer period; `until` (the day set) required
    DECIDED = "decided"  # 作出答复 / 办结
    WITHDRAWN = "withdrawn"  # 申请人撤回
    ABANDONED = "abandoned"  # 视为放弃 (no correction, fee unpaid)


# Same-day events are applied in this order (then in the order given).
_KIND_ORDER: Final = {kind: i for i, kind in enumerate(ClockEventKind)}
_STOPS: Final = frozenset({ClockEventKind.DECIDED, ClockEventKind.WITHDRAWN, ClockEventKind.ABANDONED})


@dataclass(frozen=True, slots=True)
class ClockEvent:
    kind: ClockEventKind
    on: date
    days: int | None = None
    until: date | None = None  # EXTENDED_UNTIL only

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ClockEventKind(self.kind))
        if isinstance(self.on, datetime) or not isinstance(self.on, date):
            raise InvalidClockHistory(
                f"事件 {self.kind} 的日期应为 date（本地日期，见 shared.calendar.local_date）"
            )
        if self.kind is ClockEventKind.EXTENDED:
            if self.days is None or self.days < 1:
                raise InvalidClockHistory("延期事件须给出延长的天数（至少 1 天）")
        elif self.kind is ClockEventKind.EXTENDED_UNTIL:
            if self.days is not None or not isinstance(self.until, date) or isinstance(self.until, datetime):
                raise InvalidClockHistory("第三十五条的延长须给出答复期限的日期（date），不带天数")
        elif self.kind is ClockEventKind.CORRECTION_REQUESTED:
            if self.days is not None and self.days < 1:
                raise InvalidClockHistory("补正期限至少 1 天")
        elif self.days is not None:
            raise InvalidClockHistory(f"事件 {self.kind} 不带天数")
        if self.until is not None and self.kind is not ClockEventKind.EXTENDED_UNTIL:
            raise InvalidClockHistory(f"事件 {self.kind} 不带期限日期")


def order_events(events: Iterable[ClockEvent]) -> list[ClockEvent]:
    """By date, then by kind in the order of `ClockEventKind`; otherwise as given (stable)."""
    return sorted(events, key=lambda e: (e.on, _KIND_ORDER[e.kind]))


class Flag(StrEnum):
    NONE = "none"
    YELLOW = "yellow"  # 黄牌: due within `warn_working_days` working days (the due day included)
    RED = "red"  # 红牌: past the due date
    CLOSED = "closed"  # the clock has stopped


class Stage(StrEnum):
    ACCEPTANCE = "acceptance"  # 待受理: the acceptance decision is due (信访)
    ANSWER = "answer"  # 办理中: the answer is due
    AWAITING_CORRECTION = "awaiting_correction"  # 待补正: waiting for the applicant, no answer due
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Deadline:
    """Where an item's clock stands on `today`.

    - `due`: the last day to answer (or, in the acceptance stage, to decide on acceptance);
      None while a correction is pending. While paused: the due date if the pause ended today
      (or, while a third-party consultation is open, on the last day of its period).
      Once stopped: the due date in force when the clock stopped.
    - `working_days_left`: working days after today up to the due date (0 on the due day itself,
      negative when overdue); while paused, frozen at the pause's start.
    - `flag`: RED when today is past the due date; YELLOW from `warn_working_days` working days
      before it through the due day itself (suppressed while paused: the clock is not running;
      an item already overdue when the pause started stays RED); CLOSED once stopped.
    - `correction_due`: before a correction notice, the last day the agency may send it (第三十条);
      while one is pending, the day the applicant's correction is due if the notice set a period;
      otherwise None.
    - `extension_allowed_days`: what may still be granted today (0 once the due date has passed).
    """

    due: date | None
    provisional: bool
    paused: bool
    stopped: bool
    working_days_left: int | None
    flag: Flag
    correction_due: date | None
    extension_allowed_days: int
    stage: Stage
    paused_since: date | None = None  # while paused: the day the (outermost) pause began
    # While paused by a third-party consultation alone: the last day of the third party's period
    # (条例第三十二条); the clock runs again by itself after it. `due` is then the due date if the
    # third party takes the whole period (an earlier reply brings it forward).
    paused_until: date | None = None


class _Clock:
    """Folds ordered events into the state `compute_deadline` reads; raises on a broken rule."""

    def __init__(self, rule_set: RuleSet, calendar: WorkingCalendar) -> None:
        self.rules, self.calendar = rule_set, calendar
        self.received: date | None = None
        self.stage: Stage | None = None
        self.base: date | None = None  # the day the running limit counts from
        self.not_counted = 0  # days of finished pauses since `base`
        self.extended = 0
        self.longer = 0  # 第三十五条: working days added to reach the day the agency set
        self.provisional = False  # from counting the finished pauses
        self.pause_depth = 0  # pauses may overlap (a consultation during a fee notice)
        self.paused_since: date | None = None
        self.consultations = 0  # third-party consultations started (条例第三十二条)
        self.consultation_until: date | None = None  # while one is open: the last day of its period
        self.corrections = 0
        self.correction_requested_on: date | None = None
        self.correction_days: int | None = None
        self.stopped_on: date | None = None

    # -- reading

    def limit(self) -> int:
        if self.stage is Stage.ACCEPTANCE:
            assert self.rules.acceptance_days is not None
            return self.rules.acceptance_days
        return self.rules.answer_days

    def open_pauses(self) -> int:
        return self.pause_depth + (self.consultation_until is not None)

    def due_as_of(self, on: date) -> DayCount:
        """The due date with any open pause counted up to `on`."""
        assert self.base is not None
        extra = self.not_counted + self.extended + self.longer
        provisional = self.provisional
        if self.open_pauses():
            assert self.paused_since is not None
            running = days_between(self.paused_since, max(on, self.paused_since), self.rules, self.calendar)
            extra += running.days
            provisional |= running.provisional
        due = add_days(self.base, self.limit() + extra, self.rules, self.calendar)
        return DayCount(due.day, due.provisional or provisional)

    # -- writing

    def apply(self, event: ClockEvent) -> None:
        kind = event.kind
        if self.stopped_on is not None:
            raise InvalidClockHistory(f"办理已结束（{self.stopped_on}），之后不能再有事件 {kind}")
        if kind is ClockEventKind.RECEIVED:
            if self.received is not None:
                raise InvalidClockHistory("同一事项只能有一个收到日期")
            self.received = self.base = event.on
            self.stage = Stage.ACCEPTANCE if self.rules.acceptance_days is not None else Stage.ANSWER
            return
        if self.received is None:
            raise InvalidClockHistory(f"事件 {kind}（{event.on}）早于收到日期")
        self.expire(event.on)
        handler = {
            ClockEventKind.ACCEPTED: self._accepted,
            ClockEventKind.CORRECTION_REQUESTED: self._correction_requested,
            ClockEventKind.CORRECTED: self._corrected,
            ClockEventKind.PAUSE_STARTED: self._pause_started,
            ClockEventKind.PAUSE_ENDED: self._pause_ended,
            ClockEventKind.CONSULTATION_STARTED: self._consultation_started,
            ClockEventKind.CONSULTATION_ENDED: self._consultation_ended,
            ClockEventKind.EXTENDED: self._extended,
            ClockEventKind.EXTENDED_UNTIL: self._extended_until,
            ClockEventKind.HANDED_OVER: self._handed_over,
        }.get(kind, self._stopped)
        handler(event)

    def _restart(self, on: date, stage: Stage) -> None:
        self.base, self.stage = on, stage
        self.not_counted = self.extended = self.longer = 0
        self.provisional = False

    def _require_no_pause(self, event: ClockEvent) -> None:
        if self.open_pauses():
            raise InvalidClockHistory(f"计时中止期间（自 {self.paused_since}）不能发生事件 {event.kind}")

    def _accepted(self, event: ClockEvent) -> None:
        if self.stage is not Stage.ACCEPTANCE:
            raise InvalidClockHistory(f"期限规则 {self.rules.key} 没有受理环节，或已受理")
        self._require_no_pause(event)
        self._restart(event.on, Stage.ANSWER)  # 信访: 60 days from acceptance

    def _handed_over(self, event: ClockEvent) -> None:
        """Without an acceptance stage the limit keeps running at the receiving agency; with one,
        `since_hand_over` has already started the clock again (never reaches here)."""
        self._require_no_pause(event)

    def _correction_requested(self, event: ClockEvent) -> None:
        assert self.received is not None
        window = correction_notice_due(self.received, self.rules, self.calendar)
        if window is None:
            raise InvalidClockHistory(f"期限规则 {self.rules.key} 没有补正环节")
        if self.corrections:
            raise CorrectionAlreadyRequested("条例第三十条：补正应一次性告知，不能再次要求补正")
        if self.stage is not Stage.ANSWER:
            raise InvalidClockHistory("当前不能要求补正")
        self._require_no_pause(event)
        if event.on > window.day:
            raise CorrectionWindowClosed(
                f"条例第三十条：补正须在收到申请之日起{self.rules.correction_notice_days}个工作日内"
                f"（{window.day} 前）告知，{event.on} 已超过"
            )
        self.corrections += 1
        self.stage = Stage.AWAITING_CORRECTION
        self.correction_requested_on, self.correction_days = event.on, event.days

    def _corrected(self, event: ClockEvent) -> None:
        if self.stage is not Stage.AWAITING_CORRECTION:
            raise InvalidClockHistory("没有待补正的通知，不能记录补正")
        self._restart(event.on, Stage.ANSWER)  # 条例第三十条: the limit restarts on arrival

    def _begin_pause(self, event: ClockEvent) -> None:
        if self.stage not in (Stage.ANSWER, Stage.ACCEPTANCE):
            raise InvalidClockHistory("待补正期间计时已停止，不能再中止计时")
        if not self.open_pauses():
            self.paused_since = event.on

    def _end_pause(self, on: date) -> None:
        """After one pause has ended on `on`: when none is left open, its days are not counted."""
        if self.open_pauses():
            return
        assert self.paused_since is not None
        # 条例第三十二条、第三十四条、第四十二条: the time is not counted
        paused = days_between(self.paused_since, on, self.rules, self.calendar)
        self.not_counted += paused.days
        self.provisional |= paused.provisional
        self.paused_since = None

    def _pause_started(self, event: ClockEvent) -> None:
        self._begin_pause(event)
        self.pause_depth += 1

    def _pause_ended(self, event: ClockEvent) -> None:
        if not self.pause_depth:
            raise InvalidClockHistory(f"{event.on} 结束计时中止，但此前没有开始中止")
        self.pause_depth -= 1
        self._end_pause(event.on)

    def _consultation_started(self, event: ClockEvent) -> None:
        limit = third_party_reply_due(event.on, self.rules, self.calendar)
        if limit is None:
            raise InvalidClockHistory(f"期限规则 {self.rules.key} 没有征求第三方意见环节")
        if self.consultation_until is not None:
            raise InvalidClockHistory(f"征求第三方意见尚未结束（至 {self.consultation_until}），不能再次开始")
        self._begin_pause(event)
        self.consultations += 1
        self.consultation_until = limit.day
        self.provisional |= limit.provisional

    def _consultation_ended(self, event: ClockEvent) -> None:
        if not self.consultations:
            raise InvalidClockHistory(f"{event.on} 收到第三方意见，但此前没有征求第三方意见")
        if self.consultation_until is None:
            return  # 条例第三十二条: a reply after the period; the clock already runs again
        self.consultation_until = None
        self._end_pause(event.on)

    def expire(self, on: date) -> None:
        """条例第三十二条: a consultation whose period ended before `on` ended on its last day."""
        if self.consultation_until is not None and self.consultation_until < on:
            last = self.consultation_until
            self.consultation_until = None
            self._end_pause(last)

    def _extended(self, event: ClockEvent) -> None:
        assert event.days is not None
        if self.stage is not Stage.ANSWER:
            raise InvalidClockHistory("只有办理期限可以延长")
        total = self.extended + event.days
        if total > self.rules.extension_max_days:
            raise ExtensionTooLong(
                f"延长期限合计 {total} 天，超过规则 {self.rules.key} 的上限 {self.rules.extension_max_days} 天"
            )
        due = self.due_as_of(event.on)
        if event.on > due.day:
            raise ExtensionTooLate(
                f"条例第三十三条：延期须在期限届满（{due.day}）前告知申请人，{event.on} 已超过"
            )
        self.extended = total

    def _extended_until(self, event: ClockEvent) -> None:
        """条例第三十五条: the agency sets a reasonable longer period — to a day it names."""
        assert event.until is not None
        if self.stage is not Stage.ANSWER:
            raise InvalidClockHistory("只有办理期限可以延长")
        due = self.due_as_of(event.on)
        if event.on > due.day:
            raise ExtensionTooLate(
                f"条例第三十五条：确定的期限须在答复期限届满（{due.day}）前告知申请人，{event.on} 已超过"
            )
        added = self.calendar.working_days_between(due.day, event.until)
        if event.until <= due.day or added.days < 1:
            raise LongerPeriodOutOfBounds(
                f"条例第三十五条：确定的答复期限（{event.until}）须晚于现行答复期限（{due.day}），且至少多出一个工作日"
            )
        if added.days > MASS_LONGER_PERIOD_MAX_DAYS:
            raise LongerPeriodOutOfBounds(
                f"条例第三十五条：确定的答复期限（{event.until}）超出现行答复期限（{due.day}）"
                f"{added.days} 个工作日，不得超过 {MASS_LONGER_PERIOD_MAX_DAYS} 个工作日"
            )
        self.longer += added.days
        self.provisional |= added.provisional

    def _stopped(self, event: ClockEvent) -> None:
        assert event.kind in _STOPS
        self.stopped_on = event.on


def correction_settled(
    events: Sequence[ClockEvent], rule_set: RuleSet, calendar: WorkingCalendar, today: date
) -> bool:
    """年度报告格式（四）3 “补正后申请内容仍不明确”, 条例第三十条: an application can be found still
    unclear only after the agency asked for a correction and either the corrected application
    arrived or the period the notice gave for it has passed (before that, it may yet be clarified)."""
    clock = _Clock(rule_set, calendar)
    for event in order_events(events):
        clock.apply(event)
    if not clock.corrections:
        return False
    if clock.stage is not Stage.AWAITING_CORRECTION:
        return True  # the corrected application arrived
    if clock.correction_requested_on is None or not clock.correction_days:
        return False
    due = add_days(clock.correction_requested_on, clock.correction_days, rule_set, calendar)
    return today > due.day


def _signed_working_days(today: date, due: date, calendar: WorkingCalendar) -> WorkingDays:
    if today <= due:
        return calendar.working_days_between(today, due)
    late = calendar.working_days_between(due, today)
    return WorkingDays(-late.days, late.provisional)


def since_hand_over(events: Sequence[ClockEvent], rule_set: RuleSet) -> list[ClockEvent]:
    """信访工作条例第二十四条、第二十五条: the agency a matter is handed to decides whether to accept
    it within 15 days of its own receipt. Under a rule set with an acceptance stage the clock
    starts again at the last hand-over (in the order recorded), as if received that day; what
    happened at the agency before no longer counts. Other rule sets keep one clock throughout."""
    if rule_set.acceptance_days is None:
        return list(events)
    last = None
    for i, event in enumerate(events):
        if event.kind is ClockEventKind.HANDED_OVER:
            last = i
    if last is None:
        return list(events)
    return [ClockEvent(ClockEventKind.RECEIVED, events[last].on), *events[last + 1 :]]


def compute_deadline(
    events: Sequence[ClockEvent], rule_set: RuleSet, calendar: WorkingCalendar, today: date
) -> Deadline:
    """The item's deadline on `today`, recomputed from its whole event history.

    Events may come in any order (see `order_events`). Raises a `DeadlineRuleViolation` when the
    history breaks a rule (an extension too long or too late, a second or late correction notice,
    events out of sequence) — so a service can check a new event by computing with it appended
    before writing it. Never raises for a year the calendar does not know.
    """
    if rule_set.levels and rule_set.level is None:
        raise ValueError(f"期限规则 {rule_set.key} 按协调级别计时：请使用 rule_set.for_level(级别)")
    clock = _Clock(rule_set, calendar)
    for event in order_events(since_hand_over(events, rule_set)):
        clock.apply(event)
    if clock.received is None:
        raise InvalidClockHistory("没有收到日期，无法计算期限")
    if clock.stopped_on is None:
        clock.expire(today)

    if clock.stopped_on is not None:
        due = None if clock.stage is Stage.AWAITING_CORRECTION else clock.due_as_of(clock.stopped_on)
        return Deadline(
            due=due.day if due else None,
            provisional=bool(due and due.provisional),
            paused=False,
            stopped=True,
            working_days_left=None,
            flag=Flag.CLOSED,
            correction_due=None,
            extension_allowed_days=0,
            stage=Stage.CLOSED,
        )

    if clock.stage is Stage.AWAITING_CORRECTION:
        assert clock.correction_requested_on is not None
        response = (
            add_days(clock.correction_requested_on, clock.correction_days, rule_set, calendar)
            if clock.correction_days
            else None
        )
        return Deadline(
            due=None,
            provisional=bool(response and response.provisional),
            paused=False,
            stopped=False,
            working_days_left=None,
            flag=Flag.NONE,
            correction_due=response.day if response else None,
            extension_allowed_days=0,
            stage=Stage.AWAITING_CORRECTION,
        )

    paused = clock.open_pauses() > 0
    # While paused the clock is judged as it stood when the pause began.
    as_of = min(today, clock.paused_since) if clock.paused_since is not None else today
    standing = clock.due_as_of(as_of)
    # A consultation lasts at least until the third party's reply or the end of its period.
    horizon = max(today, clock.consultation_until) if clock.consultation_until else today
    due = clock.due_as_of(horizon) if paused else standing
    left = _signed_working_days(as_of, standing.day, calendar)
    flag = flag_of(as_of, standing.day, left.days, rule_set.warn_working_days, paused=paused)

    window = None
    if clock.stage is Stage.ANSWER and clock.corrections == 0:
        window = correction_notice_due(clock.received, rule_set, calendar)
    allowed = 0
    if clock.stage is Stage.ANSWER and today <= due.day:
        allowed = rule_set.extension_max_days - clock.extended
    return Deadline(
        due=due.day,
        provisional=due.provisional or standing.provisional or left.provisional,
        paused=paused,
        stopped=False,
        working_days_left=left.days,
        flag=flag,
        correction_due=window.day if window else None,
        extension_allowed_days=allowed,
        stage=clock.stage or Stage.ANSWER,
        paused_since=clock.paused_since if paused else None,
        paused_until=clock.consultation_until if paused and not clock.pause_depth else None,
    )


def flag_of(today: date, due: date, left: int, warn_working_days: int, *, paused: bool = False) -> Flag:
    """电子监察, the one home of the yellow/red rule: red once today is past the due date, yellow from
    `warn_working_days` working days before it through the due day (`left`: working days after
    today up to the due date), nothing while the clock is paused and not yet overdue."""
    if today > due:
        return Flag.RED
    if not paused and left <= warn_working_days:
        return Flag.YELLOW
    return Flag.NONE


def due_standing(
    due: date, today: date, calendar: WorkingCalendar, warn_working_days: int = WARN_WORKING_DAYS
) -> tuple[Flag, WorkingDays]:
    """A running clock's flag from a stored due date, with the working days left (negative when
    overdue), whose `provisional` says whether a year the calendar has not confirmed was counted."""
    left = _signed_working_days(today, due, calendar)
    return flag_of(today, due, left.days, warn_working_days), left


def flag_for_due(
    due: date | None, today: date, calendar: WorkingCalendar, warn_working_days: int = WARN_WORKING_DAYS
) -> Flag:
    """The flag of a running (not paused) clock from a stored due date (`flag_of`)."""
    if due is None:
        return Flag.NONE
    return due_standing(due, today, calendar, warn_working_days)[0]


def yellow_before(today: date, calendar: WorkingCalendar, warn_working_days: int = WARN_WORKING_DAYS) -> date:
    """Lets a query select flags by a range of stored due dates: a running clock due on or after
    today is yellow exactly when its due date is before this day (the working day after the last
    one of the warning period)."""
    return calendar.add_working_days(today, warn_working_days + 1).day


def warning_periods(rule_set_column: Any, rule_sets: Iterable[RuleSet]) -> dict[int, Any]:
    """For `flag_condition`: each warning period (working days) with the SQL condition selecting
    the rows whose rule set (by key in `rule_set_column`) has it."""
    keys: dict[int, set[str]] = {}
    for rules in rule_sets:
        keys.setdefault(rules.warn_working_days, set()).add(rules.key)
    return {days: rule_set_column.in_(sorted(names)) for days, names in keys.items()}


def flag_condition(
    due_on: Any,
    flag: Flag | str,
    today: date,
    calendar: WorkingCalendar,
    periods: Mapping[int, Any] | None = None,
) -> Any:
    """`flag_of` as SQL over a stored due-date column, for rows whose clock is running (the caller
    selects those): red or yellow only. `periods` (from `warning_periods`) gives each row its rule
    set's warning period; without it every row has the usual one."""
    if flag == Flag.RED:
        return due_on < today
    if flag != Flag.YELLOW:
        raise ValueError(f"flag_condition: only red or yellow, not {flag!r}")
    periods = periods or {WARN_WORKING_DAYS: sa.true()}
    return sa.and_(
        due_on >= today,
        sa.or_(
            *(
                sa.and_(rows, due_on < yellow_before(today, calendar, days))
                for days, rows in sorted(periods.items())
            )
        ),
    )
