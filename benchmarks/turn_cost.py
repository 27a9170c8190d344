"""CPU cost of each kind of turn on one replica, measured one turn at a time.

    .venv/bin/python benchmarks/turn_cost.py [--rounds 30]

Starts one Rasa server and one action server (tests/scale/cluster.py, as benchmarks/load.py does)
against a fresh PostgreSQL database and the local Redis, then plays the load benchmark's mixed and
floor scripts sequentially, each round as a new conversation. For every turn it reads the CPU time
the Rasa server's event-loop thread and the action server spent (/proc/<pid>/task/<tid>/schedstat,
nanoseconds) and the turn's wall time. Prints the mean per kind of turn and per script.

Why: on a saturated replica throughput is the inverse of the CPU a turn costs the event loop, so
these figures explain the throughput of the mixed workload against the floor in docs/reports/load.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import FLOOR, MIXED  # noqa: E402
from bot import runtime  # noqa: E402
from tests.scale.cluster import cluster_env, lock_key_prefix, start_cluster  # noqa: E402


def cpu_ns(pid: int, tid: int | None = None) -> int:
    """CPU time of one thread (tid) or of every thread of the process, in nanoseconds."""
    tids = [tid] if tid else [int(p.name) for p in Path(f"/proc/{pid}/task").iterdir()]
    total = 0
    for thread in tids:
        with contextlib.suppress(FileNotFoundError):  # a thread that ended meanwhile
            total += int(Path(f"/proc/{pid}/task/{thread}/schedstat").read_text().split()[0])
    return total


def play(url: str, script: list[tuple[str, str]], rounds: int, rasa_pid: int, actions_pid: int) -> dict:
    costs: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    session = requests.Session()
    for _ in range(rounds):
        sender = f"cost-{uuid.uuid4().hex[:10]}"
        for kind, text in script:
            loop_before, actions_before = cpu_ns(rasa_pid, rasa_pid), cpu_ns(actions_pid)
            started = time.perf_counter()
            reply = session.post(url, json={"sender": sender, "message": text}, timeout=30)
            wall = (time.perf_counter() - started) * 1000
            reply.raise_for_status()
            costs[kind]["wall"].append(wall)
            costs[kind]["loop"].append((cpu_ns(rasa_pid, rasa_pid) - loop_before) / 1e6)
            costs[kind]["actions"].append((cpu_ns(actions_pid) - actions_before) / 1e6)
    return costs


def report(name: str, script: list[tuple[str, str]], costs: dict, rounds: int) -> float:
    print(f"\n{name}: mean per turn over {rounds} rounds")
    print(
        f"  {'kind':<10} {'turns':>5} {'wall p50 ms':>12} {'Rasa loop CPU ms':>17} {'action server CPU ms':>21}"
    )
    per_script = 0.0
    for kind in dict.fromkeys(k for k, _ in script):
        turns = sum(1 for k, _ in script if k == kind)
        loop = statistics.mean(costs[kind]["loop"])
        per_script += loop * turns
        print(
            f"  {kind:<10} {turns:>5} {statistics.median(costs[kind]['wall']):>12.1f} {loop:>17.1f}"
            f" {statistics.mean(costs[kind]['actions']):>21.1f}"
        )
    mean = per_script / len(script)
    print(f"  Rasa loop CPU per script {per_script:.0f} ms, per turn {mean:.1f} ms")
    return mean


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="times each script is played")
    args = parser.parse_args()
    from tests.conftest import fresh_postgres_database

    runtime.ensure_model()
    with fresh_postgres_database() as database:
        env = cluster_env(database, LOG_FORMAT="json")
        cluster = start_cluster(1, env, lock_prefix=lock_key_prefix())
        try:
            pids = cluster.pids()
            url = f"http://127.0.0.1:{cluster.replicas[0].ports.rasa}/webhooks/rest/webhook"
            play(url, MIXED, 2, pids["rasa0"], pids["actions0"])  # warm-up, not reported
            mixed_costs = play(url, MIXED, args.rounds, pids["rasa0"], pids["actions0"])
            floor_costs = play(url, FLOOR, args.rounds, pids["rasa0"], pids["actions0"])
            mixed = report("mixed", MIXED, mixed_costs, args.rounds)
            floor = report("floor", FLOOR, floor_costs, args.rounds)
        finally:
            cluster.stop()
    print(
        f"\nmixed / floor Rasa loop CPU per turn: {mixed / floor:.2f}"
        " (on a saturated replica, about the floor's throughput / the mixed workload's)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
