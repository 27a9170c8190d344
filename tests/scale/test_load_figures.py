"""The load benchmark's arithmetic: which runs pair up, and how many rounds a level plays."""

import argparse
from typing import Any

from benchmarks.load import kb_ratios_in_pairs, rounds_for, scaling_ratios


def run(
    channel: str,
    workload: str,
    replicas: int,
    throughput: float,
    pair: int | None,
    kb_p95: float | None = None,
    greeting_p95: float | None = None,
    cluster: int = 2,
) -> dict[str, Any]:
    """One run's summary, with only the fields the report reads."""
    by_kind: dict[str, dict[str, float]] = {}
    if kb_p95 is not None:
        by_kind["kb_answer"] = {"p95": kb_p95}
    if greeting_p95 is not None:
        by_kind["greeting"] = {"p95": greeting_p95}
    return {
        "channel": channel,
        "workload": workload,
        "users": 50,
        "replicas": replicas,
        "cluster_replicas": cluster,
        "pair": pair,
        "throughput_msg_s": throughput,
        "by_kind": by_kind,
    }


def test_each_pair_divides_all_replicas_by_replica_zero_alone_and_ignores_other_runs() -> None:
    summaries = [
        run("rest", "mixed", 1, 40.0, None, cluster=1),  # the one-replica cluster: not a pair
        run("rest", "mixed", 1, 30.0, 0),
        run("rest", "mixed", 2, 60.0, 0),
        run("rest", "mixed", 1, 40.0, 1),
        run("rest", "mixed", 2, 50.0, 1),
        run("rest", "floor", 1, 10.0, 0),
        run("wechat", "mixed", 2, 99.0, 0),
    ]
    assert scaling_ratios(summaries, "rest", "mixed", 50) == [2.0, 1.25]
    assert scaling_ratios(summaries, "rest", "floor", 50) == []  # a pair without its second run


def test_kb_ratio_per_pair_uses_the_runs_where_every_replica_received_messages() -> None:
    summaries = [
        run("rest", "mixed", 1, 30.0, 0, kb_p95=900.0),
        run("rest", "mixed", 2, 60.0, 0, kb_p95=600.0),
        run("rest", "floor", 1, 50.0, 0, greeting_p95=100.0),
        run("rest", "floor", 2, 90.0, 0, greeting_p95=400.0),
    ]
    assert kb_ratios_in_pairs(summaries, "rest", 50) == [1.5]


def test_few_users_play_more_rounds_so_a_p95_rests_on_enough_turns() -> None:
    args = argparse.Namespace(rounds=3, min_conversations=60)
    assert [rounds_for(args, users) for users in (1, 10, 50, 100)] == [60, 6, 3, 3]


def driver(balance: str, replicas: int = 2) -> Any:
    from types import SimpleNamespace

    from benchmarks.load import Driver

    cluster = SimpleNamespace(replicas=[f"replica{i}" for i in range(replicas)])
    return Driver(cluster, api=None, mode="safe", http=None, balance=balance)  # type: ignore[arg-type]


def test_least_conn_sends_to_the_replica_with_fewest_requests_in_flight() -> None:
    balancer = driver("least-conn")
    with balancer.replica() as first:
        with balancer.replica() as second:
            assert {first, second} == {"replica0", "replica1"}
            with balancer.replica() as third:  # both busy once: ties go round-robin
                assert third == "replica0"
                with balancer.replica() as fourth:
                    assert fourth == "replica1"
        # replica0 is still busy with `first` and `third`, replica1 now idle
        with balancer.replica() as fifth:
            assert fifth == "replica1"
    with balancer.replica() as idle_again, balancer.replica() as next_one:
        assert {idle_again, next_one} == {"replica0", "replica1"}


def test_round_robin_ignores_requests_in_flight() -> None:
    balancer = driver("round-robin")
    with balancer.replica() as first:
        assert first == "replica0"
    with balancer.replica() as second, balancer.replica() as third:
        assert (second, third) == ("replica1", "replica0")


def test_one_active_replica_takes_everything() -> None:
    balancer = driver("least-conn")
    balancer.active = 1
    with balancer.replica() as first, balancer.replica() as second:
        assert first == second == "replica0"
