"""The Meilisearch engine, through the official `meilisearch` client.

The client is synchronous (requests), so every call runs in a thread. Writes are asynchronous
tasks in Meilisearch: each write here waits for its task, so a document is searchable when
`upsert` returns, and a failed task raises `MeiliTaskError`.

Queries go through `analysis.normalize_query` first (traditional → simplified, full-width →
half-width, doc-number brackets → 〔〕, every 文号 in its canonical form, quotes as `"`);
Meilisearch does its own Chinese segmentation. Highlights come back with the sentinel marks as
pre/post tags, never as HTML.

The behaviour matches the embedded engine's through the index settings and the search request:
the domain dictionary is `dictionary`, question and function words are `stopWords`, built-in
and administrator synonyms are `synonyms`, 文号 keys are the searchable `doc_number_keys` and
`cited_numbers`, and `rankingRules` start with `words` (more query words matched first). A query
is asked with `matchingStrategy: "all"` first; when that finds fewer than `RELAX_BELOW`
documents it is asked again with `"frequency"` (the most frequent words dropped first).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchApiError
from meilisearch.models.task import TaskInfo

from services.catalog.search import analysis, lexicon
from services.catalog.search.base import (
    FACETS,
    MARK_END,
    MARK_START,
    IndexedDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    Suggestion,
)

# attribute order is the `attribute` ranking rule: title > 文号 > body
SEARCHABLE = ["title", "doc_number", "doc_number_keys", "body", "cited_numbers", "agency_name"]
FILTERABLE = ["id", "agency_path", "agency_id", "category", "doc_type", "validity", "published_ts", "year"]
SORTABLE = ["published_ts"]
RANKING_RULES = ["words", "typo", "proximity", "attribute", "sort", "exactness"]
CROP_LENGTH = 60
SEPARATORS = ["〔", "〕"]
RELAX_BELOW = 10  # as the embedded engine
SUGGEST_DOCS = 4


class MeiliTaskError(RuntimeError):
    def __init__(self, task_uid: int, status: str, error: dict[str, Any] | None) -> None:
        self.task_uid = task_uid
        self.status = status
        self.error = error or {}
        self.code = self.error.get("code")
        super().__init__(f"Meilisearch task {task_uid} {status}: {self.error.get('message', '')}".strip())


def index_settings(max_values_per_facet: int = 1000, max_total_hits: int = 200_000) -> dict[str, Any]:
    """The index settings `setup` applies (a PATCH: synonyms set by `set_synonyms` are kept)."""
    return {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": FILTERABLE,
        "sortableAttributes": SORTABLE,
        "rankingRules": RANKING_RULES,
        "stopWords": sorted(lexicon.stopwords()),
        "dictionary": [term for term, _ in lexicon.dictionary()],
        "separatorTokens": SEPARATORS,
        "faceting": {"maxValuesPerFacet": max_values_per_facet},
        "pagination": {"maxTotalHits": max_total_hits},
    }


def quote(value: str) -> str:
    """A string literal in Meilisearch's filter syntax."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_filter(query: SearchQuery) -> list[str]:
    """The filter expressions (ANDed as a list) for a query's filters."""
    filters: list[str] = []
    if query.agency_id is not None:
        filters.append(f"agency_path = {int(query.agency_id)}")
    for field, values in (
        ("category", query.categories),
        ("doc_type", query.doc_types),
        ("validity", query.validities),
    ):
        if values:
            filters.append(f"{field} IN [{', '.join(quote(v) for v in values)}]")
    low, high = analysis.published_bounds(query.published_from, query.published_to)
    if low is not None:
        filters.append(f"published_ts >= {low}")
    if high is not None:
        filters.append(f"published_ts <= {high}")
    return filters


_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"'})


def meili_query(q: str) -> str:
    """The query text as Meilisearch gets it: normalised, 文号 canonical, quotes as `"`."""
    text = analysis.normalize_query(q).translate(_QUOTES)
    out, pos = [], 0
    for number in analysis.find_doc_numbers(text):
        out.append(text[pos : number.start])
        out.append(f" {number.canonical} ")
        pos = number.end
    out.append(text[pos:])
    return " ".join("".join(out).split())


