"""Load test of the production topology: REST and WeChat channels, 1/10/50 users, 1 vs 2 Rasa replicas.

    .venv/bin/python benchmarks/load.py [--users 1,10,50] [--replicas 1,2] [--wechat-mode safe]
                                        [--rounds 3] [--min-conversations 60] [--scaling-pairs 3]
                                        [--time-limit 240] [--json-out FILE]

Starts N Rasa servers + N action servers (tests/scale/cluster.py: the commands of `make run`) against
a fresh PostgreSQL database (KB, bookings, tracker store) and the local Redis (lock store, WeChat
dedup and access_token, unique key prefixes), plus the fake WeChat API of tests/channels (it counts
customer-service deliveries). Everything is on loopback; every run is bounded in messages and time.

Simulated users (asyncio + aiohttp, closed loop, no think time) each play one script:
- mixed: greeting, two policy questions (KB answer, follow-up), the eligibility form (4 turns),
  a booking start -- 8 turns, played --rounds times as new conversations (more rounds when fewer
  users would play under --min-conversations: a p95 of 1 user x 3 rounds would be the slowest of 6
  KB answers);
- floor: 8 greetings (the cheapest turn the stack can serve).
Messages go to the replica with the fewest requests in flight (--balance least-conn, as deploy/nginx.conf;
round-robin for runs A-M and the control P), so one conversation's turns land on either replica.

Scaling is measured inside the N-replica cluster, in --scaling-pairs interleaved pairs of runs: all
traffic to replica 0 (the others idle: a one-replica deployment), then over all N. The
host's speed drifts by 10-20% over minutes on these VMs; a pair run back to back on the same
processes and database cancels that drift, where a one-replica cluster measured minutes earlier
does not. The median of the pairs is the figure; every pair and the separate-cluster ratio are
printed too.

A WeChat push counts as answered when its passive reply carries an answer, or when a
customer-service message reaches the fake API for that user afterwards (the channel answers
"success" after its passive deadline and sends the answer later); else it is lost.
Prints p50/p95/p99 latency per kind of turn, throughput, errors, lost messages, peak RSS of each
server process and where the machine's CPU went (each server, PostgreSQL, Redis, this load client).
Targets are reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import runtime  # noqa: E402
from tests.channels import wechat_harness as wh  # noqa: E402
from tests.scale.cluster import Cluster, cluster_env, lock_key_prefix, rss_bytes, start_cluster  # noqa: E402

MIXED = [
    ("greeting", "你好"),
    ("kb_answer", "个人创业担保贷款最高能贷多少"),
    ("kb_answer", "那期限呢？"),
    ("form", "我能申请一次性创业补贴吗"),
    ("form", "本地户口"),
    ("form", "去年6月毕业"),
    ("form", "是"),
    ("booking", "我想预约专家咨询"),
]
FLOOR = [("greeting", g) for g in ["你好", "您好，在吗", "哈喽", "早上好", "你好呀", "在吗", "您好", "嗨"]]
SCRIPTS = {"mixed": MIXED, "floor": FLOOR}
ASYNC_WAIT_S = 90.0  # how long a WeChat user waits for a customer-service message before calling it lost


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Sample:
    kind: str
    ms: float
    outcome: str  # ok | passive | async | empty | lost | error
    detail: str = ""


@dataclass
class RunResult:
    channel: str
    workload: str
    users: int
    replicas: int  # replicas that received messages
    wall_s: float
    cluster_replicas: int = 1  # replicas running
    pair: int | None = None  # index of the interleaved scaling pair, None outside them
    samples: list[Sample] = field(default_factory=list)
    not_sent: int = 0
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_percent: dict[str, float] = field(default_factory=dict)
    load_before: float = 0.0
    load_after: float = 0.0

    def summary(self) -> dict[str, Any]:
        answered = [s for s in self.samples if s.outcome in ("ok", "passive", "async")]
        by_kind: dict[str, dict[str, float]] = {}
        for kind in sorted({s.kind for s in answered}):
            values = [s.ms for s in answered if s.kind == kind]
            by_kind[kind] = {
                "n": len(values),
                "p50": percentile(values, 0.5),
                "p95": percentile(values, 0.95),
                "p99": percentile(values, 0.99),
            }
        values = [s.ms for s in answered]
        outcome_counts: dict[str, int] = defaultdict(int)
        for s in self.samples:
            outcome_counts[s.outcome] += 1
        passive = [s.ms for s in self.samples if s.outcome == "passive"]
        wechat_within = sum(1 for ms in passive if ms <= 4500)
        return {
            "channel": self.channel,
            "workload": self.workload,
            "users": self.users,
            "replicas": self.replicas,
            "cluster_replicas": self.cluster_replicas,
            "pair": self.pair,
            "messages": len(self.samples),
            "not_sent": self.not_sent,
            "wall_s": round(self.wall_s, 1),
            "throughput_msg_s": round(len(answered) / self.wall_s, 2) if self.wall_s else 0.0,
            "errors": outcome_counts["error"],
            "lost": outcome_counts["lost"] + outcome_counts["empty"],
            "outcomes": dict(outcome_counts),
            "wechat_passive_within_4_5s": wechat_within,
            "wechat_passive_max_ms": round(max(passive)) if passive else None,
            "all": {
                "p50": percentile(values, 0.5),
                "p95": percentile(values, 0.95),
                "p99": percentile(values, 0.99),
            },
            "by_kind": by_kind,
            "peak_rss_mb": self.peak_rss_mb,
            "cpu_percent": self.cpu_percent,
            "load_avg_before_after": [round(self.load_before, 2), round(self.load_after, 2)],
            "error_examples": sorted({s.detail for s in self.samples if s.detail})[:5],
        }


class CountingWeChatApi(wh.FakeWeChatApi):
    """The harness's fake WeChat API, plus a per-user record of customer-service deliveries."""

    def __init__(self) -> None:
        super().__init__()
        self.deliveries: dict[str, list[float]] = defaultdict(list)
        self.arrived: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    async def _send(self, request: web.Request) -> web.Response:
        before = len(self.sent)
        answer = await super()._send(request)
        if len(self.sent) > before:
            user = self.sent[-1].get("touser", "")
            self.deliveries[user].append(time.perf_counter())
            self.arrived[user].set()
        return answer


