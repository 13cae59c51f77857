"""Working days (工作日) in Asia/Shanghai: Monday–Friday minus public holidays plus 调休 weekends.

Sources, in order: an override table (admin-entered per date), then `chinese_calendar` for the
years it knows, then plain Monday–Friday for years nobody knows yet — such results are marked
`provisional` and never raise (DOMAIN.md, Working days).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import httpx

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
    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        # overrides: date -> True (a working day) / False (a holiday)
        self.overrides = dict(overrides or {})
        self._override_years = {d.year for d in self.overrides}
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        """Equal for calendars with the same overrides: tells a service its stored due dates are stale.
        Computed once per calendar (services ask at every request)."""
        if self._fingerprint is None:
            text = ";".join(f"{d.isoformat()}={int(w)}" for d, w in sorted(self.overrides.items()))
            self._fingerprint = hashlib.sha256(text.encode()).hexdigest()
        return self._fingerprint

    def is_working_day(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, is that answer provisional)."""
        if day in self.overrides:
            return self.overrides[day], False
        known = _library_workday(day)
        if known is not None:
            return known, False
        # A year the library does not know: an admin who entered any date of that year
        # has entered its calendar; otherwise count Monday–Friday and say so.
        return day.weekday() < 5, day.year not in self._override_years

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
        try:
            for year in (today.year - 1, today.year, today.year + 1):
                response = await self.client.get("/api/v1/admin/calendar", params={"year": year})
                response.raise_for_status()
                for item in response.json()["days"]:
                    overrides[date.fromisoformat(item["day"])] = bool(item["working"])
        except (httpx.HTTPError, KeyError, ValueError):
            logger.warning("calendar overrides unavailable; counting with the library's calendar")
            return WorkingCalendar()
        calendar = WorkingCalendar(overrides)
        self._cached = (now, calendar)
        return calendar
