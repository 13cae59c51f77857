"""Text analysis shared by both search engines: normalisation, Chinese segmentation, synonyms,
highlighting and snippets.

Normalisation (`fold`) is one character to one character, so a position in the folded text is the
same position in the original: the highlighter finds matches in the folded text and marks the
original. It maps traditional characters to simplified ones (OpenCC `t2s`, character by
character), full-width letters, digits and brackets to half-width (NFKC), and latin to lower case.
Document-number brackets around a four-digit year — `[2023]`, `［2023］`, `(2023)`, `（2023）`,
`【2023】`, `„2023‟`, `〔2023〕` — all become `〔2023〕`; `find_doc_numbers` then reads whole 文号
(issuer, year, serial) anywhere in a text, with spaces or without 号.

Segmentation uses jieba (`rjieba`, the jieba-rs binding) with the built-in 政务 dictionary
(lexicon.py). Texts are indexed in search mode (`tokens`), which adds the dictionary words inside
longer words, each just before the word (中华人民共和国 → 中华, 华人, 人民, 共和, 共和国,
中华人民共和国), so a part of a long word is found too, and a phrase is the same token sequence
in a query as in a text. A query (`parse_query`) becomes clauses: quoted phrases, 文号, and
precise-mode words with their synonyms; question and function words are marked as such and
never have to match. Both engines use these clauses, `matched_words`, `corrections` (did you
mean) and `rank_suggestions`, so they behave alike.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import opencc
import rjieba

from services.catalog.search import lexicon
from services.catalog.search.base import MARK_END, MARK_START, IndexedDocument

lexicon.install()  # index and queries must both be segmented with the domain dictionary

ELLIPSIS = "…"

# --- folding ---------------------------------------------------------------------------------

_BRACKETS = "()[]〔〕【】"
_fold_lock = threading.Lock()
_fold_table: dict[str, str] | None = None
_fold_re: re.Pattern[str] | None = None


def _build_fold() -> tuple[dict[str, str], re.Pattern[str]]:
    table: dict[str, str] = {}
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch).lower()
        # Other punctuation is left alone: it never becomes a token, so folding it buys nothing.
        if len(folded) == 1 and folded != ch and (folded.isalnum() or folded in _BRACKETS):
            table[ch] = folded
    converter = opencc.OpenCC("t2s")
    for start, end in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)):
        chars = [chr(code) for code in range(start, end)]
        converted = converter.convert("\n".join(chars)).split("\n")
        if len(converted) != len(chars):  # pragma: no cover - opencc never merges lines
            converted = [converter.convert(ch) for ch in chars]
        for ch, simplified in zip(chars, converted, strict=True):
            if len(simplified) == 1 and simplified != ch:
                table[ch] = table.get(simplified, simplified)
    for ch, target in list(table.items()):  # e.g. a compatibility ideograph → its traditional → simplified
        table[ch] = table.get(target, target)
    pattern = re.compile("[" + "".join(re.escape(ch) for ch in sorted(table)) + "]")
    return table, pattern


def _fold_parts() -> tuple[dict[str, str], re.Pattern[str]]:
    global _fold_table, _fold_re
    if _fold_table is None or _fold_re is None:
        with _fold_lock:
            if _fold_table is None or _fold_re is None:
                _fold_table, _fold_re = _build_fold()
    return _fold_table, _fold_re


_DOC_BRACKETS = re.compile(r"[(\[【〔„](\d{4})[)\]】〕‟]")


def fold(text: str) -> str:
    """Traditional → simplified, full-width → half-width, lower case, 〔year〕; same length as `text`."""
    table, pattern = _fold_parts()
    get = table.__getitem__
    folded = pattern.sub(lambda m: get(m.group()), text)
    if "(" in folded or "[" in folded or "【" in folded or "〔" in folded or "„" in folded:
        folded = _DOC_BRACKETS.sub(r"〔\1〕", folded)
    return folded


_SPACES = re.compile(r"\s+")


def normalize_query(q: str) -> str:
    """The query as both engines search it: folded, whitespace collapsed."""
    return _SPACES.sub(" ", fold(q)).strip()


def normalize_doc_number(doc_number: str | None) -> str:
    """国办发［2023］12 号 → 国办发〔2023〕12号 (the form the exact doc-number field holds)."""
    if not doc_number:
        return ""
    return _SPACES.sub("", fold(doc_number))


# A 文号 as written anywhere: issuer's abbreviation, the year in any brackets (or between spaces),
# an optional 第, the serial number, an optional 号. On folded text, so 〔〕 [] () （） 【】 ［］ „‟
# are already one style; spaces inside are allowed.
_NUMBER_TAIL = re.compile(  # found first (rare characters), then the issuer is read backwards
    r"[〔(\[【„〖{<《]\s*((?:19|20)\d{2})\s*[〕)\]】‟〗}>》]\s*第?\s*(\d{1,6})\s*(号)?"
    r"|\s((?:19|20)\d{2})\s+第?\s*(\d{1,6})\s*(号)"
)
MAX_ISSUER = 12
MIN_ISSUER = 2  # the shortest issuer suffix a key keeps (东政发 → 东政发…, 政发…)


@dataclass(frozen=True, slots=True)
class DocNumber:
    """A 文号 found in text: where, its canonical form, and the keys it is indexed and found by.

    The issuer is every CJK character before the year, so "依据东政发〔2026〕12号" reads the issuer
    as 依据东政发: the keys are the issuer's suffixes (依据东政发…, 据东政发…, 东政发…, 政发…),
    longest first, and a query's number matches a text's number when they share a key.
    """

    start: int
    end: int
    canonical: str
    keys: tuple[str, ...]


def _number_keys(issuer: str, year: str, serial: str) -> tuple[str, ...]:
    tail = f"〔{year}〕{int(serial)}号"
    shortest = min(MIN_ISSUER, len(issuer))
    return tuple(issuer[-n:] + tail for n in range(len(issuer), shortest - 1, -1))


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def find_doc_numbers(folded: str) -> list[DocNumber]:
    """The 文号 in folded text (see `fold`), in order."""
    found = []
    for m in _NUMBER_TAIL.finditer(folded):
        end = m.start()
        while end > 0 and folded[end - 1].isspace():
            end -= 1
        start = end
        while start > 0 and end - start < MAX_ISSUER and _is_cjk(folded[start - 1]):
            start -= 1
        if start == end:
            continue
        year = m.group(1) or m.group(4)
        serial = m.group(2) or m.group(5)
        keys = _number_keys(folded[start:end], year, serial)
        found.append(DocNumber(start, m.end(), keys[0], keys))
    return found


def doc_number_keys(text: str | None, *, folded: bool = False) -> list[str]:
    """Every key of every 文号 in a text (title or body: the numbers it cites)."""
    if not text:
        return []
    keys: dict[str, None] = {}
    for number in find_doc_numbers(text if folded else fold(text)):
        keys.update(dict.fromkeys(number.keys))
    return list(keys)


def own_number_keys(doc_number: str | None) -> list[str]:
    """The keys of a document's own 文号; a number in another shape is its own single key."""
    normalised = normalize_doc_number(doc_number)
    if not normalised:
        return []
    return doc_number_keys(normalised) or [normalised]


