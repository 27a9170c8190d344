"""Slot generation: holidays closed, make-up days open, capacity, Shanghai time, horizon, regeneration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from consultations.catalogue import load_catalogue
from consultations.clock import FixedClock
from consultations.errors import CalendarUnknownError, SlotClosedError
from consultations.model import SHANGHAI, ServiceForm
from consultations.service import BookingService
from consultations.slots import generate, slots_for_day
from consultations.workcalendar import DayKind, classify, known_range

CATALOGUE = load_catalogue()
MONDAY = CATALOGUE.rules.makeup_day_weekday


def expert(expert_id: str):
    found = CATALOGUE.expert(expert_id)
    assert found is not None
    return found


def local_starts(specs) -> list[str]:
    return [f"{s.start_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" for s in specs]


def test_day_classification_2026() -> None:
    assert classify(date(2026, 10, 1)).kind is DayKind.HOLIDAY  # National Day
    assert classify(date(2026, 10, 5)).kind is DayKind.HOLIDAY  # a Monday inside the holiday block
    assert classify(date(2026, 10, 10)).kind is DayKind.MAKEUP_WORKDAY  # Saturday, 调休上班
    assert classify(date(2026, 9, 20)).kind is DayKind.MAKEUP_WORKDAY  # Sunday, 调休上班
    assert classify(date(2026, 11, 28)).kind is DayKind.WEEKEND
    assert classify(date(2026, 11, 30)).kind is DayKind.WORKDAY


def test_public_holiday_is_closed_even_on_the_experts_weekday() -> None:
    # E06 works Monday mornings; 2026-10-05 is a Monday inside the National Day holiday.
    assert slots_for_day(expert("E06"), date(2026, 10, 5), MONDAY) == []
    assert len(slots_for_day(expert("E06"), date(2026, 10, 12), MONDAY)) == 2


def test_weekend_holiday_closes_weekend_sessions_but_an_ordinary_weekend_is_open() -> None:
    # E07 holds a Saturday clinic: open on an ordinary Saturday, closed on Saturday 2026-10-03 (National Day).
    assert slots_for_day(expert("E07"), date(2026, 10, 3), MONDAY) == []
    assert local_starts(slots_for_day(expert("E07"), date(2026, 11, 28), MONDAY)) == [
        "2026-11-28 10:00",
        "2026-11-28 11:00",
    ]


def test_weekend_makeup_day_opens_with_the_monday_schedule() -> None:
    # 2026-10-10 is a Saturday make-up working day: Monday experts work, Saturday entries do not apply.
    assert local_starts(slots_for_day(expert("E06"), date(2026, 10, 10), MONDAY)) == [
        "2026-10-10 09:00",
        "2026-10-10 10:00",
    ]
    assert slots_for_day(expert("E07"), date(2026, 10, 10), MONDAY) == []
    # Sunday 2026-09-20 too; E02 works Monday afternoons in 30-minute slots.
    assert len(slots_for_day(expert("E02"), date(2026, 9, 20), MONDAY)) == 4


def test_capacity_and_slot_length_come_from_the_schedule() -> None:
    specs = slots_for_day(expert("E09"), date(2026, 12, 3), MONDAY)  # Thursday group clinic, capacity 3
    assert [s.capacity for s in specs] == [3, 3]
    assert all(s.end_at - s.start_at == timedelta(minutes=60) for s in specs)
    on_site = slots_for_day(expert("E04"), date(2026, 12, 4), MONDAY)  # Friday 09:00-12:00, 90-minute visits
    assert [(s.form, local_starts([s])[0][-5:]) for s in on_site if s.form is ServiceForm.ON_SITE] == [
        (ServiceForm.ON_SITE, "09:00"),
        (ServiceForm.ON_SITE, "10:30"),
    ]


@pytest.mark.parametrize("day", [date(2026, 1, 5), date(2026, 7, 6), date(2026, 11, 30)])
def test_times_are_shanghai_wall_clock_stored_as_utc_without_dst(day: date) -> None:
    spec = slots_for_day(expert("E06"), day, MONDAY)[0]  # Monday 09:00 local
    assert spec.start_at.tzinfo == timezone.utc
    assert spec.start_at == datetime(day.year, day.month, day.day, 1, 0, tzinfo=timezone.utc)
    local = spec.start_at.astimezone(SHANGHAI)
    assert (local.hour, local.utcoffset()) == (9, timedelta(hours=8))
    assert spec.id == f"E06-{day:%Y%m%d}-0900"


def test_unknown_calendar_year_is_refused_not_guessed() -> None:
    first, last = known_range()
    assert first.year <= 2026 <= last.year
    beyond = last + timedelta(days=1)
    with pytest.raises(CalendarUnknownError) as info:
        classify(beyond)
    assert str(beyond.year) in str(info.value) and "chinesecalendar" in str(info.value)
    assert info.value.kind == "calendar_unknown" and info.value.field == "date"
    generation = generate(CATALOGUE.experts, last - timedelta(days=2), 5, MONDAY)
    assert generation.unknown_days == (beyond, beyond + timedelta(days=1))
    assert all(s.local_date <= last for s in generation.slots)
    assert generation.slots


def test_refresh_covers_the_horizon_and_is_idempotent(engine) -> None:
    clock = FixedClock.shanghai(2026, 11, 28, 12, 0)
    service = BookingService(engine, CATALOGUE, clock)
    first = service.refresh()
    assert (first.first_day, first.last_day) == ("2026-11-28", "2026-12-11")
    assert first.slots.created > 50 and first.unknown_days == ()
    again = service.refresh()
    assert (again.slots.created, again.slots.updated, again.slots.removed) == (0, 0, 0)
    slots = service.expert_slots("E07", only_free=False)
    # Today's 10:00 and 11:00 slots have started (it is 12:00): not offered.
    assert slots[0].local_start.date() == date(2026, 12, 4)
    assert all(s.local_start.date() <= date(2026, 12, 11) for s in slots)


def test_refresh_around_national_day(engine) -> None:
    service = BookingService(engine, CATALOGUE, FixedClock.shanghai(2026, 9, 28, 8, 0))
    service.refresh()
    days = {
        s.local_start.date() for e in CATALOGUE.experts for s in service.expert_slots(e.id, only_free=False)
    }
    assert not any(date(2026, 10, d) in days for d in range(1, 8))
    assert date(2026, 10, 10) in days  # make-up Saturday
    assert date(2026, 9, 29) in days


def test_refresh_into_an_unknown_year_reports_the_days(engine) -> None:
    service = BookingService(engine, CATALOGUE, FixedClock.shanghai(2026, 12, 25, 9, 0))
    report = service.refresh()
    assert report.unknown_days[0] == "2027-01-01" and len(report.unknown_days) == 7
    assert all(s.local_start.year == 2026 for s in service.expert_slots("E01", only_free=False))


def test_schedule_change_keeps_booked_slots_and_removes_free_ones(engine) -> None:
    clock = FixedClock.shanghai(2026, 11, 28, 12, 0)
    BookingService(engine, CATALOGUE, clock).refresh()
    booked = BookingService(engine, CATALOGUE, clock).book(
        user_id="u1",
        slot_id="E12-20261202-1400",
        name="王先生",
        phone="13800138000",
        topic="政策申报",
        stage="初创期",
        idempotency_key="k",
    )
    # E12 stops holding sessions: the free slot disappears, the booked one closes but stays valid.
    changed = replace(
        CATALOGUE, experts=tuple(replace(e, schedule=()) if e.id == "E12" else e for e in CATALOGUE.experts)
    )
    service = BookingService(engine, changed, clock)
    report = service.refresh()
    assert (report.slots.removed, report.slots.closed) == (1, 1)
    remaining = service.expert_slots("E12", only_free=False)
    assert [(s.id, s.open, s.booked) for s in remaining] == [("E12-20261202-1400", False, 1)]
    assert service.bookings("u1") == [replace(booked, slot=remaining[0])]
    with pytest.raises(SlotClosedError):
        service.book(
            user_id="u2",
            slot_id="E12-20261202-1400",
            name="赵女士",
            phone="13900139000",
            topic="政策申报",
            stage="初创期",
            idempotency_key="k2",
        )


# A made-up year far beyond any real notice, so the test never depends on what was published.
NOTICE = """
years:
  2099:
    source: 测试用通知（非真实文件）
    holidays:
      元旦: [2099-01-01, 2099-01-02]
    makeup_workdays: [2099-01-03]
