"""Turn an expert's weekly schedule into concrete slots for a range of days.

Rules (documented here because they are choices, not facts from a source):
* Public holidays (法定节假日, including the weekdays moved into a holiday block) are closed, also for
  an expert who normally works on that weekday or weekend day.
* Ordinary weekends use the expert's weekend entries, if any.
* A weekend make-up working day (调休上班日) is open. chinesecalendar does not say which weekday a
  make-up day replaces, so it takes the expert's schedule of `rules.makeup_day_weekday` (Monday in
  rules.yaml) instead of their weekend entries.
* Days the calendar library does not know are skipped and reported, never guessed.

Times are wall-clock times in Asia/Shanghai (UTC+8 all year, no DST since 1991) and are stored as
UTC-aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from consultations.errors import CalendarUnknownError
from consultations.model import SHANGHAI, Expert, ScheduleEntry, SlotSpec
from consultations.workcalendar import DayKind, classify


@dataclass(frozen=True)
class Generation:
    """Slots for a range of days, and the days that could not be judged (unknown calendar year)."""

    slots: tuple[SlotSpec, ...]
    unknown_days: tuple[date, ...]


def slot_id(expert_id: str, local_start: datetime) -> str:
    """A stable, readable id, so regenerating the same schedule yields the same rows."""
    return f"{expert_id}-{local_start:%Y%m%d-%H%M}"


def entries_for_day(expert: Expert, day: date, makeup_day_weekday: int) -> tuple[ScheduleEntry, ...]:
    """The schedule entries that apply on `day`; raises CalendarUnknownError for unknown years."""
    info = classify(day)
    if info.kind is DayKind.HOLIDAY:
        return ()
    weekday = day.weekday()
    if info.kind is DayKind.MAKEUP_WORKDAY and weekday >= 5:
        weekday = makeup_day_weekday
    return tuple(e for e in expert.schedule if e.weekday == weekday)


def slots_for_day(expert: Expert, day: date, makeup_day_weekday: int) -> list[SlotSpec]:
    specs: list[SlotSpec] = []
    for entry in entries_for_day(expert, day, makeup_day_weekday):
        start = datetime.combine(day, entry.start, tzinfo=SHANGHAI)
        block_end = datetime.combine(day, entry.end, tzinfo=SHANGHAI)
        length = timedelta(minutes=entry.slot_minutes)
        while start + length <= block_end:
            specs.append(
                SlotSpec(
                    id=slot_id(expert.id, start),
                    expert_id=expert.id,
                    start_at=start.astimezone(timezone.utc),
                    end_at=(start + length).astimezone(timezone.utc),
                    form=entry.form,
                    venue=entry.venue,
                    district=entry.district,
                    capacity=entry.capacity,
                )
            )
            start += length
    return specs


def generate(experts: Iterable[Expert], first_day: date, days: int, makeup_day_weekday: int) -> Generation:
    """Slots of all `experts` for `days` days starting at `first_day` (local Shanghai dates)."""
    experts = tuple(experts)
    specs: list[SlotSpec] = []
    unknown: list[date] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        try:
            for expert in experts:
                specs.extend(slots_for_day(expert, day, makeup_day_weekday))
        except CalendarUnknownError:
            unknown.append(day)
    specs.sort(key=lambda s: (s.start_at, s.expert_id))
    return Generation(slots=tuple(specs), unknown_days=tuple(unknown))
