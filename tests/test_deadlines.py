"""The deadline engine on real dates: Spring Festival and National Day 2024–2026 with their 调休
working weekends (from `chinese_calendar`), pauses, extensions, corrections, flags, unknown years.

Holidays used below (chinese_calendar.get_holidays / get_workdays):
- 2024 Spring Festival 2/10–2/17 off; Sun 2/4 and Sun 2/18 worked.
- 2024 Mid-Autumn 9/15–9/17 off; Sat 9/14 worked. National Day 10/1–10/7 off; Sun 9/29, Sat 10/12 worked.
- 2025 Spring Festival 1/28–2/4 off; Sun 1/26, Sat 2/8 worked. Qingming 4/4–4/6 off.
- 2025 National Day + Mid-Autumn 10/1–10/8 off; Sun 9/28, Sat 10/11 worked.
- 2026 Spring Festival 2/15–2/23 off; Sat 2/14, Sat 2/28 worked.
- 2026 Mid-Autumn Fri 9/25 off; National Day 10/1–10/7 off; Sun 9/20, Sat 10/10 worked.
- 2027 is unknown to chinese_calendar: Monday–Friday less the statutory holidays of
  《全国年节及纪念日放假办法》 (元旦 Fri 1/1; 春节 除夕 Fri 2/5 – 初三 Mon 2/8), provisional until confirmed.
- 2028 likewise: 春节 除夕 Tue 1/25 – 初三 Fri 1/28.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from shared.calendar import WorkingCalendar
from shared.deadlines import (
    FEEDBACK_LOCAL,
    LOCAL_LEGACY,
    NATIONAL_2019,
    PETITION_2022,
    RULE_SETS,
    ClockEvent,
    ClockEventKind,
    CorrectionAlreadyRequested,
    CorrectionWindowClosed,
    DayKind,
    DeadlineRuleViolation,
    ExtensionTooLate,
    ExtensionTooLong,
    Flag,
    InvalidClockHistory,
    LongerPeriodOutOfBounds,
    RuleSet,
    Stage,
    UnknownLevel,
    UnknownRuleSet,
    compute_deadline,
    correction_settled,
    get_rule_set,
    order_events,
    third_party_reply_due,
)
from shared.errors import DomainError

CAL = WorkingCalendar()
K = ClockEventKind
D = date


def received(on: date) -> ClockEvent:
    return ClockEvent(K.RECEIVED, on)


def deadline(*events: ClockEvent, today: date | None = None, rules: RuleSet = NATIONAL_2019, cal=CAL):
    return compute_deadline(list(events), rules, cal, today or events[0].on)


# ---------------------------------------------------------------------------------------------
# national-2019: 20 working days from receipt (条例第三十三条)


@pytest.mark.parametrize(
    ("received_on", "due"),
    [
        # 2/2(1) Sun 2/4(2) 2/5–9(3–7) [2/10–17 off] Sun 2/18(8) 2/19–23(9–13) 2/26–3/1(14–18) 3/4(19) 3/5(20)
        (D(2024, 2, 1), D(2024, 3, 5)),
        # 9/23–27(1–5) Sun 9/29(6) 9/30(7) [10/1–7 off] 10/8–11(8–11) Sat 10/12(12) 10/14–18(13–17) 10/21–23(18–20)
        (D(2024, 9, 20), D(2024, 10, 23)),
        # 1/21–24(1–4) Sun 1/26(5) 1/27(6) [1/28–2/4 off] 2/5–7(7–9) Sat 2/8(10) 2/10–14(11–15) 2/17–21(16–20)
        (D(2025, 1, 20), D(2025, 2, 21)),
        # Sun 9/28(1) 9/29–30(2–3) [10/1–8 off] 10/9–10(4–5) Sat 10/11(6) 10/13–17(7–11) 10/20–24(12–16) 10/27–30(17–20)
        (D(2025, 9, 26), D(2025, 10, 30)),
        # 2/10–13(1–4) Sat 2/14(5) [2/15–23 off] 2/24–27(6–9) Sat 2/28(10) 3/2–6(11–15) 3/9–13(16–20)
        (D(2026, 2, 9), D(2026, 3, 13)),
        # Sun 9/20(1) 9/21–24(2–5) [9/25 off] 9/28–30(6–8) [10/1–7 off] 10/8–9(9–10) Sat 10/10(11) 10/12–16(12–16) 10/19–22(17–20)
        (D(2026, 9, 18), D(2026, 10, 22)),
    ],
)
def test_the_answer_is_due_twenty_working_days_after_receipt_across_holidays_and_adjusted_weekends(
    received_on, due
) -> None:
    result = deadline(received(received_on))
    assert result.due == due
    assert not result.provisional
    assert result.stage is Stage.ANSWER and result.flag is Flag.NONE
    assert result.working_days_left == 20
    assert result.extension_allowed_days == 20


@pytest.mark.parametrize(
    ("received_on", "correction_due"),
    [
        (D(2024, 2, 1), D(2024, 2, 9)),  # 2/2(1) Sun 2/4(2) 2/5–9(3–7)
        (D(2024, 9, 27), D(2024, 10, 12)),  # Sun 9/29(1) 9/30(2) [10/1–7 off] 10/8–11(3–6) Sat 10/12(7)
        (D(2026, 2, 12), D(2026, 2, 28)),  # 2/13(1) Sat 2/14(2) [2/15–23 off] 2/24–27(3–6) Sat 2/28(7)
    ],
)
def test_the_correction_notice_is_due_seven_working_days_after_receipt(received_on, correction_due) -> None:
    assert deadline(received(received_on)).correction_due == correction_due


def test_events_given_out_of_order_give_the_same_deadline() -> None:
    events = [
        ClockEvent(K.EXTENDED, D(2025, 10, 30), 10),
        ClockEvent(K.PAUSE_ENDED, D(2025, 10, 14)),
        received(D(2025, 9, 26)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 10, 9)),
    ]
    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert compute_deadline(shuffled, NATIONAL_2019, CAL, D(2025, 10, 20)) == compute_deadline(
            order_events(events), NATIONAL_2019, CAL, D(2025, 10, 20)
        )


def test_same_day_events_apply_in_the_order_of_their_kinds() -> None:
    day = D(2025, 3, 3)
    events = [ClockEvent(K.PAUSE_ENDED, day), ClockEvent(K.PAUSE_STARTED, day), received(day)]
    assert [e.kind for e in order_events(events)] == [K.RECEIVED, K.PAUSE_STARTED, K.PAUSE_ENDED]
    assert deadline(*events).due == deadline(received(day)).due  # a same-day pause counts nothing


# ---------------------------------------------------------------------------------------------
# Pauses (条例第三十二条、第三十四条、第四十二条): the time is not counted


def test_a_pause_spanning_mid_autumn_adds_only_its_working_days() -> None:
    # Without the pause: 9/3–6(1–4) 9/9–13(5–9) Sat 9/14(10) [9/15–17 off] 9/18–20(11–13)
    # 9/23–27(14–18) Sun 9/29(19) 9/30(20) → 2024-09-30.
    assert deadline(received(D(2024, 9, 2))).due == D(2024, 9, 30)
    # Paused 9/12 → 9/19: 9/13, Sat 9/14, 9/18, 9/19 = 4 working days (7 calendar days).
    # 24 working days: ... 9/30(20) [10/1–7 off] 10/8(21) 10/9(22) 10/10(23) 10/11(24).
    result = deadline(
        received(D(2024, 9, 2)),
        ClockEvent(K.PAUSE_STARTED, D(2024, 9, 12)),
        ClockEvent(K.PAUSE_ENDED, D(2024, 9, 19)),
        today=D(2024, 9, 20),
    )
    assert result.due == D(2024, 10, 11)
    assert not result.paused


def test_a_pause_over_national_day_adds_three_working_days_not_eleven_calendar_days() -> None:
    # Due 2025-10-30 (table above). Paused 9/29 → 10/10: 9/30, 10/9, 10/10 = 3 working days.
    # 10/30 + 3: 10/31(1) 11/3(2) 11/4(3).
    result = deadline(
        received(D(2025, 9, 26)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 9, 29)),
        ClockEvent(K.PAUSE_ENDED, D(2025, 10, 10)),
        today=D(2025, 10, 13),
    )
    assert result.due == D(2025, 11, 4)


def test_while_paused_the_clock_is_frozen_and_the_due_date_moves_with_today() -> None:
    events = [received(D(2025, 9, 26)), ClockEvent(K.PAUSE_STARTED, D(2025, 10, 27))]
    # On 10/27 three working days were left (10/28, 10/29, 10/30): no yellow while paused.
    on_pause_day = deadline(*events, today=D(2025, 10, 27))
    assert on_pause_day.paused and on_pause_day.flag is Flag.NONE
    assert on_pause_day.working_days_left == 3 and on_pause_day.due == D(2025, 10, 30)
    # Long after the old due date, still not red; the due date is "if the pause ended today".
    later = deadline(*events, today=D(2025, 11, 7))  # 10/28–31, 11/3–7 = 9 paused working days
    assert later.paused and later.flag is Flag.NONE and later.working_days_left == 3
    assert later.due == D(2025, 11, 12)  # 10/30 + 9: 10/31(1) 11/3–7(2–6) 11/10–12(7–9)


def test_an_item_already_overdue_when_a_pause_starts_stays_red() -> None:
    result = deadline(
        received(D(2025, 9, 26)), ClockEvent(K.PAUSE_STARTED, D(2025, 11, 3)), today=D(2025, 11, 10)
    )
    assert result.paused and result.flag is Flag.RED
    assert result.working_days_left == -2  # 10/31, 11/3 past the due date when the pause began


def test_overlapping_pauses_count_their_union_once() -> None:
    # Consultation 3/3 → 3/14 and a fee notice 3/10 → 3/20: paused 3/3 → 3/20 = 13 working days.
    both = deadline(
        received(D(2025, 2, 24)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 3, 3)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 3, 10)),
        ClockEvent(K.PAUSE_ENDED, D(2025, 3, 14)),
        ClockEvent(K.PAUSE_ENDED, D(2025, 3, 20)),
        today=D(2025, 3, 21),
    )
    one = deadline(
        received(D(2025, 2, 24)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 3, 3)),
        ClockEvent(K.PAUSE_ENDED, D(2025, 3, 20)),
        today=D(2025, 3, 21),
    )
    assert both == one
    # 2/24 + 20 = 3/24; + 13: 3/25–28(1–4) 3/31–4/3(5–8) [Qingming 4/4 off] 4/7–11(9–13)
    assert one.due == D(2025, 4, 11)


# Third-party consultation (条例第三十二条): the third party has 15 working days; the pause ends at
# its reply or at the end of that period, whichever comes first, and the clock runs again by itself.
# Spring Festival 2024: asked Fri 2/9, the day before 2/10–2/17 off. Period: Sun 2/18(1) 2/19–23(2–6)
# 2/26–3/1(7–11) 3/4–7(12–15) → 3/7; without a pause, received Mon 2/5 is due 3/8 (2/6–9(1–4)
# Sun 2/18(5) 2/19–23(6–10) 2/26–3/1(11–15) 3/4–8(16–20)).
# Dragon Boat 2025: asked Fri 5/30, the day before 5/31–6/2 off. Period: 6/3–6(1–4) 6/9–13(5–9)
# 6/16–20(10–14) 6/23(15) → 6/23; received Mon 5/26 is due 6/24 (5/27–30(1–4) 6/3–6(5–8) 6/9–13(9–13)
# 6/16–20(14–18) 6/23–24(19–20)).
CONSULTATIONS = {  # received, asked, the last day of the third party's period
    "spring-2024": (D(2024, 2, 5), D(2024, 2, 9), D(2024, 3, 7)),
    "dragon-boat-2025": (D(2025, 5, 26), D(2025, 5, 30), D(2025, 6, 23)),
}


@pytest.mark.parametrize(
    ("case", "reply", "today", "due", "paused", "paused_until", "flag", "left"),
    [
        # While waiting: due as if the third party takes its whole period (3/8 + 15: 3/11–15(1–5)
        # 3/18–22(6–10) 3/25–29(11–15)); the last day of the period is shown; no flag.
        ("spring-2024", None, D(2024, 2, 20), D(2024, 3, 29), True, D(2024, 3, 7), Flag.NONE, 16),
        ("spring-2024", None, D(2024, 3, 7), D(2024, 3, 29), True, D(2024, 3, 7), Flag.NONE, 16),
        # No reply: the clock runs again on the 16th working day, by itself.
        ("spring-2024", None, D(2024, 3, 8), D(2024, 3, 29), False, None, Flag.NONE, 15),
        ("spring-2024", None, D(2024, 3, 26), D(2024, 3, 29), False, None, Flag.YELLOW, 3),
        ("spring-2024", None, D(2024, 4, 1), D(2024, 3, 29), False, None, Flag.RED, -1),
        # Reply on day 3 (Tue 2/20): 2/18, 2/19, 2/20 are not counted: 3/8 + 3 = 3/13.
        ("spring-2024", D(2024, 2, 20), D(2024, 2, 21), D(2024, 3, 13), False, None, Flag.NONE, 15),
        # A reply after the period changes nothing.
        ("spring-2024", D(2024, 3, 12), D(2024, 3, 12), D(2024, 3, 29), False, None, Flag.NONE, 13),
        # 6/24 + 15: 6/25–27(1–3) 6/30–7/4(4–8) 7/7–11(9–13) 7/14–15(14–15).
        ("dragon-boat-2025", None, D(2025, 6, 3), D(2025, 7, 15), True, D(2025, 6, 23), Flag.NONE, 16),
        ("dragon-boat-2025", None, D(2025, 6, 24), D(2025, 7, 15), False, None, Flag.NONE, 15),
        # Reply on day 3 (Thu 6/5): 6/3, 6/4, 6/5 not counted: 6/24 + 3 = 6/27.
        ("dragon-boat-2025", D(2025, 6, 5), D(2025, 6, 5), D(2025, 6, 27), False, None, Flag.NONE, 16),
    ],
)
def test_a_third_party_consultation_pauses_the_clock_at_most_fifteen_working_days(
    case, reply, today, due, paused, paused_until, flag, left
) -> None:
    received_on, asked, period_end = CONSULTATIONS[case]
    assert third_party_reply_due(asked, NATIONAL_2019, CAL).day == period_end
    events = [received(received_on), ClockEvent(K.CONSULTATION_STARTED, asked)]
    if reply is not None:
        events.append(ClockEvent(K.CONSULTATION_ENDED, reply))
    result = deadline(*events, today=today)
    assert (result.due, result.paused, result.paused_until) == (due, paused, paused_until)
    assert (result.flag, result.working_days_left) == (flag, left)


def test_a_fee_notice_open_past_the_consultation_period_keeps_the_clock_paused() -> None:
    # Consultation from Fri 5/30 (ends by itself 6/23) and a fee notice 6/16 → 6/30: their union
    # 5/30 → 6/30 is not counted, as one open pause over the same days would be.
    events = [
        received(D(2025, 5, 26)),
        ClockEvent(K.CONSULTATION_STARTED, D(2025, 5, 30)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 6, 16)),
    ]
    waiting = deadline(*events, today=D(2025, 6, 27))
    assert waiting.paused and waiting.paused_since == D(2025, 5, 30) and waiting.paused_until is None
    paid = deadline(*events, ClockEvent(K.PAUSE_ENDED, D(2025, 6, 30)), today=D(2025, 6, 30))
    one = deadline(
        received(D(2025, 5, 26)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 5, 30)),
        ClockEvent(K.PAUSE_ENDED, D(2025, 6, 30)),
        today=D(2025, 6, 30),
    )
    assert paid == one and not paid.paused


def test_a_reply_without_a_consultation_is_refused() -> None:
    with pytest.raises(InvalidClockHistory):
        deadline(received(D(2025, 5, 26)), ClockEvent(K.CONSULTATION_ENDED, D(2025, 6, 5)))


def test_adding_a_pause_never_makes_the_due_date_earlier() -> None:
    rng = random.Random(20240210)
    for _ in range(300):
        start = D(2024, 1, 1) + timedelta(days=rng.randrange(0, 3 * 365))
        rules = rng.choice([NATIONAL_2019, LOCAL_LEGACY, PETITION_2022])
        base = [received(start)]
        if rules.acceptance_days is not None:
            base.append(ClockEvent(K.ACCEPTED, start))
        if rng.random() < 0.5 and rules.extension_max_days:
            base.append(ClockEvent(K.EXTENDED, start, rng.randint(1, rules.extension_max_days)))
        pause_from = start + timedelta(days=rng.randrange(0, 40))
        pause_to = pause_from + timedelta(days=rng.randrange(0, 30))
        paused = [*base, ClockEvent(K.PAUSE_STARTED, pause_from), ClockEvent(K.PAUSE_ENDED, pause_to)]
        today = pause_to + timedelta(days=1)
        without = compute_deadline(base, rules, CAL, today)
        with_pause = compute_deadline(paused, rules, CAL, today)
        assert with_pause.due >= without.due, (start, pause_from, pause_to, rules.key)
        # ... and an open pause never makes it earlier either.
        still_open = compute_deadline(paused[:-1], rules, CAL, today)
        assert still_open.due >= without.due


# ---------------------------------------------------------------------------------------------
# Extensions (条例第三十三条: ≤ 20 working days, notified before the limit passes)


@pytest.mark.parametrize(
    ("extensions", "due"),
    [
        # due 10/30; +20: 10/31(1) 11/3–7(2–6) 11/10–14(7–11) 11/17–21(12–16) 11/24–27(17–20)
        ([(D(2025, 10, 30), 20)], D(2025, 11, 27)),
        # granted in two steps, 5 then 15: the total is the same
        ([(D(2025, 10, 20), 5), (D(2025, 11, 5), 15)], D(2025, 11, 27)),
        # granted before National Day: +5 → 10/31(1) 11/3–6(2–5)
        ([(D(2025, 9, 29), 5)], D(2025, 11, 6)),
    ],
)
def test_an_extension_granted_before_the_due_date_adds_its_working_days(extensions, due) -> None:
    events = [received(D(2025, 9, 26)), *(ClockEvent(K.EXTENDED, on, days) for on, days in extensions)]
    result = deadline(*events, today=extensions[-1][0])
    assert result.due == due
    assert result.extension_allowed_days == 20 - sum(days for _, days in extensions)


def test_extensions_over_the_maximum_are_refused() -> None:
    with pytest.raises(ExtensionTooLong) as caught:
        deadline(
            received(D(2025, 9, 26)),
            ClockEvent(K.EXTENDED, D(2025, 10, 20), 15),
            ClockEvent(K.EXTENDED, D(2025, 10, 27), 10),
        )
    assert caught.value.code == "extension_too_long" and isinstance(caught.value, DeadlineRuleViolation)
    with pytest.raises(ExtensionTooLong):
        deadline(received(D(2025, 9, 26)), ClockEvent(K.EXTENDED, D(2025, 10, 20), 21))


def test_an_extension_granted_the_day_after_the_due_date_is_refused() -> None:
    with pytest.raises(ExtensionTooLate) as caught:
        deadline(received(D(2025, 9, 26)), ClockEvent(K.EXTENDED, D(2025, 10, 31), 10))
    assert caught.value.status == 422 and isinstance(caught.value, DomainError)


def test_the_due_date_for_an_extension_counts_the_pauses_before_it() -> None:
    # Due 10/30, paused 9/29 → 10/10 (+3) → 11/4: an extension on 11/3 is in time.
    result = deadline(
        received(D(2025, 9, 26)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 9, 29)),
        ClockEvent(K.PAUSE_ENDED, D(2025, 10, 10)),
        ClockEvent(K.EXTENDED, D(2025, 11, 3), 2),
        today=D(2025, 11, 3),
    )
    assert result.due == D(2025, 11, 6)  # 11/4 + 2: 11/5, 11/6


def test_no_extension_is_allowed_once_the_due_date_has_passed() -> None:
    assert deadline(received(D(2025, 9, 26)), today=D(2025, 10, 30)).extension_allowed_days == 20
    assert deadline(received(D(2025, 9, 26)), today=D(2025, 10, 31)).extension_allowed_days == 0


# ---------------------------------------------------------------------------------------------
# A longer period for many or repeated applications (条例第三十五条): to the day the agency sets


def test_a_longer_period_under_article_35_runs_to_the_day_the_agency_sets() -> None:
    # Due 10/30; the agency sets 12/31 (43 working days later): more than 第三十三条's 20 days,
    # not counted in them — before, the engine had no such period (an extension of 43 was refused).
    with pytest.raises(ExtensionTooLong):
        deadline(received(D(2025, 9, 26)), ClockEvent(K.EXTENDED, D(2025, 10, 20), 43))
    result = deadline(
        received(D(2025, 9, 26)),
        ClockEvent(K.EXTENDED_UNTIL, D(2025, 10, 20), until=D(2025, 12, 31)),
        today=D(2025, 10, 20),
    )
    assert result.due == D(2025, 12, 31)
    assert result.extension_allowed_days == 20


def test_a_longer_period_set_on_a_day_off_ends_on_the_working_day_before() -> None:
    result = deadline(
        received(D(2025, 9, 26)),
        ClockEvent(K.EXTENDED_UNTIL, D(2025, 10, 20), until=D(2025, 11, 30)),  # a Sunday
        today=D(2025, 10, 20),
    )
    assert result.due == D(2025, 11, 28)


def test_a_pause_after_the_longer_period_is_still_not_counted() -> None:
    result = deadline(
        received(D(2025, 9, 26)),
        ClockEvent(K.EXTENDED_UNTIL, D(2025, 10, 20), until=D(2025, 12, 1)),
        ClockEvent(K.PAUSE_STARTED, D(2025, 11, 3)),
        ClockEvent(K.PAUSE_ENDED, D(2025, 11, 5)),  # 11/4, 11/5 not counted
        today=D(2025, 11, 5),
    )
    assert result.due == D(2025, 12, 3)


@pytest.mark.parametrize(
    ("on", "until", "error"),
    [
        (D(2025, 10, 20), D(2025, 10, 30), LongerPeriodOutOfBounds),  # not after the due date
        (D(2025, 10, 20), D(2025, 10, 25), LongerPeriodOutOfBounds),  # before it
        # 60 working days after 10/30 is Fri 2026-01-23 (元旦 1/1–1/3 off, Sun 1/4 worked); Mon 1/26 is the 61st
        (D(2025, 10, 20), D(2026, 1, 26), LongerPeriodOutOfBounds),
        (D(2025, 10, 31), D(2025, 12, 31), ExtensionTooLate),  # set after the due date passed
    ],
)
def test_a_longer_period_out_of_bounds_or_too_late_is_refused(on, until, error) -> None:
    with pytest.raises(error) as caught:
        deadline(received(D(2025, 9, 26)), ClockEvent(K.EXTENDED_UNTIL, on, until=until))
    assert caught.value.status == 422


def test_the_longest_longer_period_is_sixty_working_days_after_the_due_date() -> None:
    result = deadline(
        received(D(2025, 9, 26)),
        ClockEvent(K.EXTENDED_UNTIL, D(2025, 10, 20), until=D(2026, 1, 23)),
        today=D(2025, 10, 20),
    )
    assert result.due == D(2026, 1, 23)


def test_a_longer_period_event_needs_its_day_and_no_days() -> None:
    with pytest.raises(InvalidClockHistory):
        ClockEvent(K.EXTENDED_UNTIL, D(2025, 10, 20))
    with pytest.raises(InvalidClockHistory):
        ClockEvent(K.EXTENDED_UNTIL, D(2025, 10, 20), 5, until=D(2025, 12, 1))
    with pytest.raises(InvalidClockHistory):
        ClockEvent(K.EXTENDED, D(2025, 10, 20), 5, until=D(2025, 12, 1))


# ---------------------------------------------------------------------------------------------
# Correction (条例第三十条): the limit restarts when the corrected application arrives


def test_while_a_correction_is_pending_no_answer_is_due() -> None:
    result = deadline(
        received(D(2025, 1, 20)), ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 24)), today=D(2025, 3, 31)
    )
    assert result.stage is Stage.AWAITING_CORRECTION
    assert result.due is None and result.working_days_left is None
    assert result.flag is Flag.NONE and result.extension_allowed_days == 0
    assert result.correction_due is None  # the notice set no period


def test_a_correction_notice_with_a_period_gives_the_applicants_due_date() -> None:
    # 1/24 + 10: Sun 1/26(1) 1/27(2) [1/28–2/4 off] 2/5–7(3–5) Sat 2/8(6) 2/10–13(7–10)
    result = deadline(received(D(2025, 1, 20)), ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 24), 10))
    assert result.correction_due == D(2025, 2, 13) and result.due is None


def test_the_clock_restarts_from_the_day_the_corrected_application_arrives() -> None:
    # 2/5 + 20: 2/6–7(1–2) Sat 2/8(3) 2/10–14(4–8) 2/17–21(9–13) 2/24–28(14–18) 3/3–4(19–20)
    result = deadline(
        received(D(2025, 1, 20)),
        ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 24)),
        ClockEvent(K.CORRECTED, D(2025, 2, 5)),
        today=D(2025, 2, 6),
    )
    assert result.stage is Stage.ANSWER
    assert result.due == D(2025, 3, 4)  # not 2/21, the due date counted from receipt
    assert result.correction_due is None  # one notice only
    assert result.working_days_left == 19


def test_a_correction_notice_after_seven_working_days_is_refused() -> None:
    # Received 2024-09-27: the window ends Sat 10/12 (a 调休 working day).
    ok = deadline(received(D(2024, 9, 27)), ClockEvent(K.CORRECTION_REQUESTED, D(2024, 10, 12)))
    assert ok.stage is Stage.AWAITING_CORRECTION
    with pytest.raises(CorrectionWindowClosed):
        deadline(received(D(2024, 9, 27)), ClockEvent(K.CORRECTION_REQUESTED, D(2024, 10, 14)))


@pytest.mark.parametrize(
    ("events", "today", "settled"),
    [
        # No correction was ever asked for: the applicant never had the chance to clarify.
        ([received(D(2025, 1, 20))], D(2025, 3, 31), False),
        # Asked on 1/24 with 10 working days (due 2/13, across the Spring Festival): still running.
        (
            [received(D(2025, 1, 20)), ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 24), 10)],
            D(2025, 2, 13),
            False,
        ),
        # ... the day after the period: it has passed.
        (
            [received(D(2025, 1, 20)), ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 24), 10)],
            D(2025, 2, 14),
            True,
        ),
        # A notice without a period never passes by itself.
        (
            [received(D(2025, 1, 20)), ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 24))],
            D(2025, 6, 30),
            False,
        ),
        # The corrected application arrived on 2/5: answered.
        (
            [
                received(D(2025, 1, 20)),
                ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 24), 10),
                ClockEvent(K.CORRECTED, D(2025, 2, 5)),
            ],
            D(2025, 2, 5),
            True,
        ),
    ],
)
def test_still_unclear_needs_a_correction_answered_or_its_period_passed(events, today, settled) -> None:
    # 年度报告格式（四）3 “补正后申请内容仍不明确”; 条例第三十条
    assert correction_settled(events, NATIONAL_2019, CAL, today) is settled


def test_a_second_correction_notice_is_refused() -> None:
    with pytest.raises(CorrectionAlreadyRequested):
        deadline(
            received(D(2025, 1, 20)),
            ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 21)),
            ClockEvent(K.CORRECTED, D(2025, 1, 22)),
            ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 23)),
        )


def test_an_applicant_who_never_corrects_abandons_and_the_clock_closes_without_a_due_date() -> None:
    result = deadline(
        received(D(2025, 1, 20)),
        ClockEvent(K.CORRECTION_REQUESTED, D(2025, 1, 24), 10),
        ClockEvent(K.ABANDONED, D(2025, 2, 20)),
    )
    assert result.stopped and result.flag is Flag.CLOSED and result.due is None


# ---------------------------------------------------------------------------------------------
# Flags (电子监察: yellow from 3 working days before the due date, red past it)


@pytest.mark.parametrize(
    ("today", "left", "flag"),
    [
        (D(2025, 10, 24), 4, Flag.NONE),  # 10/27, 28, 29, 30
        (D(2025, 10, 25), 4, Flag.NONE),  # a Saturday: still 10/27, 28, 29, 30 ahead
        (D(2025, 10, 27), 3, Flag.YELLOW),
        (D(2025, 10, 29), 1, Flag.YELLOW),
        (D(2025, 10, 30), 0, Flag.YELLOW),  # the due day itself is still yellow
        (D(2025, 10, 31), -1, Flag.RED),
        (D(2025, 11, 3), -2, Flag.RED),
    ],
)
def test_flags_around_a_due_date(today, left, flag) -> None:
    result = deadline(received(D(2025, 9, 26)), today=today)  # due 2025-10-30
    assert (result.working_days_left, result.flag) == (left, flag)


def test_an_item_due_after_national_day_turns_yellow_ten_calendar_days_early() -> None:
    # Received 9/5: 20 working days → 9/8–12(1–5) 9/15–19(6–10) 9/22–26(11–15) Sun 9/28(16)
    # 9/29–30(17–18) [10/1–8 off] 10/9(19) 10/10(20).
    result = deadline(received(D(2025, 9, 5)), today=D(2025, 9, 30))
    assert result.due == D(2025, 10, 10)
    assert result.working_days_left == 2 and result.flag is Flag.YELLOW


def test_a_decided_item_is_closed_and_keeps_the_due_date_it_was_judged_by() -> None:
    result = deadline(received(D(2025, 9, 26)), ClockEvent(K.DECIDED, D(2025, 11, 3)), today=D(2026, 1, 1))
    assert result.stopped and result.flag is Flag.CLOSED
    assert result.due == D(2025, 10, 30)  # decided late: 11/3 > 10/30
    assert result.working_days_left is None and result.extension_allowed_days == 0


def test_nothing_can_happen_after_the_clock_stops() -> None:
    with pytest.raises(InvalidClockHistory):
        deadline(
            received(D(2025, 9, 26)),
            ClockEvent(K.WITHDRAWN, D(2025, 10, 9)),
            ClockEvent(K.EXTENDED, D(2025, 10, 10), 5),
        )


@pytest.mark.parametrize(
    "events",
    [
        [ClockEvent(K.PAUSE_STARTED, D(2025, 1, 2))],  # no receipt
        [received(D(2025, 1, 2)), received(D(2025, 1, 3))],
        [received(D(2025, 1, 2)), ClockEvent(K.PAUSE_ENDED, D(2025, 1, 3))],
        [received(D(2025, 1, 2)), ClockEvent(K.CORRECTED, D(2025, 1, 3))],
        [received(D(2025, 1, 2)), ClockEvent(K.ACCEPTED, D(2025, 1, 3))],  # no acceptance stage
        [ClockEvent(K.DECIDED, D(2025, 1, 1)), received(D(2025, 1, 2))],
    ],
)
def test_impossible_histories_are_refused(events) -> None:
    with pytest.raises(InvalidClockHistory):
        compute_deadline(events, NATIONAL_2019, CAL, D(2025, 1, 10))


def test_malformed_events_are_refused_when_built() -> None:
    with pytest.raises(InvalidClockHistory):
        ClockEvent(K.EXTENDED, D(2025, 1, 2))
    with pytest.raises(InvalidClockHistory):
        ClockEvent(K.RECEIVED, D(2025, 1, 2), 3)
    with pytest.raises(InvalidClockHistory):
        ClockEvent(K.RECEIVED, datetime(2025, 1, 2, 9, 0))
    assert ClockEvent("received", D(2025, 1, 2)).kind is K.RECEIVED  # as read from a table


# ---------------------------------------------------------------------------------------------
# Unknown years: Monday–Friday less the statutory holidays, provisional, until the admin confirms
# the year's calendar


def test_an_application_received_in_december_2026_is_due_provisionally_in_january_2027() -> None:
    # 12/11(1) 12/14–18(2–6) 12/21–25(7–11) 12/28–31(12–15) [Fri 1/1 元旦, statutory] 1/4–8(16–20)
    result = deadline(received(D(2026, 12, 10)))
    assert result.due == D(2027, 1, 8) and result.provisional


def test_entering_the_2027_calendar_moves_the_due_date_and_confirming_it_removes_the_provisional_mark() -> (
    None
):
    days = {D(2027, 1, 1): False, D(2027, 1, 4): False}  # 元旦 and an extra day off a notice may give
    entered = deadline(received(D(2026, 12, 10)), cal=WorkingCalendar(days))
    assert entered.due == D(2027, 1, 11) and entered.provisional  # dates entered, year not confirmed
    confirmed = deadline(received(D(2026, 12, 10)), cal=WorkingCalendar(days, confirmed_years={2027}))
    assert confirmed.due == D(2027, 1, 11) and not confirmed.provisional


@pytest.mark.parametrize(
    ("received_on", "due", "counted_as_working_before"),
    [
        # 1/26–29(1–4) 2/1–4(5–8) [除夕 Fri 2/5, weekend, 初三 Mon 2/8] 2/9–12(9–12) 2/15–19(13–17) 2/22–24(18–20)
        (D(2027, 1, 25), D(2027, 2, 24), D(2027, 2, 22)),
        # 1/17–21(1–5) 1/24(6) [除夕 Tue 1/25 – 初三 Fri 1/28] 1/31–2/4(7–11) 2/7–11(12–16) 2/14–17(17–20)
        (D(2028, 1, 14), D(2028, 2, 17), D(2028, 2, 11)),
    ],
)
def test_a_deadline_across_an_unannounced_spring_festival_skips_its_statutory_days(
    received_on, due, counted_as_working_before
) -> None:
    # 条例第三十三条: 20 working days; 《全国年节及纪念日放假办法》第二条: 春节 除夕–初三 whatever the notice
    result = deadline(received(received_on))
    assert result.due == due and result.provisional
    assert result.due != counted_as_working_before  # the old Monday–Friday answer


def test_an_application_due_within_2026_is_not_provisional_even_near_the_year_end() -> None:
    # 11/20 + 20 = 12/18 (no holidays in between)
    result = deadline(received(D(2026, 11, 20)))
    assert result.due == D(2026, 12, 18) and not result.provisional


def test_a_year_nobody_knows_never_fails() -> None:
    result = deadline(
        received(D(2031, 9, 26)),
        ClockEvent(K.PAUSE_STARTED, D(2031, 10, 1)),
        ClockEvent(K.PAUSE_ENDED, D(2031, 10, 8)),
        ClockEvent(K.EXTENDED, D(2031, 10, 9), 20),
        today=D(2031, 10, 10),
    )
    assert result.provisional and result.due is not None


def test_a_pause_counted_in_an_unknown_year_makes_the_result_provisional() -> None:
    entered_2027 = WorkingCalendar({D(2027, 1, 1): False}, confirmed_years={2027})
    # 12/2–4(1–3) 12/7–11(4–8) 12/14–18(9–13) 12/21–25(14–18) 12/28–29(19–20): due within 2026
    assert deadline(received(D(2026, 12, 1))).due == D(2026, 12, 29)
    assert not deadline(received(D(2026, 12, 1))).provisional
    events = [
        received(D(2026, 12, 1)),
        ClockEvent(K.PAUSE_STARTED, D(2026, 12, 21)),
        ClockEvent(K.PAUSE_ENDED, D(2027, 1, 5)),
    ]
    assert compute_deadline(events, NATIONAL_2019, CAL, D(2027, 1, 6)).provisional
    assert not compute_deadline(events, NATIONAL_2019, entered_2027, D(2027, 1, 6)).provisional


# ---------------------------------------------------------------------------------------------
# local-legacy (本地《政务信息公开依申请公开制度》第七条、第八条): 15 working days from receipt, review
# in 5; the local rule's extension of up to 30 is capped at the Regulation's 20 (a local rule may be
# stricter, never looser)


def test_local_legacy_answers_within_fifteen_working_days_and_reviews_within_five() -> None:
    # 9/23–27(1–5) Sun 9/29(6) 9/30(7) [10/1–7 off] 10/8–11(8–11) Sat 10/12(12) 10/14–16(13–15)
    result = deadline(received(D(2024, 9, 20)), rules=LOCAL_LEGACY)
    assert result.due == D(2024, 10, 16)
    assert result.correction_due == D(2024, 9, 27)  # 9/23–27(1–5)
    assert result.extension_allowed_days == 20


def test_local_legacy_extends_by_the_regulations_twenty_working_days_not_the_seeds_thirty() -> None:
    # 10/16 + 20: 10/17–18(1–2) 10/21–25(3–7) 10/28–11/1(8–12) 11/4–8(13–17) 11/11–13(18–20)
    result = deadline(
        received(D(2024, 9, 20)), ClockEvent(K.EXTENDED, D(2024, 10, 16), 20), rules=LOCAL_LEGACY
    )
    assert result.due == D(2024, 11, 13)
    for days in (21, 30):  # 30: the local rule's own maximum (第八条), looser than 条例第三十三条
        with pytest.raises(ExtensionTooLong):
            deadline(
                received(D(2024, 9, 20)), ClockEvent(K.EXTENDED, D(2024, 10, 16), days), rules=LOCAL_LEGACY
            )


def test_local_legacy_refuses_a_correction_after_the_five_day_review() -> None:
    with pytest.raises(CorrectionWindowClosed):
        deadline(
            received(D(2024, 9, 20)), ClockEvent(K.CORRECTION_REQUESTED, D(2024, 9, 29)), rules=LOCAL_LEGACY
        )


# ---------------------------------------------------------------------------------------------
# Feedback (the local 来信来访 rule): natural days by coordination level, ending on a working day


@pytest.mark.parametrize(
    ("level", "received_on", "due"),
    [
        ("own_authority", D(2025, 6, 3), D(2025, 6, 3)),  # at once: the same day
        ("own_authority", D(2025, 10, 1), D(2025, 10, 9)),  # a hotline call on National Day
        ("area_coordination", D(2025, 6, 3), D(2025, 6, 6)),  # Tue + 3 days = Fri
        ("area_coordination", D(2025, 9, 29), D(2025, 10, 9)),  # 10/2 is a holiday → 10/9
        ("cross_department", D(2024, 2, 1), D(2024, 2, 8)),  # one week, a Thursday
        ("cross_department", D(2024, 2, 5), D(2024, 2, 18)),  # 2/12 off → Sun 2/18, a 调休 working day
    ],
)
def test_feedback_is_due_in_natural_days_by_coordination_level(level, received_on, due) -> None:
    result = deadline(received(received_on), rules=FEEDBACK_LOCAL.for_level(level))
    assert result.due == due and not result.provisional
    assert result.extension_allowed_days == 0


def test_feedback_needs_a_known_coordination_level() -> None:
    with pytest.raises(ValueError):
        deadline(received(D(2025, 6, 3)), rules=FEEDBACK_LOCAL)
    with pytest.raises(UnknownLevel) as caught:
        FEEDBACK_LOCAL.for_level("province")
    assert isinstance(caught.value, KeyError) and "own_authority" in str(caught.value)


def test_same_day_feedback_is_yellow_on_the_day_and_red_the_next() -> None:
    rules = FEEDBACK_LOCAL.for_level("own_authority")
    assert deadline(received(D(2025, 6, 3)), rules=rules).flag is Flag.YELLOW
    assert deadline(received(D(2025, 6, 3)), rules=rules, today=D(2025, 6, 4)).flag is Flag.RED


# ---------------------------------------------------------------------------------------------
# 信访 (petition-2022): 15 days to accept, 60 days from acceptance, at most 30 more


def test_a_petition_must_be_accepted_within_fifteen_days() -> None:
    # 1/10 + 15 = Sat 1/25 → Sun 1/26, a 调休 working day
    result = deadline(received(D(2025, 1, 10)), rules=PETITION_2022)
    assert result.stage is Stage.ACCEPTANCE and result.due == D(2025, 1, 26)
    assert result.extension_allowed_days == 0 and result.correction_due is None


def test_a_petition_is_finished_sixty_days_after_acceptance_and_may_be_extended_thirty() -> None:
    accepted = [received(D(2025, 1, 10)), ClockEvent(K.ACCEPTED, D(2025, 1, 20))]
    result = deadline(*accepted, rules=PETITION_2022)
    assert result.stage is Stage.ANSWER and result.due == D(2025, 3, 21)  # 1/20 + 60 days
    extended = deadline(*accepted, ClockEvent(K.EXTENDED, D(2025, 3, 21), 30), rules=PETITION_2022)
    assert extended.due == D(2025, 4, 21)  # 3/21 + 30 = Sun 4/20 → Mon 4/21
    with pytest.raises(ExtensionTooLong):
        deadline(*accepted, ClockEvent(K.EXTENDED, D(2025, 3, 21), 31), rules=PETITION_2022)


def test_a_petition_cannot_be_extended_before_it_is_accepted() -> None:
    with pytest.raises(InvalidClockHistory):
        deadline(received(D(2025, 1, 10)), ClockEvent(K.EXTENDED, D(2025, 1, 12), 5), rules=PETITION_2022)


# ---------------------------------------------------------------------------------------------
# Rule sets as data


def test_the_built_in_rule_sets_hold_the_limits_of_the_domain() -> None:
    assert set(RULE_SETS) == {"national-2019", "local-legacy", "feedback-local", "petition-2022"}
    national = get_rule_set("national-2019")
    assert (national.day_kind, national.answer_days, national.extension_max_days) == (DayKind.WORKING, 20, 20)
    assert (national.correction_notice_days, national.third_party_days, national.fee_payment_days) == (
        7,
        15,
        20,
    )
    legacy = get_rule_set("local-legacy")
    assert (legacy.answer_days, legacy.correction_notice_days, legacy.extension_max_days) == (15, 5, 20)
    assert dict(get_rule_set("feedback-local").levels) == {
        "own_authority": 0,
        "area_coordination": 3,
        "cross_department": 7,
    }
    petition = get_rule_set("petition-2022")
    assert (petition.day_kind, petition.acceptance_days, petition.answer_days) == (DayKind.NATURAL, 15, 60)
    assert petition.extension_max_days == 30
    assert all(rs.warn_working_days == 3 for rs in RULE_SETS.values())


def test_an_unknown_rule_set_is_a_clear_key_error() -> None:
    with pytest.raises(UnknownRuleSet) as caught:
        get_rule_set("national-2007")
    assert isinstance(caught.value, KeyError)
    assert "national-2007" in str(caught.value) and "national-2019" in str(caught.value)
    assert caught.value.code == "unknown_rule_set"


def test_rule_sets_are_frozen() -> None:
    with pytest.raises(AttributeError):
        NATIONAL_2019.answer_days = 30  # type: ignore[misc]
