"""Typed errors of the booking service.

An error says what went wrong and with which input, never in the user's words: `kind` names the
error ("slot_full" for SlotFullError), `field` the input it is about ("topic", "slot", "name"…),
and `data` holds the values a sentence about it needs (the allowed topics, the booking horizon in
days, the cancellation window in hours…). The Chinese sentences live with the bot's other wording,
the domain responses `utter_booking_error_<kind>` (optionally `utter_booking_error_<kind>_<field>`)
in domain/booking.yml, filled with `data`. `str(error)` is an English developer message free of
personal data.
"""

from __future__ import annotations

import re
from typing import Any


class ConsultationError(Exception):
    """Base class of every error the package raises on purpose."""

    field: str | None = None

    def __init__(self, detail: str = "", *, field: str | None = None, **data: Any) -> None:
        super().__init__(detail or type(self).__name__)
        if field is not None:
            self.field = field
        self.data: dict[str, Any] = data

    @property
    def kind(self) -> str:
        """The class name in snake case without "Error": SlotFullError -> "slot_full"."""
        name = type(self).__name__.removesuffix("Error")
        return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class CatalogueError(ConsultationError):
    """A data file is invalid; the message names file, expert and field."""


class CalendarUnknownError(ConsultationError):
    """The holiday calendar does not know the year, so open days cannot be told from holidays."""

    field = "date"


class BookingError(ConsultationError):
    """Base class of errors a user can cause while booking, cancelling or rating."""


class UnknownTopicError(BookingError):
    """data: topics, the expertise areas one can book."""

    field = "topic"


class UnknownDistrictError(BookingError):
    field = "district"


class SlotNotFoundError(BookingError):
    field = "slot"


class SlotFullError(BookingError):
    field = "slot"


class SlotInPastError(BookingError):
    field = "slot"


class SlotOutsideHorizonError(BookingError):
    """data: horizon_days, how many days ahead slots can be booked."""

    field = "slot"


class SlotClosedError(BookingError):
    field = "slot"


class NotBookableFormError(BookingError):
    field = "slot"


class AlreadyBookedError(BookingError):
    field = "slot"


class MaxActiveBookingsError(BookingError):
    """data: limit, the most active bookings a user may hold."""

    field = "booking"


class InvalidPhoneError(BookingError):
    field = "phone"


class InvalidInputError(BookingError):
    """field: the input that is missing or too long ("name", "stage", "user_id"); data: limit."""


class BookingNotFoundError(BookingError):
    field = "booking"


class BookingNotActiveError(BookingError):
    field = "booking"


class CancelTooLateError(BookingError):
    """Raised for cancel and reschedule inside the cancellation window; data: hours."""

    field = "booking"


class RatingTooEarlyError(BookingError):
    field = "rating"


class AlreadyRatedError(BookingError):
    field = "rating"


class InvalidRatingError(BookingError):
    field = "rating"
