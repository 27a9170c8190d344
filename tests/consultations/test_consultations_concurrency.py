"""A slot is never over-booked: 50 concurrent attempts, each in its own session and connection."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from consultations.catalogue import load_catalogue
from consultations.clock import FixedClock
from consultations.db import make_engine, migrate
from consultations.errors import SlotFullError
from consultations.schema import slots
from consultations.service import BookingService

ATTEMPTS = 50
SINGLE_SEAT_SLOT = "E12-20261202-1400"


@pytest.fixture()
def busy_service(database_url: str):
    # A pool as large as the crowd, so all 50 transactions really run at the same time.
    engine = make_engine(
        database_url, **({} if database_url.startswith("sqlite") else {"pool_size": ATTEMPTS})
    )
    migrate(engine)
    service = BookingService(engine, load_catalogue(), FixedClock.shanghai(2026, 11, 28, 12, 0))
    service.refresh()
    yield service
    engine.dispose()


def _run_together(count: int, attempt) -> list[object]:
    barrier = threading.Barrier(count)

    def run(i: int) -> object:
        barrier.wait()
        try:
            return attempt(i)
        except SlotFullError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _args(user: str, key: str) -> dict:
    return {
        "user_id": user,
        "slot_id": SINGLE_SEAT_SLOT,
        "name": "并发测试",
        "phone": "13800138000",
        "topic": "政策申报",
        "stage": "初创期",
        "idempotency_key": key,
    }


def test_fifty_concurrent_bookings_of_one_seat(busy_service) -> None:
    outcomes = _run_together(ATTEMPTS, lambda i: busy_service.book(**_args(f"user-{i}", f"key-{i}")))
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"Booking": 1, "SlotFullError": ATTEMPTS - 1}, kinds
    seat = busy_service.expert_slots("E12", only_free=False)[0]
    assert (seat.id, seat.booked) == (SINGLE_SEAT_SLOT, 1)
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    assert busy_service.bookings(winners[0].user_id) == winners


def test_concurrent_retries_of_one_confirmation_book_once(busy_service) -> None:
    outcomes = _run_together(20, lambda i: busy_service.book(**_args("user-retry", "wx-msg-42")))
    assert len({o.code for o in outcomes}) == 1  # every retry got the same booking, no error
    assert len(busy_service.bookings("user-retry")) == 1
    assert busy_service.expert_slots("E12", only_free=False)[0].booked == 1


def test_the_database_itself_refuses_over_booking(busy_service) -> None:
    """The CHECK constraint holds even for a write that bypasses the service."""
    with pytest.raises(IntegrityError), busy_service.engine.begin() as conn:
        conn.execute(update(slots).where(slots.c.id == SINGLE_SEAT_SLOT).values(booked=slots.c.capacity + 1))
