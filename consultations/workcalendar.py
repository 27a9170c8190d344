"""Which days are open for consultations: Chinese public holidays and make-up working days.

Backed by `chinesecalendar`, which carries the State Council's yearly holiday notices. The library
only knows the years whose notice it has shipped (1.11.0: 2004-2026). For a later year we refuse
to guess: the make-up working days (调休上班日) of a year are decided by a notice each November and
cannot be computed, so an unknown year raises CalendarUnknownError and slot generation stops at
the last known day. Two ways open the next year: upgrading the package once a release carries the
notice, or — the same day the notice appears — copying it into data/holiday_notices.yaml.
(The `holidays` package was checked as a fallback; 0.107 has no 2027 make-up days either.)
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

from consultations.errors import CalendarUnknownError, CatalogueError

NOTICES_FILE = Path(__file__).resolve().parent / "data" / "holiday_notices.yaml"


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


@dataclass(frozen=True)
class YearNotice:
    """One year's holiday notice copied from the State Council (data/holiday_notices.yaml)."""

    year: int
    source: str
    holidays: Mapping[date, str] = field(default_factory=dict)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)


def known_range() -> tuple[date, date]:
    """First and last day the installed calendar library has official data for."""
    years = {d.year for d in chinese_calendar.constants.holidays} | {
        d.year for d in chinese_calendar.constants.workdays
    }
    return date(min(years), 1, 1), date(max(years), 12, 31)


def parse_notices(raw: Any, origin: str) -> dict[int, YearNotice]:
    """Validate the notices file; raise CatalogueError naming the year and field at fault."""
    years = (raw or {}).get("years") if isinstance(raw, dict) else None
    if not isinstance(years, dict):
        raise CatalogueError(f"{origin}: expected a mapping 'years: {{YYYY: ...}}'")
    notices: dict[int, YearNotice] = {}
    for year, body in years.items():
        where = f"{origin}: year {year}"
        if not isinstance(year, int) or not isinstance(body, dict):
            raise CatalogueError(f"{where}: expected 'YYYY: {{source, holidays, makeup_workdays}}'")
        source = str(body.get("source") or "").strip()
        if not source:
            raise CatalogueError(f"{where}: 'source' (the notice's 文号 and date) is required")
        holidays: dict[date, str] = {}
        for name, days in (body.get("holidays") or {}).items():
            for day in days or []:
                holidays[_day_in(day, year, f"{where}, holidays.{name}")] = str(name)
        makeup = frozenset(
            _day_in(day, year, f"{where}, makeup_workdays") for day in body.get("makeup_workdays") or []
        )
        if not holidays:
            raise CatalogueError(f"{where}: 'holidays' is empty; every notice lists 元旦 and 春节")
        if overlap := makeup & holidays.keys():
            raise CatalogueError(f"{where}: {sorted(overlap)[0]} is both a holiday and a make-up workday")
        notices[year] = YearNotice(year, source, holidays, makeup)
    return notices


def _day_in(value: Any, year: int, where: str) -> date:
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise CatalogueError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from None
    if value.year != year:
        raise CatalogueError(f"{where}: {value.isoformat()} is not in {year}")
    return value


def load_notices(path: Path | None = None) -> dict[int, YearNotice]:
    """The notices file (NOTICES_FILE unless given), read once per path."""
    return _load_notices(path or NOTICES_FILE)


@functools.cache
def _load_notices(path: Path) -> dict[int, YearNotice]:
    if not path.exists():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2099-13-01
        raise CatalogueError(f"{path}: not valid YAML or a date is impossible: {exc}") from None
    return parse_notices(raw, str(path))


def year_source(year: int, notices: Mapping[int, YearNotice] | None = None) -> str | None:
    """Where the holidays of `year` come from, or None when no source knows them."""
    first, last = known_range()
    if first.year <= year <= last.year:
        return f"chinesecalendar {chinese_calendar.__version__}"
    notice = (load_notices() if notices is None else notices).get(year)
    return f"holiday_notices.yaml ({notice.source})" if notice else None


def classify(day: date, notices: Mapping[int, YearNotice] | None = None) -> DayInfo:
    """Tell whether `day` is a working day, weekend, public holiday or make-up working day."""
    first, last = known_range()
    if not first <= day <= last:
        notice = (load_notices() if notices is None else notices).get(day.year)
        if notice is None:
            raise CalendarUnknownError(
                f"chinesecalendar {chinese_calendar.__version__} has no holiday data for {day.isoformat()} "
                f"(known: {first.isoformat()}..{last.isoformat()}); upgrade it or copy the State "
                f"Council's {day.year} holiday notice into consultations/data/holiday_notices.yaml"
            )
        return _classify_by_notice(day, notice)
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError as exc:  # the library's own range check, kept in case it is narrower
        raise CalendarUnknownError(f"chinesecalendar cannot classify {day.isoformat()}: {exc}") from exc
    weekend = day.weekday() >= 5
    if on_holiday:
        # The library reports ordinary weekends as holidays without a name.
        return DayInfo(day, DayKind.HOLIDAY if name else DayKind.WEEKEND, name)
    return DayInfo(day, DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY, name)


def _classify_by_notice(day: date, notice: YearNotice) -> DayInfo:
    if day in notice.holidays:
        return DayInfo(day, DayKind.HOLIDAY, notice.holidays[day])
    weekend = day.weekday() >= 5
    if day in notice.makeup_workdays:
        return DayInfo(day, DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY, None)
    return DayInfo(day, DayKind.WEEKEND if weekend else DayKind.WORKDAY, None)
