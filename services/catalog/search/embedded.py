"""The embedded engine: a tantivy index on local disk.

tantivy-py has no hook for a Python tokenizer, so text is segmented here (analysis.py, jieba) and
indexed as space-joined tokens with tantivy's `whitespace` tokenizer; the original text is kept in
a stored JSON blob for display and highlighting. The `*_seg` fields hold search-mode tokens (each
word preceded by the dictionary words inside it) with positions, so one field serves both term
and phrase queries; `doc_number` holds the normalised number whole, for exact matches.

Ranking is BM25: title ×3, doc number ×2, body and agency name ×1. Every query word must match
(in any field, or through a synonym, or as its parts); the whole query as a phrase adds a boost
(title more than body), so consecutive matches rank above scattered ones; an exact document
number ranks first; latin words of 4+ letters also match within one edit.
Facet counts come from tantivy's terms aggregation over the whole filtered result set.

One writer per index (tantivy locks the directory): writes are serialised with an asyncio.Lock and
all blocking work runs in a thread. Every upsert/delete batch is committed and the reader reloaded
before the call returns, so a change is searchable as soon as the call completes. The writer is
dropped after `writer_idle_s` without writes, so another process (`gongkai reindex`) can take the
lock; a writer waits up to `lock_timeout_s` for it. Such a process's commits reach this one's
reader by tantivy's on-commit reload, and its synonyms through synonyms.json's mtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy

from services.catalog.search import analysis
from services.catalog.search.analysis import decode_document, encode_document, published_ts
from services.catalog.search.base import (
    FACETS,
    IndexedDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
META_FILE = "gongkai-search.json"
SYNONYMS_FILE = "synonyms.json"
FACET_SIZE = 10_000
_FACET_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-facets")

TITLE_PHRASE_BOOST = 6.0
BODY_PHRASE_BOOST = 2.0
DOC_NUMBER_EXACT_BOOST = 50.0
FUZZY_BOOST = 0.5
FUZZY_MIN_LEN = 4
LOOSE_BOOST = 0.5

# field -> boost of a term or phrase matched in it
TEXT_FIELDS = {"title_seg": 3.0, "body_seg": 1.0, "doc_number_seg": 2.0, "agency_seg": 1.0}


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:  # search-mode tokens, with positions for phrases
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("doc_number", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("agency_id", indexed=True, fast=True)
    sb.add_integer_field("agency_path", indexed=True, fast=True)
    for name in ("category", "doc_type", "validity"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("published_ts", indexed=True, fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_bytes_field("data", stored=True)
    return sb.build()


def _facet_key(key: Any) -> str:
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    return str(key)


class EmbeddedEngine:
    def __init__(
        self,
        index_dir: Path | str,
        *,
        writer_heap_bytes: int = 256_000_000,
        writer_threads: int = 0,
        writer_idle_s: float = 5.0,
        lock_timeout_s: float = 30.0,
    ) -> None:
        self.index_dir = Path(index_dir)
        self._heap = writer_heap_bytes
        self._threads = writer_threads
        self._schema = _schema()
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._synonyms = analysis.Synonyms()
        self._synonyms_stamp: tuple[int, int] | None = None
        self._write_lock = asyncio.Lock()
        self._idle_s = writer_idle_s
        self._lock_timeout_s = lock_timeout_s
        self._last_write = 0.0
        self._idle_task: asyncio.Task[None] | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        if self._index is not None:
            return self._index
        self.index_dir.mkdir(parents=True, exist_ok=True)
        meta_path = self.index_dir / META_FILE
        meta: dict[str, Any] = {}
        if meta_path.exists():
            try:
                meta = json.loads(meta_path.read_text("utf-8"))
            except ValueError:
                meta = {}
        if meta.get("schema") != SCHEMA_VERSION and (self.index_dir / "meta.json").exists():
            # The index is derived data: an index in an older layout is dropped (run `reindex`).
            log.warning(
                "search index at %s has schema %s, not %s: recreating it empty",
                self.index_dir,
                meta.get("schema"),
                SCHEMA_VERSION,
            )
            for child in self.index_dir.iterdir():
                if child.name == SYNONYMS_FILE:
                    continue
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        index = tantivy.Index(self._schema, path=str(self.index_dir), reuse=True)
        _atomic_write(meta_path, json.dumps({"schema": SCHEMA_VERSION}))
        self._refresh_synonyms()
        analysis.warm_up()
        self._index = index
        return index

    def _refresh_synonyms(self) -> None:
        """Loads synonyms.json when it changed (another process, e.g. `reindex`, may write it)."""
        try:
            st = os.stat(self.index_dir / SYNONYMS_FILE)
        except FileNotFoundError:
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._synonyms_stamp:
            self._synonyms = analysis.Synonyms.loads((self.index_dir / SYNONYMS_FILE).read_text("utf-8"))
            self._synonyms_stamp = stamp

    def _get_writer(self) -> tantivy.IndexWriter:
        """The writer, waiting (up to lock_timeout_s) while another process holds the index lock."""
        index = self._open()
        if self._writer is None:
            deadline = time.monotonic() + self._lock_timeout_s
            while True:
                try:
                    self._writer = index.writer(self._heap, self._threads)
                    break
                except ValueError as exc:
                    if "LockBusy" not in str(exc) or time.monotonic() >= deadline:
                        raise
                    time.sleep(0.1)
        return self._writer

    def _release_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.wait_merging_threads()

    async def _write(self, work: Callable[..., None], *args: Any) -> None:
        async with self._write_lock:
            await asyncio.to_thread(work, *args)
            self._last_write = time.monotonic()
        if self._idle_task is None or self._idle_task.done():
            self._idle_task = asyncio.create_task(self._release_when_idle())

    async def _release_when_idle(self) -> None:
        """Drops the writer (and tantivy's directory lock) after writer_idle_s without writes,
        so another process — `gongkai reindex` — can write to the same index."""
        while True:
            wait = self._last_write + self._idle_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            async with self._write_lock:
                if time.monotonic() - self._last_write < self._idle_s:
                    continue
                await asyncio.to_thread(self._release_writer)
                return

    async def setup(self) -> None:
        await asyncio.to_thread(self._open)

    async def close(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._idle_task
            self._idle_task = None
        async with self._write_lock:
            await asyncio.to_thread(self._close)

    def _close(self) -> None:
        self._release_writer()
        self._index = None

    async def ping(self) -> None:
        await asyncio.to_thread(lambda: self._open().searcher().num_docs)

    async def count(self) -> int:
        return await asyncio.to_thread(lambda: int(self._open().searcher().num_docs))

    # --- writes ------------------------------------------------------------------------------

    def _document(self, doc: IndexedDocument) -> tantivy.Document:
        out = tantivy.Document()
        out.add_integer("id", doc.id)
        out.add_text("title_seg", analysis.index_text(doc.title))
        out.add_text("body_seg", analysis.index_text(doc.body))
        number = analysis.normalize_doc_number(doc.doc_number)
        if number:
            out.add_text("doc_number", number)
            out.add_text("doc_number_seg", analysis.index_text(number))
        if doc.agency_name:
            out.add_text("agency_seg", analysis.index_text(doc.agency_name))
        out.add_integer("agency_id", doc.agency_id)
        for agency in dict.fromkeys((*doc.agency_path, doc.agency_id)):
            out.add_integer("agency_path", agency)
        out.add_text("category", doc.category)
        out.add_text("doc_type", doc.doc_type)
        out.add_text("validity", doc.validity)
        out.add_integer("published_ts", published_ts(doc.published_at))
        out.add_integer("year", doc.year)
        out.add_bytes("data", json.dumps(encode_document(doc), ensure_ascii=False).encode())
        return out

    def _batch(self, work: Callable[[tantivy.IndexWriter], None]) -> None:
        """Runs one batch of writer operations and commits it; a failed batch is rolled back whole."""
        writer = self._get_writer()
        try:
            work(writer)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        assert self._index is not None
        self._index.reload()

    def _upsert(self, documents: list[IndexedDocument]) -> None:
        latest = {doc.id: doc for doc in documents}  # the last version of a repeated id wins

        def work(writer: tantivy.IndexWriter) -> None:
            for doc in latest.values():
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(self._document(doc))

        self._batch(work)

    def _delete(self, ids: list[int]) -> None:
        def work(writer: tantivy.IndexWriter) -> None:
            for doc_id in set(ids):
                writer.delete_documents_by_term("id", int(doc_id))

        self._batch(work)

    def _clear(self) -> None:
        self._batch(lambda writer: writer.delete_all_documents())

    async def upsert(self, documents: list[IndexedDocument]) -> None:
        if not documents:
            return
        await self._write(self._upsert, documents)

    async def delete(self, ids: list[int]) -> None:
        if not ids:
            return
        await self._write(self._delete, ids)

    async def clear(self) -> None:
        await self._write(self._clear)

    async def set_synonyms(self, groups: list[list[str]]) -> None:
        synonyms = analysis.Synonyms(groups)
        async with self._write_lock:
            await asyncio.to_thread(self._save_synonyms, synonyms)

    def _save_synonyms(self, synonyms: analysis.Synonyms) -> None:
        self._open()
        _atomic_write(self.index_dir / SYNONYMS_FILE, synonyms.dumps())
        self._synonyms = synonyms
        st = os.stat(self.index_dir / SYNONYMS_FILE)
        self._synonyms_stamp = (st.st_mtime_ns, st.st_size)

    # --- search ------------------------------------------------------------------------------

    def _boost(self, query: tantivy.Query, boost: float) -> tantivy.Query:
        return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query

    def _matches(self, alt: tuple[str, ...]) -> list[tantivy.Query]:
        """A term (one token) or a phrase (several) in every text field, with the field's boost."""
        schema = self._schema
        queries = []
        for field, boost in TEXT_FIELDS.items():
            if len(alt) == 1:
                query = tantivy.Query.term_query(schema, field, alt[0], index_option="freq")
            else:
                query = tantivy.Query.phrase_query(schema, field, list(alt))
            queries.append(self._boost(query, boost))
        if len(alt) == 1 and analysis.is_latin_word(alt[0]) and len(alt[0]) >= FUZZY_MIN_LEN:
            for field in ("title_seg", "body_seg"):
                fuzzy = tantivy.Query.fuzzy_term_query(schema, field, alt[0], distance=1)
                queries.append(tantivy.Query.boost_query(fuzzy, TEXT_FIELDS[field] * FUZZY_BOOST))
        return queries

    def _all_in_one_field(self, parts: tuple[str, ...]) -> list[tantivy.Query]:
        """Every part in the same field (for a word that jieba segmented differently in the text)."""
        queries = []
        for field, boost in TEXT_FIELDS.items():
            terms = [
                tantivy.Query.term_query(self._schema, field, part, index_option="freq") for part in parts
            ]
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, t) for t in terms])
            queries.append(tantivy.Query.boost_query(query, boost * LOOSE_BOOST))
        return queries

    def _text_query(self, parsed: analysis.ParsedQuery) -> tantivy.Query | None:
        if not parsed.clauses and not parsed.doc_numbers:
            return None
        should = tantivy.Occur.Should
        must = tantivy.Occur.Must
        top: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if parsed.clauses:
            required = []
            for clause in parsed.clauses:
                options = [q for alt in clause.alternatives for q in self._matches(alt)]
                if clause.loose:
                    options += self._all_in_one_field(clause.loose)
                required.append((must, tantivy.Query.boolean_query([(should, q) for q in options])))
            top.append((should, tantivy.Query.boolean_query(required)))
        if len(parsed.clauses) > 1 and len(parsed.phrase) > 1:
            phrase = list(parsed.phrase)
            for field, boost in (("title_seg", TITLE_PHRASE_BOOST), ("body_seg", BODY_PHRASE_BOOST)):
                query = tantivy.Query.phrase_query(self._schema, field, phrase)
                top.append((should, tantivy.Query.boost_query(query, boost)))
        for number in parsed.doc_numbers:
            exact = tantivy.Query.term_query(self._schema, "doc_number", number, index_option="basic")
            top.append((should, tantivy.Query.boost_query(exact, DOC_NUMBER_EXACT_BOOST)))
        return tantivy.Query.boolean_query(top)

    def _filters(self, query: SearchQuery) -> list[tantivy.Query]:
        schema = self._schema
        filters: list[tantivy.Query] = []
        if query.agency_id is not None:
            filters.append(tantivy.Query.term_query(schema, "agency_path", int(query.agency_id), "basic"))
        for field, values in (
            ("category", query.categories),
            ("doc_type", query.doc_types),
            ("validity", query.validities),
        ):
            if values:
                filters.append(tantivy.Query.term_set_query(schema, field, list(values)))
        if query.published_from is not None or query.published_to is not None:
            low, high = analysis.published_bounds(query.published_from, query.published_to)
            filters.append(
                tantivy.Query.range_query(schema, "published_ts", tantivy.FieldType.Integer, low, high)
            )
        return filters

    def build_query(self, query: SearchQuery) -> tuple[tantivy.Query, analysis.ParsedQuery]:
        parsed = analysis.parse_query(query.q, self._synonyms)
        text = self._text_query(parsed)
        filters = self._filters(query)
        if text is None and not filters:
            return tantivy.Query.all_query(), parsed
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        parts.append((tantivy.Occur.Must, text if text is not None else tantivy.Query.all_query()))
        for f in filters:
            parts.append((tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)))
        return tantivy.Query.boolean_query(parts), parsed

    def _search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        index = self._open()
        self._refresh_synonyms()
        searcher = index.searcher()
        tq, parsed = self.build_query(query)
        page = max(1, query.page)
        size = max(0, query.page_size)
        offset = (page - 1) * size
        by_date = query.sort == "date" or not parsed.clauses
        # tantivy panics on a limit of 0 and sizes its top-k heap by offset + limit: a page past
        # the last document only counts (limit 1 at offset 0) and shows nothing.
        num_docs = searcher.num_docs
        beyond = offset >= num_docs
        if beyond:
            offset, limit = 0, 1
        else:
            limit = max(1, min(size, num_docs - offset))
        # The facet counts need a second pass over the matches: it runs beside the top-k search
        # (tantivy releases the GIL), so a search costs about one pass of wall time, not two.
        aggs = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACETS}
        facet_future = _FACET_POOL.submit(searcher.aggregate, tq, aggs)
        if by_date:
            result = searcher.search(
                tq, limit, count=True, order_by_field="published_ts", offset=offset, order=tantivy.Order.Desc
            )
        else:
            result = searcher.search(tq, limit, count=True, offset=offset)
        total = int(result.count or 0)
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for name, agg in facet_future.result().items():
            if name in facets:
                facets[name] = {_facet_key(b["key"]): int(b["doc_count"]) for b in agg.get("buckets", [])}
        hits: list[SearchHit] = []
        terms = parsed.highlight_terms
        latin = [
            alt[0]
            for c in parsed.clauses
            for alt in c.alternatives
            if len(alt) == 1 and analysis.is_latin_word(alt[0]) and len(alt[0]) >= FUZZY_MIN_LEN
        ]
        for key, address in [] if beyond else result.hits[:size]:
            stored = searcher.doc(address).get_first("data")
            doc = decode_document(json.loads(bytes(stored)))
            doc_terms = terms
            if latin:
                extra = [v for w in latin for v in analysis.fuzzy_variants((doc.title, doc.body), w)]
                doc_terms = terms + extra
            hits.append(
                SearchHit(
                    id=doc.id,
                    score=0.0 if by_date else float(key),
                    title=analysis.highlight(doc.title, doc_terms),
                    snippet=analysis.snippet(doc.body, doc_terms),
                    document=doc,
                )
            )
        return SearchResult(
            hits=hits, total=total, facets=facets, took_ms=(time.perf_counter() - started) * 1000
        )

    async def search(self, query: SearchQuery) -> SearchResult:
        return await asyncio.to_thread(self._search, query)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)
