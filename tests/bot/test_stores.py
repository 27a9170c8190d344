"""The stores configured from environment URLs, against the real local Redis and databases."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.core.lock_store import InMemoryLockStore

from bot.stores import AtomicRedisLockStore, EnvLockStore, UrlSQLTrackerStore


def replica_store(redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch) -> AtomicRedisLockStore:
    monkeypatch.setenv("REDIS_URL", redis_url)
    store = EnvLockStore(key_prefix=prefix)
    assert isinstance(store, AtomicRedisLockStore)
    return store


def test_no_redis_url_means_an_in_process_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(EnvLockStore(), InMemoryLockStore)


async def test_two_replicas_never_hold_one_conversation_at_once(redis_url: str, monkeypatch) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    replicas = [replica_store(redis_url, prefix, monkeypatch) for _ in range(2)]
    inside: list[int] = []
    overlaps: list[int] = []

    async def turn(i: int) -> None:
        async with replicas[i % 2].lock("conversation-1"):
            if inside:
                overlaps.append(i)
            inside.append(i)
            await asyncio.sleep(0.02)
            inside.remove(i)

    await asyncio.gather(*(turn(i) for i in range(12)))
    assert overlaps == []


async def test_other_conversations_are_not_blocked(redis_url: str, monkeypatch) -> None:
    store = replica_store(redis_url, f"t{uuid.uuid4().hex[:8]}", monkeypatch)
    async with store.lock("a"):
        await asyncio.wait_for(_enter(store, "b"), timeout=1)


async def test_an_expired_lock_of_a_crashed_replica_is_taken_over(redis_url: str, monkeypatch) -> None:
    store = replica_store(redis_url, f"t{uuid.uuid4().hex[:8]}", monkeypatch)
    store.red.set(f"{store.key_prefix}mutex:c", "crashed-replica", px=200)
    await asyncio.wait_for(_enter(store, "c"), timeout=2)
    # and releasing never deletes a lock someone else holds
    store.red.set(f"{store.key_prefix}mutex:d", "other-owner", px=5000)
    store.red.eval(AtomicRedisLockStore._RELEASE, 1, f"{store.key_prefix}mutex:d", "not-me")
    assert store.red.get(f"{store.key_prefix}mutex:d") == b"other-owner"
    store.red.delete(f"{store.key_prefix}mutex:d")


async def _enter(store: AtomicRedisLockStore, conversation: str) -> None:
    async with store.lock(conversation, lock_lifetime=5):
        pass


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_tracker_store_url_switches_the_database(backend: str, request, tmp_path, monkeypatch) -> None:
    url = (
        f"sqlite:///{tmp_path / 'tracker.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url_per_test")
    )
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    store = UrlSQLTrackerStore()
    assert store.engine.dialect.name == backend
    store.engine.dispose()
