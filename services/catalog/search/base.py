"""The search interface both engines implement, and the shapes that cross it.

The catalog service talks only to `SearchEngine`; which engine runs is a setting
(`CATALOG_SEARCH_ENGINE`). Highlights cross the interface as text with the sentinel marks
`MARK_START`/`MARK_END` around matches, never as HTML: `to_safe_html` escapes the text and only
then turns the sentinels into `<mark>` tags, so a title containing `<script>` stays text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from shared.calendar import local_date

MARK_START = "\ue000"
MARK_END = "\ue001"
FACETS = ("agency_id", "category", "doc_type", "year")


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """What the index holds of one published, public document (the database is the truth)."""

    id: int
    index_no: str
    title: str
    doc_number: str | None
    body: str  # plain text
    agency_id: int
    agency_path: tuple[int, ...]  # the issuing agency and all its ancestors (for subtree filters)
    agency_name: str
    category: str
    doc_type: str
    validity: str
    written_on: date | None
    published_at: datetime  # aware, UTC

    @property
    def year(self) -> int:
        """The publication year in China (a document published at 00:30 on 1 January counts there)."""
        return local_date(self.published_at).year


@dataclass(frozen=True, slots=True)
class SearchQuery:
    q: str = ""
    agency_id: int | None = None  # the agency and its descendants
    categories: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    validities: tuple[str, ...] = ()
    published_from: date | None = None  # inclusive, Asia/Shanghai calendar date
    published_to: date | None = None  # inclusive
    sort: Literal["relevance", "date"] = "relevance"
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    score: float
    title: str  # with MARK_START/MARK_END around matches
    snippet: str  # a short passage of the body with marks, or its beginning when nothing matched
    document: IndexedDocument
    matched_words: list[str] = field(default_factory=list)  # the query words this document contains


@dataclass(slots=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> count
    took_ms: float = 0.0
    query_words: list[str] = field(default_factory=list)  # the words that count (no question words)
    relaxed: bool = False  # some results do not contain every query word
    did_you_mean: list[str] = field(default_factory=list)  # when nothing matched: indexed terms close to it


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str
    kind: Literal["term", "title", "doc_number"]
    document_id: int | None = None


class SearchEngine(Protocol):
    async def setup(self) -> None:
        """Creates the index and applies its settings; safe to call at every start."""

    async def upsert(self, documents: list[IndexedDocument]) -> None:
        """Adds or replaces documents by id (idempotent: replaying a message changes nothing)."""

    async def delete(self, ids: list[int]) -> None:
        """Removes documents by id; unknown ids are ignored."""

    async def clear(self) -> None:
        """Removes every document (used by `reindex`)."""

    async def set_synonyms(self, groups: list[list[str]]) -> None:
        """Each group is a set of equivalent terms, e.g. ["低保", "最低生活保障"]."""

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def suggest(self, prefix: str, limit: int, agency_id: int | None = None) -> list[Suggestion]:
        """Completions of what a searcher has typed so far: terms, titles and 文号 (of the agency
        and its subordinates when `agency_id` is given)."""

    async def count(self) -> int: ...

    async def ping(self) -> None:
        """Raises when the engine cannot answer (readiness)."""

    async def close(self) -> None: ...


def to_safe_html(marked: str) -> str:
    """Escapes everything, then turns the sentinel marks into <mark> tags."""
    return html.escape(marked, quote=True).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
