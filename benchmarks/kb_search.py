"""Search and entity-recognition latency on the full knowledge base (target: p95 < 10 ms).

Run: .venv/bin/python benchmarks/kb_search.py [--data-dir DIR] [--rounds N]
Prints build times and p50/p95/max per stage; the figures are reported, never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies_kb.catalogue import load_catalogue  # noqa: E402
from policies_kb.entities import EntityRecognizer  # noqa: E402
from policies_kb.search import SearchIndex  # noqa: E402

COLLOQUIAL = [
    "毕业生开公司能拿多少补贴",
    "我想贷款创业",
    "孵化基地的场地费能补吗",
    "灵活就业社保怎么交",
    "天使基金怎么申请",
    "批次贷是什么",
    "黄浦区有什么创业政策",
    "海归在浦东创业有支持吗",
    "沪人社规〔2023〕1号讲了什么",
    "能贷三十万吗",
    "退役军人创业贷款",
    "创业培训在哪里报名",
    "找创业导师咨询",
    "注册公司18个月内还能申请补贴吗",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn, queries: list[str], rounds: int) -> list[float]:  # noqa: ANN001
    samples = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            fn(query)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    t0 = time.perf_counter()
    catalogue = load_catalogue(args.data_dir)
    t1 = time.perf_counter()
    recognizer = EntityRecognizer(catalogue)
    t2 = time.perf_counter()
    plain = SearchIndex(catalogue)
    t3 = time.perf_counter()
    with_spacy = SearchIndex(catalogue, recognizer=recognizer.recognize)
    on = date(2026, 11, 28)
    queries = [q for p in catalogue.policies.values() for q in (p.name, *p.aliases)] + COLLOQUIAL
    print(f"catalogue: {len(catalogue.policies)} policies, {len(queries)} queries x {args.rounds} rounds")
    print(
        f"build: parse+validate {1000 * (t1 - t0):.0f} ms, spaCy recogniser {1000 * (t2 - t1):.0f} ms "
        f"(incl. import), search index {1000 * (t3 - t2):.0f} ms"
    )
    for name, fn in (
        ("search (phrase scanner)", lambda q: plain.search(q, limit=5, on=on)),
        ("search (spaCy entities)", lambda q: with_spacy.search(q, limit=5, on=on)),
        ("recognize (spaCy)", recognizer.recognize),
    ):
        fn("预热")
        samples = timed(fn, queries, args.rounds)
        print(
            f"{name:26s} n={len(samples):5d}  p50={statistics.median(samples):.3f} ms  "
            f"p95={percentile(samples, 0.95):.3f} ms  max={max(samples):.3f} ms"
        )


if __name__ == "__main__":
    main()
