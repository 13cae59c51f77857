"""The hand-judged relevance set: realistic 政务公开 passages and the queries citizens type.

`tests/judged/part_*.json` hold passages (guides, notices, Q&A, regulations, reports, 公示 lists)
and queries graded per passage after reading (2 answers the query, 1 partly useful, absent not
relevant), pooled over the top 10 of the earlier ranking, the current one and plain BM25; the
pooled passages read and found not relevant are kept per query in `judged_not_relevant`, so a
later pooling round reads only what is new. Query
kinds: `question` (natural-language questions), `paraphrase` (the searcher's words, not the
document's), `doc_number` (a 文号 typed in another bracket style than the texts), `mixed`
(Chinese with digits or latin), `word`, `phrase`.

Used by `tests/test_relevance.py` (floors that keep the figures from regressing) and
`bench/relevance.py` (the full table against plain BM25).
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import tantivy

from services.catalog.search import analysis
from services.catalog.search.base import IndexedDocument, SearchEngine, SearchQuery
from services.catalog.search.embedded import TEXT_FIELDS, EmbeddedEngine

JUDGED = Path(__file__).parent / "judged"
KINDS = ("question", "paraphrase", "doc_number", "mixed", "word", "phrase")
K = 10


@dataclass(frozen=True, slots=True)
class Judged:
    id: str
    query: str
    kind: str
    grades: dict[str, int]  # passage key -> 1 or 2


@dataclass(frozen=True, slots=True)
class JudgedSet:
    documents: list[IndexedDocument]
    keys: dict[int, str]  # document id -> passage key
    queries: list[Judged]


def load(folder: Path = JUDGED) -> JudgedSet:
    passages: list[dict] = []
    queries: list[Judged] = []
    for path in sorted(folder.glob("part_*.json")):
        data = json.loads(path.read_text("utf-8"))
        passages += data["passages"]
        for q in data["queries"]:
            grades = {k: int(g) for k, g in q["grades"].items() if int(g) > 0}
            queries.append(Judged(q["id"], q["query"], q["kind"], grades))
    agencies: dict[str, int] = {}
    documents, keys = [], {}
    for position, p in enumerate(passages, start=1):
        agency = agencies.setdefault(p["agency"], len(agencies) + 1)
        day = date.fromisoformat(p["published_on"])
        published = datetime.combine(day, time(2, 0), tzinfo=UTC) + timedelta(minutes=position)
        documents.append(
            IndexedDocument(
                id=position,
                index_no=f"JUDGED-{p['key']}",
                title=p["title"],
                doc_number=p.get("doc_number") or None,
                body=p["body"],
                agency_id=agency,
                agency_path=(agency,),
                agency_name=p["agency"],
                category=p["category"],
                doc_type=p["doc_type"],
                validity="valid",
                written_on=day,
                published_at=published,
            )
        )
        keys[position] = p["key"]
    return JudgedSet(documents, keys, queries)


def recall_at_k(ranked: Sequence[str], grades: dict[str, int], k: int = K) -> float:
    if not grades:
        return 0.0
    return sum(1 for key in ranked[:k] if key in grades) / min(len(grades), k)


def ndcg_at_k(ranked: Sequence[str], grades: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** grades.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def reciprocal_rank(ranked: Sequence[str], grades: dict[str, int], k: int = K) -> float:
    for i, key in enumerate(ranked[:k]):
        if key in grades:
            return 1.0 / (i + 1)
    return 0.0


@dataclass(frozen=True, slots=True)
class Scores:
    queries: int
    recall: float
    ndcg: float
    mrr: float
    zero_results: float  # share of queries that found nothing


def score(runs: Iterable[tuple[Judged, Sequence[str], int]]) -> Scores:
    """Means over (query, ranked passage keys, total found) runs."""
    rows = list(runs)
    if not rows:
        return Scores(0, 0.0, 0.0, 0.0, 0.0)
    return Scores(
        queries=len(rows),
        recall=statistics.fmean(recall_at_k(r, j.grades) for j, r, _ in rows),
        ndcg=statistics.fmean(ndcg_at_k(r, j.grades) for j, r, _ in rows),
        mrr=statistics.fmean(reciprocal_rank(r, j.grades) for j, r, _ in rows),
        zero_results=sum(1 for _, _, total in rows if total == 0) / len(rows),
    )


def by_kind(runs: Sequence[tuple[Judged, Sequence[str], int]]) -> dict[str, Scores]:
    out = {"all": score(runs)}
    for kind in KINDS:
        out[kind] = score(r for r in runs if r[0].kind == kind)
    return out


# --- running the queries -----------------------------------------------------------------------


async def run_engine(engine: SearchEngine, judged: JudgedSet) -> list[tuple[Judged, list[str], int]]:
    """Each query through the engine's own search (top K), as the API asks it."""
    runs = []
    for q in judged.queries:
        result = await engine.search(SearchQuery(q=q.query, page_size=K))
        runs.append((q, [judged.keys[h.id] for h in result.hits], result.total))
    return runs


def bm25_or(engine: EmbeddedEngine, q: str) -> tantivy.Query:
    """The plain baseline: any of the query's words (jieba, precise mode) in any text field,
    scored by BM25 with the engine's field boosts; no synonyms, no question words, no relaxing."""
    schema = engine._schema
    clauses = []
    for word in dict.fromkeys(analysis.words(q)):
        for field, boost in TEXT_FIELDS.items():
            term = tantivy.Query.term_query(schema, field, word, index_option="freq")
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(term, boost)))
    return tantivy.Query.boolean_query(clauses)


def run_bm25_or(engine: EmbeddedEngine, judged: JudgedSet) -> list[tuple[Judged, list[str], int]]:
    searcher = engine._open().searcher()
    runs = []
    for q in judged.queries:
        result = searcher.search(bm25_or(engine, q.query), K, count=True)
        ids = [searcher.doc(address).get_first("id") for _, address in result.hits]
        runs.append((q, [judged.keys[int(i)] for i in ids], int(result.count or 0)))
    return runs


async def rank_on_embedded(index_dir: Path) -> tuple[list[tuple[Judged, list[str], int]], ...]:
    """The judged set indexed into a fresh embedded engine: (our ranking, plain BM25 OR) runs."""
    judged = load()
    engine = EmbeddedEngine(index_dir)
    await engine.setup()
    try:
        await engine.upsert(judged.documents)
        return await run_engine(engine, judged), run_bm25_or(engine, judged)
    finally:
        await engine.close()
