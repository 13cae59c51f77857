"""Working-day arithmetic across real holiday periods, with 调休 weekends, and unknown years."""

from __future__ import annotations

from datetime import date

import pytest

from shared.calendar import WorkingCalendar

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
    assert result.day == date(2027, 1, 15)  # plain Monday–Friday: even 1 January counts until entered


def test_an_entered_calendar_overrides_and_removes_the_provisional_mark() -> None:
    entered = WorkingCalendar({date(2027, 1, 1): False, date(2027, 1, 4): True})
    result = entered.add_working_days(date(2026, 12, 31), 2)
    assert result == entered.add_working_days(date(2026, 12, 31), 2)
    assert result.day == date(2027, 1, 5) and not result.provisional


def test_counting_days_between() -> None:
    assert CAL.working_days_between(date(2024, 9, 30), date(2024, 10, 8)).days == 1
    assert CAL.working_days_between(date(2024, 10, 8), date(2024, 9, 30)).days == 0
