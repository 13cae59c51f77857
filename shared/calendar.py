"""Working days (工作日) in Asia/Shanghai: Monday–Friday minus public holidays plus 调休 weekends.

Sources, in order: an override table (admin-entered per date), then `chinese_calendar` for the
years it knows, then, for a year the State Council's notice has not reached the library yet, the
statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision, which stand whatever the notice
says) on Monday–Friday. Only that notice's 调休 swaps are unknown then, so such results are marked
`provisional` until an admin confirms the whole year, and never raise (docs/time-limits.md, "Working days").
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import httpx
from lunar_python import Lunar

from shared.http import ServiceClient

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=16384)
def _library_workday(day: date) -> bool | None:
    """`chinese_calendar.is_workday`, remembered (it depends on the date alone): the library scans
    its whole holiday table on every call to check the year, which made counting 20 working days
    the most expensive part of a request. None for a year the library does not know."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The days off 《全国年节及纪念日放假办法》 第二条 gives every citizen in `year`, known before the
    State Council's yearly notice: that notice only adds the bridging days and the 调休 working
    weekends. The 2024 revision (in force from 2025) added 除夕 and 2 May; before it, 春节 was
    初一–初三 and 劳动节 1 May. Lunar dates and the 清明 solar term come from `lunar_python`."""
    revised = year >= 2025

    def lunar(month: int, day: int) -> date:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())

    new_year = lunar(1, 1)  # 正月初一
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    days = {date(year, 1, 1): "元旦"}
    # 春节: 农历除夕、正月初一至初三 (除夕 is the day before 初一: 腊月廿九 or 三十)
    for offset in range(-1 if revised else 0, 3):
        days[new_year + timedelta(days=offset)] = "春节"
    days[date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    for day in (1, 2) if revised else (1,):
        days[date(year, 5, day)] = "劳动节"
    days[lunar(5, 5)] = "端午节"
    days[lunar(8, 15)] = "中秋节"
    for day in (1, 2, 3):
        days[date(year, 10, day)] = "国庆节"
    return {d: name for d, name in sorted(days.items()) if d.year == year}


def local_date(moment: datetime) -> date:
    """The calendar date in China of an aware datetime."""
    return moment.astimezone(SHANGHAI).date()


def start_of_local_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    provisional: bool


class WorkingCalendar:
    def __init__(
        self, overrides: Mapping[date, bool] | None = None, confirmed_years: Iterable[int] = ()
    ) -> None:
        # overrides: date -> True (a working day) / False (a holiday)
        self.overrides = dict(overrides or {})
        # Years an admin has confirmed as wholly entered (the State Council's notice is in): one
        # date entered is not a year confirmed.
        self.confirmed_years = frozenset(confirmed_years)
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        """Equal for calendars with the same overrides and confirmed years: tells a service its stored
        due dates (and their provisional marks) are stale. Computed once per calendar (services ask
        at every request)."""
        if self._fingerprint is None:
            text = ";".join(f"{d.isoformat()}={int(w)}" for d, w in sorted(self.overrides.items()))
            text += "|" + ",".join(str(y) for y in sorted(self.confirmed_years))
            self._fingerprint = hashlib.sha256(text.encode()).hexdigest()
        return self._fingerprint

    def is_working_day(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, is that answer provisional)."""
        known = _library_workday(day)
        if day in self.overrides:
            return self.overrides[day], known is None and day.year not in self.confirmed_years
        if known is not None:
            return known, False
        # A year the library does not know: the statutory holidays are off whatever the notice
        # will say; the 调休 swaps are not known until an admin confirms the year's calendar.
        working = day.weekday() < 5 and day not in statutory_holidays(day.year)
        return working, day.year not in self.confirmed_years

    def add_working_days(self, start: date, count: int) -> DayCount:
        """The `count`-th working day after `start` (`start` itself not counted)."""
        if count < 0:
            raise ValueError("count must be non-negative")
        day, provisional, left = start, False, count
        while left > 0:
            day += timedelta(days=1)
            working, unsure = self.is_working_day(day)
            provisional |= unsure
            if working:
                left -= 1
        return DayCount(day, provisional)

    def working_days_between(self, start: date, end: date) -> WorkingDays:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        day, provisional, total = start, False, 0
        while day < end:
            day += timedelta(days=1)
            working, unsure = self.is_working_day(day)
            provisional |= unsure
            total += working
        return WorkingDays(total, provisional)


@dataclass(frozen=True, slots=True)
class WorkingDays:
    days: int
    provisional: bool


class RemoteCalendar:
    """The calendar as the requests service keeps it (admin overrides over the library), for the
    other services: read with the service token, cached `ttl` seconds. If it cannot be reached, the
    library's calendar is used (still exact for the years it knows) and it is asked again next time."""

    def __init__(self, client: ServiceClient, ttl: float = 30.0) -> None:
        self.client, self.ttl = client, ttl
        self._cached: tuple[float, WorkingCalendar] | None = None

    async def current(self, today: date) -> WorkingCalendar:
        now = time.monotonic()
        if self._cached is not None and now - self._cached[0] < self.ttl:
            return self._cached[1]
        overrides: dict[date, bool] = {}
        confirmed: set[int] = set()
        try:
            for year in (today.year - 1, today.year, today.year + 1):
                response = await self.client.get("/api/v1/admin/calendar", params={"year": year})
                response.raise_for_status()
                body = response.json()
                for item in body["days"]:
                    overrides[date.fromisoformat(item["day"])] = bool(item["working"])
                if body.get("confirmed"):
                    confirmed.add(year)
        except (httpx.HTTPError, KeyError, ValueError):
            logger.warning("calendar overrides unavailable; counting with the library's calendar")
            return WorkingCalendar()
        calendar = WorkingCalendar(overrides, confirmed)
        self._cached = (now, calendar)
        return calendar