# --- segmentation ----------------------------------------------------------------------------

# Punctuation and symbols never become tokens: they turn into spaces before segmentation (jieba
# treats both as separators), which is much cheaper than filtering jieba's output in Python.
_NOT_WORD = re.compile(r"[^\w\s]+")


def _prepare(text: str, folded: bool) -> str:
    return _NOT_WORD.sub(" ", text if folded else fold(text))


def words(text: str, *, folded: bool = False) -> list[str]:
    """Precise-mode segmentation: the words of a query."""
    return [t for t in rjieba.cut(_prepare(text, folded)) if not t.isspace()]


INNER_MIN = 4  # jieba's search mode emits the 2- and 3-character words inside a word; we add longer ones


@lru_cache(maxsize=65536)
def _inner_words(word: str) -> tuple[str, ...]:
    """The dictionary words of 4+ characters inside a longer word (城乡居民基本养老保险 → 基本养老保险,
    养老保险), which jieba's search mode leaves out, so a search for them still finds it."""
    found = []
    for size in range(len(word) - 1, INNER_MIN - 1, -1):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if rjieba.has_word(part):
                found.append(part)
    return tuple(found)


def _search_mode(prepared: str) -> list[str]:
    out: list[str] = []
    for token in rjieba.cut_for_search(prepared):
        if len(token) > INNER_MIN and not token.isascii():
            out.extend(_inner_words(token))
        out.append(token)
    return out