def build_search_params(query: SearchQuery, matching: str = "all") -> tuple[str, dict[str, Any]]:
    """(q, the body of POST /indexes/{uid}/search less q) for a query."""
    q = meili_query(query.q)
    params: dict[str, Any] = {
        "facets": list(FACETS),
        "attributesToHighlight": ["title", "body"],
        "highlightPreTag": MARK_START,
        "highlightPostTag": MARK_END,
        "attributesToCrop": ["body"],
        "cropLength": CROP_LENGTH,
        "cropMarker": analysis.ELLIPSIS,
        "hitsPerPage": max(0, query.page_size),
        "page": max(1, query.page),
        "showRankingScore": True,
        "matchingStrategy": matching,
    }
    filters = build_filter(query)
    if filters:
        params["filter"] = filters
    if query.sort == "date" or not q:
        params["sort"] = ["published_ts:desc"]
    return q, params


def to_meili(doc: IndexedDocument) -> dict[str, Any]:
    data = analysis.encode_document(doc)
    data["published_ts"] = analysis.published_ts(doc.published_at)
    data["year"] = doc.year
    data["doc_number_keys"] = analysis.own_number_keys(doc.doc_number)
    data["cited_numbers"] = list(
        dict.fromkeys([*analysis.doc_number_keys(doc.title), *analysis.doc_number_keys(doc.body)])
    )
    return data


def parse_search_response(response: dict[str, Any]) -> tuple[list[SearchHit], int, dict[str, dict[str, int]]]:
    hits: list[SearchHit] = []
    for hit in response.get("hits", []):
        doc = analysis.decode_document(hit)
        formatted = hit.get("_formatted") or {}
        hits.append(
            SearchHit(
                id=doc.id,
                score=float(hit.get("_rankingScore") or 0.0),
                title=str(formatted.get("title") or doc.title),
                snippet=str(formatted.get("body") if formatted.get("body") is not None else doc.body[:120]),
                document=doc,
            )
        )
    total = response.get("totalHits")
    if total is None:
        total = response.get("estimatedTotalHits", len(hits))
    distribution = response.get("facetDistribution") or {}
    facets = {name: {str(k): int(v) for k, v in (distribution.get(name) or {}).items()} for name in FACETS}
    return hits, int(total), facets


