"""Search analytics: a query log without personal data, the results people open, and the admin's
report of what the public looks for and does not find.

A search must not wait for a log write, so the search route hands a small record to
`SearchAnalytics` (one per process, owned by the app and started and stopped in its lifespan).
About once a second it writes what has gathered in one transaction, and in the same transaction
deletes rows older than the retention period (`CATALOG_SEARCH_LOG_RETENTION_DAYS`). A failed
write is logged and its rows dropped: analytics never fails or slows a search.

Only page 1 of a non-empty query counts as a search (later pages are the same search). Queries
are kept normalised (`analysis.normalize_query`: 最低生活保障標準 and 最低生活保障标准 are one
query), and a click is kept under the same text, so clicks join their searches. Nothing about
the visitor is kept: no address, account, user agent or token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import sqlmodel
from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.models import Document, DocumentStatus, Scope, SearchClick, SearchLogEntry
from services.catalog.schemas import (
    ReportedQuery,
    SearchClickIn,
    SearchReport,
    SearchResponse,
    UnclickedQuery,
    ZeroResultQuery,
)
from services.catalog.search.analysis import normalize_query
from services.catalog.search.base import SearchQuery
from shared.calendar import local_date, start_of_local_day
from shared.db import table_of, utcnow
from shared.errors import InvalidField

log = logging.getLogger("gongkai.catalog.analytics")

FLUSH_SECONDS = 1.0
# Rows waiting for the database, at most (it may be down a while): later records are dropped.
MAX_PENDING = 50_000
# Even with no traffic, old rows are deleted at least this often.
PRUNE_SECONDS = 3600.0
DEFAULT_REPORT_DAYS = 30
MAX_REPORT_DAYS = 366
# A query counts as "unclicked" once it found something this many times and nobody opened a result.
UNCLICKED_MIN_SEARCHES = 2

_LOG_INSERT = insert(table_of(SearchLogEntry))  # compiled once, rows bound
_CLICK_INSERT = insert(table_of(SearchClick))


def _filters(query: SearchQuery) -> dict[str, Any]:
    """The filters a search was made with (those given) and its sort."""
    given = {
        "agency_id": query.agency_id,
        "category": list(query.categories),
        "doc_type": list(query.doc_types),
        "validity": list(query.validities),
        "from": query.published_from.isoformat() if query.published_from else None,
        "to": query.published_to.isoformat() if query.published_to else None,
    }
    return {key: value for key, value in given.items() if value not in (None, [])} | {"sort": query.sort}


class SearchAnalytics:
    """The in-process buffer between the search route and the log tables."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        retention_days: int,
        flush_seconds: float = FLUSH_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.retention = timedelta(days=retention_days)
        self.flush_seconds = flush_seconds
        self.clock = clock
        self.dropped = 0  # records refused since the last flush because too many were waiting
        self._searches: list[dict[str, Any]] = []
        self._clicks: list[dict[str, Any]] = []
        self._lock = asyncio.Lock()
        self._last_prune = float("-inf")
        self._task: asyncio.Task[None] | None = None

    # --- recording: synchronous, no I/O ---------------------------------------------------------

    def _room(self) -> bool:
        if len(self._searches) + len(self._clicks) < MAX_PENDING:
            return True
        self.dropped += 1
        return False

    def record_search(self, query: SearchQuery, response: SearchResponse) -> None:
        """Queues one search (page 1 of a non-empty query only)."""
        if query.page != 1:
            return
        q = normalize_query(query.q)
        if not q or not self._room():
            return
        self._searches.append(
            {
                "searched_at": self.clock(),
                "q": q,
                "filters": _filters(query),
                "page": query.page,
                "total": response.total,
                # The engine may loosen a query that finds nothing (a field the response gains soon).
                "relaxed": bool(getattr(response, "relaxed", False)),
            }
        )

    def record_click(self, *, q: str, document_id: int, position: int) -> None:
        normalised = normalize_query(q)
        if not normalised or not self._room():
            return
        self._clicks.append(
            {"clicked_at": self.clock(), "q": normalised, "document_id": document_id, "position": position}
        )

    @property
    def pending(self) -> int:
        return len(self._searches) + len(self._clicks)

    # --- writing ------------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Writes the queued rows and deletes those past retention, in one transaction.

        Never raises: a failure is logged and the rows it held are dropped (a search log is worth
        less than a search). Tests call it to write at once instead of waiting for the timer.
        """
        async with self._lock:
            searches, self._searches = self._searches, []
            clicks, self._clicks = self._clicks, []
            dropped, self.dropped = self.dropped, 0
            if dropped:
                log.warning("search analytics: %d records dropped (too many waiting)", dropped)
            cutoff = self.clock() - self.retention
            try:
                async with self.sessionmaker() as session:
                    connection = await session.connection()
                    if searches:
                        await connection.execute(_LOG_INSERT, searches)
                    if clicks:
                        await connection.execute(_CLICK_INSERT, clicks)
                    await connection.execute(
                        delete(SearchLogEntry).where(col(SearchLogEntry.searched_at) < cutoff)
                    )
                    await connection.execute(delete(SearchClick).where(col(SearchClick.clicked_at) < cutoff))
                    await session.commit()
                self._last_prune = time.monotonic()
            except Exception:
                log.exception(
                    "search analytics: writing %d searches and %d clicks failed; they are dropped",
                    len(searches),
                    len(clicks),
                )

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            if self._searches or self._clicks or time.monotonic() - self._last_prune > PRUNE_SECONDS:
                await self.flush()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="search-analytics")

    async def stop(self) -> None:
        """Stops the timer and writes what is still queued."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()


