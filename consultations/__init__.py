"""Bookings with the volunteer experts of 上海市创业指导专家志愿团 (framework-free domain package).

Typical use from the Rasa actions::

    from consultations import shared_service
    service = shared_service()                    # DATABASE_URL, migrations, sample catalogue; once
    matches = service.find_experts("股权激励", "in_person", "浦东新区")
    booking = service.book(user_id=openid, slot_id=matches[0].next_slots[0].id, name="张先生",
                           phone="138 0013 8000", topic="股权", stage="初创期", idempotency_key=msg_id)

Errors a user can cause are `BookingError` subclasses naming the field and carrying the data
(`kind`, `field`, `data`); their Chinese wording is the bot's (domain/booking.yml).
The package never imports rasa, rasa_sdk, sanic, bot or actions.
"""

from __future__ import annotations

import functools
import threading

from consultations.catalogue import load_catalogue
from consultations.clock import Clock, FixedClock, system_clock
from consultations.db import make_engine, migrate
from consultations.errors import (
    AlreadyBookedError,
    AlreadyRatedError,
    BookingError,
    BookingNotActiveError,
    BookingNotFoundError,
    CalendarUnknownError,
    CancelTooLateError,
    CatalogueError,
    ConsultationError,
    InvalidInputError,
    InvalidPhoneError,
    InvalidRatingError,
    MaxActiveBookingsError,
    NotBookableFormError,
    RatingTooEarlyError,
    SlotClosedError,
    SlotFullError,
    SlotInPastError,
    SlotNotFoundError,
    SlotOutsideHorizonError,
    UnknownDistrictError,
    UnknownTopicError,
)
from consultations.model import (
    AREAS,
    DISTRICTS,
    Booking,
    BookingStatus,
    Catalogue,
    Expert,
    ExpertMatch,
    FormPreference,
    ServiceForm,
    ServiceRecord,
    Slot,
    normalise_area,
    normalise_district,
)
from consultations.privacy import hash_user_id, mask_phone, normalise_phone
from consultations.service import BookingService, DeletionReport, RefreshReport
from storage import resolve_database_url


def open_service(
    database_url: str | None = None, clock: Clock | None = None, *, auto_refresh: bool = True
) -> BookingService:
    """Engine for `database_url` (default: DATABASE_URL), migrated, with the packaged catalogue.

    Slots are refreshed by the first lookup of each day (see BookingService.refresh_if_stale)."""
    engine = make_engine(database_url)
    migrate(engine)
    return BookingService(engine, load_catalogue(), clock or system_clock, auto_refresh=auto_refresh)


# One service per database URL and process, the house style of the three domain packages
# (agent_desk.shared_desk, policies_kb.kb.shared_kb): a factory cached with functools.cache on the
# resolved URL, behind a lock so two threads asking first open it once; `.cache_clear()` for tests.
_shared_lock = threading.Lock()


def shared_service(database_url: str | None = None) -> BookingService:
    """The process's booking service for `database_url` (default DATABASE_URL): `open_service` with
    the system clock and daily auto-refresh, opened once. `open_service` builds a service of one's
    own (another clock, no auto-refresh); `shared_service.cache_clear()` forgets the shared ones."""
    url = resolve_database_url(database_url)
    with _shared_lock:
        return _shared_service(url)


@functools.cache
def _shared_service(url: str) -> BookingService:
    return open_service(url)


shared_service.cache_clear = _shared_service.cache_clear  # type: ignore[attr-defined]


__all__ = [
    "AREAS",
    "DISTRICTS",
    "AlreadyBookedError",
    "AlreadyRatedError",
    "Booking",
    "BookingError",
    "BookingNotActiveError",
    "BookingNotFoundError",
    "BookingService",
    "BookingStatus",
    "CalendarUnknownError",
    "CancelTooLateError",
    "Catalogue",
    "CatalogueError",
    "Clock",
    "ConsultationError",
    "DeletionReport",
    "Expert",
    "FixedClock",
    "ExpertMatch",
    "FormPreference",
    "InvalidInputError",
    "InvalidPhoneError",
    "InvalidRatingError",
    "MaxActiveBookingsError",
    "NotBookableFormError",
    "RatingTooEarlyError",
    "RefreshReport",
    "ServiceForm",
    "ServiceRecord",
    "Slot",
    "SlotClosedError",
    "SlotFullError",
    "SlotInPastError",
    "SlotNotFoundError",
    "SlotOutsideHorizonError",
    "UnknownDistrictError",
    "UnknownTopicError",
    "hash_user_id",
    "load_catalogue",
    "make_engine",
    "mask_phone",
    "migrate",
    "normalise_area",
    "normalise_district",
    "normalise_phone",
    "open_service",
    "shared_service",
    "system_clock",
]