def tokens(text: str, *, folded: bool = False) -> list[str]:
    """Search-mode segmentation: every word, preceded by the dictionary words inside it."""
    return [t for t in _search_mode(_prepare(text, folded)) if not t.isspace()]


def index_text(text: str, *, folded: bool = False) -> str:
    """`tokens` of a text joined by spaces, for a whitespace tokenizer (the fast path for indexing).

    Runs of spaces may remain between tokens: a whitespace tokenizer ignores them.
    """
    return " ".join(_search_mode(_prepare(text, folded)))


def query_terms(q: str) -> list[str]:
    """The distinct words of a query, in order."""
    return list(dict.fromkeys(words(normalize_query(q), folded=True)))


def is_latin_word(term: str) -> bool:
    return term.isascii() and term.isalpha()


# --- synonyms --------------------------------------------------------------------------------


class Synonyms:
    """Groups of equivalent terms, plus one-way expansions.

    A term belongs to at most one group (overlapping groups merge). A one-way entry makes a term
    also search narrower or more formal terms (残疾人补助 → 困难残疾人生活补贴) without the
    reverse. `with_builtin` adds the shipped groups (lexicon) to an administrator's groups.
    """

    def __init__(
        self, groups: Iterable[Iterable[str]] = (), one_way: Iterable[tuple[str, Iterable[str]]] = ()
    ) -> None:
        merged: list[set[str]] = []
        for group in groups:
            terms = {normalize_query(term) for term in group} - {""}
            if len(terms) < 2:
                continue
            overlapping = [g for g in merged if g & terms]
            for g in overlapping:
                terms |= g
                merged.remove(g)
            merged.append(terms)
        self.groups: list[tuple[str, ...]] = [tuple(sorted(g, key=lambda t: (-len(t), t))) for g in merged]
        self._by_term = {term: group for group in self.groups for term in group}
        expansions: dict[str, dict[str, None]] = {}
        for source, targets in one_way:
            key = normalize_query(source)
            if key:
                expansions.setdefault(key, {}).update(
                    dict.fromkeys(t for t in map(normalize_query, targets) if t)
                )
        self.one_way: dict[str, tuple[str, ...]] = {
            k: tuple(t for t in v if t != k) for k, v in expansions.items()
        }
        ordered = sorted({*self._by_term, *self.one_way}, key=lambda t: (-len(t), t))
        self._pattern = re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None

    @classmethod
    def with_builtin(cls, groups: Iterable[Iterable[str]] = ()) -> Synonyms:
        builtin = lexicon.builtin_synonyms()
        return cls([*builtin.groups, *groups], builtin.one_way)

    def __bool__(self) -> bool:
        return bool(self.groups or self.one_way)

    def group(self, term: str) -> tuple[str, ...]:
        """The term's alternatives (itself first): its group, then its one-way expansions."""
        out = dict.fromkeys((term, *self._by_term.get(term, ())))
        for member in list(out):
            out.update(dict.fromkeys(self.one_way.get(member, ())))
        return tuple(out)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping occurrences of known terms in normalised text, the longest first at each
        place, that start or end on a word boundary (so 过户 is not found inside 通过户籍, while
        看病报销 is found in 看病|报销比例)."""
        if self._pattern is None or not self._pattern.search(text):
            return []
        bounds = {0}
        position = 0
        for word in rjieba.cut(text):
            position += len(word)
            bounds.add(position)
        found: list[tuple[int, int, str]] = []
        pos = 0
        while pos < len(text):
            m = self._pattern.match(text, pos)
            if m is not None and (pos in bounds or m.end() in bounds):
                found.append((pos, m.end(), m.group()))
                pos = m.end()
            else:
                pos += 1
        return found

    def as_lists(self) -> list[list[str]]:
        return [list(g) for g in self.groups]

    def mapping(self) -> dict[str, list[str]]:
        """Meilisearch's synonyms setting: each term maps to what it also finds (groups both ways)."""
        out: dict[str, dict[str, None]] = {}
        for group in self.groups:
            for term in group:
                out.setdefault(term, {}).update(dict.fromkeys(t for t in group if t != term))
        for term, targets in self.one_way.items():
            out.setdefault(term, {}).update(dict.fromkeys(targets))
        return {term: list(targets) for term, targets in out.items()}

    def dumps(self) -> str:
        return json.dumps({"groups": self.as_lists()}, ensure_ascii=False, indent=1)

    @classmethod
    def loads(cls, data: str) -> Synonyms:
        return cls(json.loads(data).get("groups", []))


