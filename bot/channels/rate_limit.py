"""Per-sender and per-address message limits of the public chat endpoints (widget API, WeChat).

A one-minute window per sender and per address that starts with its first message, counted in
Redis when REDIS_URL is set, so that every replica sees the same count (a flood spread over
replicas by the load balancer is still one flood), else in process. A limit only ever delays the one sender or address that exceeds it; if Redis fails the
message is let through (logged): the limit protects the service, it must not take it down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.input_gate import sender_key

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
# Everything a user reads is simplified Chinese.
REPLY_TOO_MANY = "您发送消息太频繁了，请稍等一分钟再试。如需人工咨询，请拨打 12333。"

# INCR with the window's expiry set by the first hit, in one step on the server.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_MAX_MEMORY_KEYS = 50_000


@dataclass(frozen=True)
class Limits:
    """Messages per minute; 0 switches a limit off."""

    per_sender: int
    per_address: int


class RateLimiter:
    def __init__(
        self,
        limits: Limits,
        redis_url: str | None = None,
        prefix: str = "haina:limit:",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self._prefix = prefix
        self._clock = clock
        self._counts: dict[str, tuple[int, float]] = {}
        self._redis = None
        if redis_url:
            import redis.asyncio as redis_asyncio

            self._redis = redis_asyncio.Redis.from_url(redis_url, decode_responses=True)

    async def allow(self, sender: str | None, address: str | None = None) -> bool:
        """Count one message from `sender` (and `address`); False when either is over its limit."""
        allowed = True
        for kind, who, limit in (
            ("sender", sender, self.limits.per_sender),
            ("address", address, self.limits.per_address),
        ):
            if who and limit > 0:
                # Both counters always count, so a sender cannot reset one by exceeding the other.
                allowed = await self._hit(sender_key(kind, who)) <= limit and allowed
        return allowed

    async def _hit(self, key: str) -> int:
        key = self._prefix + key
        if self._redis is not None:
            try:
                return int(await self._redis.eval(_HIT, 1, key, WINDOW_SECONDS * 1000))
            except Exception as error:  # noqa: BLE001 - an unavailable Redis must not stop the chat
                log.warning("rate limit not counted (Redis: %s)", type(error).__name__)
                return 0
        now = self._clock()
        if len(self._counts) > _MAX_MEMORY_KEYS:
            for stale in [k for k, (_, until) in self._counts.items() if until <= now]:
                del self._counts[stale]
            if len(self._counts) > _MAX_MEMORY_KEYS:  # a spread flood: forget rather than grow
                self._counts.clear()
        count, until = self._counts.get(key, (0, now + WINDOW_SECONDS))
        if until <= now:
            count, until = 0, now + WINDOW_SECONDS
        self._counts[key] = (count + 1, until)
        return count + 1

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()
