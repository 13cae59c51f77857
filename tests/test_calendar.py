"""Working-day arithmetic across real holiday periods, with 调休 weekends, and unknown years: their
statutory holidays (《全国年节及纪念日放假办法》) are off; they stay provisional until confirmed."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from shared.calendar import DayCount, WorkingCalendar, WorkingDays, statutory_holidays

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("start", "count", "due"),
    [
        (date(2024, 2, 5), 5, date(2024, 2, 18)),  # 2024 Spring Festival: 2/10–2/17 off, Sun 2/18 worked
        (date(2024, 9, 27), 3, date(2024, 10, 8)),  # Sun 9/29 worked, National Day 10/1–10/7 off
        (date(2025, 1, 24), 2, date(2025, 1, 27)),  # Sun 1/26 worked, Mon 1/27 worked
        (date(2025, 9, 30), 1, date(2025, 10, 9)),  # 10/1–10/8 off (National Day + Mid-Autumn)
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Sat 2/14 is a 调休 working day in 2026
        (date(2026, 11, 20), 20, date(2026, 12, 18)),
    ],
)
def test_adding_working_days_skips_holidays_and_counts_adjusted_weekends(start, count, due) -> None:
    result = CAL.add_working_days(start, count)
    assert result.day == due and not result.provisional


def test_a_deadline_in_a_year_nobody_knows_is_provisional_and_never_fails() -> None:
    result = CAL.add_working_days(date(2026, 12, 20), 20)
    assert result.provisional
    # 12/21–25(1–5) 12/28–31(6–9) [元旦 1/1 off, statutory] 1/4–8(10–14) 1/11–15(15–19) 1/18(20)
    assert result.day == date(2027, 1, 18)


def test_one_date_entered_does_not_confirm_the_year() -> None:
    entered = WorkingCalendar({date(2027, 2, 20): True})  # a 调休 Saturday, nothing else yet
    result = entered.add_working_days(date(2027, 2, 18), 2)
    assert result.day == date(2027, 2, 20)  # 2/19(1) Sat 2/20(2): the entered day counts ...
    assert result.provisional  # ... but the rest of 2027 is not known: still provisional
    confirmed = WorkingCalendar({date(2027, 2, 20): True}, confirmed_years={2027})
    assert confirmed.add_working_days(date(2027, 2, 18), 2) == DayCount(date(2027, 2, 20), False)


def test_a_confirmed_year_keeps_its_statutory_holidays_and_adds_the_entered_swaps() -> None:
    # The admin enters only the notice's swaps: 2/4 and 2/9 off, Sat 2/20 worked.
    swaps = {date(2027, 2, 4): False, date(2027, 2, 9): False, date(2027, 2, 20): True}
    calendar = WorkingCalendar(swaps, confirmed_years={2027})
    # 2/3(1) [2/4 swap, 除夕 2/5, 2/6–7 weekend, 初三 2/8, 2/9 swap] 2/10(2)
    assert calendar.add_working_days(date(2027, 2, 2), 2) == DayCount(date(2027, 2, 10), False)
    assert calendar.is_working_day(date(2027, 2, 8)) == (False, False)  # 初三, never entered


# 《全国年节及纪念日放假办法》 (2024 revision) 第二条, computed from the lunar calendar library, against
# the dates everyone knows: 除夕 of 2025 is 1/28 (春节 announced 1/28–2/4), 2026 2/16, 2028 1/25.
STATUTORY = {
    2025: {
        "元旦": [date(2025, 1, 1)],
        "春节": [date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31)],
        "清明节": [date(2025, 4, 4)],
        "劳动节": [date(2025, 5, 1), date(2025, 5, 2)],
        "端午节": [date(2025, 5, 31)],
        "国庆节": [date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3)],
        "中秋节": [date(2025, 10, 6)],
    },
    2026: {
        "元旦": [date(2026, 1, 1)],
        "春节": [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19)],
        "清明节": [date(2026, 4, 5)],
        "劳动节": [date(2026, 5, 1), date(2026, 5, 2)],
        "端午节": [date(2026, 6, 19)],
        "中秋节": [date(2026, 9, 25)],
        "国庆节": [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)],
    },
    2027: {
        "元旦": [date(2027, 1, 1)],
        "春节": [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)],
        "清明节": [date(2027, 4, 5)],
        "劳动节": [date(2027, 5, 1), date(2027, 5, 2)],
        "端午节": [date(2027, 6, 9)],
        "中秋节": [date(2027, 9, 15)],
        "国庆节": [date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)],
    },
    2028: {  # 中秋 (10/3) falls within 国庆: one day off, not an extra one
        "元旦": [date(2028, 1, 1)],
        "春节": [date(2028, 1, 25), date(2028, 1, 26), date(2028, 1, 27), date(2028, 1, 28)],
        "清明节": [date(2028, 4, 4)],
        "劳动节": [date(2028, 5, 1), date(2028, 5, 2)],
        "端午节": [date(2028, 5, 28)],
        "国庆节": [date(2028, 10, 1), date(2028, 10, 2), date(2028, 10, 3)],
    },
}


@pytest.mark.parametrize("year", sorted(STATUTORY))
def test_the_statutory_holidays_of_a_year(year: int) -> None:
    expected = {day: name for name, days in STATUTORY[year].items() for day in days}
    assert statutory_holidays(year) == dict(sorted(expected.items()))


def test_before_the_2024_revision_spring_festival_began_on_new_year_and_may_day_was_one_day() -> None:
    # 2024: 初一 2/10 (除夕 2/9 a working Friday, announced 2/10–2/17); 劳动节 5/1 only
    holidays = statutory_holidays(2024)
    assert [d for d, n in holidays.items() if n == "春节"] == [
        date(2024, 2, 10),
        date(2024, 2, 11),
        date(2024, 2, 12),
    ]
    assert [d for d, n in holidays.items() if n == "劳动节"] == [date(2024, 5, 1)]
    assert holidays[date(2024, 4, 4)] == "清明节" and holidays[date(2024, 6, 10)] == "端午节"
    assert holidays[date(2024, 9, 17)] == "中秋节"


@pytest.mark.parametrize("year", range(2015, 2027))
def test_every_statutory_holiday_is_a_day_off_in_the_announced_calendar(year: int) -> None:
    """The State Council's notices (as `chinese_calendar` records them) never make a statutory holiday a
    working day: the fallback agrees with every announced year it can be checked against."""
    assert [d for d in statutory_holidays(year) if chinese_calendar.is_workday(d)] == []
    assert len(statutory_holidays(year)) == (13 if year >= 2025 else 11 - (year == 2020))  # 2020: 国庆=中秋


def test_the_2025_spring_festival_notice_only_added_days_to_the_statutory_ones() -> None:
    around = [date(2025, 1, 20) + timedelta(days=n) for n in range(21)]
    announced = {d for d in around if chinese_calendar.get_holiday_detail(d) == (True, "Spring Festival")}
    statutory = {d for d, n in statutory_holidays(2025).items() if n == "春节"}
    assert statutory < announced
    assert min(announced) == date(2025, 1, 28) and max(announced) == date(2025, 2, 4)


def test_a_deadline_across_the_2028_spring_festival_skips_it_while_provisional() -> None:
    # Received Fri 2028-01-14, 20 working days (条例第三十三条): 1/17–21(1–5) 1/24(6)
    # [除夕 1/25 – 初三 1/28 off] 1/31–2/4(7–11) 2/7–11(12–16) 2/14–17(17–20).
    # Before: Monday–Friday only, the Spring Festival counted as four working days: due 2/11.
    result = CAL.add_working_days(date(2028, 1, 14), 20)
    assert result.day == date(2028, 2, 17) and result.provisional
    # After Mon 1/24 up to Mon 1/31: the four festival weekdays and the weekend are off.
    assert CAL.working_days_between(date(2028, 1, 24), date(2028, 1, 31)) == WorkingDays(1, True)


def test_a_deadline_across_the_2027_spring_festival_skips_its_weekdays() -> None:
    # Received Mon 2027-02-01: 2/2–4(1–3) [除夕 Fri 2/5, weekend, 初三 Mon 2/8] 2/9–12(4–7) 2/15–17(8–10)
    result = CAL.add_working_days(date(2027, 2, 1), 10)
    assert result.day == date(2027, 2, 17) and result.provisional


def test_fingerprint_tells_a_confirmation_apart() -> None:
    days = {date(2027, 2, 20): True}
    assert WorkingCalendar(days).fingerprint() != WorkingCalendar(days, {2027}).fingerprint()


def test_counting_days_between() -> None:
    assert CAL.working_days_between(date(2024, 9, 30), date(2024, 10, 8)).days == 1
    assert CAL.working_days_between(date(2024, 10, 8), date(2024, 9, 30)).days == 0