# --- queries ---------------------------------------------------------------------------------


HIGHLIGHT_STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 对 等 之 为 于 把 被 将 由 向 从 以 其 并 而 也 就 都 个 号 年 月 日".split()
)


@dataclass(frozen=True, slots=True)
class Clause:
    """One part of a query: any of its alternatives matches it.

    Each alternative is a token sequence in search mode: one token is a term, several a phrase
    (the same sequence the indexed text holds wherever the term occurs). The first alternative is
    what the user typed, the others come from synonyms. `loose` is the word split into its
    dictionary parts (中华人民共和国 → 中华, 人民, 共和国), all of which must then be in one field:
    for texts where jieba segmented the word differently (…中华人民共和国政府…, a single word
    whose search-mode parts do not include 中华人民共和国). `surface` lists the texts to highlight.

    `kind`: `word` (must match until the query is relaxed), `stop` (a question or function word:
    never has to match), `phrase` (typed in quotes: matches exactly, never relaxed, no synonyms),
    `number` (a 文号: `keys` as `DocNumber.keys`).

    `pieces`: a word that is several words (政府信息公开指南 → 政府信息公开, 指南; 三公经费 → 三公,
    经费) and is rarely written whole: a relaxed search accepts all its pieces instead, and counts
    each piece as a share of the word.
    """

    text: str
    alternatives: tuple[tuple[str, ...], ...]
    loose: tuple[str, ...] = ()
    surface: tuple[str, ...] = ()
    kind: str = "word"
    keys: tuple[str, ...] = ()
    pieces: tuple[Clause, ...] = ()  # a compound's words, each with its synonyms (for relaxing)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str  # normalised
    clauses: tuple[Clause, ...]
    phrase: tuple[str, ...]  # the query's words in search mode (for phrase boosts)
    doc_numbers: tuple[str, ...]  # canonical

    @property
    def words(self) -> tuple[Clause, ...]:
        """The clauses that count: everything but question and function words."""
        return tuple(c for c in self.clauses if c.kind != "stop")

    @property
    def query_words(self) -> list[str]:
        return [c.text for c in self.words]

    @property
    def relaxable(self) -> tuple[Clause, ...]:
        """The clauses a relaxed search may leave out (quoted phrases never are)."""
        return tuple(c for c in self.words if c.kind != "phrase")

    @property
    def highlight_terms(self) -> list[str]:
        terms: dict[str, None] = {}
        for clause in self.clauses:
            if clause.kind == "number":
                terms[clause.text] = None
                continue
            for term in (clause.text, *clause.surface, *clause.loose):
                terms[term] = None
            for alt in clause.alternatives:
                if len(alt) == 1:
                    terms[alt[0]] = None
        found = [t for t in terms if t]
        # 的, 和, 是 … must match like any word, but marking each of them in a snippet is noise
        meaningful = [t for t in found if t not in HIGHLIGHT_STOPWORDS and t not in lexicon.stopwords()]
        return meaningful or found


