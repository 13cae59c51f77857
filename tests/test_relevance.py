"""Relevance on the hand-judged set (tests/judged/): the figures must not regress.

The set is realistic 政务公开 text written for this purpose (guides, notices, Q&A, regulations,
reports, 公示 lists) with the queries citizens type — questions, paraphrases, 文号 in other bracket
styles, mixed scripts — graded after reading, pooled over the earlier ranking, this one and
plain BM25. `bench/relevance.py` prints the full table; this test holds the floors below (a
little under what the ranking measures today) and checks the set itself is as large and varied
as the issue asks.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import uuid
from collections import Counter
from pathlib import Path

import pytest

from services.catalog.search.embedded import EmbeddedEngine
from services.catalog.search.meili import MeiliEngine
from tests import judged_set

# Measured on this set: see the closing notes / `make bench`. A change that lowers these fails.
# Measured today: recall@10 0.930, nDCG@10 0.903, MRR 0.967; lowest kind: paraphrase nDCG 0.824.
FLOORS = {"recall": 0.91, "ndcg": 0.88, "mrr": 0.95}
KIND_FLOOR = 0.80  # recall@10 and nDCG@10 of every kind
ZERO_RESULTS_BELOW = 0.02


def test_the_judged_set_is_large_varied_and_consistent() -> None:
    judged = judged_set.load()
    assert len(judged.documents) >= 400
    assert len(judged.queries) >= 150
    kinds = Counter(q.kind for q in judged.queries)
    assert set(kinds) <= set(judged_set.KINDS)
    assert kinds["question"] >= 30 and kinds["paraphrase"] >= 25
    assert kinds["doc_number"] >= 15 and kinds["mixed"] >= 15
    keys = set(judged.keys.values())
    assert len(keys) == len(judged.documents)
    for q in judged.queries:
        assert q.grades and set(q.grades) <= keys, q.id
        assert 2 in q.grades.values(), q.id
    # 文号 queries are about numbers cited in body text, not only in the 文号 field
    cited = [d for d in judged.documents if "〔" in d.body or "[" in d.body or "【" in d.body]
    assert len(cited) >= 40


@pytest.fixture(scope="module")
async def ranked(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    return await judged_set.rank_on_embedded(Path(tmp_path_factory.mktemp("judged")) / "index")


async def test_the_ranking_keeps_its_figures_on_the_judged_set(ranked: tuple) -> None:
    ours, plain = ranked
    table = judged_set.by_kind(ours)
    overall = table["all"]
    assert overall.recall >= FLOORS["recall"], overall
    assert overall.ndcg >= FLOORS["ndcg"], overall
    assert overall.mrr >= FLOORS["mrr"], overall
    assert overall.zero_results < ZERO_RESULTS_BELOW, overall
    for kind in judged_set.KINDS:
        assert min(table[kind].recall, table[kind].ndcg) >= KIND_FLOOR, (kind, table[kind])
    # and it is better than a plain BM25 OR query on the same index, overall and for questions
    baseline = judged_set.by_kind(plain)
    assert overall.ndcg > baseline["all"].ndcg
    assert table["question"].ndcg > baseline["question"].ndcg
    assert table["paraphrase"].recall > baseline["paraphrase"].recall


def test_the_metrics_count_what_they_should() -> None:
    grades = {"a": 2, "b": 1, "c": 2}
    assert judged_set.recall_at_k(["a", "x", "b"], grades) == pytest.approx(2 / 3)
    assert judged_set.reciprocal_rank(["x", "b"], grades) == 0.5
    assert judged_set.ndcg_at_k(["a", "c", "b"], grades) == pytest.approx(1.0)
    assert judged_set.ndcg_at_k(["b", "c", "a"], grades) < 1.0
    assert judged_set.ndcg_at_k([], grades) == 0.0


MEILI_URL = os.environ.get("MEILI_URL", "")


@pytest.mark.skipif(
    not MEILI_URL,
    reason="Meilisearch runs only when MEILI_URL is set (its adapter's requests are checked in test_search_engines)",
)
async def test_both_engines_agree_on_the_judged_queries(tmp_path: Path) -> None:
    """The same queries on a real Meilisearch and on the embedded engine: their top 10 overlap."""
    judged = judged_set.load()
    embedded = EmbeddedEngine(tmp_path / "index")
    meili = MeiliEngine(
        MEILI_URL, os.environ.get("MEILI_API_KEY") or None, index_uid=f"judged_{uuid.uuid4().hex[:10]}"
    )
    overlaps = []
    try:
        for engine in (embedded, meili):
            await engine.setup()
            await engine.set_synonyms([])
            await engine.upsert(judged.documents)
        ours = await judged_set.run_engine(embedded, judged)
        theirs = await judged_set.run_engine(meili, judged)
        for (_, a, _), (_, b, _) in zip(ours, theirs, strict=True):
            if a or b:
                overlaps.append(len(set(a) & set(b)) / len(set(a) | set(b)))
        meili_scores = judged_set.by_kind(theirs)["all"]
    finally:
        await embedded.close()
        await asyncio.to_thread(lambda: meili._client.index(meili.index_uid).delete())
    assert statistics.fmean(overlaps) >= 0.5, statistics.fmean(overlaps)
    assert meili_scores.zero_results < ZERO_RESULTS_BELOW
    assert meili_scores.recall >= FLOORS["recall"] - 0.1, meili_scores
