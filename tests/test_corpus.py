"""The demo/benchmark corpus generator and the search judgments built on it."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import date

import pytest

from services.catalog.corpus import AGENCIES, LATEST_PUBLICATION, TOPICS, CorpusDocument, generate
from services.catalog.models import BUILTIN_CATEGORIES, BUILTIN_DOC_TYPES, Validity
from tests.search_judgments import (
    CORPUS_SEED,
    CORPUS_SIZE,
    Judgment,
    judgments,
    ndcg_at_k,
    recall_at_k,
    relevant_keys_for,
)

DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{2,5}〔(\d{4})〕\d+号$")


@pytest.fixture(scope="module")
def corpus() -> list[CorpusDocument]:
    return generate(CORPUS_SIZE, CORPUS_SEED)


def test_deterministic(corpus: list[CorpusDocument]) -> None:
    assert generate(CORPUS_SIZE, CORPUS_SEED) == corpus
    assert generate(CORPUS_SIZE, CORPUS_SEED + 1) != corpus
    assert generate(50, CORPUS_SEED) == generate(50, CORPUS_SEED)


def test_topics_are_well_formed() -> None:
    assert len(TOPICS) >= 40
    for key, topic in TOPICS.items():
        assert topic.key == key
        assert topic.category in BUILTIN_CATEGORIES, key
        assert topic.doc_type in BUILTIN_DOC_TYPES, key
        assert topic.titles and topic.intros and len(topic.sections) >= 3, key
        assert all(code in AGENCIES for code in topic.agencies), key


def test_spread(corpus: list[CorpusDocument]) -> None:
    assert len(corpus) == CORPUS_SIZE
    assert {d.agency_code for d in corpus} == set(AGENCIES)
    assert {d.written_on.year for d in corpus} == {2024, 2025, 2026}
    assert len({d.category for d in corpus}) >= 15
    assert len({d.doc_type for d in corpus}) >= 8
    assert {d.topic for d in corpus} == set(TOPICS)
    validity = Counter(d.validity for d in corpus)
    assert set(validity) <= {v.value for v in Validity}
    assert validity[Validity.VALID] > len(corpus) * 0.6
    assert validity[Validity.EXPIRED] > 0 and validity[Validity.REPEALED] > 0


def test_fields(corpus: list[CorpusDocument]) -> None:
    keys = [d.key for d in corpus]
    assert len(set(keys)) == len(keys)
    assert keys[41] == "d00042"
    numbers = [d.doc_number for d in corpus if d.doc_number is not None]
    assert len(numbers) > len(corpus) // 2
    assert len(set(numbers)) == len(numbers)
    late = 0
    for doc in corpus:
        assert doc.title and doc.topic in TOPICS
        assert doc.category == TOPICS[doc.topic].category and doc.doc_type == TOPICS[doc.topic].doc_type
        assert 300 <= len(doc.body) <= 1500, (doc.key, len(doc.body))
        assert "{" not in doc.body + doc.title and "}" not in doc.body + doc.title, doc.key
        assert doc.body.count("\n") >= 3
        assert doc.written_on < doc.published_on <= LATEST_PUBLICATION
        late += (doc.published_on - doc.written_on).days > 30
        if doc.doc_number is not None:
            match = DOC_NUMBER.match(doc.doc_number)
            assert match, doc.doc_number
            assert int(match.group(1)) == doc.written_on.year
            assert doc.doc_number.startswith(AGENCIES[doc.agency_code].prefix)
    assert 0 < late < len(corpus) * 0.1


def test_agency_subset_and_years() -> None:
    docs = generate(200, 7, agency_codes=["99012101", "990102"], years=(2023,))
    assert {d.agency_code for d in docs} == {"99012101", "990102"}
    assert {d.written_on.year for d in docs} == {2023}
    assert all(d.published_on <= LATEST_PUBLICATION for d in generate(300, 1, years=(2026,)))


def test_judgments_have_relevant_documents(corpus: list[CorpusDocument]) -> None:
    found = judgments(corpus)
    assert len(found) >= 45
    kinds = Counter(j.kind for j in found)
    for kind in ("word", "phrase", "doc_number", "doc_number_variant", "mixed", "traditional", "synonym"):
        assert kinds[kind] >= 1, kind
    assert kinds["english_typo"] >= 1  # the corpus mentions COVID-19
    assert kinds["body_phrase"] >= 3
    by_key = {d.key: d for d in corpus}
    for judgment in found:
        relevant = relevant_keys_for(judgment, corpus)
        assert relevant, judgment.query
        if judgment.kind == "doc_number":
            (key,) = judgment.relevant_keys
            assert by_key[key].doc_number == judgment.query
        elif judgment.kind == "doc_number_variant":
            (key,) = judgment.relevant_keys
            assert "[" in judgment.query and by_key[key].doc_number == judgment.query.replace(
                "[", "〔"
            ).replace("]", "〕")
        elif judgment.kind == "body_phrase":
            (key,) = judgment.relevant_keys
            assert 8 <= len(judgment.query) <= 14
            assert [d.key for d in corpus if judgment.query in d.body or judgment.query in d.title] == [key]


def test_metrics() -> None:
    relevant = {"a", "b"}
    assert recall_at_k(["a", "x", "b"], relevant) == 1.0
    assert recall_at_k(["x", "a"], relevant) == 0.5
    assert recall_at_k(["x"] * 10 + ["a"], relevant) == 0.0
    assert ndcg_at_k(["a", "b", "x"], relevant) == pytest.approx(1.0)
    assert 0 < ndcg_at_k(["x", "a", "b"], relevant) < 1
    assert ndcg_at_k(["x", "y"], relevant) == 0.0
    assert recall_at_k(["a"] + [str(i) for i in range(20)], {str(i) for i in range(30)}, k=10) == 0.9
    judgment = Judgment(
        "x", "word", relevant_topics=frozenset({"covid"}), relevant_keys=frozenset({"d00001"})
    )
    assert "d00001" in relevant_keys_for(judgment, generate(5))


def test_benchmark_size() -> None:
    start = time.perf_counter()
    docs = generate(100_000)
    elapsed = time.perf_counter() - start
    print(f"generated {len(docs)} documents in {elapsed:.2f} s")
    assert len(docs) == 100_000
    assert docs[-1].key == "d100000" and docs[-1].written_on >= date(2024, 1, 1)