def _parts(word: str) -> tuple[str, ...]:
    """A long word as consecutive dictionary words (生活保障 → 生活, 保障), when the parts cover it."""
    if len(word) < 3 or word.isascii():
        return ()
    subs = [t for t in rjieba.cut_for_search(word) if t != word]
    out: list[str] = []
    i = 0
    while i < len(word):  # greedy longest cover from the left
        best = max((s for s in subs if word.startswith(s, i)), key=len, default=None)
        if best is None:
            return ()
        out.append(best)
        i += len(best)
    return tuple(out) if len(out) > 1 else ()


def _alternatives(group: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """The token sequences a clause matches by: one per term of its group, without repeats."""
    return tuple(dict.fromkeys(alt for alt in map(_alternative, group) if alt))


def _alternative(term: str) -> tuple[str, ...]:
    precise = words(term, folded=True)
    if len(precise) <= 1:
        return (precise[0],) if precise else ()
    return tuple(tokens(term, folded=True))


_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」')


def parse_query(q: str, synonyms: Synonyms | None = None) -> ParsedQuery:
    """The clauses of a query: quoted phrases, 文号, then words (synonyms found before segmenting)."""
    text = normalize_query(q)
    synonyms = synonyms if synonyms is not None else Synonyms()
    stop = lexicon.stopwords()
    clauses: list[Clause] = []

    def add(term: str, group: tuple[str, ...], loose: tuple[str, ...] = ()) -> None:
        alternatives = _alternatives(group)
        if alternatives:
            kind = "stop" if term in stop and len(group) == 1 else "word"
            pieces = _pieces(term, loose, synonyms) if kind == "word" else ()
            clauses.append(Clause(term, alternatives, loose, group, kind, (), pieces))

    def add_words(segment: str) -> None:
        for word in dict.fromkeys(words(segment, folded=True)):
            add(word, synonyms.group(word), _parts(word))

    def add_text(segment: str) -> None:
        pos = 0
        for start, end, term in synonyms.find(segment):
            add_words(segment[pos:start])
            add(term, synonyms.group(term))
            pos = end
        add_words(segment[pos:])

    for part, quoted in _split_quoted(text):  # clauses in the order they were typed
        if quoted:
            alt = tuple(tokens(part, folded=True))
            if alt:
                clauses.append(Clause(part, (alt,), (), (part,), "phrase"))
            continue
        pos = 0
        for number in find_doc_numbers(part):
            add_text(part[pos : number.start])
            clauses.append(Clause(number.canonical, (), (), (), "number", number.keys))
            pos = number.end
        add_text(part[pos:])

    unique: dict[tuple[str, str], Clause] = {}
    for clause in clauses:
        unique.setdefault((clause.kind if clause.kind != "stop" else "word", clause.text), clause)
    parsed = tuple(unique.values())
    if parsed and all(c.kind == "stop" for c in parsed):  # a query of nothing but 的, 是 … still searches
        parsed = tuple(Clause(c.text, c.alternatives, c.loose, c.surface, "word") for c in parsed)
    content = " ".join(c.text for c in parsed if c.kind in ("word", "phrase"))
    return ParsedQuery(
        text=text,
        clauses=parsed,
        phrase=tuple(tokens(content, folded=True)),
        doc_numbers=tuple(c.text for c in parsed if c.kind == "number"),
    )


def _pieces(term: str, loose: tuple[str, ...], synonyms: Synonyms) -> tuple[Clause, ...]:
    """The words of a compound, each a clause with its own synonyms (no question words)."""
    names = words(term, folded=True)
    if len(names) <= 1:
        names = list(loose or _parts(term))
    stop = lexicon.stopwords()
    names = [n for n in dict.fromkeys(names) if n not in stop and n != term]
    if len(names) <= 1:
        return ()
    pieces = []
    for name in names:
        group = synonyms.group(name)
        alternatives = _alternatives(group)
        if alternatives:
            pieces.append(Clause(name, alternatives, _parts(name), group))
    return tuple(pieces) if len(pieces) > 1 else ()


def _split_quoted(text: str) -> list[tuple[str, bool]]:
    """The text cut into (part, quoted) pieces; an unclosed quote is just a character."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _QUOTED.finditer(text):
        out.append((text[pos : m.start()], False))
        inner = next((g for g in m.groups() if g is not None), "").strip()
        if inner:
            out.append((inner, True))
        pos = m.end()
    out.append((text[pos:], False))
    return [(part, quoted) for part, quoted in out if part.strip()]


def matched_words(parsed: ParsedQuery, doc: IndexedDocument) -> list[str]:
    """The query words a document contains (in any field, through a synonym or as its parts)."""
    if not parsed.words:
        return []
    folded = fold(" ".join((doc.title, doc.doc_number or "", doc.agency_name, doc.body)))
    compact = _NOT_WORD.sub("", folded)
    numbers: set[str] | None = None
    found = []
    for clause in parsed.words:
        if clause.kind == "number":
            if numbers is None:
                numbers = {
                    *own_number_keys(doc.doc_number),
                    *doc_number_keys(doc.title),
                    *doc_number_keys(doc.body),
                }
            hit = any(key in numbers for key in clause.keys)
        else:
            hit = _contains(clause, folded, compact) or (
                bool(clause.pieces) and all(_contains(piece, folded, compact) for piece in clause.pieces)
            )
        if hit:
            found.append(clause.text)
    return found


def _contains(clause: Clause, folded: str, compact: str) -> bool:
    if any("".join(alt) in compact or _phrase_in(alt, compact) for alt in clause.alternatives):
        return True
    if clause.loose and all(part in compact for part in clause.loose):
        return True
    return any(fold(term) in folded for term in clause.surface if term)


def _phrase_in(alt: tuple[str, ...], compact: str) -> bool:
    """A search-mode phrase (sub-words interleaved) as its plain words: the longest tokens joined."""
    if len(alt) == 1:
        return alt[0] in compact
    kept: list[str] = []
    for token in alt:  # a token that contains the previous one(s) replaces them
        while kept and kept[-1] in token:
            kept.pop()
        kept.append(token)
    return "".join(kept) in compact


# --- highlighting ----------------------------------------------------------------------------

_LATIN_EDGE = re.compile(r"[a-z0-9]")
_matcher_cache: dict[tuple[str, ...], re.Pattern[str] | None] = {}


def _matcher(terms: Iterable[str]) -> re.Pattern[str] | None:
    key = tuple(sorted({fold(t) for t in terms if t and t.strip()}, key=lambda t: (-len(t), t)))
    if key in _matcher_cache:
        return _matcher_cache[key]
    parts = []
    for term in key:
        part = re.escape(term)
        # latin words and numbers match whole words only, as the index matches them
        if _LATIN_EDGE.match(term[0]):
            part = r"(?<![a-z0-9])" + part
        if _LATIN_EDGE.match(term[-1]):
            part += r"(?![a-z0-9])"
        parts.append(part)
    pattern = re.compile("|".join(parts)) if parts else None
    if len(_matcher_cache) > 1024:
        _matcher_cache.clear()
    _matcher_cache[key] = pattern
    return pattern


def match_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of the terms in `text`, longest first, case-insensitive."""
    pattern = _matcher(terms)
    if pattern is None or not text:
        return []
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(fold(text)):
        start, end = m.span()
        if spans and spans[-1][1] == start:  # adjacent matches become one mark
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _mark(text: str, spans: Sequence[tuple[int, int]], offset: int = 0) -> str:
    out: list[str] = []
    pos = 0
    for start, end in spans:
        start, end = start - offset, end - offset
        out.append(text[pos:start])
        out.append(MARK_START + text[start:end] + MARK_END)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def highlight(text: str, terms: Iterable[str], max_len: int | None = None) -> str:
    """`text` with every occurrence of any term wrapped in MARK_START/MARK_END."""
    cut = max_len is not None and len(text) > max_len
    if cut:
        text = text[:max_len]
    spans = match_spans(text, terms)
    return _mark(text, spans) + (ELLIPSIS if cut else "")


def snippet(text: str, terms: Iterable[str], length: int = 120) -> str:
    """The `length`-character window of `text` holding the most matches, marked; "…" where cut."""
    spans = match_spans(text, terms)
    if len(text) <= length:
        return _SPACES.sub(" ", _mark(text, spans)).strip()
    start = 0
    if spans:
        best, best_count, j = 0, 0, 0
        for i, (s, _) in enumerate(spans):
            j = max(j, i)
            while j < len(spans) and spans[j][1] <= s + length:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        lead = min(20, length // 6)
        first = spans[best][0]
        last = spans[best + best_count - 1][1]
        start = max(0, first - lead) if last - max(0, first - lead) <= length else first
        start = max(0, min(start, len(text) - length))
    end = min(len(text), start + length)
    inside = [(s, e) for s, e in spans if s >= start and e <= end]
    body = _mark(text[start:end], inside, start)
    body = _SPACES.sub(" ", body).strip()
    return (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(text) else "")


# --- fuzzy matches for highlighting ----------------------------------------------------------

_LATIN_WORD = re.compile(r"[a-z]{3,}")


def within_one_edit(a: str, b: str) -> bool:
    """Damerau–Levenshtein distance ≤ 1 (one insertion, deletion, substitution or transposition)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def fuzzy_variants(texts: Iterable[str], term: str) -> list[str]:
    """Latin words in the texts within one edit of `term` (what a fuzzy query matched)."""
    found: dict[str, None] = {}
    for text in texts:
        for m in _LATIN_WORD.finditer(fold(text)):
            word = m.group()
            if word != term and within_one_edit(word, term):
                found[word] = None
    return list(found)


def warm_up() -> None:
    """Builds the fold table and loads jieba's dictionary (slow the first time: ~0.5 s)."""
    fold("預熱")
    rjieba.cut("预热")


# --- documents and dates (shared by both engines) -------------------------------------------

try:
    from zoneinfo import ZoneInfo

    SHANGHAI: Any = ZoneInfo("Asia/Shanghai")
except Exception:  # pragma: no cover - no tz database: China has had no DST since 1991
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def published_ts(published_at: datetime) -> int:
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)
    return int(published_at.timestamp())


def day_start_ts(day: date) -> int:
    """The first second of a calendar day in Asia/Shanghai, as a Unix timestamp."""
    return int(datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).timestamp())