"""


def test_a_copied_notice_opens_a_year_the_library_does_not_know(tmp_path, monkeypatch) -> None:
    from consultations import workcalendar

    path = tmp_path / "holiday_notices.yaml"
    path.write_text(NOTICE, encoding="utf-8")
    monkeypatch.setattr(workcalendar, "NOTICES_FILE", path)
    assert classify(date(2099, 1, 1)).kind is DayKind.HOLIDAY  # a Thursday
    assert classify(date(2099, 1, 1)).name == "元旦"
    assert classify(date(2099, 1, 3)).kind is DayKind.MAKEUP_WORKDAY  # a Saturday
    assert classify(date(2099, 1, 4)).kind is DayKind.WEEKEND
    assert classify(date(2099, 1, 5)).kind is DayKind.WORKDAY
    assert "测试用通知" in workcalendar.year_source(2099)
    generation = generate(CATALOGUE.experts, date(2099, 1, 1), 5, MONDAY)
    assert generation.unknown_days == ()
    days = {s.local_date for s in generation.slots}
    assert date(2099, 1, 1) not in days and date(2099, 1, 2) not in days
    assert date(2099, 1, 3) in days  # make-up Saturday opens with the Monday schedule
    # The library wins for years it knows.
    assert workcalendar.year_source(2026).startswith("chinesecalendar")
    assert workcalendar.year_source(2098) is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("years: {2099: {holidays: {元旦: [2099-01-01]}}}", "'source'"),
        ("years: {2099: {source: x, holidays: {元旦: [2098-01-01]}}}", "not in 2099"),
        ("years: {2099: {source: x, holidays: {元旦: [2099-13-01]}}}", "date is impossible"),
        ("years: {2099: {source: x, holidays: {元旦: [一月一日]}}}", "not a date"),
        ("years: {2099: {source: x, holidays: {}}}", "'holidays' is empty"),
        (
            "years: {2099: {source: x, holidays: {元旦: [2099-01-01]}, makeup_workdays: [2099-01-01]}}",
            "both a holiday and a make-up workday",
        ),
        ("[]", "expected a mapping"),
    ],
)
def test_a_malformed_notice_is_refused_with_the_year_and_field(tmp_path, text: str, message: str) -> None:
    from consultations.errors import CatalogueError
    from consultations.workcalendar import load_notices

    path = tmp_path / "notices.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_notices(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_the_shipped_notices_file_loads() -> None:
    from consultations.workcalendar import load_notices

    first, last = known_range()
    assert all(year > last.year for year in load_notices())


def test_auto_refresh_moves_the_horizon_with_the_days(engine) -> None:
    clock = FixedClock.shanghai(2026, 11, 2, 9, 0)
    service = BookingService(engine, CATALOGUE, clock, auto_refresh=True)
    first = service.expert_slots("E07", only_free=False)  # the first lookup refreshes
    assert first and max(s.local_start.date() for s in first) <= date(2026, 11, 15)
    assert service.refresh_if_stale() is None  # once a day
    clock.advance(days=10)
    later = service.expert_slots("E07", only_free=False)
    assert max(s.local_start.date() for s in later) > date(2026, 11, 15)
    # A second process refreshing the same day finds the rows there: no error, nothing twice.
    other = BookingService(engine, CATALOGUE, clock, auto_refresh=True)
    report = other.refresh_if_stale()
    assert report is not None and report.slots.created == 0
    # Without auto_refresh nothing moves by itself.
    assert BookingService(engine, CATALOGUE, clock).refresh_if_stale() is None
