"""Rasa tracker and lock stores configured by one URL each, from the environment.

Rasa's SQLTrackerStore takes dialect/host/port/db separately and its endpoint file cannot express
"SQLite unless TRACKER_STORE_URL is set"; these thin adapters let one variable switch storage.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
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


class EnvLockStore:
    """Chooses Rasa's lock store from REDIS_URL: Redis for several replicas, in-memory for one."""

    def __new__(cls, host: str | None = None, **kwargs: Any) -> LockStore:  # type: ignore[misc]
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            return InMemoryLockStore()
        parsed = urlparse(redis_url)
        db = int(parsed.path.lstrip("/") or 0)
        return RedisLockStore(
            host=parsed.hostname or "localhost",
            port=parsed.port or 6379,
            db=db,
            password=parsed.password,
            key_prefix=kwargs.get("key_prefix", "haina"),
        )
