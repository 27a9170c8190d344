"""Rasa tracker and lock stores configured by one URL each, from the environment.

Rasa's SQLTrackerStore takes dialect/host/port/db separately and its endpoint file cannot express
"SQLite unless TRACKER_STORE_URL is set"; these thin adapters let one variable switch storage.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TRACKER_STORE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"


def tracker_store_url() -> str:
    return os.environ.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL


class UrlSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose connection comes from TRACKER_STORE_URL (SQLite file by default)."""

    def __init__(self, domain: Any = None, host: str | None = None, event_broker: Any = None, **kwargs: Any):
        url = make_url(tracker_store_url())
        if url.drivername.startswith("sqlite") and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query),
            **kwargs,
        )


class AtomicRedisLockStore(RedisLockStore):
    """A Redis lock that two replicas cannot both take for the same conversation.

    Rasa OSS's RedisLockStore issues tickets with a read-modify-write (GET, then SET) of one JSON
    value, so two replicas receiving messages of one conversation at the same instant can both
    believe they hold the lock, and one turn's events are lost (rasa#9213; the atomic store is
    Rasa Pro only). Here the lock is a single key taken with SET NX PX and released only by its
    owner (compare-and-delete in Lua). It expires after `lock_lifetime`, so a crashed replica does
    not block a conversation for ever.
    """

    POLL_SECONDS = 0.02
    _RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    @asynccontextmanager
    async def lock(  # type: ignore[override]
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        key = f"{self.key_prefix}mutex:{conversation_id}"
        token = uuid.uuid4().hex
        give_up_at = time.monotonic() + lock_lifetime
        while not self.red.set(key, token, nx=True, px=int(lock_lifetime * 1000)):
            if time.monotonic() > give_up_at:
                raise LockError(f"Could not acquire the lock for conversation '{conversation_id}'.")
            await asyncio.sleep(min(wait_time_in_seconds, self.POLL_SECONDS))
        try:
            yield TicketLock(conversation_id)
        finally:
            self.red.eval(self._RELEASE, 1, key, token)


class EnvLockStore:
    """Chooses Rasa's lock store from REDIS_URL: Redis for several replicas, in-memory for one."""

    def __new__(cls, host: str | None = None, **kwargs: Any) -> LockStore:  # type: ignore[misc]
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            return InMemoryLockStore()
        parsed = urlparse(redis_url)
        db = int(parsed.path.lstrip("/") or 0)
        return AtomicRedisLockStore(
            host=parsed.hostname or "localhost",
            port=parsed.port or 6379,
            db=db,
            password=parsed.password,
            key_prefix=kwargs.get("key_prefix", "haina"),
        )
