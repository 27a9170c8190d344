"""A tiny key-value store with TTLs: Redis when configured, else an in-process dict.

Dedup records, button mappings and the access_token must be shared by every replica that
can receive a WeChat retry, hence Redis; a single instance (dev, tests) can live in-process.
"""

from __future__ import annotations

import time
from typing import Protocol

# Compare-and-delete: only drop a key while it still holds the value we saw, so a replica
# that learned "token T1 is invalid" cannot delete the fresh T2 another replica just stored.
_DELETE_IF_EQUALS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class KeyValueStore(Protocol):
    async def set_nx(self, key: str, value: str, ttl: float) -> bool: ...

    async def set(self, key: str, value: str, ttl: float) -> None: ...

    async def get(self, key: str) -> str | None: ...

    async def delete(self, key: str) -> None: ...

    async def delete_if_equals(self, key: str, value: str) -> bool: ...

    async def close(self) -> None: ...


class MemoryStore:
    """In-process store for a single instance; expired keys are dropped lazily on access."""

    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix
        self._data: dict[str, tuple[str, float]] = {}

    def _live(self, key: str) -> str | None:
        item = self._data.get(self._prefix + key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at <= time.monotonic():
            del self._data[self._prefix + key]
            return None
        return value

    def _purge(self) -> None:
        # Bounded memory without a background task: sweep when the dict grows.
        if len(self._data) > 10_000:
            now = time.monotonic()
            for key in [k for k, (_, exp) in self._data.items() if exp <= now]:
                del self._data[key]

    async def set_nx(self, key: str, value: str, ttl: float) -> bool:
        # No await between the check and the write, so this is atomic on the event loop.
        if self._live(key) is not None:
            return False
        self._purge()
        self._data[self._prefix + key] = (value, time.monotonic() + ttl)
        return True

    async def set(self, key: str, value: str, ttl: float) -> None:
        self._purge()
        self._data[self._prefix + key] = (value, time.monotonic() + ttl)

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def delete(self, key: str) -> None:
        self._data.pop(self._prefix + key, None)

    async def delete_if_equals(self, key: str, value: str) -> bool:
        if self._live(key) == value:
            del self._data[self._prefix + key]
            return True
        return False

    async def close(self) -> None:
        self._data.clear()


class RedisStore:
    """Redis-backed store shared by all replicas; every key is namespaced by `prefix`."""

    def __init__(self, url: str, prefix: str = "haina:wechat:") -> None:
        import redis.asyncio as redis_asyncio

        self._prefix = prefix
        self._redis = redis_asyncio.Redis.from_url(url, decode_responses=True)

    async def set_nx(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._redis.set(self._prefix + key, value, nx=True, px=int(ttl * 1000)))

    async def set(self, key: str, value: str, ttl: float) -> None:
        await self._redis.set(self._prefix + key, value, px=int(ttl * 1000))

    async def get(self, key: str) -> str | None:
        return await self._redis.get(self._prefix + key)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def delete_if_equals(self, key: str, value: str) -> bool:
        return bool(await self._redis.eval(_DELETE_IF_EQUALS, 1, self._prefix + key, value))

    async def close(self) -> None:
        await self._redis.close()


def make_store(redis_url: str | None, prefix: str) -> KeyValueStore:
    return RedisStore(redis_url, prefix) if redis_url else MemoryStore(prefix)
