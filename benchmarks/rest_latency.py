"""Latency of KB-backed answers vs greetings through the REST channel, in the same run.

    .venv/bin/python benchmarks/rest_latency.py [--requests 200]

Starts the Rasa server and action server (as `make run` does) on free ports with the trained model,
against a fresh SQLite database, warms them up, then sends the two kinds of message interleaved,
each from a new conversation, one at a time. Prints p50/p95/p99 per kind and the KB/greeting ratio
(target: at most 1.5 at p50 and p95).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import runtime  # noqa: E402

GREETINGS = ["你好", "您好，在吗", "哈喽", "早上好"]
KB_QUESTIONS = [
    "创业担保贷款有哪几种？",
    "一次性创业补贴有多少钱",
    "个人创业担保贷款最高能贷多少",
    "孵化场地费补贴怎么申请",
    "马兰花创业培训是什么",
    "创业组织贷款的利率是多少",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def send(url: str, message: str) -> tuple[float, list[dict]]:
    body = json.dumps({"sender": f"bench-{uuid.uuid4().hex[:10]}", "message": message}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        replies = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, replies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind")
    args = parser.parse_args()

    model = runtime.ensure_model()
    folder = Path(tempfile.mkdtemp(prefix="haina-bench-"))
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'haina.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
    }
    runtime.setup_database(env)
    ports = runtime.Ports(rasa=free_port(), actions=free_port(), web=free_port())
    specs = [s for s in runtime.service_specs(ports, env) if s.name in ("rasa", "actions")]
    supervisor = runtime.Supervisor(specs, echo=False)
    url = f"http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook"
    try:
        supervisor.start()
        supervisor.wait_until_ready()
        for message in GREETINGS + KB_QUESTIONS:  # warm-up: lazy imports, caches, first DB reads
            send(url, message)
        timings: dict[str, list[float]] = {"greeting": [], "kb_answer": []}
        for i in range(args.requests):
            ms, replies = send(url, GREETINGS[i % len(GREETINGS)])
            timings["greeting"].append(ms)
            ms, replies = send(url, KB_QUESTIONS[i % len(KB_QUESTIONS)])
            if not any("来源" in r.get("text", "") for r in replies):
                print(
                    f"warning: no sourced answer for {KB_QUESTIONS[i % len(KB_QUESTIONS)]!r}", file=sys.stderr
                )
            timings["kb_answer"].append(ms)
    finally:
        supervisor.stop()

    print(f"model: {model.name}; {args.requests} requests of each kind, sequential, new conversation each")
    print(f"{'kind':<10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    summary = {}
    for kind, values in timings.items():
        summary[kind] = {q: percentile(values, q) for q in (0.5, 0.95, 0.99)}
        print(
            f"{kind:<10} {summary[kind][0.5]:>8.1f} {summary[kind][0.95]:>8.1f} "
            f"{summary[kind][0.99]:>8.1f} {statistics.mean(values):>8.1f}"
        )
    for q, label in ((0.5, "p50"), (0.95, "p95")):
        ratio = summary["kb_answer"][q] / summary["greeting"][q]
        print(
            f"KB answer / greeting at {label}: {ratio:.2f}  (target ≤ 1.50: {'met' if ratio <= 1.5 else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
