"""Fixtures for the consultation tests: a fixed clock and a migrated service with sample data."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine

from consultations.catalogue import load_catalogue
from consultations.clock import FixedClock
from consultations.db import make_engine, migrate
from consultations.service import BookingService


@pytest.fixture()
def clock() -> FixedClock:
    """Saturday 2026-11-28 12:00 in Shanghai: "today" for these tests."""
    return FixedClock.shanghai(2026, 11, 28, 12, 0)


@pytest.fixture()
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def service(engine: Engine, clock: FixedClock) -> BookingService:
    service = BookingService(engine, load_catalogue(), clock)
    service.refresh()
    return service


@pytest.fixture()
def booking_args() -> Callable[..., dict]:
    """booking_args(slot_id, user=..., key=..., **overrides) -> keyword arguments for book()."""

    def make(slot_id: str, user: str = "openid-alice", key: str | None = None, **overrides: str) -> dict:
        args = {
            "user_id": user,
            "slot_id": slot_id,
            "name": "张女士",
            "phone": "138 0013 8000",
            "topic": "股权激励",
            "stage": "初创期",
            "idempotency_key": key or f"{user}:{slot_id}",
        }
        args.update(overrides)
        return args

    return make