def encode_document(doc: IndexedDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "index_no": doc.index_no,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "body": doc.body,
        "agency_id": doc.agency_id,
        "agency_path": list(doc.agency_path),
        "agency_name": doc.agency_name,
        "category": doc.category,
        "doc_type": doc.doc_type,
        "validity": doc.validity,
        "written_on": doc.written_on.isoformat() if doc.written_on else None,
        "published_at": doc.published_at.isoformat(),
    }


def decode_document(data: dict[str, Any]) -> IndexedDocument:
    published_at = datetime.fromisoformat(data["published_at"])
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)
    return IndexedDocument(
        id=int(data["id"]),
        index_no=data.get("index_no") or "",
        title=data.get("title") or "",
        doc_number=data.get("doc_number"),
        body=data.get("body") or "",
        agency_id=int(data["agency_id"]),
        agency_path=tuple(int(a) for a in data.get("agency_path") or ()),
        agency_name=data.get("agency_name") or "",
        category=data.get("category") or "",
        doc_type=data.get("doc_type") or "",
        validity=data.get("validity") or "",
        written_on=date.fromisoformat(data["written_on"]) if data.get("written_on") else None,
        published_at=published_at,
    )


def published_bounds(start: date | None, end: date | None) -> tuple[int | None, int | None]:
    """Inclusive Unix-second bounds for an inclusive range of Asia/Shanghai calendar dates."""
    low = day_start_ts(start) if start is not None else None
    high = day_start_ts(end + timedelta(days=1)) - 1 if end is not None else None
    return low, high


