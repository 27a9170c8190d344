"""Two Rasa replicas and two action servers sharing one PostgreSQL database and one Redis.

The production topology in miniature (deploy/): one conversation's messages go alternately to
replica A and replica B; context must survive the switch, every message must be processed exactly
once and in order, and concurrent messages of one conversation must be serialised by the Redis
lock store. Needs about 3 GB of memory and 2-3 minutes (two models load in parallel).
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text

from bot import runtime
from tests.conftest import REDIS_URL, _require_service, fresh_postgres_database
from tests.figures import figure
from tests.scale.cluster import Cluster, cluster_env, get_json, lock_key_prefix, start_cluster

pytestmark = [pytest.mark.rasa_server, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    _require_service("Redis", "127.0.0.1", 6379)
    runtime.ensure_model()
    prefix = lock_key_prefix()
    with fresh_postgres_database() as url:
        running = start_cluster(2, cluster_env(url), lock_prefix=prefix)
        try:
            yield running
        finally:
            running.stop()
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)
            client.close()


def say(url: str, sender: str, message: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def say_text(url: str, sender: str, message: str) -> str:
    return "\n".join(m.get("text", "") for m in say(url, sender, message))


def events(cluster: Cluster, sender: str) -> list[dict[str, Any]]:
    """The conversation's events as stored in PostgreSQL, in insertion order."""
    engine = create_engine(cluster.env["TRACKER_STORE_URL"], future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            )
            return [{"type": t, **json.loads(d)} for t, d in rows]
    finally:
        engine.dispose()


def user_texts(stored: list[dict[str, Any]]) -> list[str]:
    return [e.get("text") for e in stored if e["type"] == "user"]


def slot_values(stored: list[dict[str, Any]], name: str) -> list[Any]:
    return [e.get("value") for e in stored if e["type"] == "slot" and e.get("name") == name]


def new_sender(tag: str) -> str:
    return f"scale-{tag}-{uuid.uuid4().hex[:8]}"


def test_every_replica_reports_ready_with_its_stores(cluster: Cluster) -> None:
    for replica in cluster.replicas:
        status, body = get_json(replica.ready_url)
        assert status == 200, body
        assert body["checks"]["model"]["ok"]
        assert body["checks"]["tracker_store"]["ok"]
        assert body["checks"]["lock_store"]["ok"]
        assert get_json(f"{replica.rasa_url}/webhooks/health/live")[0] == 200
        assert get_json(f"http://127.0.0.1:{replica.ports.actions}/health")[0] == 200


def test_a_slot_set_on_one_replica_is_used_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.replicas
    user = new_sender("slot")
    first = say_text(a.rest_url, user, "个人创业担保贷款最高能贷多少")
    assert figure("individual_guaranteed_loan", "max_amount") in first
    follow_up = say_text(b.rest_url, user, "那期限呢？")
    assert "个人创业担保贷款" in follow_up
    assert figure("individual_guaranteed_loan", "max_term") in follow_up
    assert user_texts(events(cluster, user)) == ["个人创业担保贷款最高能贷多少", "那期限呢？"]


def test_an_open_form_continues_on_the_other_replica(cluster: Cluster) -> None:
    a, b = cluster.replicas
    user = new_sender("form")
    question = say_text(a.rest_url, user, "我能申请一次性创业补贴吗")
    assert question
    stored = events(cluster, user)
    asked_first = slot_values(stored, "requested_profile_field")
    assert asked_first, "the form asked nothing"
    assert [e.get("name") for e in stored if e["type"] == "active_loop"][-1] == "eligibility_form"

    next_question = say_text(b.rest_url, user, "本地户口")
    assert next_question
    stored = events(cluster, user)
    # Replica B read the open form from the shared tracker store: the answer went into the same
    # profile, the form is still active for the same policy, and it moved on to another field.
    assert [e.get("name") for e in stored if e["type"] == "active_loop"][-1] == "eligibility_form"
    assert len(set(slot_values(stored, "eligibility_policy"))) == 1
    asked = slot_values(stored, "requested_profile_field")
    assert asked[-1] != asked_first[-1], asked
    profile = slot_values(stored, "profile")[-1]
    assert profile, "the answer on replica B did not reach the profile"
    assert user_texts(stored) == ["我能申请一次性创业补贴吗", "本地户口"]


def test_alternating_replicas_process_each_message_once_in_order(cluster: Cluster) -> None:
    user = new_sender("order")
    messages = ["你好", "一次性创业补贴有多少钱", "那怎么申请？", "创业担保贷款有哪几种？", "谢谢你", "再见"]
    for i, message in enumerate(messages):
        assert say(cluster.replicas[i % 2].rest_url, user, message) is not None
    stored = events(cluster, user)
    assert user_texts(stored) == messages
    assert_turns_not_interleaved(stored)


def assert_turns_not_interleaved(stored: list[dict[str, Any]]) -> None:
    """Each turn runs to its action_listen before the next user message is stored."""
    positions = [i for i, e in enumerate(stored) if e["type"] == "user"]
    for position in positions[1:]:
        before = [e for e in stored[:position] if e["type"] not in ("session_started", "action")]
        previous = stored[position - 1]
        assert previous["type"] == "action" and previous.get("name") == "action_listen", (
            f"turn before event {position} did not finish: {previous}",
            [e["type"] for e in before[-5:]],
        )
    for start, end in zip(positions, positions[1:] + [len(stored)], strict=True):
        turn = stored[start + 1 : end]
        assert not any(e["type"] == "user" for e in turn)
        assert any(e["type"] == "bot" for e in turn), f"turn {stored[start].get('text')!r} got no answer"


def test_concurrent_messages_of_one_conversation_are_serialised(cluster: Cluster) -> None:
    user = new_sender("lock")
    messages = [
        "你好",
        "一次性创业补贴有多少钱",
        "创业担保贷款有哪几种？",
        "马兰花创业培训是什么",
        "谢谢你",
        "你能做什么",
    ]
    with ThreadPoolExecutor(len(messages)) as pool:
        replies = list(
            pool.map(lambda im: say(cluster.replicas[im[0] % 2].rest_url, user, im[1]), enumerate(messages))
        )
    assert all(replies), replies
    stored = events(cluster, user)
    texts = user_texts(stored)
    assert sorted(texts) == sorted(messages), texts  # each exactly once
    assert_turns_not_interleaved(stored)
