"""Search relevance on the hand-judged set: our ranking against plain BM25 OR on the same engine.

`make bench` runs `.venv/bin/python bench/relevance.py`. It indexes the judged passages
(`tests/judged/`, see tests/judged_set.py) into a fresh embedded index, runs every judged query
through the engine's own search and through a plain BM25 OR query (any word, same index, same
field boosts), and prints recall@10, nDCG@10 and MRR per query kind side by side, the share of
queries that found nothing, and whether the targets are met: recall@10 ≥ 0.90 and nDCG@10 ≥ 0.85
overall, no kind below 0.80 (recall and nDCG), zero results < 2 %. `--misses` lists the queries
whose relevant passages did not all reach the top 10.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from tests import judged_set  # noqa: E402

TARGETS = {"recall": 0.90, "ndcg": 0.85, "kind_floor": 0.80, "zero_results": 0.02}


def targets_met(table: dict[str, judged_set.Scores]) -> list[str]:
    """The targets missed (empty when every one is met)."""
    overall = table["all"]
    missed = []
    if overall.recall < TARGETS["recall"]:
        missed.append(f"recall@10 {overall.recall:.3f} < {TARGETS['recall']}")
    if overall.ndcg < TARGETS["ndcg"]:
        missed.append(f"nDCG@10 {overall.ndcg:.3f} < {TARGETS['ndcg']}")
    for kind in judged_set.KINDS:
        s = table[kind]
        if s.queries and min(s.recall, s.ndcg) < TARGETS["kind_floor"]:
            missed.append(f"{kind}: recall {s.recall:.3f} / nDCG {s.ndcg:.3f} < {TARGETS['kind_floor']}")
    if overall.zero_results >= TARGETS["zero_results"]:
        missed.append(f"zero results {overall.zero_results:.1%} ≥ {TARGETS['zero_results']:.0%}")
    return missed


async def measure(index_dir: Path) -> tuple[dict, dict, list]:
    ours, plain = await judged_set.rank_on_embedded(index_dir)
    return judged_set.by_kind(ours), judged_set.by_kind(plain), ours


def print_table(ours: dict[str, judged_set.Scores], plain: dict[str, judged_set.Scores]) -> None:
    judged = judged_set.load()
    print(f"judged set: {len(judged.documents)} passages, {len(judged.queries)} queries (tests/judged/)")
    header = f"{'kind':<11}{'n':>4} | {'recall@10':>18} | {'nDCG@10':>18} | {'MRR':>18}"
    print(header)
    print(f"{'':<15} | {'ours':>8} {'BM25 OR':>9} | {'ours':>8} {'BM25 OR':>9} | {'ours':>8} {'BM25 OR':>9}")
    print("-" * len(header))
    for kind in ("all", *judged_set.KINDS):
        a, b = ours[kind], plain[kind]
        print(
            f"{kind:<11}{a.queries:>4} | {a.recall:>8.3f} {b.recall:>9.3f} | {a.ndcg:>8.3f} {b.ndcg:>9.3f}"
            f" | {a.mrr:>8.3f} {b.mrr:>9.3f}"
        )
    print(
        f"zero-result queries: ours {ours['all'].zero_results:.1%}, BM25 OR {plain['all'].zero_results:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--misses", action="store_true", help="list queries that missed relevant passages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongkai-relevance-") as tmp:
        ours, plain, runs = asyncio.run(measure(Path(tmp) / "index"))
    print_table(ours, plain)
    missed = targets_met(ours)
    print("targets: " + ("all met" if not missed else "NOT MET: " + "; ".join(missed)))
    if args.misses:
        for q, ranked, total in runs:
            recall = judged_set.recall_at_k(ranked, q.grades)
            if recall < 1.0:
                lost = [k for k in q.grades if k not in ranked]
                print(f"  {q.id} [{q.kind}] {q.query!r}: recall {recall:.2f}, total {total}, missing {lost}")
    print(
        json.dumps(
            {
                "bench": "relevance",
                "ours": {k: vars_of(v) for k, v in ours.items()},
                "bm25_or": {k: vars_of(v) for k, v in plain.items()},
                "targets_met": not missed,
            },
            ensure_ascii=False,
        )
    )


def vars_of(s: judged_set.Scores) -> dict[str, float]:
    return {
        "queries": s.queries,
        "recall": round(s.recall, 4),
        "ndcg": round(s.ndcg, 4),
        "mrr": round(s.mrr, 4),
        "zero_results": round(s.zero_results, 4),
    }


if __name__ == "__main__":
    main()