# --- clicks --------------------------------------------------------------------------------------------


async def record_click(session: AsyncSession, analytics: SearchAnalytics, data: SearchClickIn) -> None:
    """Queues a click on a document the public can see (others name nothing a search could show)."""
    found = (
        await session.exec(
            sqlmodel.select(Document.status, Document.scope).where(col(Document.id) == data.document_id)
        )
    ).first()
    if found is None or tuple(found) != (DocumentStatus.PUBLISHED, Scope.PUBLIC):
        raise InvalidField("body.document_id", "文件不存在或未公开发布", code="document_not_found")
    analytics.record_click(q=data.q, document_id=data.document_id, position=data.position)


# --- the report ------------------------------------------------------------------------------------------


def report_period(from_date: date | None, to_date: date | None, today: date) -> tuple[date, date]:
    """The calendar days (Asia/Shanghai, inclusive) a report covers: by default the last 30."""
    if to_date is None:
        to_date = today if from_date is None else max(today, from_date)
    if from_date is None:
        from_date = to_date - timedelta(days=DEFAULT_REPORT_DAYS - 1)
    if from_date > to_date:
        raise InvalidField("query.from", "开始日期不能晚于结束日期")
    if (to_date - from_date).days + 1 > MAX_REPORT_DAYS:
        raise InvalidField("query.to", f"统计区间最长 {MAX_REPORT_DAYS} 天", also=("query.from",))
    return from_date, to_date


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


async def report(
    session: AsyncSession,
    *,
    from_date: date | None,
    to_date: date | None,
    limit: int,
    today: date | None = None,
) -> SearchReport:
    """Figures and lists for a period, each from one grouped query (no log row is loaded)."""
    first, last = report_period(from_date, to_date, today or local_date(utcnow()))
    start, end = start_of_local_day(first), start_of_local_day(last + timedelta(days=1))
    log_t, click_t = table_of(SearchLogEntry), table_of(SearchClick)
    in_period = (log_t.c.searched_at >= start) & (log_t.c.searched_at < end)
    clicked_in_period = (click_t.c.clicked_at >= start) & (click_t.c.clicked_at < end)
    zero = func.coalesce(func.sum(case((log_t.c.total == 0, 1), else_=0)), 0)
    connection = await session.connection()

    searches, zero_results = (
        await connection.execute(select(func.count(), zero).select_from(log_t).where(in_period))
    ).one()
    clicks = (
        await connection.execute(select(func.count()).select_from(click_t).where(clicked_in_period))
    ).scalar_one()

    per_query = (
        select(log_t.c.q, func.count().label("searches"), zero.label("zero"))
        .where(in_period)
        .group_by(log_t.c.q)
        .subquery()
    )
    clicks_per_query = (
        select(click_t.c.q, func.count().label("clicks"))
        .where(clicked_in_period)
        .group_by(click_t.c.q)
        .subquery()
    )
    top = await connection.execute(
        select(
            per_query.c.q, per_query.c.searches, per_query.c.zero, func.coalesce(clicks_per_query.c.clicks, 0)
        )
        .select_from(per_query.outerjoin(clicks_per_query, clicks_per_query.c.q == per_query.c.q))
        .order_by(per_query.c.searches.desc(), per_query.c.q)
        .limit(limit)
    )
    zero_count = func.count().label("searches")
    top_zero = await connection.execute(
        select(log_t.c.q, zero_count)
        .where(in_period & (log_t.c.total == 0))
        .group_by(log_t.c.q)
        .order_by(zero_count.desc(), log_t.c.q)
        .limit(limit)
    )
    found = (
        select(log_t.c.q, func.count().label("searches"), func.max(log_t.c.total).label("total"))
        .where(in_period & (log_t.c.total > 0))
        .group_by(log_t.c.q)
        .having(func.count() >= UNCLICKED_MIN_SEARCHES)
        .subquery()
    )
    unclicked = await connection.execute(
        select(found.c.q, found.c.searches, found.c.total)
        .select_from(found.outerjoin(clicks_per_query, clicks_per_query.c.q == found.c.q))
        .where(clicks_per_query.c.q.is_(None))
        .order_by(found.c.searches.desc(), found.c.q)
        .limit(limit)
    )
    return SearchReport(
        from_date=first,
        to_date=last,
        searches=searches,
        zero_result_searches=int(zero_results),
        zero_result_rate=_rate(int(zero_results), searches),
        clicks=clicks,
        click_through_rate=_rate(clicks, searches),
        top_queries=[
            ReportedQuery(q=q, searches=n, zero_result_searches=int(z), clicks=int(c)) for q, n, z, c in top
        ],
        top_zero_result_queries=[ZeroResultQuery(q=q, searches=n) for q, n in top_zero],
        unclicked_queries=[UnclickedQuery(q=q, searches=n, total=t) for q, n, t in unclicked],
    )