# --- helping the searcher: corrections and suggestions (both engines) ------------------------

MAX_CORRECTIONS = 3
_OPEN_BRACKETS = str.maketrans({c: "〔" for c in "([【„"} | {c: "〕" for c in ")]】‟"})
_NUMBER_START = re.compile(r"^[\u3400-\u9fff]{1,12}\s*(?:〔\s*\d{0,4}\s*(?:〕\s*\d*\s*号?)?)?$")


def pinyin_key(term: str) -> str:
    """A term's sound without tones (低保 → dibao), to match a homophone or a word typed in pinyin."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(term)).lower()


@lru_cache(maxsize=1)
def _lexicon_by_sound() -> dict[str, tuple[str, ...]]:
    by_sound: dict[str, list[str]] = {}
    for term in lexicon.vocabulary():
        by_sound.setdefault(pinyin_key(term), []).append(term)
    return {k: tuple(v) for k, v in by_sound.items()}


def _closeness(word: str, candidate: str) -> int | None:
    """0 same sound, 1 one character off (same length), 2 sound within one edit; None: not close."""
    if candidate == word:
        return None
    sound_word, sound_candidate = pinyin_key(word), pinyin_key(candidate)
    if sound_word == sound_candidate:
        return 0
    if len(word) == len(candidate) and sum(a != b for a, b in zip(word, candidate, strict=True)) == 1:
        return 1
    if len(word) > 1 and within_one_edit(sound_word, sound_candidate):
        return 2
    return None


def corrections(
    parsed: ParsedQuery,
    indexed: Callable[[str], int],
    nearby: Callable[[str], Iterable[str]],
) -> list[str]:
    """Queries close to one that found nothing: each word that is in no document replaced by the
    closest term that is (same sound, one character off, or a word typed in pinyin), most used
    first. `indexed(term)` counts documents holding a term; `nearby(word)` lists indexed terms
    worth comparing (the engine's term dictionary around the word)."""
    out: dict[str, None] = {}
    for clause in parsed.words:
        if clause.kind != "word" or indexed(clause.text):
            continue
        word = clause.text
        candidates: dict[str, None] = {}
        if is_latin_word(word):  # pinyin typed for a Chinese term
            candidates.update(dict.fromkeys(_lexicon_by_sound().get(word, ())))
        else:
            candidates.update(dict.fromkeys(_lexicon_by_sound().get(pinyin_key(word), ())))
            candidates.update(dict.fromkeys(t for t in lexicon.vocabulary() if t[:1] == word[:1]))
            candidates.update(dict.fromkeys(nearby(word)))
        scored = []
        for term in candidates:
            closeness = 0 if is_latin_word(word) and term != word else _closeness(word, term)
            if closeness is None:
                continue
            count = indexed(term)
            if count:
                scored.append((closeness, -count, term))
        for _, _, term in sorted(scored)[:MAX_CORRECTIONS]:
            out[parsed.text.replace(word, term, 1) if word in parsed.text else term] = None
    return list(out)[:MAX_CORRECTIONS]


def doc_number_prefix(text: str) -> str:
    """The start of a 文号 in the exact-field form (东政发[2026 → 东政发〔2026), or "" when the
    text is not one; a bare issuer (3+ characters ending in 发/函/字/令…) counts too."""
    compact = _SPACES.sub("", text.translate(_OPEN_BRACKETS))
    if "〔" not in compact and not compact.endswith(("发", "函", "字", "令", "办", "通")):
        return ""
    return compact if _NUMBER_START.match(compact) else ""


_KIND_ORDER = {"doc_number": 0, "term": 1, "title": 2}


def rank_suggestions(items: Sequence[Any], limit: int) -> list[Any]:
    """文号 first (someone typing one wants it), then terms (shortest first), then titles; at
    most `limit`, and titles keep at least half of the places when there are enough."""
    numbers = [i for i in items if i.kind == "doc_number"]
    terms = sorted((i for i in items if i.kind == "term"), key=lambda i: (len(i.text), i.text))
    titles = [i for i in items if i.kind == "title"]
    room_for_terms = max(limit - len(numbers) - min(len(titles), limit // 2), 0)
    chosen = numbers[:limit] + terms[:room_for_terms]
    chosen += titles[: max(limit - len(chosen), 0)]
    chosen += terms[room_for_terms : room_for_terms + max(limit - len(chosen), 0)]
    return sorted(chosen[:limit], key=lambda i: _KIND_ORDER[i.kind])
