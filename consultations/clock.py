"""Injectable time. Every rule of the service (past slots, horizon, 24-hour window, rating after
the session) depends on "now", so the service takes a clock instead of reading the system time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from consultations.model import SHANGHAI

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class FixedClock:
    """A clock that only moves when told to: tests, demos and replays."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.now = now

    @classmethod
    def shanghai(cls, *args: int) -> FixedClock:
        """FixedClock.shanghai(2026, 11, 28, 12) — a Shanghai wall-clock time."""
        return cls(datetime(*args, tzinfo=SHANGHAI))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)

    def set_shanghai(self, *args: int) -> None:
        self.now = datetime(*args, tzinfo=SHANGHAI)
