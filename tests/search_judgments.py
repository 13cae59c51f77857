"""Judged queries for the search-ranking test, computed against the generated corpus.

A judgment names the relevant documents either by topic (every document of that topic is relevant)
or by key (one document: a 文号 or a phrase copied from its body). `judgments(corpus)` builds them
for `generate(CORPUS_SIZE, CORPUS_SEED)` or any other corpus, and asserts each has a relevant
document. Metrics: `recall_at_k` and `ndcg_at_k` with binary gains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.catalog.corpus import CorpusDocument

CORPUS_SIZE = 360
CORPUS_SEED = 20261124

# Query-side synonym groups the engines are configured with (each word stands for the others).
SYNONYMS: list[list[str]] = [
    ["低保", "最低生活保障"],
    ["医保", "医疗保险"],
    ["公积金", "住房公积金"],
    ["社保卡", "社会保障卡"],
    ["环评", "环境影响评价"],
    ["新冠", "新型冠状病毒", "COVID-19"],
    ["欠薪", "拖欠农民工工资"],
    ["GDP", "地区生产总值"],
    ["托育", "婴幼儿照护"],
    ["两项补贴", "困难残疾人生活补贴"],
    ["垃圾分类", "生活垃圾分类"],
    ["小巨人", "专精特新"],
]

KINDS = frozenset(
    {
        "word",
        "phrase",
        "doc_number",
        "doc_number_variant",
        "mixed",
        "traditional",
        "synonym",
        "english_typo",
        "body_phrase",
    }
)


@dataclass(frozen=True)
class Judgment:
    query: str
    kind: str
    relevant_topics: frozenset[str] = frozenset()
    relevant_keys: frozenset[str] = frozenset()


# (query, kind, relevant topics)
_TOPIC_JUDGMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # single words
    ("河长制", "word", ("river_chief",)),
    ("森林防火", "word", ("forest_fire",)),
    ("防汛", "word", ("flood_plan",)),
    ("招聘", "word", ("institution_recruit",)),
    ("疫苗", "word", ("immunization", "covid")),
    ("营商环境", "word", ("business_environment",)),
    ("专精特新", "word", ("specialized_sme",)),
    ("法律援助", "word", ("legal_aid",)),
    ("文物", "word", ("heritage",)),
    ("公交", "word", ("bus_route",)),
    ("消费券", "word", ("consumption_tourism",)),
    ("决算", "word", ("budget_disclosure",)),
    # phrases
    ("老旧小区改造", "phrase", ("old_community",)),
    ("农村危房改造", "phrase", ("rural_dilapidated",)),
    ("高标准农田建设", "phrase", ("farmland",)),
    ("耕地地力保护补贴", "phrase", ("land_subsidy",)),
    ("政府采购意向", "phrase", ("procurement_intent",)),
    ("行政许可事项清单", "phrase", ("permit_list",)),
    ("行政处罚信息公示", "phrase", ("penalty_disclosure",)),
    ("安全生产大检查", "phrase", ("safety_inspection",)),
    ("保障性租赁住房", "phrase", ("rental_housing",)),
    ("退役军人优待", "phrase", ("veterans",)),
    ("大气污染防治", "phrase", ("air_pollution",)),
    ("政府信息公开工作年度报告", "phrase", ("disclosure_report",)),
    ("学前教育资助", "phrase", ("preschool_aid",)),
    ("临时救助", "phrase", ("temporary_relief",)),
    ("建设工程规划许可", "phrase", ("planning_permit",)),
    ("道路交通管制", "phrase", ("traffic_control",)),
    ("减税降费", "phrase", ("tax_relief",)),
    ("就业创业补贴", "phrase", ("entrepreneurship_subsidy",)),
    ("农民工工资支付", "phrase", ("migrant_wages",)),
    ("国民经济和社会发展统计公报", "phrase", ("stat_bulletin",)),
    # latin letters or digits with Chinese
    ("PM2.5 监测", "mixed", ("air_pollution",)),
    ("5G基站", "mixed", ("base_station_5g",)),
    ("12345热线", "mixed", ("hotline_12345",)),
    ("政务服务APP", "mixed", ("gov_app",)),
    ("GDP 增长", "mixed", ("stat_bulletin",)),
    # traditional characters
    ("義務教育招生", "traditional", ("compulsory_enrollment",)),
    ("最低生活保障標準", "traditional", ("dibao_standard",)),
    ("老舊小區改造", "traditional", ("old_community",)),
    ("國有土地使用權出讓", "traditional", ("land_transfer",)),
    ("職業技能培訓", "traditional", ("skills_training",)),
    ("醫療保險繳費", "traditional", ("medical_insurance",)),
    # the words in the documents are (mostly) the other word of a synonym group
    ("低保", "synonym", ("dibao_standard",)),
    ("医保缴费", "synonym", ("medical_insurance",)),
    ("社保卡", "synonym", ("social_card_guide",)),
    ("环评", "synonym", ("eia_approval",)),
    ("欠薪", "synonym", ("migrant_wages",)),
    ("公积金", "synonym", ("housing_fund",)),
)

# Misspelt latin queries, used only when the corpus has documents that mention COVID-19.
_TYPO_JUDGMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("COVD", ("covid",)),
    ("COVD-19", ("covid",)),
)

# Positions of the documents whose 文号 or body phrase is searched for (the first eligible
# document at or after each position is used).
_DOC_NUMBER_AT = (7, 63, 150, 288)
_DOC_NUMBER_VARIANT_AT = (21, 120, 240)
_BODY_PHRASE_AT = (11, 77, 145, 203, 333)

_CLAUSE_SPLIT = re.compile(r"[\n，。；：、（）“”《》？！,;:()]+")
_PLAIN_CLAUSE = re.compile(r"^[\u4e00-\u9fff0-9]+$")
_DATE = re.compile(r"\d+年\d+月")


def relevant_keys_for(judgment: Judgment, corpus: Sequence[CorpusDocument]) -> set[str]:
    keys = {doc.key for doc in corpus if doc.topic in judgment.relevant_topics}
    keys.update(judgment.relevant_keys)
    return keys


def _pick(
    corpus: Sequence[CorpusDocument], start: int, ok: Callable[[CorpusDocument], bool]
) -> CorpusDocument | None:
    n = len(corpus)
    for step in range(n):
        doc = corpus[(start + step) % n]
        if ok(doc):
            return doc
    return None


def _unique_phrase(doc: CorpusDocument, corpus: Sequence[CorpusDocument]) -> str | None:
    """A clause (8–14 characters) of the body's numbered sections found in no other document;
    failing that, the first 12 characters of a longer such clause."""
    others = "\x00".join(f"{d.title}\x00{d.body}" for d in corpus if d.key != doc.key)
    clauses = [
        clause.lstrip("一二三四五六七八九十")
        for paragraph in doc.body.split("\n")[1:]  # after the opening paragraph
        for clause in _CLAUSE_SPLIT.split(paragraph)
    ]
    clauses = [c for c in clauses if len(c) >= 8 and _PLAIN_CLAUSE.match(c) and not _DATE.search(c)]
    for phrase in [c for c in clauses if len(c) <= 14] + [c[:12] for c in clauses if len(c) > 14]:
        if phrase not in others:
            return phrase
    return None


def judgments(corpus: list[CorpusDocument]) -> list[Judgment]:
    """The judged queries for `corpus`; every one has at least one relevant document."""
    result = [Judgment(q, kind, relevant_topics=frozenset(topics)) for q, kind, topics in _TOPIC_JUDGMENTS]
    if any("COVID-19" in doc.title or "COVID-19" in doc.body for doc in corpus):
        result += [Judgment(q, "english_typo", relevant_topics=frozenset(t)) for q, t in _TYPO_JUDGMENTS]

    used: set[str] = set()
    for at in _DOC_NUMBER_AT:
        doc = _pick(corpus, at, lambda d: d.doc_number is not None and d.key not in used)
        if doc is not None and doc.doc_number is not None:
            used.add(doc.key)
            result.append(Judgment(doc.doc_number, "doc_number", relevant_keys=frozenset({doc.key})))
    for at in _DOC_NUMBER_VARIANT_AT:
        doc = _pick(corpus, at, lambda d: d.doc_number is not None and d.key not in used)
        if doc is not None and doc.doc_number is not None:
            used.add(doc.key)
            variant = doc.doc_number.replace("〔", "[").replace("〕", "]")
            result.append(Judgment(variant, "doc_number_variant", relevant_keys=frozenset({doc.key})))
    for at in _BODY_PHRASE_AT:
        found: list[str] = []

        def has_phrase(d: CorpusDocument, found: list[str] = found) -> bool:
            phrase = None if d.key in used else _unique_phrase(d, corpus)
            if phrase:
                found.append(phrase)
            return phrase is not None

        doc = _pick(corpus, at, has_phrase)
        if doc is not None:
            used.add(doc.key)
            result.append(Judgment(found[-1], "body_phrase", relevant_keys=frozenset({doc.key})))

    for judgment in result:
        assert judgment.kind in KINDS, judgment
        assert relevant_keys_for(judgment, corpus), f"no relevant document for {judgment.query!r}"
    return result


def recall_at_k(ranked_keys: Sequence[str], relevant: set[str] | frozenset[str], k: int = 10) -> float:
    """Relevant documents in the top k over the most there could be (min(|relevant|, k))."""
    if not relevant:
        return 0.0
    hits = sum(1 for key in ranked_keys[:k] if key in relevant)
    return hits / min(len(relevant), k)


def ndcg_at_k(ranked_keys: Sequence[str], relevant: set[str] | frozenset[str], k: int = 10) -> float:
    """Normalised discounted cumulative gain with binary gains."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 2) for rank, key in enumerate(ranked_keys[:k]) if key in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return dcg / ideal
