"""Text analysis shared by both search engines: normalisation, Chinese segmentation, synonyms,
highlighting and snippets.

Normalisation (`fold`) is one character to one character, so a position in the folded text is the
same position in the original: the highlighter finds matches in the folded text and marks the
original. It maps traditional characters to simplified ones (OpenCC `t2s`, character by
character), full-width letters, digits and brackets to half-width (NFKC), and latin to lower case.
Document-number brackets around a four-digit year — `[2023]`, `［2023］`, `(2023)`, `（2023）`,
`【2023】`, `〔2023〕` — all become `〔2023〕`.

Segmentation uses jieba (`rjieba`, the jieba-rs binding). Texts are indexed in search mode
(`tokens`), which adds the dictionary words inside longer words, each just before the word
(中华人民共和国 → 中华, 华人, 人民, 共和, 共和国, 中华人民共和国), so a part of a long word is
found too, and a phrase is the same token sequence in a query as in a text. Queries are split
into precise-mode `words`, each of which must match.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import opencc
import rjieba

from services.catalog.search.base import MARK_END, MARK_START, IndexedDocument

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


_DOC_BRACKETS = re.compile(r"[(\[【〔](\d{4})[)\]】〕]")


def fold(text: str) -> str:
    """Traditional → simplified, full-width → half-width, lower case, 〔year〕; same length as `text`."""
    table, pattern = _fold_parts()
    get = table.__getitem__
    folded = pattern.sub(lambda m: get(m.group()), text)
    if "(" in folded or "[" in folded or "【" in folded or "〔" in folded:
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


_DOC_NUMBER = re.compile(r"[\w]*〔\d{4}〕\s*\d+\s*号")


def doc_numbers_in(q: str) -> list[str]:
    """Document numbers written in a (normalised) query, in their exact-field form."""
    return [_SPACES.sub("", m.group()) for m in _DOC_NUMBER.finditer(q)]


# --- segmentation ----------------------------------------------------------------------------

# Punctuation and symbols never become tokens: they turn into spaces before segmentation (jieba
# treats both as separators), which is much cheaper than filtering jieba's output in Python.
_NOT_WORD = re.compile(r"[^\w\s]+")


def _prepare(text: str, folded: bool) -> str:
    return _NOT_WORD.sub(" ", text if folded else fold(text))


def words(text: str, *, folded: bool = False) -> list[str]:
    """Precise-mode segmentation: the words of a query."""
    return [t for t in rjieba.cut(_prepare(text, folded)) if not t.isspace()]


def tokens(text: str, *, folded: bool = False) -> list[str]:
    """Search-mode segmentation: every word, preceded by the dictionary words inside it."""
    return [t for t in rjieba.cut_for_search(_prepare(text, folded)) if not t.isspace()]


def index_text(text: str) -> str:
    """`tokens` of a text joined by spaces, for a whitespace tokenizer (the fast path for indexing).

    Runs of spaces may remain between tokens: a whitespace tokenizer ignores them.
    """
    return " ".join(rjieba.cut_for_search(_prepare(text, False)))


def query_terms(q: str) -> list[str]:
    """The distinct words of a query, in order."""
    return list(dict.fromkeys(words(normalize_query(q), folded=True)))


def is_latin_word(term: str) -> bool:
    return term.isascii() and term.isalpha()


# --- synonyms --------------------------------------------------------------------------------


class Synonyms:
    """Groups of equivalent terms; a term belongs to at most one group (overlapping groups merge)."""

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
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
        ordered = sorted(self._by_term, key=lambda t: (-len(t), t))
        self._pattern = re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None

    def __bool__(self) -> bool:
        return bool(self.groups)

    def group(self, term: str) -> tuple[str, ...]:
        """The term's group (itself first), or just the term."""
        group = self._by_term.get(term)
        if group is None:
            return (term,)
        return (term, *(t for t in group if t != term))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping occurrences of group terms in normalised text, longest first at each place."""
        if self._pattern is None:
            return []
        return [(m.start(), m.end(), m.group()) for m in self._pattern.finditer(text)]

    def as_lists(self) -> list[list[str]]:
        return [list(g) for g in self.groups]

    def both_directions(self) -> dict[str, list[str]]:
        """Meilisearch's synonyms setting: every term maps to the rest of its group."""
        return {term: [t for t in group if t != term] for group in self.groups for term in group}

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
    """One required part of a query: any of its alternatives matches it.

    Each alternative is a token sequence in search mode: one token is a term, several a phrase
    (the same sequence the indexed text holds wherever the term occurs). The first alternative is
    what the user typed, the others come from synonyms. `loose` is the word split into its
    dictionary parts (中华人民共和国 → 中华, 人民, 共和国), all of which must then be in one field:
    for texts where jieba segmented the word differently (…中华人民共和国政府…, a single word
    whose search-mode parts do not include 中华人民共和国). `surface` lists the texts to highlight.
    """

    text: str
    alternatives: tuple[tuple[str, ...], ...]
    loose: tuple[str, ...] = ()
    surface: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str  # normalised
    clauses: tuple[Clause, ...]
    phrase: tuple[str, ...]  # the whole query in search mode (for phrase boosts)
    doc_numbers: tuple[str, ...]

    @property
    def highlight_terms(self) -> list[str]:
        terms: dict[str, None] = {}
        for clause in self.clauses:
            for term in (clause.text, *clause.surface, *clause.loose):
                terms[term] = None
            for alt in clause.alternatives:
                if len(alt) == 1:
                    terms[alt[0]] = None
        for number in self.doc_numbers:
            terms[number] = None
        found = [t for t in terms if t]
        # 的, 和, 是 … must match like any word, but marking each of them in a snippet is noise
        meaningful = [t for t in found if t not in HIGHLIGHT_STOPWORDS]
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


def _alternative(term: str) -> tuple[str, ...]:
    precise = words(term, folded=True)
    if len(precise) <= 1:
        return (precise[0],) if precise else ()
    return tuple(tokens(term, folded=True))


def parse_query(q: str, synonyms: Synonyms | None = None) -> ParsedQuery:
    text = normalize_query(q)
    synonyms = synonyms or Synonyms()
    clauses: list[Clause] = []

    def add(term: str, group: tuple[str, ...], loose: tuple[str, ...] = ()) -> None:
        alternatives = tuple(dict.fromkeys(alt for alt in map(_alternative, group) if alt))
        if alternatives:
            clauses.append(Clause(term, alternatives, loose, group))

    def add_words(segment: str) -> None:
        for word in dict.fromkeys(words(segment, folded=True)):
            add(word, synonyms.group(word), _parts(word))

    pos = 0
    for start, end, term in synonyms.find(text):
        add_words(text[pos:start])
        add(term, synonyms.group(term))
        pos = end
    add_words(text[pos:])
    unique: dict[str, Clause] = {}
    for clause in clauses:
        unique.setdefault(clause.text, clause)
    return ParsedQuery(
        text=text,
        clauses=tuple(unique.values()),
        phrase=tuple(tokens(text, folded=True)),
        doc_numbers=tuple(doc_numbers_in(text)),
    )


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
