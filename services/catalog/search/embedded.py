"""The embedded engine: a tantivy index on local disk.

tantivy-py has no hook for a Python tokenizer, so text is segmented here (analysis.py, jieba) and
indexed as space-joined tokens with tantivy's `whitespace` tokenizer; the original text is kept in
a stored JSON blob for display and highlighting. The `*_seg` fields hold search-mode tokens (each
word preceded by the dictionary words inside it) with positions, so one field serves both term
and phrase queries; `doc_number` holds the normalised number whole, for exact matches.

Matching and ranking (the same behaviour the Meilisearch adapter asks of its server):
- A query is parsed into words (analysis.parse_query): question and function words never have to
  match; quoted phrases always do; a 文号 matches by its keys (`doc_number_keys` for the
  document's own number, `cited_numbers` for numbers its title or body cites, in any bracket
  style).
- Every word must match first (in any field, through a synonym or as its parts). When that
  finds fewer than `RELAX_BELOW` documents, the query is relaxed, at most two more passes: first
  a compound word may match by all of its pieces instead (政府信息公开指南 by 政府信息公开 and
  指南 apart), or, with no compound, the most frequent word becomes optional; then every word is
  optional, a compound's pieces each counting as a share of it (Meilisearch's
  `matchingStrategy: frequency`, which splits words itself). The decision
  depends only on the query and its filters, never on the page, so every page of a query agrees.
  A search sorted by date is never relaxed.
- Rank: the number of query words matched (each optional word that matches adds `TIER`, more
  than any text score), then phrase and proximity boosts, then BM25 with field boosts (title ×3,
  doc number ×2, body and agency name ×1); the document's own 文号 ranks first. Latin words of
  4+ letters also match within one edit.
Facet counts come from tantivy's terms aggregation over the whole filtered result set (after
relaxing).

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
import itertools
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from services.catalog.search import analysis, lexicon
from services.catalog.search.analysis import decode_document, encode_document, published_ts
from services.catalog.search.base import (
    FACETS,
    IndexedDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    Suggestion,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: the domain dictionary, 文号 keys
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
CITED_NUMBER_BOOST = 8.0
SYNONYM_WEIGHT = 0.8  # what the user typed ranks a little above its synonyms
PROXIMITY_SLOP = 3
# Search mode puts a long word's parts just before it (房屋 征收 国有土地上房屋征收 补偿), so the
# words of a phrase may have a word's parts between them in the index: a phrase allows that gap.
PHRASE_SLOP = 2
PROXIMITY_BOOST = {"title_seg": 2.0, "body_seg": 1.0}
TIER = 10_000.0  # one more matched word outweighs any text score
RELAX_BELOW = 10  # fewer all-word matches than this (a page of the widget) relaxes the query
SUGGEST_DOCS = 4

# field -> boost of a term or phrase matched in it
TEXT_FIELDS = {"title_seg": 3.0, "body_seg": 1.0, "doc_number_seg": 2.0, "agency_seg": 1.0}


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:  # search-mode tokens, with positions for phrases
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("doc_number", tokenizer_name="raw", index_option="basic")
    for name in ("doc_number_keys", "cited_numbers"):  # analysis.DocNumber keys
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("agency_id", indexed=True, fast=True)
    sb.add_integer_field("agency_path", indexed=True, fast=True)
    for name in ("category", "doc_type", "validity"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("published_ts", indexed=True, fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_bytes_field("data", stored=True)
    return sb.build()


@dataclass(slots=True)
class _Run:
    total: int
    hits: list[tuple[float, Any]]  # (score, doc address)
    facets: dict[str, dict[str, int]]


_REGEX_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def _regex_literal(text: str) -> str:
    """`text` as a literal in tantivy's regex syntax (the Rust regex crate's)."""
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in text)


def _stored_document(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> IndexedDocument:
    data = searcher.doc(address).get_first("data")
    assert data is not None  # every indexed document stores its data field
    return decode_document(json.loads(bytes(data)))


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
        self._synonyms = analysis.Synonyms.with_builtin()
        self._synonyms_stamp: tuple[int, int] | None = None
        self._write_lock = asyncio.Lock()
        self._idle_s = writer_idle_s
        self._lock_timeout_s = lock_timeout_s
        self._last_write = 0.0
        self._idle_task: asyncio.Task[None] | None = None
        self.rebuild_needed = False  # set when an index of an older layout or dictionary was dropped

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
        expected = {"schema": SCHEMA_VERSION, "dictionary": lexicon.fingerprint()}
        if meta != expected and (self.index_dir / "meta.json").exists():
            # The index is derived data: one in an older layout, or segmented with another
            # dictionary, is dropped; the catalog rebuilds it from the database (`rebuild_needed`).
            log.warning(
                "search index at %s was built as %s, not %s: recreating it empty",
                self.index_dir,
                meta,
                expected,
            )
            self.rebuild_needed = True
            for child in self.index_dir.iterdir():
                if child.name == SYNONYMS_FILE:
                    continue
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        index = tantivy.Index(self._schema, path=str(self.index_dir), reuse=True)
        _atomic_write(meta_path, json.dumps(expected))
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
            admin = analysis.Synonyms.loads((self.index_dir / SYNONYMS_FILE).read_text("utf-8"))
            self._synonyms = analysis.Synonyms.with_builtin(admin.groups)
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
        title, body = analysis.fold(doc.title), analysis.fold(doc.body)  # once: the costly step
        out.add_text("title_seg", analysis.index_text(title, folded=True))
        out.add_text("body_seg", analysis.index_text(body, folded=True))
        number = analysis.normalize_doc_number(doc.doc_number)
        if number:
            out.add_text("doc_number", number)
            out.add_text("doc_number_seg", analysis.index_text(number))
        for key in analysis.own_number_keys(doc.doc_number):
            out.add_text("doc_number_keys", key)
        cited = [*analysis.doc_number_keys(title, folded=True), *analysis.doc_number_keys(body, folded=True)]
        for key in dict.fromkeys(cited):
            out.add_text("cited_numbers", key)
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
        admin = analysis.Synonyms(groups)
        async with self._write_lock:
            await asyncio.to_thread(self._save_synonyms, admin)

    def _save_synonyms(self, admin: analysis.Synonyms) -> None:
        """Keeps the administrator's groups on disk; the built-in ones are added when loaded."""
        self._open()
        _atomic_write(self.index_dir / SYNONYMS_FILE, admin.dumps())
        self._synonyms = analysis.Synonyms.with_builtin(admin.groups)
        st = os.stat(self.index_dir / SYNONYMS_FILE)
        self._synonyms_stamp = (st.st_mtime_ns, st.st_size)

    # --- search ------------------------------------------------------------------------------

    def _boost(self, query: tantivy.Query, boost: float) -> tantivy.Query:
        return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query

    def _matches(self, alt: tuple[str, ...], slop: int = PHRASE_SLOP) -> list[tantivy.Query]:
        """A term (one token) or a phrase (several) in every text field, with the field's boost."""
        schema = self._schema
        queries = []
        for field, boost in TEXT_FIELDS.items():
            if len(alt) == 1:
                query = tantivy.Query.term_query(schema, field, alt[0], index_option="freq")
            else:
                query = tantivy.Query.phrase_query(schema, field, list(alt), slop=slop)
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

    def _clause_match(self, clause: analysis.Clause, pieces: bool = False) -> tantivy.Query:
        """A document matches a clause through any alternative, in any field; with `pieces`, a
        compound also through all of its pieces."""
        schema = self._schema
        if pieces and clause.pieces:
            every = [(tantivy.Occur.Must, self._clause_match(piece)) for piece in clause.pieces]
            whole_or_all = [self._clause_match(clause), tantivy.Query.boolean_query(every)]
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in whole_or_all])
        options: list[tantivy.Query] = []
        if clause.kind == "number":
            for i, key in enumerate(clause.keys):  # the typed issuer first, then shorter suffixes
                weight = 0.5**i
                own = tantivy.Query.term_query(schema, "doc_number_keys", key, index_option="basic")
                cited = tantivy.Query.term_query(schema, "cited_numbers", key, index_option="basic")
                options.append(tantivy.Query.boost_query(own, DOC_NUMBER_EXACT_BOOST * weight))
                options.append(tantivy.Query.boost_query(cited, CITED_NUMBER_BOOST * weight))
        else:
            for i, alt in enumerate(clause.alternatives):
                matches = self._matches(alt, 0 if clause.kind == "phrase" else PHRASE_SLOP)
                options += matches if i == 0 else [self._boost(q, SYNONYM_WEIGHT) for q in matches]
            if clause.loose:
                options += self._all_in_one_field(clause.loose)
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options])

    def _tier(self, clause: analysis.Clause, pieces: bool) -> tantivy.Query:
        """TIER when a document has the word; with `pieces`, a compound's share for each of its
        pieces it has (all of them, or the whole word: TIER)."""
        whole = tantivy.Query.const_score_query(self._clause_match(clause), TIER)
        if not (pieces and clause.pieces):
            return whole
        share = TIER / len(clause.pieces)
        parts = [
            (tantivy.Occur.Should, tantivy.Query.const_score_query(self._clause_match(piece), share))
            for piece in clause.pieces
        ]
        return tantivy.Query.disjunction_max_query([whole, tantivy.Query.boolean_query(parts)])

    def _text_query(
        self, parsed: analysis.ParsedQuery, optional: frozenset[int], pieces: bool = False
    ) -> tantivy.Query | None:
        """The text part of a query; the words at the `optional` positions of `parsed.words` may
        be missing, and each one that matches adds TIER (ranking by the number of words matched).
        With `pieces`, a compound word is also matched by all its pieces (or, when optional, each
        piece adds its share)."""
        words = parsed.words
        if not words:
            return None
        should, must = tantivy.Occur.Should, tantivy.Occur.Must
        top: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for i, clause in enumerate(words):
            match = self._clause_match(clause, pieces)
            if i in optional and clause.kind != "phrase":
                top.append((should, match))
                top.append((should, self._tier(clause, pieces)))
                if pieces:
                    top += [(should, self._clause_match(piece)) for piece in clause.pieces]
            else:
                top.append((must, match))
        text_clauses = [c for c in words if c.kind in ("word", "phrase") and c.alternatives]
        for left, right in itertools.pairwise(text_clauses):
            pair: list[str | tuple[int, str]] = [*left.alternatives[0], *right.alternatives[0]]
            for field, boost in PROXIMITY_BOOST.items():
                near = tantivy.Query.phrase_query(self._schema, field, pair, slop=PROXIMITY_SLOP)
                top.append((should, tantivy.Query.boost_query(near, boost)))
        if len(text_clauses) > 1 and len(parsed.phrase) > 1:
            phrase: list[str | tuple[int, str]] = list(parsed.phrase)
            for field, boost in (("title_seg", TITLE_PHRASE_BOOST), ("body_seg", BODY_PHRASE_BOOST)):
                query = tantivy.Query.phrase_query(self._schema, field, phrase, slop=PHRASE_SLOP)
                top.append((should, tantivy.Query.boost_query(query, boost)))
        return tantivy.Query.boolean_query(top)

    def _relaxations(
        self, parsed: analysis.ParsedQuery, searcher: tantivy.Searcher
    ) -> list[tuple[frozenset[int], bool]]:
        """The passes, as (optional word positions, compounds may match by their pieces): every
        word; then every word with compounds by their pieces, or (no compound) the most frequent
        word optional; then any word or piece."""
        words = parsed.words
        relaxable = [i for i, c in enumerate(words) if c.kind != "phrase"]
        compounds = any(words[i].pieces for i in relaxable)
        passes = [(frozenset[int](), False)]
        if compounds:
            passes.append((frozenset[int](), True))
        elif len(relaxable) >= 3:
            frequency = {i: self._frequency(searcher, words[i]) for i in relaxable}
            passes.append((frozenset({max(relaxable, key=lambda i: (frequency[i], i))}), False))
        if len(relaxable) >= 2 or compounds:
            passes.append((frozenset(relaxable), compounds))
        return passes

    @staticmethod
    def _frequency(searcher: tantivy.Searcher, clause: analysis.Clause) -> int:
        """How many documents a word is in (its rarest token, title or body): the most frequent
        word is the least useful one to insist on."""
        if clause.kind == "number":
            return min(searcher.doc_freq("cited_numbers", k) for k in clause.keys[:1]) if clause.keys else 0
        counts = []
        for alt in clause.alternatives:
            counts.append(
                min(searcher.doc_freq("body_seg", t) + searcher.doc_freq("title_seg", t) for t in alt)
            )
        return max(counts, default=0)

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

    def build_query(
        self,
        query: SearchQuery,
        parsed: analysis.ParsedQuery,
        optional: frozenset[int] = frozenset(),
        pieces: bool = False,
    ) -> tantivy.Query:
        text = self._text_query(parsed, optional, pieces)
        filters = self._filters(query)
        if text is None and not filters:
            return tantivy.Query.all_query()
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        parts.append((tantivy.Occur.Must, text if text is not None else tantivy.Query.all_query()))
        for f in filters:
            parts.append((tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)))
        return tantivy.Query.boolean_query(parts)

    def parse(self, q: str) -> analysis.ParsedQuery:
        self._refresh_synonyms()
        return analysis.parse_query(q, self._synonyms)

    def _search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        index = self._open()
        searcher = index.searcher()
        parsed = self.parse(query.q)
        page = max(1, query.page)
        size = max(0, query.page_size)
        by_date = query.sort == "date" or not parsed.words
        # sorted by date, partial matches would bury the full ones: only a relevance sort relaxes
        passes = self._relaxations(parsed, searcher) if not by_date else [(frozenset[int](), False)]
        optional, pieces = passes[0]
        tq = self.build_query(query, parsed, optional, pieces)
        run = self._run(searcher, tq, page, size, by_date)
        if run.total < RELAX_BELOW and len(passes) > 1:
            for candidate in passes[1:-1]:  # a middle pass is only counted: kept if it finds enough
                relaxed = self.build_query(query, parsed, *candidate)
                found = searcher.search(relaxed, 1, count=True).count  # type: ignore[attr-defined]  # tantivy's stub omits count
                if int(found or 0) >= RELAX_BELOW:
                    (optional, pieces), tq = candidate, relaxed
                    break
            else:
                optional, pieces = passes[-1]
                tq = self.build_query(query, parsed, optional, pieces)
            run = self._run(searcher, tq, page, size, by_date)
        hits = [self._hit(searcher, parsed, address, score, by_date) for score, address in run.hits]
        did_you_mean = self._did_you_mean(searcher, parsed) if run.total == 0 and parsed.words else []
        return SearchResult(
            hits=hits,
            total=run.total,
            facets=run.facets,
            took_ms=(time.perf_counter() - started) * 1000,
            query_words=parsed.query_words,
            relaxed=bool(optional) or pieces,
            did_you_mean=did_you_mean,
        )

    def _run(
        self, searcher: tantivy.Searcher, tq: tantivy.Query, page: int, size: int, by_date: bool
    ) -> _Run:
        offset = (page - 1) * size
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
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for name, agg in facet_future.result().items():
            if name in facets:
                facets[name] = {_facet_key(b["key"]): int(b["doc_count"]) for b in agg.get("buckets", [])}
        hits = (
            []
            if beyond
            else [(0.0 if by_date else float(key), address) for key, address in result.hits[:size]]
        )
        return _Run(int(result.count or 0), hits, facets)  # type: ignore[attr-defined]  # tantivy's stub omits count

    def _hit(
        self,
        searcher: tantivy.Searcher,
        parsed: analysis.ParsedQuery,
        address: Any,
        score: float,
        by_date: bool,
    ) -> SearchHit:
        doc = _stored_document(searcher, address)
        terms = parsed.highlight_terms
        latin = [
            alt[0]
            for c in parsed.words
            for alt in c.alternatives
            if len(alt) == 1 and analysis.is_latin_word(alt[0]) and len(alt[0]) >= FUZZY_MIN_LEN
        ]
        if latin:
            terms = terms + [v for w in latin for v in analysis.fuzzy_variants((doc.title, doc.body), w)]
        return SearchHit(
            id=doc.id,
            score=score,
            title=analysis.highlight(doc.title, terms),
            snippet=analysis.snippet(doc.body, terms),
            document=doc,
            matched_words=analysis.matched_words(parsed, doc),
        )

    def _indexed(self, searcher: tantivy.Searcher, term: str) -> int:
        """About how many documents a term finds: itself or a synonym, each of its words in title
        or body (the rarest word counts)."""
        found = 0
        for alternative in self._synonyms.group(term):
            parts = analysis.words(alternative, folded=True)
            if parts:
                found = max(
                    found,
                    min(searcher.doc_freq("title_seg", p) + searcher.doc_freq("body_seg", p) for p in parts),
                )
        return found

    def _did_you_mean(self, searcher: tantivy.Searcher, parsed: analysis.ParsedQuery) -> list[str]:
        def nearby(word: str) -> list[str]:
            if not word or analysis.is_latin_word(word) or not word[0].strip():
                return []
            found: dict[str, None] = {}
            for field in ("title_seg", "body_seg"):
                for term, _ in searcher.terms_with_prefix(field, word[0], limit=300):
                    found[term] = None
            return list(found)

        return analysis.corrections(parsed, lambda term: self._indexed(searcher, term), nearby)

    # --- suggestions -------------------------------------------------------------------------

    def _suggest(self, prefix: str, limit: int, agency_id: int | None = None) -> list[Suggestion]:
        text = analysis.normalize_query(prefix)
        if not text or limit <= 0:
            return []
        searcher = self._open().searcher()
        scope = self._filters(SearchQuery(agency_id=agency_id))

        def within(query: tantivy.Query) -> tantivy.Query:
            if not scope:
                return query
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in (query, *scope)])

        out: dict[tuple[str, str], Suggestion] = {}

        def add(item: Suggestion) -> None:
            if len(out) < limit * 3:
                out.setdefault((item.kind, item.text), item)

        number_prefix = analysis.doc_number_prefix(text)
        if number_prefix:
            pattern = _regex_literal(number_prefix) + ".*"
            query = within(tantivy.Query.regex_query(self._schema, "doc_number", pattern))
            for _, address in searcher.search(query, SUGGEST_DOCS, order_by_field="published_ts").hits:
                doc = _stored_document(searcher, address)
                add(Suggestion(doc.doc_number or "", "doc_number", doc.id))
        compact = text.replace(" ", "")
        in_scope = scope[0] if scope else None
        for term, _ in searcher.terms_with_prefix(
            "title_seg", compact, filter_query=in_scope, limit=limit * 2
        ):
            if term != compact and len(term) > 1 and not term.isdigit():
                add(Suggestion(term, "term"))
        for term in lexicon.terms_with_prefix(compact, limit):
            if self._indexed(searcher, term):
                add(Suggestion(term, "term"))
        words = analysis.words(text, folded=True)
        if words:
            *whole, last = words
            parts: list[tuple[tantivy.Occur, tantivy.Query]] = [
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "title_seg", w)) for w in whole
            ]
            last_query = tantivy.Query.regex_query(self._schema, "title_seg", _regex_literal(last) + ".*")
            parts.append((tantivy.Occur.Must, last_query))
            query = within(tantivy.Query.boolean_query(parts))
            for _, address in searcher.search(query, SUGGEST_DOCS, order_by_field="published_ts").hits:
                doc = _stored_document(searcher, address)
                add(Suggestion(doc.title, "title", doc.id))
        return analysis.rank_suggestions(list(out.values()), limit)

    async def suggest(self, prefix: str, limit: int, agency_id: int | None = None) -> list[Suggestion]:
        return await asyncio.to_thread(self._suggest, prefix, limit, agency_id)

    async def search(self, query: SearchQuery) -> SearchResult:
        return await asyncio.to_thread(self._search, query)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)