class MeiliEngine:
    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        index_uid: str = "documents",
        *,
        request_timeout_s: int = 30,
        task_timeout_s: float = 300.0,
        task_poll_ms: int = 20,
    ) -> None:
        self.url = url.rstrip("/")
        self.index_uid = index_uid
        self._client = meilisearch.Client(self.url, api_key or None, timeout=request_timeout_s)
        self._index = self._client.index(index_uid)
        self._task_timeout_ms = int(task_timeout_s * 1000)
        self._task_poll_ms = task_poll_ms
        self._synonyms = analysis.Synonyms.with_builtin()

    # --- helpers -----------------------------------------------------------------------------

    def _wait(self, info: TaskInfo) -> None:
        task = self._client.wait_for_task(
            info.task_uid, timeout_in_ms=self._task_timeout_ms, interval_in_ms=self._task_poll_ms
        )
        if task.status != "succeeded":
            raise MeiliTaskError(task.uid, task.status, task.error)

    # --- SearchEngine ------------------------------------------------------------------------

    def _setup(self) -> None:
        try:
            self._wait(self._client.create_index(self.index_uid, {"primaryKey": "id"}))
        except MeiliTaskError as exc:
            if exc.code != "index_already_exists":
                raise
        except MeilisearchApiError as exc:  # pragma: no cover - older servers answer 409 at once
            if exc.code != "index_already_exists":
                raise
        self._wait(self._index.update_settings(index_settings()))

    async def setup(self) -> None:
        await asyncio.to_thread(self._setup)

    async def upsert(self, documents: list[IndexedDocument]) -> None:
        if not documents:
            return
        latest = {doc.id: doc for doc in documents}
        payload = [to_meili(doc) for doc in latest.values()]
        await asyncio.to_thread(lambda: self._wait(self._index.add_documents(payload, primary_key="id")))

    async def delete(self, ids: list[int]) -> None:
        if not ids:
            return
        expression = f"id IN [{', '.join(str(int(i)) for i in sorted(set(ids)))}]"
        await asyncio.to_thread(lambda: self._wait(self._index.delete_documents(filter=expression)))

    async def clear(self) -> None:
        await asyncio.to_thread(lambda: self._wait(self._index.delete_all_documents()))

    async def set_synonyms(self, groups: list[list[str]]) -> None:
        synonyms = analysis.Synonyms.with_builtin(groups)
        await asyncio.to_thread(lambda: self._wait(self._index.update_synonyms(synonyms.mapping())))
        self._synonyms = synonyms

    def _search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        parsed = analysis.parse_query(query.q, self._synonyms)
        q, params = build_search_params(query)
        response = self._index.search(q, params)
        hits, total, facets = parse_search_response(response)
        relaxed = False
        if total < RELAX_BELOW and len(parsed.relaxable) >= 2 and query.sort == "relevance":
            q, params = build_search_params(query, "frequency")
            response = self._index.search(q, params)
            hits, total, facets = parse_search_response(response)
            relaxed = True
        hits = [replace(hit, matched_words=analysis.matched_words(parsed, hit.document)) for hit in hits]
        did_you_mean = self._did_you_mean(parsed) if total == 0 and parsed.words else []
        return SearchResult(
            hits=hits,
            total=total,
            facets=facets,
            took_ms=(time.perf_counter() - started) * 1000,
            query_words=parsed.query_words,
            relaxed=relaxed,
            did_you_mean=did_you_mean,
        )

    def _count(self, term: str) -> int:
        response = self._index.search(term, {"limit": 0, "matchingStrategy": "all"})
        return int(response.get("estimatedTotalHits") or response.get("totalHits") or 0)

    def _did_you_mean(self, parsed: analysis.ParsedQuery) -> list[str]:
        return analysis.corrections(parsed, self._count, lambda word: ())

    def _suggest(self, prefix: str, limit: int, agency_id: int | None = None) -> list[Suggestion]:
        text = analysis.normalize_query(prefix)
        if not text or limit <= 0:
            return []
        scope = {"filter": build_filter(SearchQuery(agency_id=agency_id))} if agency_id is not None else {}
        items: list[Suggestion] = []
        number_prefix = analysis.doc_number_prefix(text)
        if number_prefix:
            response = self._index.search(
                number_prefix,
                {
                    "limit": SUGGEST_DOCS,
                    "attributesToSearchOn": ["doc_number"],
                    "attributesToRetrieve": ["id", "doc_number"],
                    **scope,
                },
            )
            for hit in response.get("hits", []):
                if analysis.normalize_doc_number(hit.get("doc_number")).startswith(number_prefix):
                    items.append(Suggestion(str(hit["doc_number"]), "doc_number", int(hit["id"])))
        compact = text.replace(" ", "")
        items += [Suggestion(term, "term") for term in lexicon.terms_with_prefix(compact, limit)]
        response = self._index.search(
            text,
            {
                "limit": SUGGEST_DOCS,
                "attributesToSearchOn": ["title"],
                "attributesToRetrieve": ["id", "title"],
                **scope,
            },
        )
        items += [Suggestion(str(h["title"]), "title", int(h["id"])) for h in response.get("hits", [])]
        return analysis.rank_suggestions(items, limit)

    async def suggest(self, prefix: str, limit: int, agency_id: int | None = None) -> list[Suggestion]:
        return await asyncio.to_thread(self._suggest, prefix, limit, agency_id)

    async def search(self, query: SearchQuery) -> SearchResult:
        return await asyncio.to_thread(self._search, query)

    async def count(self) -> int:
        stats = await asyncio.to_thread(self._index.get_stats)
        return int(stats.number_of_documents)

    async def ping(self) -> None:
        health = await asyncio.to_thread(self._client.health)
        if health.get("status") != "available":
            raise RuntimeError(f"Meilisearch is not available: {health!r}")

    async def close(self) -> None:
        return None