class Driver:
    def __init__(
        self, cluster: Cluster, api: CountingWeChatApi, mode: str, http: aiohttp.ClientSession, balance: str
    ):
        self.cluster = cluster
        self.api = api
        self.mode = mode
        self.http = http
        self.balance = balance
        self._next = itertools.count()
        self.active = len(cluster.replicas)  # messages go to the first `active` replicas
        self._open = [0] * len(cluster.replicas)  # requests in flight per replica

    @contextlib.contextmanager
    def replica(self) -> Iterator[Any]:
        """The replica the load balancer picks, counted as busy until the HTTP exchange ends.

        round-robin: nginx's default. least-conn: nginx's `least_conn` (deploy/nginx.conf), fewest
        requests in flight, ties in round-robin order; a booking turn costs 3-4 greetings of Rasa
        CPU, so equal counts are not equal work.
        """
        turn = next(self._next)
        candidates = [(turn + i) % self.active for i in range(self.active)]
        if self.balance == "least-conn":
            candidates.sort(key=lambda index: self._open[index])  # stable: ties stay round-robin
        index = candidates[0]
        self._open[index] += 1
        try:
            yield self.cluster.replicas[index]
        finally:
            self._open[index] -= 1

    async def rest_turn(self, sender: str, kind: str, message: str) -> Sample:
        started = time.perf_counter()
        try:
            with self.replica() as replica:
                async with self.http.post(
                    replica.rest_url, json={"sender": sender, "message": message}
                ) as response:
                    body = await response.read()
            ms = (time.perf_counter() - started) * 1000
            if response.status != 200:
                return Sample(kind, ms, "error", f"HTTP {response.status}")
            replies = json.loads(body)
            return Sample(kind, ms, "ok" if replies else "empty")
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            return Sample(kind, (time.perf_counter() - started) * 1000, "error", type(exc).__name__)

    async def wechat_turn(self, openid: str, kind: str, message: str) -> Sample:
        xml = wh.text_xml(message, msg_id=random.randint(10**15, 10**16 - 1), openid=openid)
        signed = wh.sign_push(xml, self.mode)
        signed.params["openid"] = openid
        delivered_before = len(self.api.deliveries[openid])
        self.api.arrived[openid].clear()
        started = time.perf_counter()
        try:
            with self.replica() as replica:
                url = f"{replica.wechat_url}?{urlencode(signed.params)}"
                async with self.http.post(url, data=signed.body) as response:
                    body = (await response.text()).strip()
            ms = (time.perf_counter() - started) * 1000
            if response.status != 200:
                return Sample(kind, ms, "error", f"HTTP {response.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return Sample(kind, (time.perf_counter() - started) * 1000, "error", type(exc).__name__)
        if body not in ("", "success"):
            return Sample(kind, ms, "passive")
        # "success": the answer must come through the customer-service API.
        deadline = started + ASYNC_WAIT_S
        while len(self.api.deliveries[openid]) <= delivered_before:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return Sample(kind, ASYNC_WAIT_S * 1000, "lost", "no async delivery")
            try:
                await asyncio.wait_for(self.api.arrived[openid].wait(), timeout=remaining)
            except asyncio.TimeoutError:
                continue
            self.api.arrived[openid].clear()
        return Sample(kind, (self.api.deliveries[openid][delivered_before] - started) * 1000, "async")


class RssSampler:
    def __init__(self, pids: dict[str, int]):
        self.pids = pids
        self.peak: dict[str, int] = defaultdict(int)
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_bytes(pid))
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> dict[str, float]:
        if self._task:
            self._task.cancel()
        for name, pid in self.pids.items():
            self.peak[name] = max(self.peak[name], rss_bytes(pid))
        return {name: round(value / 2**20, 1) for name, value in sorted(self.peak.items())}


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process and all its threads, in clock ticks (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[11]) + int(fields[12])


