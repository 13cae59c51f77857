"""The built-in language data of search, shipped as data files in `data/`.

- `dictionary.txt`: 政务 terms jieba keeps as one word (最低生活保障, 依申请公开 …); search-mode
  segmentation still emits the dictionary words inside them, so their parts are found too.
- `stopwords.txt`: question and function words (怎么办, 多久, 哪些, 吗 …) that a query never
  has to match; Meilisearch receives the same list as `stopWords`.
- `synonyms.json`: equivalent groups (环保 ↔ 生态环境) and one-way expansions (残疾人补助 →
  困难残疾人生活补贴), merged with the groups an administrator sets.

The dictionary changes segmentation of indexed text too, so both the index and the queries must
be segmented with it: `install()` runs once per process before any segmentation (analysis.py
calls it at import).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rjieba

DATA = Path(__file__).parent / "data"
DEFAULT_FREQ = 20000

_installed = False
_install_lock = threading.Lock()


def _lines(name: str) -> list[str]:
    out = []
    for raw in (DATA / name).read_text("utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@cache
def dictionary() -> tuple[tuple[str, int], ...]:
    """(term, frequency) pairs of the domain dictionary, in file order."""
    entries: dict[str, int] = {}
    for line in _lines("dictionary.txt"):
        parts = line.split()
        term = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else DEFAULT_FREQ
        entries.setdefault(term, freq)
    return tuple(entries.items())


@cache
def stopwords() -> frozenset[str]:
    return frozenset(line.split()[0] for line in _lines("stopwords.txt"))


@dataclass(frozen=True, slots=True)
class BuiltinSynonyms:
    groups: tuple[tuple[str, ...], ...]
    one_way: tuple[tuple[str, tuple[str, ...]], ...]  # (from, to …)


@cache
def builtin_synonyms() -> BuiltinSynonyms:
    data = json.loads((DATA / "synonyms.json").read_text("utf-8"))
    groups = tuple(tuple(g) for g in data.get("groups", []) if len(set(g)) >= 2)
    one_way = tuple((str(e["from"]), tuple(e["to"])) for e in data.get("one_way", []) if e.get("to"))
    return BuiltinSynonyms(groups, one_way)


@cache
def fingerprint() -> str:
    """Identifies the dictionary an index was segmented with (a new one means re-indexing)."""
    return hashlib.sha256((DATA / "dictionary.txt").read_bytes()).hexdigest()[:16]


def install() -> None:
    """Adds the domain dictionary to jieba (once per process; idempotent)."""
    global _installed
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        for term, freq in dictionary():
            rjieba.add_word(term, freq, None)
        _installed = True


@cache
def vocabulary() -> tuple[str, ...]:
    """Every term the lexicon knows (dictionary and synonyms), sorted: completions and corrections."""
    terms = {term for term, _ in dictionary()}
    synonyms = builtin_synonyms()
    for group in synonyms.groups:
        terms.update(group)
    for source, targets in synonyms.one_way:
        terms.add(source)
        terms.update(targets)
    return tuple(sorted(t for t in terms if t))


def terms_with_prefix(prefix: str, limit: int) -> list[str]:
    """Lexicon terms that start with `prefix` (shortest first), for suggestions."""
    vocab = vocabulary()
    start = bisect.bisect_left(vocab, prefix)
    found = []
    for term in vocab[start:]:
        if not term.startswith(prefix):
            break
        if term != prefix:
            found.append(term)
    return sorted(found, key=lambda t: (len(t), t))[:limit]
