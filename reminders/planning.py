"""When each notice is sent: lead times before a deadline, on working days, and around a booking.

A deadline reminder that would fall on a weekend or public holiday is sent the working day before
(people act on it at work, and a holiday block can be a week long). Working days come from the
consultations' holiday calendar (chinesecalendar plus published notices); for a year it does not
know yet, only weekends are skipped.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import yaml

from consultations import Booking
from consultations.errors import CalendarUnknownError
from consultations.model import SHANGHAI
from consultations.workcalendar import DayKind, classify

log = logging.getLogger(__name__)

# Days before the last day to apply; enough to gather materials, then a last call.
DEADLINE_LEADS_DAYS = (30, 7, 1)
SEND_AT = time(10, 0)  # Shanghai wall-clock time of a day's reminders
BOOKING_HOUR_BEFORE = timedelta(hours=1)
RATE_AFTER = timedelta(minutes=30)
NOTICES_FILE = Path(__file__).resolve().parent / "data" / "notices.yaml"
WORKING = (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)


@dataclass(frozen=True)
class Planned:
    key: str  # unique per notice: planning twice changes nothing
    send_at: datetime  # aware
    text: str


def working_day_on_or_before(day: date) -> date:
    while not _is_working_day(day):
        day -= timedelta(days=1)
    return day


def _is_working_day(day: date) -> bool:
    try:
        return classify(day).kind in WORKING
    except CalendarUnknownError:
        log.warning("no holiday data for %s: only weekends are skipped", day.year)
        return day.weekday() < 5


def deadline_send_days(due_on: date, today: date) -> list[tuple[int, date]]:
    """(lead in days, the day to send) for each lead time still ahead, without repeats."""
    days: dict[date, int] = {}
    for lead in DEADLINE_LEADS_DAYS:
        day = working_day_on_or_before(due_on - timedelta(days=lead))
        if day >= today and day not in days:
            days[day] = lead
    return sorted(((lead, day) for day, lead in days.items()), key=lambda item: item[1])


def at_send_time(day: date) -> datetime:
    return datetime.combine(day, SEND_AT, tzinfo=SHANGHAI)


def booking_notices(booking: Booking, now: datetime) -> list[Planned]:
    """The day before (10:00), one hour before, and a request to rate it after it ended."""
    start = booking.slot.start_at.astimezone(SHANGHAI)
    values = {"expert": booking.expert_name, "code": booking.code, "time": f"{start:%m月%d日 %H:%M}"}
    wording = _wording()
    planned = [
        Planned(
            f"booking:{booking.code}:{booking.slot.id}:day_before",
            at_send_time(start.date() - timedelta(days=1)),
            wording["booking_day_before"].format(**{**values, "time": f"{start:%H:%M}"}),
        ),
        Planned(
            f"booking:{booking.code}:{booking.slot.id}:hour_before",
            start - BOOKING_HOUR_BEFORE,
            wording["booking_hour_before"].format(**{**values, "time": f"{start:%H:%M}"}),
        ),
        Planned(
            f"booking:{booking.code}:{booking.slot.id}:rate",
            booking.slot.end_at.astimezone(SHANGHAI) + RATE_AFTER,
            wording["booking_rate"].format(**values),
        ),
    ]
    return [p for p in planned if p.send_at > now]


@functools.cache
def _wording() -> dict[str, str]:
    return yaml.safe_load(NOTICES_FILE.read_text(encoding="utf-8"))


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
