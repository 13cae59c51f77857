"""Both search engines against the `SearchEngine` contract, the analysis they share, and the
Meilisearch adapter against a fake server that speaks Meilisearch's documented HTTP API.

The contract suite runs on the embedded (tantivy) engine always, and on a real Meilisearch when
MEILI_URL (and optionally MEILI_API_KEY) is set. The adapter tests always run.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.catalog.search import analysis
from services.catalog.search.base import (
    FACETS,
    MARK_END,
    MARK_START,
    IndexedDocument,
    SearchEngine,
    SearchQuery,
    to_safe_html,
)
from services.catalog.search.embedded import EmbeddedEngine
from services.catalog.search.factory import make_engine
from services.catalog.search.meili import MeiliEngine, MeiliTaskError, index_settings, quote
from shared.devrun import free_port

CST = timezone(timedelta(hours=8))
MEILI_URL = os.environ.get("MEILI_URL", "")
MEILI_API_KEY = os.environ.get("MEILI_API_KEY", "")

# Agencies: 1 市政府 → 2 市民政局 → 21 区民政科; 1 → 3 市生态环境局; 1 → 4 市住房城乡建设委


def _doc(
    id: int,
    title: str,
    body: str,
    *,
    number: str | None,
    agency: tuple[int, ...],
    name: str,
    category: str,
    doc_type: str,
    published: datetime,
    validity: str = "有效",
) -> IndexedDocument:
    return IndexedDocument(
        id=id,
        index_no=f"000014349/2024-{id:05d}",
        title=title,
        doc_number=number,
        body=body,
        agency_id=agency[-1],
        agency_path=agency,
        agency_name=name,
        category=category,
        doc_type=doc_type,
        validity=validity,
        written_on=published.date() - timedelta(days=3),
        published_at=published.astimezone(UTC),
    )


DOCS = [
    _doc(
        1,
        "北京市城乡居民最低生活保障办法",
        "第一条 为了规范城乡居民最低生活保障工作，保障困难群众基本生活，制定本办法。"
        "第二条 最低生活保障标准由市民政部门会同财政部门拟定，报市人民政府批准后公布执行。"
        "第三条 本办法自发布之日起施行。",
        number="京政发〔2023〕12号",
        agency=(1, 2),
        name="市民政局",
        category="规章",
        doc_type="办法",
        published=datetime(2023, 3, 15, 10, 0, tzinfo=CST),
    ),
    _doc(
        2,
        "关于调整本市最低生活保障标准的通知",
        "各区民政局：经市政府同意，自2024年1月1日起，本市最低生活保障标准调整为每人每月1450元。请各区抓好落实。",
        number="京民发〔2024〕3号",
        agency=(1, 2, 21),
        name="区民政科",
        category="规范性文件",
        doc_type="通知",
        published=datetime(2024, 1, 1, 0, 30, tzinfo=CST),
    ),  # 2023-12-31 in UTC
    _doc(
        3,
        "关于进一步加强临时救助工作的意见",
        "临时救助是社会救助体系的重要组成部分。各区要健全临时救助制度，对遭遇突发事件的家庭及时给予救助。",
        number="京民发〔2022〕8号",
        agency=(1, 2),
        name="市民政局",
        category="规范性文件",
        doc_type="意见",
        published=datetime(2022, 6, 10, 9, 0, tzinfo=CST),
    ),
    _doc(
        4,
        "大气污染防治行动计划",
        "为切实改善空气质量，制定本行动计划。The plan sets targets for air pollution control "
        "and for monitoring fine particulate matter across the city.",
        number="京环发〔2021〕5号",
        agency=(1, 3),
        name="市生态环境局",
        category="规范性文件",
        doc_type="计划",
        published=datetime(2021, 9, 1, 15, 0, tzinfo=CST),
    ),
    _doc(
        5,
        "生态环境状况年度报告",
        "本报告公布全市水环境、声环境和土壤环境的监测结果，以及生态环境执法情况。",
        number=None,
        agency=(1, 3),
        name="市生态环境局",
        category="其他",
        doc_type="报告",
        published=datetime(2024, 5, 20, 11, 0, tzinfo=CST),
    ),
    _doc(
        6,
        "住房公积金管理条例实施细则",
        "职工可以在购买、建造自住住房时提取住房公积金账户内的存储余额。住房公积金管理中心应当及时办理。",
        number="京建发〔2020〕15号",
        agency=(1, 4),
        name="市住房城乡建设委",
        category="规章",
        doc_type="细则",
        published=datetime(2020, 11, 11, 10, 0, tzinfo=CST),
    ),
    _doc(
        7,
        "<script>alert(1)</script>住房保障房源公告",
        "本批次公共租赁住房房源共计300套，符合条件的家庭可以在线申请。",
        number=None,
        agency=(1, 4),
        name="市住房城乡建设委",
        category="其他",
        doc_type="公告",
        published=datetime(2024, 2, 2, 9, 0, tzinfo=CST),
    ),
    _doc(
        8,
        "政府信息公开工作年度报告",
        "根据《中华人民共和国政府信息公开条例》的规定，现公布本机关年度政府信息公开工作情况。",
        number=None,
        agency=(1,),
        name="市政府办公厅",
        category="其他",
        doc_type="报告",
        published=datetime(2024, 3, 31, 23, 30, tzinfo=CST),
    ),
    _doc(
        9,
        "关于印发养老服务补贴实施办法的通知",
        "为保障经济困难老年人的生活，加大养老服务补贴力度，现将实施办法印发给你们，请遵照执行。",
        number="京民发〔2023〕20号",
        agency=(1, 2),
        name="市民政局",
        category="规范性文件",
        doc_type="通知",
        published=datetime(2023, 8, 8, 10, 0, tzinfo=CST),
    ),
    _doc(
        10,
        "关于开展社区文化活动的通知",
        "为丰富社区居民业余文化活动，各街道要做好场地安排和安全保障工作，并及时报送活动情况。"
        "活动结束后，各街道要做好生活垃圾清理，保持社区环境整洁。",
        number=None,
        agency=(1,),
        name="市政府办公厅",
        category="其他",
        doc_type="通知",
        published=datetime(2023, 5, 5, 10, 0, tzinfo=CST),
    ),
    _doc(
        11,
        "关于做好困难群众冬季生活保障工作的通知",
        "各区要做好困难群众冬季取暖补贴发放，确保困难群众温暖过冬。",
        number="京民发〔2023〕31号",
        agency=(1, 2, 21),
        name="区民政科",
        category="规范性文件",
        doc_type="通知",
        published=datetime(2023, 11, 20, 10, 0, tzinfo=CST),
    ),
    _doc(
        12,
        "城乡医疗救助实施细则",
        "医疗救助对象包括特困人员和最低生活保障家庭成员。医疗救助资金实行专户管理。",
        number="京民发〔2019〕2号",
        agency=(1, 2),
        name="市民政局",
        category="规章",
        doc_type="细则",
        published=datetime(2019, 4, 1, 10, 0, tzinfo=CST),
    ),
]
BY_ID = {d.id: d for d in DOCS}
BY_DATE = [d.id for d in sorted(DOCS, key=lambda d: d.published_at, reverse=True)]


def ids(result: Any) -> list[int]:
    return [hit.id for hit in result.hits]


# --- engines ----------------------------------------------------------------------------------

ENGINES = ["embedded", *(["meilisearch"] if MEILI_URL else [])]


@pytest.fixture(params=ENGINES)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchEngine]:
    if request.param == "embedded":
        eng: Any = EmbeddedEngine(tmp_path / "index")
    else:
        eng = MeiliEngine(MEILI_URL, MEILI_API_KEY, index_uid=f"test_{uuid.uuid4().hex[:12]}")
    await eng.setup()
    try:
        yield eng
    finally:
        await eng.close()
        if request.param == "meilisearch":
            await asyncio.to_thread(lambda: eng._client.index(eng.index_uid).delete())


@pytest.fixture
async def loaded(engine: SearchEngine) -> SearchEngine:
    await engine.upsert(DOCS)
    return engine


# --- the contract -----------------------------------------------------------------------------


async def test_upsert_then_search_a_single_word(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="公积金"))
    assert ids(result) == [6]
    assert result.total == 1
    assert result.took_ms > 0
    hit = result.hits[0]
    assert hit.document == BY_ID[6]
    assert MARK_START + "住房公积金" + MARK_END in hit.title  # 公积金 and its built-in synonym
    assert MARK_START in hit.snippet and MARK_END in hit.snippet


async def test_every_query_word_must_match_while_enough_documents_have_them(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="临时救助"))
    # one document has the word; fewer than a page, so documents with one of its pieces follow
    assert ids(result)[:1] == [3] and result.hits[0].matched_words == ["临时救助"]
    assert set(ids(result)[1:]) == {12} and result.hits[1].matched_words == []  # 医疗救助
    result = await loaded.search(SearchQuery(q="最低生活保障 标准"))
    # only two documents have both words (fewer than a page): they come first, then the relaxed rest
    assert set(ids(result)[:2]) == {1, 2} and result.relaxed
    assert all(h.matched_words == ["最低生活保障", "标准"] for h in result.hits[:2])
    assert all(len(h.matched_words) < 2 for h in result.hits[2:])
    assert result.hits[2].matched_words == ["最低生活保障"]  # 12: the whole word, without 标准


async def test_too_few_all_word_matches_relax_the_query_more_words_first(loaded: SearchEngine) -> None:
    """No document has all three words: the query is relaxed instead of answering nothing, and
    a document with two of the words ranks above every document with one."""
    result = await loaded.search(SearchQuery(q="临时救助 医疗救助 公积金"))
    assert result.relaxed
    assert result.query_words == ["临时救助", "医疗救助", "公积金"]
    found = ids(result)
    assert set(found) == {3, 6, 12}
    assert result.total == 3
    assert sum(result.facets["year"].values()) == 3  # facets describe the relaxed result set
    by_id = {h.id: h for h in result.hits}
    assert by_id[6].matched_words == ["公积金"]
    assert by_id[3].matched_words == ["临时救助"]


async def test_relaxation_is_the_same_on_every_page(loaded: SearchEngine) -> None:
    pages = [
        await loaded.search(SearchQuery(q="临时救助 医疗救助 公积金", page=p, page_size=1)) for p in (1, 2, 3)
    ]
    assert {r.relaxed for r in pages} == {True}
    assert {r.total for r in pages} == {3}
    assert sorted(h.id for r in pages for h in r.hits) == [3, 6, 12]


async def test_a_compound_written_apart_is_found_by_its_pieces_when_too_few_have_it_whole(
    loaded: SearchEngine,
) -> None:
    apart = _doc(
        50,
        "关于2024年度部门“三公”情况的说明",
        "本年度因公出国（境）、公务接待和公务用车三项经费合计下降百分之五。",
        number=None,
        agency=(1,),
        name="市政府办公厅",
        category="其他",
        doc_type="报告",
        published=datetime(2025, 3, 1, 10, 0, tzinfo=CST),
    )
    await loaded.upsert([apart])
    result = await loaded.search(SearchQuery(q="三公经费"))  # 三公 in the title, 经费 in the body
    assert ids(result)[:1] == [50] and result.relaxed
    assert result.hits[0].matched_words == ["三公经费"]


async def test_question_words_never_have_to_match(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="临时救助需要什么条件吗"))
    assert ids(result)[:1] == [3]
    assert "什么" not in result.query_words and "吗" not in result.query_words
    result = await loaded.search(SearchQuery(q="住房公积金怎么提取"))
    assert ids(result)[:1] == [6] and result.hits[0].matched_words == ["住房公积金", "提取"]


async def test_a_quoted_phrase_matches_exactly_and_is_never_relaxed(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q='"临时救助" 公积金 养老'))
    assert ids(result) == [3]
    assert result.hits[0].matched_words == ["临时救助"]
    assert ids(await loaded.search(SearchQuery(q='"救助临时"'))) == []


async def test_a_doc_number_cited_in_body_text_is_found_in_any_bracket_style(loaded: SearchEngine) -> None:
    citing = _doc(
        40,
        "关于贯彻落实最低生活保障办法的实施意见",
        "为贯彻《北京市城乡居民最低生活保障办法》（京政发［2023］ 12 号），结合本区实际，提出如下意见。",
        number="京朝政发〔2023〕7号",
        agency=(1, 2, 21),
        name="区民政科",
        category="规范性文件",
        doc_type="意见",
        published=datetime(2023, 6, 1, 10, 0, tzinfo=CST),
    )
    other = _doc(
        41,
        "关于印发民政工作要点的通知",
        "依据京政发〔2023〕13号文件，现印发本年度工作要点。",
        number=None,
        agency=(1, 2),
        name="市民政局",
        category="规范性文件",
        doc_type="通知",
        published=datetime(2023, 7, 1, 10, 0, tzinfo=CST),
    )
    await loaded.upsert([citing, other])
    for q in (
        "京政发[2023]12号",
        "京政发〔2023〕12号",
        "京政发(2023)12",
        "京政发【2023】12号",
        "京政发 2023 12号",
    ):
        result = await loaded.search(SearchQuery(q=q))
        assert ids(result)[:2] == [1, 40], q  # its own document first, then the one citing it
        assert 41 not in ids(result), q
        assert result.query_words == ["京政发〔2023〕12号"]


async def test_built_in_synonyms_find_the_documents_words(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="公租房"))
    assert ids(result) == [7]  # 公共租赁住房
    result = await loaded.search(SearchQuery(q="医保救助"))
    assert 12 in ids(result)


async def test_nothing_found_suggests_the_closest_indexed_terms(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="公租防"))  # one character off 公租房 (公共租赁住房)
    assert result.total == 0 and result.hits == []
    assert result.did_you_mean[:1] == ["公租房"]
    assert (await loaded.search(SearchQuery(q="低包"))).did_you_mean[:1] == ["低保"]  # same sound
    result = await loaded.search(SearchQuery(q="gongjijin"))  # typed in pinyin
    assert "公积金" in result.did_you_mean
    assert (await loaded.search(SearchQuery(q="临时救助"))).did_you_mean == []


async def test_suggestions_complete_terms_titles_and_doc_numbers(loaded: SearchEngine) -> None:
    items = await loaded.suggest("公积", 8)
    assert any(i.kind == "term" and i.text == "公积金" for i in items)
    assert any(i.kind == "title" and i.document_id == 6 for i in items)
    numbers = [i for i in await loaded.suggest("京民发[2023", 8) if i.kind == "doc_number"]
    assert {i.document_id for i in numbers} == {9, 11}
    assert all(i.text.startswith("京民发〔2023〕") for i in numbers)
    # an embedding site of one agency is offered that agency's (and its subordinates') documents
    in_district = await loaded.suggest("京民发[2023", 8, agency_id=21)
    assert {i.document_id for i in in_district if i.document_id is not None} == {11}
    assert all(i.document_id != 6 for i in await loaded.suggest("住房公积", 8, agency_id=3))
    assert len(await loaded.suggest("临时", 2)) <= 2
    assert await loaded.suggest("", 8) == []


async def test_consecutive_words_rank_above_scattered_ones(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="生活保障"))
    found = ids(result)
    # 1, 2, 11 and 12 have 生活保障 (1, 2 and 12 as part of 最低生活保障); 9 and 10 only have
    # 生活 and 保障 apart. Fewer than a page have both: documents with one of them follow.
    assert set(found[:6]) == {1, 2, 9, 10, 11, 12}
    for scattered in (9, 10):
        for consecutive in (1, 2, 11, 12):
            assert found.index(consecutive) < found.index(scattered)


async def test_doc_number_exact_and_with_other_brackets(loaded: SearchEngine) -> None:
    for q in ("京政发〔2023〕12号", "京政发[2023]12号", "京政发［2023］12号", "京政发（2023）12号"):
        result = await loaded.search(SearchQuery(q=q))
        assert ids(result)[:1] == [1], q
    result = await loaded.search(SearchQuery(q="京民发〔2023〕31号"))
    assert ids(result)[:1] == [11]


async def test_traditional_characters_find_simplified_text(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="臨時救助"))
    assert ids(result)[:1] == [3]
    assert MARK_START + "临时救助" + MARK_END in result.hits[0].title
    result = await loaded.search(SearchQuery(q="住房公積金"))
    assert ids(result)[:1] == [6] and result.hits[0].matched_words == ["住房公积金"]


async def test_synonyms_expand_queries(loaded: SearchEngine) -> None:
    assert ids(await loaded.search(SearchQuery(q="兜底线"))) == []
    await loaded.set_synonyms([["兜底线", "最低生活保障"]])
    result = await loaded.search(SearchQuery(q="兜底线"))
    assert set(ids(result)) == {1, 2, 12}
    assert MARK_START + "最低生活保障" + MARK_END in next(h for h in result.hits if h.id == 1).title
    # and the other way round, still finding the documents that say it in full
    assert {1, 2, 12} <= set(ids(await loaded.search(SearchQuery(q="最低生活保障"))))
    # the built-in groups stay beside the administrator's
    assert set(ids(await loaded.search(SearchQuery(q="低保")))) == {1, 2, 12}


async def test_a_misspelled_english_word_still_matches(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="polution"))
    assert ids(result) == [4]
    assert MARK_START + "pollution" + MARK_END in result.hits[0].snippet


async def test_agency_filter_covers_the_subtree(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(agency_id=2, page_size=50))
    assert set(ids(result)) == {d.id for d in DOCS if 2 in d.agency_path}
    result = await loaded.search(SearchQuery(agency_id=21))
    assert set(ids(result)) == {2, 11}
    result = await loaded.search(SearchQuery(q="通知", agency_id=21))
    assert set(ids(result)) == {2, 11}


async def test_category_and_type_filters_or_within_and_across(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(categories=("规章",)))
    assert set(ids(result)) == {1, 6, 12}
    result = await loaded.search(SearchQuery(categories=("规章", "其他"), page_size=50))
    assert set(ids(result)) == {1, 6, 12, 5, 7, 8, 10}
    result = await loaded.search(SearchQuery(categories=("规章", "其他"), doc_types=("细则", "报告")))
    assert set(ids(result)) == {6, 12, 5, 8}
    assert (await loaded.search(SearchQuery(validities=("废止",)))).total == 0


async def test_published_date_range_uses_shanghai_calendar_days(loaded: SearchEngine) -> None:
    # doc 2 was published at 00:30 on 2024-01-01 in Beijing (still 2023-12-31 in UTC)
    result = await loaded.search(SearchQuery(published_from=date(2024, 1, 1)))
    assert set(ids(result)) == {2, 5, 7, 8}
    result = await loaded.search(SearchQuery(published_to=date(2023, 12, 31), page_size=50))
    assert 2 not in ids(result) and result.total == 8
    # doc 8 at 23:30 on 2024-03-31 in Beijing: inside a range ending that day
    result = await loaded.search(
        SearchQuery(published_from=date(2024, 3, 31), published_to=date(2024, 3, 31))
    )
    assert ids(result) == [8]
    result = await loaded.search(
        SearchQuery(q="通知", published_from=date(2023, 6, 1), published_to=date(2023, 12, 31))
    )
    assert set(ids(result)) == {9, 11}


async def test_facets_count_the_whole_filtered_result(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(agency_id=2, page_size=2))
    assert len(result.hits) == 2
    matching = [d for d in DOCS if 2 in d.agency_path]
    assert result.total == len(matching)
    assert set(result.facets) == set(FACETS)
    for facet in FACETS:
        expected: dict[str, int] = {}
        for d in matching:
            value = str(getattr(d, facet))
            expected[value] = expected.get(value, 0) + 1
        assert result.facets[facet] == expected, facet
    result = await loaded.search(SearchQuery(q="通知"))
    assert result.facets["doc_type"] == {"通知": 4}


async def test_sort_by_date_and_empty_query(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(page_size=50))
    assert ids(result) == BY_DATE
    assert result.total == len(DOCS)
    result = await loaded.search(SearchQuery(q="通知", sort="date"))
    expected = [i for i in BY_DATE if i in {2, 9, 10, 11}]
    assert ids(result) == expected


async def test_pagination(loaded: SearchEngine) -> None:
    page2 = await loaded.search(SearchQuery(page=2, page_size=5))
    assert ids(page2) == BY_DATE[5:10]
    assert page2.total == len(DOCS)
    page3 = await loaded.search(SearchQuery(page=3, page_size=5))
    assert ids(page3) == BY_DATE[10:]
    far = await loaded.search(SearchQuery(q="通知", page=10**9, page_size=50))
    assert far.hits == [] and far.total == 4
    first = await loaded.search(SearchQuery(q="保障", page_size=3))
    second = await loaded.search(SearchQuery(q="保障", page=2, page_size=3))
    everything = await loaded.search(SearchQuery(q="保障", page_size=50))
    assert ids(first) + ids(second) == ids(everything)[:6]
    assert first.total == second.total == everything.total


async def test_highlights_are_marks_and_html_stays_text(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="住房保障"))
    hit = next(h for h in result.hits if h.id == 7)
    assert "<script>" in hit.title  # marks, not HTML, cross the interface
    html = to_safe_html(hit.title)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>住房保障</mark>" in html or "<mark>住房</mark>" in html


async def test_no_match_snippet_is_the_beginning(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="细则", doc_types=("细则",)))
    assert set(ids(result)) == {6, 12}
    hit = next(h for h in result.hits if h.id == 6)
    assert hit.snippet.startswith("职工可以")


async def test_delete_removes_and_unknown_ids_are_ignored(loaded: SearchEngine) -> None:
    await loaded.delete([6, 999])
    assert ids(await loaded.search(SearchQuery(q="公积金"))) == []
    assert await loaded.count() == len(DOCS) - 1
    await loaded.delete([])


async def test_upsert_twice_replaces_and_never_duplicates(loaded: SearchEngine) -> None:
    await loaded.upsert(DOCS)
    assert await loaded.count() == len(DOCS)
    changed = replace(BY_ID[6], title="住房公积金提取办法")
    await loaded.upsert([changed])
    assert await loaded.count() == len(DOCS)
    result = await loaded.search(SearchQuery(q="提取办法"))
    assert ids(result)[:1] == [6] and result.hits[0].matched_words == ["提取", "办法"]
    assert result.hits[0].document.title == "住房公积金提取办法"
    assert ids(await loaded.search(SearchQuery(q='"公积金管理条例"'))) == []  # the old title is gone


async def test_clear_removes_everything(loaded: SearchEngine) -> None:
    await loaded.clear()
    assert await loaded.count() == 0
    result = await loaded.search(SearchQuery())
    assert result.total == 0 and result.hits == []
    await loaded.upsert(DOCS[:2])
    assert await loaded.count() == 2


async def test_setup_is_idempotent_and_ping_answers(loaded: SearchEngine) -> None:
    await loaded.setup()
    await loaded.ping()
    assert await loaded.count() == len(DOCS)


async def test_page_size_zero_returns_only_counts(loaded: SearchEngine) -> None:
    result = await loaded.search(SearchQuery(q="通知", page_size=0))
    assert result.hits == [] and result.total == 4
    assert result.facets["doc_type"] == {"通知": 4}


# --- embedded only ----------------------------------------------------------------------------


async def test_embedded_finds_a_word_that_jieba_segments_differently_in_the_text(tmp_path: Path) -> None:
    # the text has 中华人民共和国政府 (one dictionary word): its search-mode parts are 中华, 华人,
    # 人民, 共和, 共和国, … but not 中华人民共和国
    engine = EmbeddedEngine(tmp_path / "index")
    await engine.setup()
    try:
        await engine.upsert(DOCS)
        result = await engine.search(SearchQuery(q="中华人民共和国"))
        assert ids(result)[:1] == [8] and result.hits[0].matched_words == ["中华人民共和国"]
        assert all(h.matched_words == [] for h in result.hits[1:])  # only some of its pieces
        assert MARK_START + "中华人民共和国" + MARK_END in result.hits[0].snippet
        assert ids(await engine.search(SearchQuery(q="政府信息公开条例")))[:1] == [8]
    finally:
        await engine.close()


async def test_embedded_index_and_synonyms_survive_a_restart(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "index")
    await engine.setup()
    await engine.upsert(DOCS)
    await engine.set_synonyms([["低保", "最低生活保障"]])
    await engine.close()

    reopened = EmbeddedEngine(tmp_path / "index")
    await reopened.setup()
    try:
        assert await reopened.count() == len(DOCS)
        assert set(ids(await reopened.search(SearchQuery(q="低保")))) == {1, 2, 12}
        await reopened.upsert([replace(BY_ID[3], title="关于加强临时救助工作的意见（修订）")])
        assert await reopened.count() == len(DOCS)
    finally:
        await reopened.close()


async def test_embedded_index_of_another_layout_or_dictionary_is_dropped_and_flagged(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "index")
    await engine.setup()
    await engine.upsert(DOCS)
    await engine.close()
    assert not engine.rebuild_needed
    meta = tmp_path / "index" / "gongkai-search.json"
    for stale in ({"schema": 1}, {**json.loads(meta.read_text()), "dictionary": "an-older-one"}):
        meta.write_text(json.dumps(stale))
        reopened = EmbeddedEngine(tmp_path / "index")
        await reopened.setup()
        try:
            assert reopened.rebuild_needed and await reopened.count() == 0
            await reopened.upsert(DOCS)
        finally:
            await reopened.close()
    again = EmbeddedEngine(tmp_path / "index")
    await again.setup()
    try:
        assert not again.rebuild_needed and await again.count() == len(DOCS)
    finally:
        await again.close()


async def test_embedded_writer_lock_is_released_for_another_process(tmp_path: Path) -> None:
    # e.g. the catalog service and `gongkai reindex` on the same index directory
    service = EmbeddedEngine(tmp_path / "index", writer_idle_s=0.05)
    other = EmbeddedEngine(tmp_path / "index", writer_idle_s=0.05, lock_timeout_s=5)
    await service.setup()
    await other.setup()
    try:
        await service.upsert(DOCS[:6])
        await other.upsert(DOCS[6:])  # waits for the service's idle writer to let the lock go
        await other.set_synonyms([["低保", "最低生活保障"]])
        deadline = time.monotonic() + 5
        while await service.count() != len(DOCS):
            assert time.monotonic() < deadline, "the other writer's commit never became visible"
            await asyncio.sleep(0.05)
        assert set(ids(await service.search(SearchQuery(q="低保")))) == {1, 2, 12}
    finally:
        await service.close()
        await other.close()


async def test_embedded_a_failed_batch_leaves_nothing_behind(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "index")
    await engine.setup()
    try:
        await engine.upsert(DOCS[:2])
        broken = replace(BY_ID[3], title=None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await engine.upsert([BY_ID[4], broken])
        await engine.upsert([BY_ID[5]])
        assert await engine.count() == 3
        assert ids(await engine.search(SearchQuery(q="大气污染"))) == []
    finally:
        await engine.close()


async def test_embedded_changes_are_visible_at_once(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "index")
    await engine.setup()
    try:
        started = time.perf_counter()
        await engine.upsert([BY_ID[4]])
        result = await engine.search(SearchQuery(q="大气污染"))
        assert ids(result) == [4]
        assert time.perf_counter() - started < 2
    finally:
        await engine.close()


async def test_embedded_concurrent_writes_and_reads(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path / "index")
    await engine.setup()
    try:
        batches = [DOCS[i : i + 3] for i in range(0, len(DOCS), 3)]
        searches = [engine.search(SearchQuery(q="通知")) for _ in range(5)]
        await asyncio.gather(*(engine.upsert(b) for b in batches), *searches)
        assert await engine.count() == len(DOCS)
    finally:
        await engine.close()


def test_make_engine_chooses_by_setting(tmp_path: Path) -> None:
    embedded = make_engine(SimpleNamespace(search_engine="embedded", search_index_dir=tmp_path / "x"))
    assert isinstance(embedded, EmbeddedEngine) and embedded.index_dir == tmp_path / "x"
    default = make_engine(SimpleNamespace(search_engine="embedded"))
    assert isinstance(default, EmbeddedEngine) and default.index_dir == Path("var/search")
    meili = make_engine(
        SimpleNamespace(search_engine="meilisearch", meili_url="http://m:7700/", meili_api_key="k")
    )
    assert isinstance(meili, MeiliEngine) and meili.url == "http://m:7700"
    with pytest.raises(ValueError):
        make_engine(SimpleNamespace(search_engine="meilisearch", meili_url="", meili_api_key=""))
    with pytest.raises(ValueError):
        make_engine(SimpleNamespace(search_engine="solr"))


# --- analysis ---------------------------------------------------------------------------------


def test_normalisation() -> None:
    assert analysis.normalize_query("  國務院辦公廳  ＡＢＣ  ") == "国务院办公厅 abc"
    assert analysis.normalize_doc_number("国办发［2023］12 号") == "国办发〔2023〕12号"
    for variant in ("[2023]", "(2023)", "（2023）", "【2023】", "〔2023〕", "﹝2023﹞"):
        assert analysis.normalize_doc_number(f"京政发{variant}1号") == "京政发〔2023〕1号", variant
    found = analysis.find_doc_numbers(analysis.normalize_query("京政發[2023]12號 的通知"))
    assert [number.canonical for number in found] == ["京政发〔2023〕12号"]
    text = "關於ＡＢＣ（２０２３）"
    assert len(analysis.fold(text)) == len(text)


def test_segmentation_finds_parts_of_long_words() -> None:
    assert {"中华人民共和国", "人民", "共和国"} <= set(analysis.tokens("中华人民共和国"))
    tokens = analysis.tokens("中华人民共和国政府信息公开条例")
    assert {"人民", "共和国", "政府", "信息", "公开", "条例"} <= set(tokens)
    # 政务 terms from the built-in dictionary stay whole, and are still found by their parts
    assert analysis.query_terms("住房公积金，管理！") == ["住房公积金", "管理"]
    assert {"住房", "公积金", "住房公积金"} <= set(analysis.tokens("住房公积金"))
    assert analysis.query_terms("依申请公开的最低生活保障") == ["依申请公开", "的", "最低生活保障"]
    assert "," not in analysis.index_text("生活，保障")


def test_synonym_groups_merge_and_go_both_ways() -> None:
    synonyms = analysis.Synonyms([["低保", "最低生活保障"], ["最低生活保障", "低保金"], ["孤单"]])
    assert len(synonyms.groups) == 1
    assert set(synonyms.group("低保")) == {"低保", "最低生活保障", "低保金"}
    assert synonyms.group("低保")[0] == "低保"
    assert synonyms.group("别的") == ("别的",)
    both = synonyms.mapping()
    assert set(both["低保"]) == {"最低生活保障", "低保金"} and "低保" in both["最低生活保障"]
    assert analysis.Synonyms.loads(synonyms.dumps()).groups == synonyms.groups
    assert analysis.Synonyms([["低保", "最低生活保障"]]).group("低保") != ("低保",)


def test_function_words_are_not_highlighted_unless_alone() -> None:
    parsed = analysis.parse_query("临时救助的意见")
    assert "的" not in parsed.highlight_terms and "临时" in parsed.highlight_terms
    assert analysis.parse_query("的").highlight_terms == ["的"]


def test_highlight_longest_first_case_insensitive_whole_latin_words() -> None:
    marked = analysis.highlight("最低生活保障和生活", ["生活", "最低生活保障"])
    assert marked == f"{MARK_START}最低生活保障{MARK_END}和{MARK_START}生活{MARK_END}"
    marked = analysis.highlight("Air Pollution and pollutions", ["pollution"])
    assert marked == f"Air {MARK_START}Pollution{MARK_END} and pollutions"
    marked = analysis.highlight("關於臨時救助", ["临时救助"])
    assert marked == f"關於{MARK_START}臨時救助{MARK_END}"
    assert analysis.highlight("一二三四五六", ["三"], max_len=4) == f"一二{MARK_START}三{MARK_END}四…"
    assert analysis.highlight("a<b>", []) == "a<b>"


def test_snippet_picks_the_densest_window() -> None:
    text = "开头没有关键词。" * 10 + "这里有救助和救助以及救助。" + "结尾没有。" * 20
    snip = analysis.snippet(text, ["救助"], length=40)
    assert snip.startswith("…") and snip.endswith("…")
    assert snip.count(MARK_START) == 3
    assert len(snip.replace(MARK_START, "").replace(MARK_END, "")) <= 42
    plain = analysis.snippet("没有匹配的正文" * 30, ["救助"], length=20)
    assert plain == ("没有匹配的正文" * 30)[:20] + "…"
    assert analysis.snippet("短文本", ["文本"]) == f"短{MARK_START}文本{MARK_END}"


def test_one_edit() -> None:
    assert analysis.within_one_edit("polution", "pollution")
    assert analysis.within_one_edit("contorl", "control")
    assert not analysis.within_one_edit("pollution", "solutions")
    assert analysis.fuzzy_variants(["Air POLLUTION control"], "polution") == ["pollution"]


# --- the Meilisearch adapter against a fake server ----------------------------------------------

ENQUEUED_AT = "2024-05-01T08:00:00.000000Z"


@dataclass
class FakeMeili:
    """A Meilisearch stand-in: records requests, answers with the documented shapes.

    Writes answer 202 with a summarized task (taskUid, status "enqueued"); GET /tasks/{uid}
    answers "processing" once, then "succeeded" (or "failed" with an error object when the
    test asked for it).
    """

    requests: list[dict[str, Any]] = field(default_factory=list)
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    polls: dict[int, int] = field(default_factory=dict)
    fail: dict[str, dict[str, Any]] = field(default_factory=dict)  # task type -> error
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)
    search_response: dict[str, Any] = field(default_factory=dict)
    next_uid: int = 0

    def enqueue(self, index_uid: str | None, task_type: str) -> JSONResponse:
        uid = self.next_uid
        self.next_uid += 1
        self.tasks[uid] = {"indexUid": index_uid, "type": task_type}
        return JSONResponse(
            {
                "taskUid": uid,
                "indexUid": index_uid,
                "status": "enqueued",
                "type": task_type,
                "enqueuedAt": ENQUEUED_AT,
            },
            status_code=202,
        )

    def app(self) -> Starlette:
        async def record(request: Request) -> Any:
            raw = await request.body()
            body = json.loads(raw) if raw else None
            self.requests.append(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "query": dict(request.query_params),
                    "headers": dict(request.headers),
                    "json": body,
                }
            )
            return body

        async def create_index(request: Request) -> JSONResponse:
            body = await record(request)
            return self.enqueue(body["uid"], "indexCreation")

        async def settings(request: Request) -> JSONResponse:
            await record(request)
            return self.enqueue(request.path_params["uid"], "settingsUpdate")

        async def add_documents(request: Request) -> JSONResponse:
            body = await record(request)
            for doc in body:
                self.documents[doc["id"]] = doc
            return self.enqueue(request.path_params["uid"], "documentAdditionOrUpdate")

        async def delete_documents(request: Request) -> JSONResponse:
            await record(request)
            return self.enqueue(request.path_params["uid"], "documentDeletion")

        async def clear(request: Request) -> JSONResponse:
            await record(request)
            self.documents.clear()
            return self.enqueue(request.path_params["uid"], "documentDeletion")

        async def search(request: Request) -> JSONResponse:
            await record(request)
            return JSONResponse(self.search_response)

        async def stats(request: Request) -> JSONResponse:
            await record(request)
            return JSONResponse(
                {
                    "numberOfDocuments": len(self.documents),
                    "rawDocumentDbSize": 4096,
                    "avgDocumentSize": 512,
                    "isIndexing": False,
                    "numberOfEmbeddings": 0,
                    "numberOfEmbeddedDocuments": 0,
                    "fieldDistribution": {"id": len(self.documents)},
                }
            )

        async def health(request: Request) -> JSONResponse:
            await record(request)
            return JSONResponse({"status": "available"})

        async def task(request: Request) -> JSONResponse:
            await record(request)
            uid = int(request.path_params["task_uid"])
            info = self.tasks[uid]
            self.polls[uid] = self.polls.get(uid, 0) + 1
            error = self.fail.get(info["type"])
            status = "processing" if self.polls[uid] == 1 else ("failed" if error else "succeeded")
            done = status != "processing"
            return JSONResponse(
                {
                    "uid": uid,
                    "batchUid": uid,
                    "indexUid": info["indexUid"],
                    "status": status,
                    "type": info["type"],
                    "canceledBy": None,
                    "details": {},
                    "error": error if status == "failed" else None,
                    "duration": "PT0.005S" if done else None,
                    "enqueuedAt": ENQUEUED_AT,
                    "startedAt": "2024-05-01T08:00:00.001000Z",
                    "finishedAt": "2024-05-01T08:00:00.006000Z" if done else None,
                }
            )

        return Starlette(
            routes=[
                Route("/health", health, methods=["GET"]),
                Route("/indexes", create_index, methods=["POST"]),
                Route("/indexes/{uid}/settings", settings, methods=["PATCH"]),
                Route("/indexes/{uid}/settings/synonyms", settings, methods=["PUT"]),
                Route("/indexes/{uid}/documents", add_documents, methods=["POST"]),
                Route("/indexes/{uid}/documents", clear, methods=["DELETE"]),
                Route("/indexes/{uid}/documents/delete", delete_documents, methods=["POST"]),
                Route("/indexes/{uid}/search", search, methods=["POST"]),
                Route("/indexes/{uid}/stats", stats, methods=["GET"]),
                Route("/tasks/{task_uid:int}", task, methods=["GET"]),
            ]
        )

    def calls(self, method: str, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]


@pytest.fixture(scope="module")
def fake_server() -> Iterator[tuple[FakeMeili, str]]:
    holder: dict[str, FakeMeili] = {"fake": FakeMeili()}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await holder["fake"].app()(scope, receive, send)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "fake Meilisearch did not start"
        time.sleep(0.01)
    try:
        yield holder, f"http://127.0.0.1:{port}"  # type: ignore[misc]
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture
def fake(fake_server: Any) -> Iterator[tuple[FakeMeili, MeiliEngine]]:
    holder, url = fake_server
    holder["fake"] = FakeMeili()
    yield holder["fake"], MeiliEngine(url + "/", "secret-key", index_uid="documents", task_poll_ms=1)


async def test_meili_setup_creates_the_index_and_applies_settings(
    fake: tuple[FakeMeili, MeiliEngine],
) -> None:
    server, engine = fake
    await engine.setup()
    (create,) = server.calls("POST", "/indexes")
    assert create["json"] == {"uid": "documents", "primaryKey": "id"}
    assert create["headers"]["authorization"] == "Bearer secret-key"
    (patch,) = server.calls("PATCH", "/indexes/documents/settings")
    settings = patch["json"]
    assert settings == index_settings()
    assert settings["searchableAttributes"] == [
        "title",
        "doc_number",
        "doc_number_keys",
        "body",
        "cited_numbers",
        "agency_name",
    ]
    # the same language data as the embedded engine: question words, the 政务 dictionary
    assert {"怎么办", "多久", "哪些", "吗"} <= set(settings["stopWords"])
    assert "申请" not in settings["stopWords"]
    assert {"政务公开", "最低生活保障", "依申请公开"} <= set(settings["dictionary"])
    assert len(settings["dictionary"]) >= 300
    assert settings["separatorTokens"] == ["〔", "〕"]
    assert {"agency_path", "agency_id", "category", "doc_type", "validity", "published_ts", "year"} <= set(
        settings["filterableAttributes"]
    )
    assert settings["sortableAttributes"] == ["published_ts"]
    assert settings["rankingRules"] == ["words", "typo", "proximity", "attribute", "sort", "exactness"]
    assert settings["faceting"]["maxValuesPerFacet"] >= 100
    assert "synonyms" not in settings  # setup never wipes synonyms
    # each task was polled until it finished
    assert server.polls == {0: 2, 1: 2}
    assert all(r["headers"]["authorization"] == "Bearer secret-key" for r in server.requests)


async def test_meili_setup_tolerates_an_existing_index(fake: tuple[FakeMeili, MeiliEngine]) -> None:
    server, engine = fake
    server.fail["indexCreation"] = {
        "message": "Index `documents` already exists.",
        "code": "index_already_exists",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#index_already_exists",
    }
    await engine.setup()
    assert len(server.calls("PATCH", "/indexes/documents/settings")) == 1


async def test_meili_failed_task_raises(fake: tuple[FakeMeili, MeiliEngine]) -> None:
    server, engine = fake
    server.fail["documentAdditionOrUpdate"] = {
        "message": "Document identifier `x` is invalid.",
        "code": "invalid_document_id",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#invalid_document_id",
    }
    with pytest.raises(MeiliTaskError) as caught:
        await engine.upsert(DOCS[:1])
    assert caught.value.code == "invalid_document_id"


async def test_meili_writes(fake: tuple[FakeMeili, MeiliEngine]) -> None:
    server, engine = fake
    await engine.upsert([DOCS[0], DOCS[1], DOCS[0]])
    (add,) = server.calls("POST", "/indexes/documents/documents")
    assert add["query"] == {"primaryKey": "id"}
    sent = {d["id"]: d for d in add["json"]}
    assert sorted(sent) == [1, 2]  # a repeated id is sent once
    doc2 = sent[2]
    assert doc2["published_ts"] == int(datetime(2024, 1, 1, 0, 30, tzinfo=CST).timestamp())
    assert doc2["year"] == DOCS[1].year
    assert doc2["agency_path"] == [1, 2, 21]
    assert doc2["doc_number"] == "京民发〔2024〕3号"
    assert doc2["written_on"] == DOCS[1].written_on.isoformat()  # type: ignore[union-attr]
    assert analysis.decode_document(doc2) == DOCS[1]
    assert await engine.count() == 2
    assert server.calls("GET", "/indexes/documents/stats")

    await engine.delete([5, 3, 5])
    (delete,) = server.calls("POST", "/indexes/documents/documents/delete")
    assert delete["json"] == {"filter": "id IN [3, 5]"}

    await engine.clear()
    assert server.calls("DELETE", "/indexes/documents/documents")
    assert await engine.count() == 0

    await engine.set_synonyms([["兜底线", "最低生活保障"], ["公積金", "住房公积金"]])
    (synonyms,) = server.calls("PUT", "/indexes/documents/settings/synonyms")
    sent_synonyms = synonyms["json"]
    # the administrator's groups, both ways, merged with the built-in ones
    assert "兜底线" in sent_synonyms["最低生活保障"] and "最低生活保障" in sent_synonyms["兜底线"]
    assert "住房公积金" in sent_synonyms["公积金"] and "公积金" in sent_synonyms["住房公积金"]
    assert "低保" in sent_synonyms["最低生活保障"]
    builtin = analysis.Synonyms.with_builtin()
    assert len(sent_synonyms) >= len(builtin.mapping())
    source, targets = next(iter(builtin.one_way.items()))  # one-way expansions go one way only
    assert set(targets) <= set(sent_synonyms[source])
    assert all(source not in sent_synonyms.get(t, []) for t in targets if t not in builtin.group(source)[:1])
    # every write waited for its task
    assert all(server.polls.get(uid, 0) >= 2 for uid in server.tasks)

    await engine.ping()
    assert server.calls("GET", "/health")
    await engine.upsert([])
    await engine.delete([])
    assert len(server.calls("POST", "/indexes/documents/documents")) == 1


def _meili_hit(doc: IndexedDocument, title: str, body: str, score: float) -> dict[str, Any]:
    stored = {
        **analysis.encode_document(doc),
        "published_ts": analysis.published_ts(doc.published_at),
        "year": doc.year,
    }
    return {
        **stored,
        "_formatted": {
            **{k: str(v) if v is not None else None for k, v in stored.items()},
            "title": title,
            "body": body,
        },
        "_rankingScore": score,
    }


async def test_meili_search_request_and_response(fake: tuple[FakeMeili, MeiliEngine]) -> None:
    server, engine = fake
    script = BY_ID[7]
    server.search_response = {
        "hits": [
            _meili_hit(
                BY_ID[6],
                f"{MARK_START}住房{MARK_END}公积金管理条例实施细则",
                f"职工可以在购买、建造自住{MARK_START}住房{MARK_END}时提取…",
                0.9876,
            ),
            _meili_hit(
                script,
                f"<script>alert(1)</script>{MARK_START}住房{MARK_END}保障房源公告",
                "本批次公共租赁住房房源共计300套…",
                0.5,
            ),
        ],
        "query": "住房",
        "processingTimeMs": 3,
        "hitsPerPage": 2,
        "page": 2,
        "totalPages": 9,
        "totalHits": 17,
        "facetDistribution": {
            "agency_id": {"4": 5, "2": 2},
            "category": {"规章": 3, "其他": 4},
            "doc_type": {"细则": 3, "公告": 4},
            "year": {"2020": 3, "2024": 4},
        },
        "facetStats": {"agency_id": {"min": 2, "max": 4}, "year": {"min": 2020, "max": 2024}},
    }
    query = SearchQuery(
        q="  住房公積金 京政發［2023］12號 ",
        agency_id=2,
        categories=("规章", 'a "quoted" \\ value'),
        doc_types=("细则",),
        validities=("有效",),
        published_from=date(2024, 1, 1),
        published_to=date(2024, 3, 31),
        page=2,
        page_size=2,
    )
    result = await engine.search(query)
    (sent,) = server.calls("POST", "/indexes/documents/search")
    body = sent["json"]
    assert sent["headers"]["authorization"] == "Bearer secret-key"
    assert body["q"] == "住房公积金 京政发〔2023〕12号"
    assert body["filter"] == [
        "agency_path = 2",
        'category IN ["规章", "a \\"quoted\\" \\\\ value"]',
        'doc_type IN ["细则"]',
        'validity IN ["有效"]',
        f"published_ts >= {int(datetime(2024, 1, 1, tzinfo=CST).timestamp())}",
        f"published_ts <= {int(datetime(2024, 4, 1, tzinfo=CST).timestamp()) - 1}",
    ]
    assert body["facets"] == list(FACETS)
    assert body["attributesToHighlight"] == ["title", "body"]
    assert body["highlightPreTag"] == MARK_START and body["highlightPostTag"] == MARK_END
    assert body["attributesToCrop"] == ["body"] and 20 <= body["cropLength"] <= 120
    assert body["hitsPerPage"] == 2 and body["page"] == 2
    assert body["showRankingScore"] is True
    assert body["matchingStrategy"] == "all"  # enough documents have every word: not relaxed
    assert "sort" not in body  # relevance

    assert result.total == 17 and not result.relaxed
    assert result.query_words == ["住房公积金", "京政发〔2023〕12号"]
    assert result.hits[0].matched_words == ["住房公积金"]
    assert [h.id for h in result.hits] == [6, 7]
    assert result.hits[0].score == pytest.approx(0.9876)
    assert result.hits[0].document == BY_ID[6]
    assert result.hits[1].document == script
    assert MARK_START + "住房" + MARK_END in result.hits[0].title
    assert MARK_START in result.hits[0].snippet
    html = to_safe_html(result.hits[1].title)
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>住房</mark>保障房源公告"
    assert result.facets == {
        "agency_id": {"4": 5, "2": 2},
        "category": {"规章": 3, "其他": 4},
        "doc_type": {"细则": 3, "公告": 4},
        "year": {"2020": 3, "2024": 4},
    }
    assert result.took_ms > 0


async def test_meili_sort_by_date_and_empty_query(fake: tuple[FakeMeili, MeiliEngine]) -> None:
    server, engine = fake
    server.search_response = {
        "hits": [],
        "query": "",
        "processingTimeMs": 0,
        "hitsPerPage": 20,
        "page": 1,
        "totalPages": 0,
        "totalHits": 0,
        "facetDistribution": {},
    }
    result = await engine.search(SearchQuery(q="通知", sort="date"))
    assert result.total == 0 and result.hits == [] and result.facets == {f: {} for f in FACETS}
    await engine.search(SearchQuery())
    searches = [r["json"] for r in server.calls("POST", "/indexes/documents/search") if "facets" in r["json"]]
    first, second = searches
    assert first["sort"] == ["published_ts:desc"] and first["q"] == "通知" and "filter" not in first
    assert second["sort"] == ["published_ts:desc"] and second["q"] == ""
    assert second["page"] == 1 and second["hitsPerPage"] == 20


def test_meili_filter_quoting() -> None:
    assert quote('a"b\\c') == '"a\\"b\\\\c"'
    assert quote("规章") == '"规章"'


def _meili_page(total: int, hits: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "hits": hits or [],
        "query": "",
        "processingTimeMs": 1,
        "hitsPerPage": 20,
        "page": 1,
        "totalPages": (total + 19) // 20,
        "totalHits": total,
        "facetDistribution": {},
    }


async def test_meili_too_few_all_word_matches_ask_again_with_the_frequency_strategy(
    fake: tuple[FakeMeili, MeiliEngine],
) -> None:
    server, engine = fake
    server.search_response = _meili_page(3, [_meili_hit(BY_ID[3], "临时救助", "临时救助是…", 0.7)])
    result = await engine.search(SearchQuery(q="临时救助怎么申请 公积金"))
    first, second = (r["json"] for r in server.calls("POST", "/indexes/documents/search"))
    assert first["matchingStrategy"] == "all" and second["matchingStrategy"] == "frequency"
    assert first["q"] == second["q"] == "临时救助怎么申请 公积金"  # Meilisearch drops stopWords itself
    assert result.relaxed and result.total == 3
    assert result.query_words == ["临时救助", "申请", "公积金"]
    assert result.hits[0].matched_words == ["临时救助"]


async def test_meili_one_word_or_a_date_sort_is_never_relaxed(fake: tuple[FakeMeili, MeiliEngine]) -> None:
    server, engine = fake
    server.search_response = _meili_page(2, [_meili_hit(BY_ID[3], "临时救助", "…", 0.7)])
    await engine.search(SearchQuery(q="临时救助"))
    await engine.search(SearchQuery(q="临时救助 公积金", sort="date"))
    sent = [r["json"] for r in server.calls("POST", "/indexes/documents/search")]
    assert [b["matchingStrategy"] for b in sent] == ["all", "all"]


async def test_meili_doc_numbers_are_sent_canonical_in_any_bracket_style(
    fake: tuple[FakeMeili, MeiliEngine],
) -> None:
    server, engine = fake
    server.search_response = _meili_page(12)
    for q in ("京政发[2023]12号", "京政发（2023）12", "京政发 2023 12号", "“临时救助”"):
        await engine.search(SearchQuery(q=q))
    sent = [r["json"]["q"] for r in server.calls("POST", "/indexes/documents/search")]
    assert sent == ["京政发〔2023〕12号"] * 3 + ['"临时救助"']
    # the documents carry their own and their cited numbers' keys
    citing = _doc(
        40,
        "实施意见",
        "为贯彻《办法》（京政发［2023］ 12 号），提出如下意见。",
        number="京朝政发〔2023〕7号",
        agency=(1, 2),
        name="市民政局",
        category="规范性文件",
        doc_type="意见",
        published=datetime(2023, 6, 1, 10, 0, tzinfo=CST),
    )
    await engine.upsert([citing])
    (add,) = server.calls("POST", "/indexes/documents/documents")
    assert add["json"][0]["doc_number_keys"][:2] == ["京朝政发〔2023〕7号", "朝政发〔2023〕7号"]
    assert "京政发〔2023〕12号" in add["json"][0]["cited_numbers"]


async def test_meili_nothing_found_checks_close_terms_for_did_you_mean(
    fake: tuple[FakeMeili, MeiliEngine],
) -> None:
    server, engine = fake
    server.search_response = _meili_page(0)
    result = await engine.search(SearchQuery(q="dibao"))
    counted = [
        r["json"] for r in server.calls("POST", "/indexes/documents/search") if "facets" not in r["json"]
    ]
    assert {"q": "低保", "limit": 0, "matchingStrategy": "all"} in counted
    assert result.did_you_mean == []  # the stand-in finds nothing for any term


async def test_meili_suggestions(fake: tuple[FakeMeili, MeiliEngine]) -> None:
    server, engine = fake
    server.search_response = {
        **_meili_page(1),
        "hits": [
            {"id": 9, "title": "关于印发养老服务补贴实施办法的通知", "doc_number": "京民发〔2023〕20号"}
        ],
    }
    items = await engine.suggest("京民发[2023", 8)
    number_search, title_search = (r["json"] for r in server.calls("POST", "/indexes/documents/search"))
    assert number_search["q"] == "京民发〔2023" and number_search["attributesToSearchOn"] == ["doc_number"]
    assert title_search["attributesToSearchOn"] == ["title"]
    assert items[0].kind == "doc_number" and items[0].document_id == 9
    terms = await engine.suggest("最低生活", 8)
    assert any(i.kind == "term" and i.text == "最低生活保障" for i in terms)
    await engine.suggest("最低生活", 8, agency_id=21)
    scoped = server.calls("POST", "/indexes/documents/search")[-1]["json"]
    assert scoped["filter"] == ["agency_path = 21"]


def test_the_built_in_language_data_is_large_enough_and_consistent() -> None:
    from services.catalog.search import lexicon

    dictionary = [term for term, _ in lexicon.dictionary()]
    assert len(dictionary) >= 300 and len(set(dictionary)) == len(dictionary)
    assert {"政务公开", "主动公开", "公开目录", "公开指南", "信访", "行政复议", "最低生活保障"} <= set(
        dictionary
    )
    assert all(2 <= len(t) <= 12 for t in dictionary)
    synonyms = lexicon.builtin_synonyms()
    assert len(synonyms.groups) + len(synonyms.one_way) >= 150
    seen: set[str] = set()
    for group in synonyms.groups:  # no term in two groups: overlapping groups would merge into one
        assert not (set(group) & seen), group
        seen |= set(group)
    sources = [source for source, _ in synonyms.one_way]
    assert len(sources) == len(set(sources))
    stop = lexicon.stopwords()
    assert {
        "怎么办",
        "如何",
        "多少",
        "多久",
        "哪些",
        "什么",
        "是否",
        "吗",
        "呢",
        "为什么",
        "谁",
        "应该",
        "可以",
    } <= stop
    # words that carry meaning in government documents are never dropped from a query
    assert not ({"申请", "公开", "办理", "材料", "条件", "标准", "补贴", "答复", "年", "月"} & stop)
    assert not (stop & set(dictionary))


def test_doc_numbers_are_read_in_any_bracket_style_spacing_and_script() -> None:
    for text in (
        "依据东政发〔2026〕12号文件",
        "（东政发[2026]12号）",
        "东政发(2026)12",
        "东政发【2026】第12号",
        "东政发［２０２６］１２号",
        "東政發〔2026〕12號",
        "东政发〖2026〗12号",
        "东政发\n〔2026〕 12 号",
        "东政发 2026 12号",
    ):
        found = analysis.find_doc_numbers(analysis.fold(text))
        assert len(found) == 1 and "东政发〔2026〕12号" in found[0].keys, text
    assert analysis.find_doc_numbers(analysis.fold("2026年12月起施行，共12号楼")) == []
    # the issuer is read back to the first non-CJK character; its suffixes are the keys
    assert analysis.find_doc_numbers("依据东政发〔2026〕12号")[0].keys[-1] == "政发〔2026〕12号"


async def test_meili_is_asked_the_citizens_queries_as_the_embedded_engine_reads_them(
    fake: tuple[FakeMeili, MeiliEngine],
) -> None:
    """The issue's three queries on the adapter: the words Meilisearch must drop are its stop
    words, the synonym it needs is in its settings, and the 文号 is sent in the indexed form."""
    server, engine = fake
    await engine.setup()
    await engine.set_synonyms([])
    settings = server.calls("PATCH", "/indexes/documents/settings")[-1]["json"]
    (synonyms,) = server.calls("PUT", "/indexes/documents/settings/synonyms")
    server.search_response = _meili_page(12)
    question = await engine.search(SearchQuery(q="信息公开申请多久答复"))
    assert "多久" in settings["stopWords"] and "多久" not in question.query_words
    paraphrase = await engine.search(SearchQuery(q="环保处罚结果"))
    assert "生态环境" in synonyms["json"]["环保"] and "环保" in paraphrase.query_words
    await engine.search(SearchQuery(q="东政发[2026]12号"))
    sent = [r["json"]["q"] for r in server.calls("POST", "/indexes/documents/search")]
    assert sent == ["信息公开申请多久答复", "环保处罚结果", "东政发〔2026〕12号"]
