"""An agency's place in the tree and its rule set, asked of the catalog service (which owns agencies).

Services store each item's agency path (`/1/2/5/`: ancestors and the agency itself) so region scope
is a substring test (`shared.auth.region_marker`) without a join across databases. The same
`GET /api/v1/catalog/agencies/{id}` answers the agency's rule-set history, so an item takes the rule
set in force on its received date (docs/time-limits.md, "Rule sets").
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, runtime_checkable

import httpx

from shared.calendar import local_date
from shared.db import utcnow
from shared.deadlines import DEFAULT_RULE_SET
from shared.errors import InvalidField, ServiceUnavailable
from shared.http import ServiceClient

# A rule-set change recorded in the catalog is seen by every later submission within this many
# seconds (the history is cached per agency no longer than this; paths are cached for good). A change
# takes effect tomorrow at the earliest, and a copy read on an earlier day is read again for an item
# received on a later one, so a change recorded just before midnight still governs the next day.
RULE_SET_TTL_SECONDS = 10.0


class AgencyLookup(Protocol):
    async def __call__(self, agency_id: int, field: str = "agency_id") -> str: ...


@runtime_checkable
class RuleSetSource(Protocol):
    """A lookup that also knows each agency's rule-set history (the catalog's does)."""

    async def rule_set_on(self, agency_id: int, on: date, field: str = "agency_id") -> str: ...


History = tuple[tuple[date, str], ...]  # (effective_on, rule set key), by effective_on, then recorded


def history_of(agency: dict[str, Any]) -> History:
    """The (effective_on, key) pairs of an agency's JSON, in the order they take effect."""
    return tuple(
        (date.fromisoformat(entry["effective_on"]), entry["rule_set"])
        for entry in agency.get("rule_set_history") or ()
    )


def in_force(history: History, on: date) -> str:
    """The rule set in force on `on`: the last entry effective on or before it; before any entry
    (and for an agency that never chose) the Regulation's."""
    index = bisect_right([effective for effective, _ in history], on)
    return history[index - 1][1] if index else DEFAULT_RULE_SET


class CatalogAgencies:
    """`agency_id` → its path (`await lookup(agency_id)`), and its rule set on a day
    (`await lookup.rule_set_on(agency_id, day)`), from the catalog with the service token.

    Parents are cached for good (agencies rarely move); rule-set histories for `ttl` seconds, so a
    change made by an admin governs later submissions within that time. An unknown agency is a 422
    naming `field`."""

    def __init__(
        self,
        client: ServiceClient,
        *,
        ttl: float = RULE_SET_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = lambda: local_date(utcnow()),
    ) -> None:
        self.client, self.ttl, self.clock, self.today = client, ttl, clock, today
        self._parents: dict[int, int | None] = {}
        self._histories: dict[int, tuple[float, date, History]] = {}

    async def _fetch(self, agency_id: int, field: str) -> dict[str, Any]:
        try:
            response = await self.client.get(f"/api/v1/catalog/agencies/{agency_id}")
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("目录服务暂不可用，无法核对机关，请稍后重试") from exc
        if response.status_code == 404:
            raise InvalidField(field, f"机关 {agency_id} 不存在", code="agency_not_found")
        if response.status_code != 200:
            raise ServiceUnavailable("目录服务暂不可用，无法核对机关，请稍后重试")
        agency: dict[str, Any] = response.json()
        self._parents[agency_id] = agency.get("parent_id")
        self._histories[agency_id] = (self.clock(), self.today(), history_of(agency))
        return agency

    async def _parent_of(self, agency_id: int, field: str) -> int | None:
        if agency_id not in self._parents:
            await self._fetch(agency_id, field)
        return self._parents[agency_id]

    async def __call__(self, agency_id: int, field: str = "agency_id") -> str:
        chain = [agency_id]
        parent = await self._parent_of(agency_id, field)
        while parent is not None and parent not in chain and len(chain) < 20:
            chain.append(parent)
            parent = await self._parent_of(parent, field)
        return "/" + "/".join(str(i) for i in reversed(chain)) + "/"

    async def rule_set_on(self, agency_id: int, on: date, field: str = "agency_id") -> str:
        """The key of the rule set governing an item of this agency received on `on`."""
        cached = self._histories.get(agency_id)
        if cached is None or self.clock() - cached[0] >= self.ttl or on > cached[1]:
            await self._fetch(agency_id, field)
            cached = self._histories[agency_id]
        return in_force(cached[2], on)


def catalog_lookup(client: ServiceClient, *, ttl: float = RULE_SET_TTL_SECONDS) -> CatalogAgencies:
    return CatalogAgencies(client, ttl=ttl)


async def rule_set_on(lookup: AgencyLookup, agency_id: int, on: date, field: str = "agency_id") -> str:
    """The rule set an item of `agency_id` received on `on` takes. A lookup that knows only the tree
    (a stand-in catalog in tests) has no rule-set settings to read: every agency keeps the Regulation."""
    if isinstance(lookup, RuleSetSource):
        return await lookup.rule_set_on(agency_id, on, field)
    return DEFAULT_RULE_SET


def parent_in_path(path: str) -> int | None:
    """The parent of the agency a path ends with (None for a root)."""
    ids = [int(p) for p in path.strip("/").split("/") if p]
    return ids[-2] if len(ids) > 1 else None
