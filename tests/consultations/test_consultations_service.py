"""The booking service on SQLite and PostgreSQL: find, book, cancel, reschedule, rate, forget."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from consultations.catalogue import load_catalogue
from consultations.db import make_engine
from consultations.errors import (
    AlreadyBookedError,
    AlreadyRatedError,
    BookingNotActiveError,
    BookingNotFoundError,
    CancelTooLateError,
    InvalidInputError,
    InvalidPhoneError,
    InvalidRatingError,
    MaxActiveBookingsError,
    RatingTooEarlyError,
    SlotFullError,
    SlotInPastError,
    SlotNotFoundError,
    SlotOutsideHorizonError,
    UnknownDistrictError,
    UnknownTopicError,
)
from consultations.model import AREAS, BookingStatus, FormPreference, ServiceForm
from consultations.repository import Repository
from consultations.schema import bookings, ratings
from consultations.service import BookingService

E01_TUE_0900 = "E01-20261201-0900"  # 2026-12-01 09:00 Shanghai, capacity 1
E01_TUE_1000 = "E01-20261201-1000"
E01_THU_1900_ONLINE = "E01-20261203-1900"
E12_WED_1400 = "E12-20261202-1400"  # the expert with a single weekly slot
E12_NEXT_WED_1400 = "E12-20261209-1400"
E09_THU_0900 = "E09-20261203-0900"  # capacity 3


def slot(service: BookingService, slot_id: str):
    expert_id = slot_id.split("-")[0]
    return next(s for s in service.expert_slots(expert_id, only_free=False) if s.id == slot_id)


# -- finding ---------------------------------------------------------------------------------------
def test_find_experts_by_alias_form_and_district(service) -> None:
    matches = service.find_experts("股权激励", FormPreference.IN_PERSON, "浦东")
    assert [m.expert.id for m in matches] == ["E01"]
    assert [s.id for s in matches[0].next_slots] == [E01_TUE_0900, E01_TUE_1000, "E01-20261208-0900"]
    assert matches[0].matched_forms == (ServiceForm.CLINIC,)
    assert "12月1日（周二）09:00-10:00 门诊咨询" in matches[0].next_slots[0].describe()


def test_find_experts_without_a_match(service) -> None:
    assert service.find_experts("知识产权", "in_person", "崇明区") == []
    assert service.find_experts("文创", "in_person", "浦东新区") == []
    # Online sessions do not depend on the district.
    online = service.find_experts("知识产权", "online", "崇明区")
    assert {m.expert.id for m in online} == {"E05", "E13"}
    assert all(s.form is ServiceForm.ONLINE for m in online for s in m.next_slots)


def test_find_experts_rejects_unknown_words(service) -> None:
    with pytest.raises(UnknownTopicError) as info:
        service.find_experts("炒股")
    assert info.value.field == "topic" and info.value.data == {"topics": AREAS}
    with pytest.raises(UnknownDistrictError):
        service.find_experts("融资", district="朝阳区")


def test_an_expert_whose_slots_are_full_is_listed_last_without_slots(service, booking_args) -> None:
    service.book(**booking_args(E12_WED_1400, user="u1"))
    service.book(**booking_args(E12_NEXT_WED_1400, user="u2"))
    matches = service.find_experts("政策申报", "any", "黄浦区")
    by_id = {m.expert.id: m for m in matches}
    assert by_id["E12"].next_slots == ()
    assert matches[-1].expert.id == "E12"
    assert by_id["E09"].next_slots  # online sessions of another expert still fit
    assert service.expert_slots("E12") == []


# -- booking ---------------------------------------------------------------------------------------
def test_happy_path_booking(service, booking_args, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="consultations")
    booking = service.book(**booking_args(E01_TUE_0900, phone="+86 138-0013-8000"))
    assert booking.status is BookingStatus.ACTIVE
    assert len(booking.code) == 6 and set(booking.code) <= set("34679ACEFGHKMNPRTWXY")
    assert booking.phone == "13800138000" and booking.topic == "股权"
    assert booking.expert_name == "示例专家·王老师"
    assert "提前 10 分钟" in booking.prepare
    assert slot(service, E01_TUE_0900).booked == 1
    assert service.bookings("openid-alice") == [booking]
    assert service.get_booking("openid-alice", booking.code.lower()) == booking
    for text in (repr(booking), str(booking), caplog.text):
        assert "13800138000" not in text and "openid-alice" not in text and "张女士" not in text
    assert "138****8000" in repr(booking)


def test_full_slot(service, booking_args) -> None:
    service.book(**booking_args(E12_WED_1400, user="u1"))
    with pytest.raises(SlotFullError) as info:
        service.book(**booking_args(E12_WED_1400, user="u2"))
    assert info.value.kind == "slot_full" and info.value.field == "slot"
    assert slot(service, E12_WED_1400).booked == 1


def test_capacity_above_one(service, booking_args) -> None:
    for user in ("u1", "u2", "u3"):
        service.book(**booking_args(E09_THU_0900, user=user, topic="政策申报"))
    with pytest.raises(SlotFullError):
        service.book(**booking_args(E09_THU_0900, user="u4"))


def test_same_user_cannot_take_two_seats_of_one_slot(service, booking_args) -> None:
    service.book(**booking_args(E09_THU_0900, key="k1"))
    with pytest.raises(AlreadyBookedError):
        service.book(**booking_args(E09_THU_0900, key="k2"))


def test_past_slot_and_unknown_slot(engine, clock, booking_args) -> None:
    clock.set_shanghai(2026, 11, 28, 8, 0)
    service = BookingService(engine, load_catalogue(), clock)
    service.refresh()
    clock.set_shanghai(2026, 11, 28, 10, 30)  # E07's 10:00 session has started
    with pytest.raises(SlotInPastError):
        service.book(**booking_args("E07-20261128-1000"))
    service.book(**booking_args("E07-20261128-1100"))
    with pytest.raises(SlotNotFoundError):
        service.book(**booking_args("E07-20991128-1000"))


def test_slot_beyond_the_horizon(service, booking_args) -> None:
    service.refresh(days=30)  # slots exist, but only 14 days are offered
    with pytest.raises(SlotOutsideHorizonError) as info:
        service.book(**booking_args("E01-20261215-0900"))
    assert info.value.data == {"horizon_days": 14} and service.rules.horizon_days == 14
    assert all(s.local_start.day <= 11 for s in service.expert_slots("E01"))


def test_input_validation(service, booking_args) -> None:
    with pytest.raises(InvalidPhoneError):
        service.book(**booking_args(E01_TUE_0900, phone="12345"))
    with pytest.raises(InvalidInputError):
        service.book(**booking_args(E01_TUE_0900, name="  "))
    with pytest.raises(UnknownTopicError):
        service.book(**booking_args(E01_TUE_0900, topic="炒股"))
    assert slot(service, E01_TUE_0900).booked == 0


def test_max_active_bookings(service, clock, booking_args) -> None:
    for slot_id in (E01_TUE_0900, E12_WED_1400, E09_THU_0900):
        service.book(**booking_args(slot_id))
    with pytest.raises(MaxActiveBookingsError) as info:
        service.book(**booking_args(E01_TUE_1000))
    assert info.value.data == {"limit": 3} and service.rules.max_active_bookings == 3
    first = service.bookings("openid-alice")[0]
    service.cancel("openid-alice", first.code)
    service.book(**booking_args(E01_TUE_1000))
    # A consultation that has ended no longer counts.
    clock.set_shanghai(2026, 12, 1, 11, 0)
    service.book(**booking_args(E12_NEXT_WED_1400))


def test_same_idempotency_key_books_once(service, booking_args) -> None:
    first = service.book(**booking_args(E01_TUE_0900, key="wx-msg-1"))
    again = service.book(**booking_args(E01_TUE_0900, key="wx-msg-1"))
    assert again == first
    # A repeated key names the first request's booking, whatever the repeat contains.
    assert service.book(**booking_args(E12_WED_1400, key="wx-msg-1")) == first
    assert slot(service, E01_TUE_0900).booked == 1 and slot(service, E12_WED_1400).booked == 0
    assert len(service.bookings("openid-alice")) == 1


def test_booking_survives_a_restart(database_url, service, clock, booking_args) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))
    service.engine.dispose()
    reopened = make_engine(database_url)
    try:
        fresh = BookingService(reopened, load_catalogue(), clock)
        assert fresh.bookings("openid-alice") == [booking]
        assert slot(fresh, E01_TUE_0900).booked == 1
    finally:
        reopened.dispose()


# -- cancel and reschedule -------------------------------------------------------------------------
def test_cancel_frees_the_seat_and_is_repeatable(service, booking_args) -> None:
    booking = service.book(**booking_args(E12_WED_1400, user="u1"))
    cancelled = service.cancel("u1", booking.code)
    assert cancelled.status is BookingStatus.CANCELLED
    assert service.cancel("u1", booking.code).status is BookingStatus.CANCELLED
    assert slot(service, E12_WED_1400).booked == 0
    service.book(**booking_args(E12_WED_1400, user="u2"))
    assert service.bookings("u1") == []
    assert service.bookings("u1", include_cancelled=True)[0].code == booking.code


def test_cancel_window(service, clock, booking_args) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))  # starts 2026-12-01 09:00
    clock.set_shanghai(2026, 11, 30, 9, 30)
    with pytest.raises(CancelTooLateError) as info:
        service.cancel("openid-alice", booking.code)
    assert info.value.data == {"hours": 24} and service.rules.cancel_min_hours == 24
    with pytest.raises(CancelTooLateError):
        service.reschedule("openid-alice", booking.code, E01_THU_1900_ONLINE)
    clock.set_shanghai(2026, 11, 30, 9, 0)  # exactly 24 hours ahead is still allowed
    assert service.cancel("openid-alice", booking.code).status is BookingStatus.CANCELLED


def test_only_the_owner_can_see_or_change_a_booking(service, booking_args) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))
    for call in (
        lambda: service.get_booking("intruder", booking.code),
        lambda: service.cancel("intruder", booking.code),
        lambda: service.reschedule("intruder", booking.code, E01_TUE_1000),
        lambda: service.get_booking("openid-alice", "AAAAAA"),
    ):
        with pytest.raises(BookingNotFoundError):
            call()


def test_reschedule_moves_the_booking(service, booking_args) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))
    moved = service.reschedule("openid-alice", booking.code, E01_THU_1900_ONLINE)
    assert (moved.code, moved.slot.id, moved.slot.form) == (
        booking.code,
        E01_THU_1900_ONLINE,
        ServiceForm.ONLINE,
    )
    assert "保持手机畅通" in moved.prepare
    assert slot(service, E01_TUE_0900).booked == 0
    assert slot(service, E01_THU_1900_ONLINE).booked == 1


def test_reschedule_to_a_full_slot_changes_nothing(service, booking_args) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))
    service.book(**booking_args(E12_WED_1400, user="bob"))
    with pytest.raises(SlotFullError):
        service.reschedule("openid-alice", booking.code, E12_WED_1400)
    assert service.get_booking("openid-alice", booking.code).slot.id == E01_TUE_0900
    assert slot(service, E01_TUE_0900).booked == 1 and slot(service, E12_WED_1400).booked == 1


def test_reschedule_rolls_back_when_it_fails_half_way(service, booking_args, monkeypatch) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))

    def crash(*args, **kwargs):
        raise RuntimeError("connection lost after the new seat was taken")

    monkeypatch.setattr(Repository, "move_booking", crash)
    with pytest.raises(RuntimeError):
        service.reschedule("openid-alice", booking.code, E01_TUE_1000)
    assert slot(service, E01_TUE_1000).booked == 0  # the new seat was given back
    assert slot(service, E01_TUE_0900).booked == 1  # the old one was never freed
    assert service.get_booking("openid-alice", booking.code).slot.id == E01_TUE_0900


def test_cancelled_booking_cannot_be_rescheduled(service, booking_args) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))
    service.cancel("openid-alice", booking.code)
    with pytest.raises(BookingNotActiveError):
        service.reschedule("openid-alice", booking.code, E01_TUE_1000)


# -- ratings ---------------------------------------------------------------------------------------
def test_rating_only_after_the_session_and_only_once(service, clock, booking_args) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))  # 09:00-10:00 on 2026-12-01
    with pytest.raises(RatingTooEarlyError) as info:
        service.rate("openid-alice", booking.code, 5)
    assert info.value.kind == "rating_too_early" and info.value.field == "rating"
    clock.set_shanghai(2026, 12, 1, 9, 59)
    with pytest.raises(RatingTooEarlyError):
        service.rate("openid-alice", booking.code, 5)
    clock.set_shanghai(2026, 12, 1, 10, 0)
    with pytest.raises(InvalidRatingError):
        service.rate("openid-alice", booking.code, 6)
    with pytest.raises(BookingNotFoundError):
        service.rate("someone-else", booking.code, 5)
    record = service.rate("openid-alice", booking.code, 5, "讲得很清楚")
    assert (record.rating_count, record.average_rating, record.recent_comments) == (1, 5.0, ("讲得很清楚",))
    with pytest.raises(AlreadyRatedError):
        service.rate("openid-alice", booking.code, 4)


def test_cancelled_booking_cannot_be_rated(service, clock, booking_args) -> None:
    booking = service.book(**booking_args(E01_TUE_0900))
    service.cancel("openid-alice", booking.code)
    clock.set_shanghai(2026, 12, 2, 12, 0)
    with pytest.raises(BookingNotActiveError):
        service.rate("openid-alice", booking.code, 3)


def test_service_record_is_computed_from_ratings(service, clock, booking_args) -> None:
    empty = service.service_record("E01")
    assert (empty.completed_sessions, empty.rating_count, empty.average_rating) == (0, 0, None)
    a = service.book(**booking_args(E01_TUE_0900, user="a"))
    b = service.book(**booking_args(E01_TUE_1000, user="b"))
    service.book(**booking_args(E01_THU_1900_ONLINE, user="c"))  # not over yet
    clock.set_shanghai(2026, 12, 1, 12, 0)
    service.rate("a", a.code, 4, "有帮助，电话 13912345678")
    clock.advance(minutes=5)
    service.rate("b", b.code, 5)
    record = service.service_record("E01")
    assert (record.completed_sessions, record.rating_count, record.average_rating) == (2, 2, 4.5)
    assert record.recent_comments == ("有帮助，电话 139****5678",)


# -- personal data ---------------------------------------------------------------------------------
def test_delete_user_data(service, clock, engine, booking_args) -> None:
    past = service.book(**booking_args(E01_TUE_0900))
    clock.set_shanghai(2026, 12, 1, 10, 30)
    service.rate("openid-alice", past.code, 5, "很好")
    upcoming = service.book(**booking_args(E12_NEXT_WED_1400))
    # Deletion frees the seat even inside the 24-hour window.
    clock.set_shanghai(2026, 12, 9, 8, 0)
    report = service.delete_user_data("openid-alice")
    assert (report.cancelled, report.anonymised) == (1, 2)
    assert slot(service, E12_NEXT_WED_1400).booked == 0
    assert service.bookings("openid-alice", include_past=True, include_cancelled=True) == []
    with engine.connect() as conn:
        rows = conn.execute(select(bookings)).all()
        assert {r.code for r in rows} == {past.code, upcoming.code}
        assert all(r.user_id is None and r.name is None and r.phone is None for r in rows)
        assert all(r.idempotency_key is None for r in rows)
        kept = conn.execute(select(ratings)).one()
    assert (kept.score, kept.expert_id) == (5, "E01")
    assert service.service_record("E01").rating_count == 1


def test_staff_find_a_callers_bookings_by_phone_from_every_channel(service, booking_args) -> None:
    on_wechat = service.book(**booking_args(E01_TUE_0900, user="openid-alice"))
    by_phone = service.book(**booking_args(E01_TUE_1000, user="tel:13800138000"))
    service.book(**booking_args(E01_THU_1900_ONLINE, user="openid-bob", phone="13900139000"))
    found = service.bookings_for_phone("+86 138-0013-8000")
    assert {b.code for b in found} == {on_wechat.code, by_phone.code}
    service.cancel("openid-alice", on_wechat.code)
    assert [b.code for b in service.bookings_for_phone("13800138000")] == [by_phone.code]
    assert len(service.bookings_for_phone("13800138000", include_cancelled=True)) == 2
    with pytest.raises(InvalidPhoneError):
        service.bookings_for_phone("12345")
