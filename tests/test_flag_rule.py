"""The yellow/red flag (电子监察) has one home, `shared.deadlines`: its Python form and its SQL form
give the same answer for the same due dates, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from shared.calendar import WorkingCalendar
from shared.deadlines import (
    LOCAL_LEGACY,
    NATIONAL_2019,
    Flag,
    due_standing,
    flag_condition,
    flag_for_due,
    flag_of,
    warning_periods,
)
from tests.conftest import create_database

CALENDAR = WorkingCalendar()
MONDAY = date(2025, 3, 3)  # an ordinary week: Monday 3 to Friday 7 March 2025 are working days

# (due date, flag on MONDAY with the usual 3-working-day warning)
DUE_TABLE = [
    (date(2025, 2, 28), Flag.RED),  # the Friday before: past due
    (date(2025, 3, 2), Flag.RED),  # yesterday, a Sunday: past due all the same
    (MONDAY, Flag.YELLOW),  # due today: 0 working days left
    (date(2025, 3, 6), Flag.YELLOW),  # Thursday: 3 working days left, the last yellow day
    (date(2025, 3, 7), Flag.NONE),  # Friday: 4 left
    (date(2025, 3, 10), Flag.NONE),
]


def test_flag_of_is_red_past_due_and_yellow_within_the_warning_period_unless_paused() -> None:
    assert flag_of(date(2025, 3, 4), MONDAY, -1, 3) is Flag.RED
    assert flag_of(date(2025, 3, 4), MONDAY, -1, 3, paused=True) is Flag.RED
    assert flag_of(MONDAY, date(2025, 3, 6), 3, 3) is Flag.YELLOW
    assert flag_of(MONDAY, date(2025, 3, 6), 3, 3, paused=True) is Flag.NONE
    assert flag_of(MONDAY, date(2025, 3, 7), 4, 3) is Flag.NONE
    assert flag_of(MONDAY, date(2025, 3, 7), 4, 5) is Flag.YELLOW


@pytest.mark.parametrize(("due", "flag"), DUE_TABLE)
def test_flag_for_due_follows_the_table(due: date, flag: Flag) -> None:
    assert flag_for_due(due, MONDAY, CALENDAR) is flag
    assert due_standing(due, MONDAY, CALENDAR)[0] is flag


def test_flag_for_due_without_a_due_date_is_none_and_counts_the_admin_calendar() -> None:
    assert flag_for_due(None, MONDAY, CALENDAR) is Flag.NONE
    # Tuesday 4 March made a holiday: Friday 7 March is now 3 working days away, yellow.
    holiday = WorkingCalendar({date(2025, 3, 4): False})
    assert flag_for_due(date(2025, 3, 7), MONDAY, holiday) is Flag.YELLOW
    assert due_standing(date(2025, 2, 28), MONDAY, CALENDAR)[1].days == -1


async def test_flag_condition_selects_exactly_the_rows_flag_for_due_names(
    backend: str, tmp_path: Path
) -> None:
    wide = replace(NATIONAL_2019, key="wide", warn_working_days=5)
    rule_sets = [NATIONAL_2019, LOCAL_LEGACY, wide]
    rows = [
        {"id": i * 10 + n, "rule_set": rules.key, "due_on": due}
        for n, rules in enumerate(rule_sets)
        for i, (due, _) in enumerate(DUE_TABLE)
    ]
    meta = sa.MetaData()
    table = sa.Table(
        "clocks",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rule_set", sa.String),
        sa.Column("due_on", sa.Date),
    )
    engine = create_async_engine(await create_database(backend, tmp_path, "flags"))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(meta.create_all)
            await conn.execute(sa.insert(table), rows)
            periods = warning_periods(table.c.rule_set, rule_sets)
            assert sorted(periods) == [3, 5]
            by_key = {r.key: r for r in rule_sets}
            for flag in (Flag.RED, Flag.YELLOW):
                found = (
                    await conn.execute(
                        sa.select(table.c.id).where(
                            flag_condition(table.c.due_on, flag, MONDAY, CALENDAR, periods)
                        )
                    )
                ).scalars()
                expected = {
                    r["id"]
                    for r in rows
                    if flag_for_due(r["due_on"], MONDAY, CALENDAR, by_key[r["rule_set"]].warn_working_days)
                    is flag
                }
                assert set(found) == expected
            # Without periods every row has the usual 3 working days.
            yellow = (
                await conn.execute(
                    sa.select(table.c.due_on)
                    .distinct()
                    .where(flag_condition(table.c.due_on, Flag.YELLOW, MONDAY, CALENDAR))
                )
            ).scalars()
            assert sorted(yellow) == [MONDAY, date(2025, 3, 6)]
    finally:
        await engine.dispose()
    # The wide rule set's Friday (4 left, within 5) is yellow; the usual one's is not.
    assert flag_for_due(date(2025, 3, 7), MONDAY, CALENDAR, 5) is Flag.YELLOW
    with pytest.raises(ValueError):
        flag_condition(table.c.due_on, Flag.NONE, MONDAY, CALENDAR)
