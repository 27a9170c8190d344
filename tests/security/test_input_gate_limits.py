"""The chat rate limits (bot/channels/rate_limit.py): per sender and per address, shared by every
replica through the real local Redis, in process without it, and never turned against others."""

from __future__ import annotations

import pytest

from bot.channels.rate_limit import WINDOW_SECONDS, Limits, RateLimiter


async def _allowed(limiter: RateLimiter, calls: list[tuple[str | None, str | None]]) -> list[bool]:
    return [await limiter.allow(sender, address) for sender, address in calls]


async def test_in_process_limits_count_each_sender_and_address_apart() -> None:
    limiter = RateLimiter(Limits(per_sender=3, per_address=5))
    assert await _allowed(limiter, [("a", "10.0.0.1")] * 4) == [True, True, True, False]
    # Another sender from that address gets through until the address is at its limit, which
    # counted the refused messages too.
    assert await _allowed(limiter, [("b", "10.0.0.1")] * 2) == [True, False]
    assert await _allowed(limiter, [("c", "10.0.0.2")] * 3) == [True] * 3
    # 0 switches a limit off; no address (WeChat) counts the sender only.
    unlimited = RateLimiter(Limits(per_sender=0, per_address=0))
    assert await _allowed(unlimited, [("a", "10.0.0.1")] * 50) == [True] * 50
    assert await _allowed(limiter, [("d", None)] * 4) == [True, True, True, False]


async def test_the_count_is_shared_by_replicas_through_redis(redis_url: str, redis_prefix: str) -> None:
    one = RateLimiter(Limits(per_sender=4, per_address=0), redis_url, redis_prefix)
    two = RateLimiter(Limits(per_sender=4, per_address=0), redis_url, redis_prefix)
    try:
        results = [await (one if i % 2 else two).allow("web:flood") for i in range(6)]
        assert results == [True, True, True, True, False, False]
        assert await one.allow("web:someone-else")
    finally:
        await one.close()
        await two.close()


async def test_an_unreachable_redis_lets_messages_through() -> None:
    limiter = RateLimiter(Limits(per_sender=1, per_address=1), "redis://127.0.0.1:1/0", "test:")
    try:
        assert await _allowed(limiter, [("a", "10.0.0.1")] * 3) == [True, True, True]
    finally:
        await limiter.close()


@pytest.mark.parametrize("limit", [1, 20])
async def test_the_window_starts_with_the_first_message(limit: int) -> None:
    now = [1000.0]
    limiter = RateLimiter(Limits(per_sender=limit, per_address=0), clock=lambda: now[0])
    assert await _allowed(limiter, [("a", None)] * (limit + 1)) == [True] * limit + [False]
    now[0] += WINDOW_SECONDS - 1
    assert not await limiter.allow("a")
    now[0] += 1
    assert await limiter.allow("a")


def test_a_long_session_ends_like_an_idle_one(monkeypatch) -> None:
    """bot.launch: past MAX_SESSION_EVENTS a conversation's session counts as expired, so Rasa starts
    a new one (slots carried over) and no longer loads every earlier event on each turn."""
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot import launch
    from bot.channels.input_gate import DOMAIN_DIR

    monkeypatch.setattr(MessageProcessor, "_has_session_expired", MessageProcessor._has_session_expired)
    launch._bound_the_conversation()
    processor = object.__new__(MessageProcessor)  # only its domain is read
    processor.domain = Domain.load(str(DOMAIN_DIR))

    def session(turns: int) -> list:
        start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
        turn = [
            UserUttered("你好"),
            ActionExecuted("utter_greet"),
            BotUttered("您好"),
            ActionExecuted("action_listen"),
        ]
        return start + turn * turns

    def expired(events: list) -> bool:
        return processor._has_session_expired(DialogueStateTracker.from_events("s", events))

    per_turn = 4
    assert not expired(session(launch.MAX_SESSION_EVENTS // per_turn - 1))
    assert expired(session(launch.MAX_SESSION_EVENTS // per_turn + 1))
    # Only the latest session counts: a long one followed by a fresh one is not expired.
    assert not expired(session(launch.MAX_SESSION_EVENTS // per_turn + 1) + session(3))
