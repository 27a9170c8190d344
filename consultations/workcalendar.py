"""Which days are open for consultations: Chinese public holidays and make-up working days.

Backed by `chinesecalendar`, which carries the State Council's yearly holiday notices. The library
only knows the years whose notice it has shipped (1.11.0: 2004-2026). For a later year we refuse
to guess: the make-up working days (调休上班日) of a year are decided by a notice each November and
cannot be computed, so an unknown year raises CalendarUnknownError and slot generation stops at
the last known day. Upgrading the package when a new notice appears opens the next year.
(The `holidays` package was checked as a fallback; 0.107 has no 2027 make-up days either.)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import chinese_calendar

from consultations.errors import CalendarUnknownError


class DayKind(str, enum.Enum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # statutory holiday, including days moved into a holiday block
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班日: a weekend day that is a working day


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: DayKind
    name: str | None  # holiday name from the library, e.g. "National Day"


def known_range() -> tuple[date, date]:
    """First and last day the installed calendar library has official data for."""
    years = {d.year for d in chinese_calendar.constants.holidays} | {
        d.year for d in chinese_calendar.constants.workdays
    }
    return date(min(years), 1, 1), date(max(years), 12, 31)


def classify(day: date) -> DayInfo:
    """Tell whether `day` is a working day, weekend, public holiday or make-up working day."""
    first, last = known_range()
    if not first <= day <= last:
        raise CalendarUnknownError(
            f"chinesecalendar {chinese_calendar.__version__} has no holiday data for {day.isoformat()} "
            f"(known: {first.isoformat()}..{last.isoformat()}); upgrade it once the State Council "
            f"publishes the {day.year} holiday notice"
        )
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError as exc:  # the library's own range check, kept in case it is narrower
        raise CalendarUnknownError(f"chinesecalendar cannot classify {day.isoformat()}: {exc}") from exc
    weekend = day.weekday() >= 5
    if on_holiday:
        # The library reports ordinary weekends as holidays without a name.
        return DayInfo(day, DayKind.HOLIDAY if name else DayKind.WEEKEND, name)
    return DayInfo(day, DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY, name)