def _pids_named(command: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm", encoding="ascii") as handle:
                    if handle.read().strip() == command:
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


class CpuMeter:
    """Where the CPU went during a run, in % of one core: each server, the stores, this client.

    On a 2-core machine everything shares the cores with the replicas, so this shows what the
    replicas had left. PostgreSQL and Redis are summed over their processes alive at both ends.
    """

    def __init__(self, pids: dict[str, int]):
        self.pids = dict(pids) | {"load client": os.getpid()}
        self.groups = {"postgres": _pids_named("postgres"), "redis": _pids_named("redis-server")}

    def _snapshot(self) -> tuple[float, dict[str, int], dict[int, int], int]:
        with open("/proc/stat", encoding="ascii") as handle:
            total = handle.readline().split()[1:]
        busy = sum(int(v) for v in total) - int(total[3]) - int(total[4])  # minus idle, iowait
        group_pids = {pid for pids in self.groups.values() for pid in pids}
        return (
            time.perf_counter(),
            {name: _cpu_ticks(pid) for name, pid in self.pids.items()},
            {pid: _cpu_ticks(pid) for pid in group_pids},
            busy,
        )

    def start(self) -> None:
        self._start = self._snapshot()

    def stop(self) -> dict[str, float]:
        end = self._snapshot()
        seconds = end[0] - self._start[0]

        def percent(ticks: int) -> float:
            return round(100 * ticks / CLOCK_TICKS / seconds, 1)

        shares = {name: percent(end[1][name] - self._start[1][name]) for name in self.pids}
        for group, pids in self.groups.items():
            shares[group] = percent(sum(end[2][p] - self._start[2][p] for p in pids if end[2][p]))
        shares["machine"] = percent(end[3] - self._start[3])
        return shares


async def run_level(
    driver: Driver,
    channel: str,
    workload: str,
    users: int,
    time_limit: float,
    rounds: int = 1,
    pair: int | None = None,
) -> RunResult:
    script = SCRIPTS[workload]
    result = RunResult(
        channel, workload, users, driver.active, 0.0, cluster_replicas=len(driver.cluster.replicas), pair=pair
    )
    result.load_before = os.getloadavg()[0]
    sampler = RssSampler(driver.cluster.pids())
    sampler.start()
    cpu = CpuMeter(driver.cluster.pids())
    cpu.start()
    stop_at = time.perf_counter() + time_limit
    run_id = uuid.uuid4().hex[:6]

    async def user(index: int) -> None:
        for round_ in range(rounds):
            sender = f"load-{run_id}-{index}-{round_}"  # a new conversation each round
            openid = f"oLoad{run_id}{index:04d}r{round_:02d}".ljust(28, "0")
            for position, (kind, message) in enumerate(script):
                if time.perf_counter() > stop_at:
                    result.not_sent += len(script) - position + (rounds - round_ - 1) * len(script)
                    return
                if channel == "rest":
                    sample = await driver.rest_turn(sender, kind, message)
                else:
                    sample = await driver.wechat_turn(openid, kind, message)
                result.samples.append(sample)

    started = time.perf_counter()
    await asyncio.gather(*(user(i) for i in range(users)))
    result.wall_s = time.perf_counter() - started
    result.cpu_percent = cpu.stop()
    result.peak_rss_mb = await sampler.stop()
    result.load_after = os.getloadavg()[0]
    return result


async def warm_up(driver: Driver) -> None:
    """First turns load lazy imports, spaCy and caches in every process; not measured."""
    for replica_round in range(2 * len(driver.cluster.replicas)):
        sender = f"warm-{replica_round}-{uuid.uuid4().hex[:6]}"
        for kind, message in MIXED:
            await driver.rest_turn(sender, kind, message)
        await driver.wechat_turn(f"oWarm{replica_round}".ljust(28, "0"), "greeting", "你好")


def print_summary(summary: dict[str, Any]) -> None:
    head = (
        f"{summary['channel']:<6} {summary['workload']:<5} users={summary['users']:<3} "
        f"replicas={summary['replicas']}/{summary['cluster_replicas']} "
        f"msgs={summary['messages']:<4} {summary['throughput_msg_s']:>6.2f} msg/s  errors={summary['errors']} "
        f"lost={summary['lost']} not_sent={summary['not_sent']} wall={summary['wall_s']}s "
        f"load={summary['load_avg_before_after']}"
    )
    print(head, flush=True)
    a = summary["all"]
    print(f"    all        p50 {a['p50']:>8.0f}  p95 {a['p95']:>8.0f}  p99 {a['p99']:>8.0f} ms")
    for kind, k in summary["by_kind"].items():
        print(
            f"    {kind:<10} p50 {k['p50']:>8.0f}  p95 {k['p95']:>8.0f}  p99 {k['p99']:>8.0f} ms  (n={k['n']})"
        )
    if summary["channel"] == "wechat":
        o = summary["outcomes"]
        print(
            f"    wechat: passive {o.get('passive', 0)} (within 4.5 s: {summary['wechat_passive_within_4_5s']}, "
            f"slowest {summary['wechat_passive_max_ms']} ms), "
            f"async {o.get('async', 0)}, lost {o.get('lost', 0)}"
        )
    print(f"    peak RSS MB: {summary['peak_rss_mb']}", flush=True)
    print(f"    CPU, % of one core: {summary['cpu_percent']}", flush=True)
    if summary["error_examples"]:
        print(f"    errors: {summary['error_examples']}", flush=True)


def machine() -> dict[str, Any]:
    def sh(command: str) -> str:
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()

    return {
        "nproc": sh("nproc"),
        "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "free_h": sh("free -h"),
        "python": platform.python_version(),
        "busiest_processes": sh("ps -eo pcpu,rss,args --sort=-pcpu | head -8 | cut -c1-150"),
    }


class ServerWarnings:
    """Keeps every WARNING/ERROR line (and any line that is not JSON) the servers print."""

    def __init__(self, path: Path | None):
        self.path = path
        self.counts: Counter[str] = Counter()
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", encoding="utf-8") if path else None
        self._lock = threading.Lock()

    def keeper(self, replicas: int):
        def keep(service: str, line: str) -> None:
            try:
                level = json.loads(line).get("level", "")
            except ValueError:
                level = "RAW"
            if level in ("INFO", "DEBUG"):
                return
            with self._lock:
                self.counts[f"{replicas} replica(s) {service} {level}"] += 1
                if self._file:
                    self._file.write(f"{replicas}x {service} {line}\n")
                    self._file.flush()

        return keep

    def close(self) -> None:
        if self._file:
            self._file.close()


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    from tests.conftest import REDIS_URL, fresh_postgres_database

    warnings = args.server_warnings

    runtime.ensure_model()
    api = CountingWeChatApi()
    await api.start()
    wechat_prefix = f"load:{uuid.uuid4().hex[:8]}:"
    lock_prefix = lock_key_prefix()
    summaries: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    try:
        with fresh_postgres_database() as database:
            env = cluster_env(
                database,
                WECHAT_APPID=wh.APPID,
                WECHAT_SECRET=wh.SECRET,
                WECHAT_TOKEN=wh.TOKEN,
                WECHAT_ENCODING_AES_KEY=wh.AES_KEY,
                WECHAT_MODE=args.wechat_mode,
                WECHAT_API_BASE_URL=api.base_url,
                WECHAT_REDIS_PREFIX=wechat_prefix,
                WECHAT_LOG_SALT="load-benchmark",
                LOG_FORMAT="json",
            )
            for position, replicas in enumerate(args.replicas):
                print(
                    f"\n=== starting {replicas} Rasa replica(s) + {replicas} action server(s) ===", flush=True
                )
                started = time.perf_counter()
                cluster = await loop.run_in_executor(
                    None,
                    lambda n=replicas, p=position: start_cluster(
                        n, env, lock_prefix=lock_prefix, prepare=p == 0, on_line=warnings.keeper(n)
                    ),
                )
                print(f"ready in {time.perf_counter() - started:.0f}s", flush=True)
                timeout = aiohttp.ClientTimeout(total=180)
                try:
                    async with aiohttp.ClientSession(
                        timeout=timeout, connector=aiohttp.TCPConnector(limit=0)
                    ) as http:
                        driver = Driver(cluster, api, args.wechat_mode, http, args.balance)
                        await warm_up(driver)
                        for channel, workload, users, active, pair in run_plan(args, replicas):
                            driver.active = active
                            result = await run_level(
                                driver,
                                channel,
                                workload,
                                users,
                                args.time_limit,
                                rounds_for(args, users),
                                pair,
                            )
                            summary = result.summary()
                            print_summary(summary)
                            summaries.append(summary)
                finally:
                    await loop.run_in_executor(None, cluster.stop)
    finally:
        await api.stop()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for pattern in (f"{wechat_prefix}*", f"{lock_prefix}*"):
            for key in client.scan_iter(pattern):
                client.delete(key)
        client.close()
    return summaries


def rounds_for(args: argparse.Namespace, users: int) -> int:
    """--rounds, or more so that the level plays at least --min-conversations conversations."""
    return max(args.rounds, math.ceil(args.min_conversations / users))


def run_plan(args: argparse.Namespace, replicas: int) -> list[tuple[str, str, int, int, int | None]]:
    """(channel, workload, users, replicas receiving messages, scaling pair) for one cluster size."""
    if replicas == 1:
        return [
            (channel, workload, users, 1, None)
            for channel in args.channels
            for workload in ("mixed", "floor")
            for users in args.users
        ]
    return [
        (channel, workload, users, active, pair)
        for channel in args.channels
        for workload in ("mixed", "floor")
        for users in args.users
        if users >= args.scale_min_users
        for pair in range(args.scaling_pairs)
        for active in (1, replicas)
    ]


def scaling_ratios(summaries: list[dict[str, Any]], channel: str, workload: str, users: int) -> list[float]:
    """Throughput of all replicas / replica 0 alone, per interleaved pair, in the order they ran."""
    ratios: list[float] = []
    pairs: dict[int, dict[int, float]] = defaultdict(dict)
    for s in summaries:
        in_a_pair = s.get("pair") is not None
        if in_a_pair and (s["channel"], s["workload"], s["users"]) == (channel, workload, users):
            pairs[s["pair"]][s["replicas"]] = s["throughput_msg_s"]
    for pair in sorted(pairs):
        one, many = pairs[pair].get(1), max((r for r in pairs[pair] if r > 1), default=None)
        if one and many:
            ratios.append(pairs[pair][many] / one)
    return ratios


def kb_ratios_in_pairs(summaries: list[dict[str, Any]], channel: str, users: int) -> list[float]:
    """KB answer p95 / floor p95 with every replica receiving messages, per interleaved pair."""
    runs = {
        (s["pair"], s["workload"]): s
        for s in summaries
        if s.get("pair") is not None
        and (s["channel"], s["users"]) == (channel, users)
        and s["replicas"] == s["cluster_replicas"]
    }
    return [
        runs[(pair, "mixed")]["by_kind"]["kb_answer"]["p95"]
        / runs[(pair, "floor")]["by_kind"]["greeting"]["p95"]
        for pair in sorted({pair for pair, _ in runs})
        if (pair, "mixed") in runs
        and (pair, "floor") in runs
        and "kb_answer" in runs[(pair, "mixed")]["by_kind"]
    ]


def report_targets(summaries: list[dict[str, Any]]) -> None:
    print("\n=== targets (reported, not asserted) ===")

    def find(channel: str, workload: str, users: int, replicas: int) -> dict[str, Any] | None:
        """The first run with `replicas` running and all of them receiving messages."""
        return next(
            (
                s
                for s in summaries
                if (s["channel"], s["workload"], s["users"], s["replicas"])
                == (channel, workload, users, replicas)
                and s.get("cluster_replicas", replicas) == replicas
            ),
            None,
        )

    top = max(s["users"] for s in summaries)
    totals: dict[tuple[str, str, int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for s in summaries:
        if s["users"] == top:
            key = (s["channel"], s["workload"], s["replicas"], s.get("cluster_replicas", s["replicas"]))
            totals[key][0] += 1
            totals[key][1] += s["errors"]
            totals[key][2] += s["lost"]
    for (channel, workload, replicas, running), (runs, errors, lost) in totals.items():
        print(
            f"{channel}/{workload} {top} users, {replicas} of {running} replica(s) ({runs} run(s)): "
            f"errors {errors}, lost {lost}"
            f" -> {'met' if errors == 0 and lost == 0 else 'NOT met'}"
        )
    for channel in ("rest", "wechat"):
        for users in sorted({s["users"] for s in summaries}):
            mixed, floor = find(channel, "mixed", users, 1), find(channel, "floor", users, 1)
            if mixed and floor and "kb_answer" in mixed["by_kind"]:
                ratio = mixed["by_kind"]["kb_answer"]["p95"] / floor["by_kind"]["greeting"]["p95"]
                print(f"{channel} {users} users: KB answer p95 / floor p95 = {ratio:.2f} (target <= 1.5)")
        pair_ratios = kb_ratios_in_pairs(summaries, channel, top)
        if pair_ratios:
            print(
                f"{channel} {top} users, all replicas: KB answer p95 / floor p95 = "
                f"{', '.join(f'{r:.2f}' for r in pair_ratios)} (one per pair)"
            )
    for channel in ("rest", "wechat"):
        for workload in ("mixed", "floor"):
            ratios = scaling_ratios(summaries, channel, workload, top)
            one, two = find(channel, workload, top, 1), find(channel, workload, top, 2)
            separate = (
                f"; separate clusters {two['throughput_msg_s'] / one['throughput_msg_s']:.2f}"
                if one and two and one["throughput_msg_s"]
                else ""
            )
            if ratios:
                print(
                    f"{channel}/{workload} {top} users: 2 replicas / 1 replica throughput = "
                    f"{statistics.median(ratios):.2f} median of pairs "
                    f"({', '.join(f'{r:.2f}' for r in ratios)}{separate}) (target >= 1.5)"
                )
            elif separate:  # a results file from before the interleaved pairs
                print(
                    f"{channel}/{workload} {top} users: 2 replicas / 1 replica throughput = "
                    f"{separate.removeprefix('; separate clusters ')} separate clusters (target >= 1.5)"
                )
    rasa_rss = [mb for s in summaries for name, mb in s["peak_rss_mb"].items() if name.startswith("rasa")]
    if rasa_rss:
        print(f"Rasa server peak RSS: {max(rasa_rss):.0f} MB (target < 1536 MB)")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,10,50", help="concurrent users per run, comma-separated")
    parser.add_argument("--replicas", default="1,2", help="replica counts to test, comma-separated")
    parser.add_argument("--channels", default="rest,wechat")
    parser.add_argument("--wechat-mode", default="safe", choices=["plain", "safe"])
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each user plays its script (new conversation)"
    )
    parser.add_argument("--time-limit", type=float, default=240.0, help="seconds per run before users stop")
    parser.add_argument(
        "--scale-min-users",
        type=int,
        default=50,
        help="with 2+ replicas, only runs with at least this many users",
    )
    parser.add_argument(
        "--min-conversations",
        type=int,
        default=60,
        help="conversations per run at least (more rounds for few users), so each p95 rests on enough turns",
    )
    parser.add_argument(
        "--scaling-pairs",
        type=int,
        default=3,
        help="with 2+ replicas, interleaved pairs of runs (replica 0 alone, then all) per channel and workload",
    )
    parser.add_argument(
        "--balance",
        default="least-conn",
        choices=["round-robin", "least-conn"],
        help="how messages are spread over the replicas receiving them: least-conn as deploy/nginx.conf, "
        "round-robin as nginx's default (runs A-M, P)",
    )
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument(
        "--server-log", type=Path, default=None, help="file for the servers' warning and error lines"
    )
    return parser


def main() -> int:
    args = build_parser().parse_args()
    args.server_warnings = ServerWarnings(args.server_log)
    args.users = [int(u) for u in args.users.split(",")]
    args.replicas = [int(r) for r in args.replicas.split(",")]
    args.channels = args.channels.split(",")
    # `kill` or a CI timeout sends SIGTERM: stop the servers and drop the database as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    info = machine()
    print(f"machine: {info['nproc']} cores, {info['cpu']}, python {info['python']}\n{info['free_h']}")
    print(f"busiest processes at start:\n{info['busiest_processes']}", flush=True)
    started = time.perf_counter()
    try:
        summaries = asyncio.run(main_async(args))
    except KeyboardInterrupt:
        print(
            "\ninterrupted: servers stopped, benchmark database dropped; no results written", file=sys.stderr
        )
        return 130
    args.server_warnings.close()
    report_targets(summaries)
    print("\n=== server warnings and errors ===")
    for key, count in sorted(args.server_warnings.counts.items()):
        print(f"{key}: {count}")
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "machine": info,
            "args": {
                k: str(v) if isinstance(v, Path) else v
                for k, v in vars(args).items()
                if k not in ("json_out", "server_warnings")
            },
            "server_warnings": dict(args.server_warnings.counts),
            "runs": summaries,
        }
        args.json_out.write_text(
            json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
