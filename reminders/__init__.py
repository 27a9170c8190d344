"""Reminders that keep founders from missing money: deadlines to apply, booked consultations and
changes to the policies they follow.

An application-service package over the domain packages: deadlines and change notices come from
`policies_kb` (computed from the data), bookings and the working-day calendar from
`consultations`; its own tables hold subscriptions (with consent) and the notices to send, claimed
by one scheduler each. Delivery is the caller's: a channel passes a `deliver(notice)` function.
"""

from reminders.model import BOOKING, CANCELLED, DEADLINE, FAILED, PENDING, POLICY, SENT, Notice, Subscription
from reminders.service import DeliveryError, DispatchReport, ReminderService, shared_reminders

__all__ = [
    "BOOKING",
    "CANCELLED",
    "DEADLINE",
    "FAILED",
    "PENDING",
    "POLICY",
    "SENT",
    "DeliveryError",
    "DispatchReport",
    "Notice",
    "ReminderService",
    "Subscription",
    "shared_reminders",
]
