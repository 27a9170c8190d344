"""What the reminders keep: a subscription (consented to, for one policy or booking) and its notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

DEADLINE = "deadline"  # a last day to apply, computed from the user's facts
POLICY = "policy"  # changes to a policy
BOOKING = "booking"  # a booked consultation

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Subscription:
    id: int
    user_id: str
    channel: str
    kind: str
    policy_id: str | None
    booking_code: str | None
    due_on: date | None
    consent_at: datetime  # aware UTC; also when it was created
    active: bool
    next_send_at: datetime | None = None  # aware UTC; the earliest pending notice


@dataclass(frozen=True)
class Notice:
    id: int
    subscription_id: int
    user_id: str
    channel: str
    key: str
    text: str
    send_at: datetime  # aware UTC
    status: str
    attempts: int
