"""After booking: listing, cancelling, deleting one's data, rescheduling and rating.

Bookings are made through the real consultations service (`book_slot`) for the tracker's own
sender id; time moves with the shared `clock` (the service's and the actions' "now").
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.booking_common import booking_line, code_payload, numbered_buttons, offer
from actions.booking_manage import (
    MAX_RESCHEDULE_OFFERS,
    NO_COMMENT,
    ActionAskBookingNewSlot,
    ActionAskBookingRatingScore,
    ActionCancelBooking,
    ActionDeleteBookingData,
    ActionListBookings,
    ActionStartRating,
    ActionStartReschedule,
    ActionSubmitRating,
    ActionSubmitReschedule,
    ValidateBookingRatingForm,
    ValidateBookingRescheduleForm,
    short,
)
from consultations import mask_phone
from reminders import shared_reminders
from tests.actions.conftest import (
    book_slot,
    buttons,
    domain_buttons,
    domain_text,
    make_tracker,
    responses,
    run_action,
    run_method,
    service_down,
    spoken,
)

RESCHEDULE_FORM = "booking_reschedule_form"
RATING_FORM = "booking_rating_form"
RESCHEDULE_DONE = [SlotSet("booking_new_slot", None), SlotSet("booking_target", None)]
RATING_DONE = [
    SlotSet("booking_target", None),
    SlotSet("booking_rating_score", None),
    SlotSet("booking_rating_comment", None),
]


def user_tracker(text: str = "", *, intent: str | None = None, user: str, **kwargs):
    return make_tracker(text, intent=intent, sender_id=user, **kwargs)


@pytest.fixture()
def user() -> str:
    return make_tracker().sender_id  # a fresh sender id


def too_late(service) -> tuple:
    """Cancelling or rescheduling inside the window: the rules' hours, then where to call instead."""
    hours = service.rules.cancel_min_hours
    reason = domain_text("utter_booking_error_cancel_too_late", hours=hours)
    return ("utter_booking_too_late", {"reason": reason})


def other_free_slots(service, booking) -> list:
    return [s for s in service.expert_slots(booking.expert_id) if s.id != booking.slot.id]


def after_the_session(clock, booking) -> None:
    clock.now = booking.slot.end_at + timedelta(hours=1)


# -- ActionListBookings --------------------------------------------------------------------------


def test_list_without_bookings(user) -> None:
    events, messages = run_action(
        ActionListBookings(), user_tracker("我的预约", intent="my_bookings", user=user)
    )

    assert events == []
    assert responses(messages) == [("utter_booking_none", {})]


def test_list_shows_every_upcoming_booking_with_a_masked_phone(service, user) -> None:
    first = book_slot(service, user, nth=0)
    second = book_slot(service, user, nth=1, phone="139 0000 1111")

    events, messages = run_action(
        ActionListBookings(), user_tracker("我的预约", intent="my_bookings", user=user)
    )

    assert events == []
    bookings = service.bookings(user)
    assert {b.code for b in bookings} == {first.code, second.code}
    lines = "\n".join(booking_line(i, b) for i, b in enumerate(bookings, 1))
    assert responses(messages) == [("utter_booking_list", {"lines": lines})]
    assert spoken(messages) == [f"您的预约：\n{lines}\n取消请说“取消预约”加预约码，改时间请说“改约”。"]
    assert mask_phone("13900001111") in lines and "13900001111" not in repr(messages)


@pytest.mark.parametrize(
    ("user", "channel"),
    [("tel:13912345678", "rest"), ("tel:13912345678", "wechat"), ("wx:oHaiNaTestUser0000000000009", "rest")],
    ids=["phone-caller", "phone-caller-on-wechat", "openid-off-wechat"],
)
def test_no_action_reads_or_changes_bookings_of_another_channels_id(service, user, channel) -> None:
    """A phone caller's bookings are the console's; a WeChat id counts only on the WeChat channel
    (issue #23: the REST channel let anyone name them)."""
    booking = book_slot(service, user, nth=0)
    refused = [("utter_booking_not_this_channel", {})]

    def tracker(text: str, intent: str, **kwargs):
        return make_tracker(text, intent=intent, sender_id=user, channel=channel, **kwargs)

    _, listed = run_action(ActionListBookings(), tracker("查看我的预约", "my_bookings"))
    assert responses(listed) == refused
    code = {"booking_code": booking.code}
    _, cancelled = run_action(
        ActionCancelBooking(), tracker(f"取消预约 {booking.code}", "cancel_booking", entities=code.items())
    )
    assert responses(cancelled) == refused
    _, deleted = run_action(
        ActionDeleteBookingData(), tracker("是的", "affirm", slots={"booking_pending": "delete"})
    )
    assert responses(deleted) == refused
    _, moved = run_action(ActionStartReschedule(), tracker(f"改约 {booking.code}", "reschedule_booking"))
    assert responses(moved) == refused
    _, rated = run_action(ActionStartRating(), tracker(f"评价 {booking.code}", "rate_booking"))
    assert responses(rated) == refused
    assert [b.code for b in service.bookings(user)] == [booking.code]
    assert service.bookings(user)[0].active


def test_the_wechat_channel_lists_its_own_users_bookings(service) -> None:
    user = "wx:oHaiNaTestUser" + make_tracker().sender_id[-12:]
    booking = book_slot(service, user, nth=0)
    tracker = make_tracker("查看我的预约", intent="my_bookings", sender_id=user, channel="wechat")
    _, messages = run_action(ActionListBookings(), tracker)
    assert [r for r, _ in responses(messages)] == ["utter_booking_list"]
    assert booking.code in messages[0]["lines"]


def test_list_when_the_database_is_down(database_down, user) -> None:
    events, messages = run_action(
        ActionListBookings(), user_tracker("我的预约", intent="my_bookings", user=user)
    )

    assert events == []
    assert responses(messages) == [service_down()]


# -- ActionCancelBooking -------------------------------------------------------------------------


def test_cancel_by_typed_code(service, user, clock) -> None:
    booking = book_slot(service, user)
    shared_reminders.cache_clear()
    shared_reminders().subscribe_booking(user, "rest", booking, clock())
    tracker = user_tracker(f"取消预约 {booking.code}", intent="cancel_booking", user=user)

    events, messages = run_action(ActionCancelBooking(), tracker)

    assert events == [SlotSet("booking_pending", None)]
    values = {"code": booking.code, "when": booking.slot.describe(), "expert": booking.expert_name}
    assert responses(messages) == [("utter_booking_cancelled", values)]
    assert service.bookings(user) == []
    assert shared_reminders().subscriptions(user) == []  # its reminders are cancelled with it


def test_cancel_the_only_booking_asks_first_then_cancels_on_yes(service, user) -> None:
    booking = book_slot(service, user)

    events, messages = run_action(
        ActionCancelBooking(), user_tracker("取消我的预约", intent="cancel_booking", user=user)
    )

    assert events == [SlotSet("booking_pending", f"cancel:{booking.code}")]
    assert responses(messages) == [("utter_booking_confirm_cancel", {"line": booking_line(1, booking)})]
    assert spoken(messages) == [f"确定要取消这个预约吗？\n{booking_line(1, booking)}"]
    assert buttons(messages[0]) == [
        ("确认取消", code_payload("cancel_booking", booking.code)),
        ("不取消", "/deny"),
    ]
    assert [b.code for b in service.bookings(user)] == [booking.code]

    pending = {"booking_pending": f"cancel:{booking.code}"}
    events, messages = run_action(
        ActionCancelBooking(), user_tracker("是的", intent="affirm", user=user, slots=pending)
    )

    assert events == [SlotSet("booking_pending", None)]
    assert spoken(messages)[0].startswith(f"已取消预约 {booking.code}")
    assert service.bookings(user) == []


def test_cancel_with_several_bookings_asks_which(service, user) -> None:
    book_slot(service, user, nth=0)
    book_slot(service, user, nth=1)
    bookings = service.bookings(user)

    events, messages = run_action(
        ActionCancelBooking(), user_tracker("取消预约", intent="cancel_booking", user=user)
    )

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [("utter_booking_which_to_cancel", {"n": 2})]
    assert buttons(messages[0]) == [(short(b), code_payload("cancel_booking", b.code)) for b in bookings]


def test_no_keeps_the_booking(service, user) -> None:
    booking = book_slot(service, user)
    tracker = user_tracker(
        "不取消", intent="deny", user=user, slots={"booking_pending": f"cancel:{booking.code}"}
    )

    events, messages = run_action(ActionCancelBooking(), tracker)

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [("utter_booking_cancel_kept", {})]
    assert [b.code for b in service.bookings(user)] == [booking.code]


@pytest.mark.parametrize(("intent", "events"), [("deny", [SlotSet("booking_pending", None)]), ("affirm", [])])
def test_yes_or_no_with_nothing_pending(user, intent, events) -> None:
    got, messages = run_action(ActionCancelBooking(), user_tracker("好", intent=intent, user=user))

    assert got == events
    assert responses(messages) == [("utter_booking_nothing_to_do", {})]


def test_cancel_without_bookings(user) -> None:
    events, messages = run_action(
        ActionCancelBooking(), user_tracker("取消预约", intent="cancel_booking", user=user)
    )

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [("utter_booking_nothing_to_cancel", {})]


def test_cancel_someone_elses_code_is_not_found(service, user) -> None:
    theirs = book_slot(service, "test-someone-else-cancel")
    tracker = user_tracker(f"取消预约 {theirs.code}", intent="cancel_booking", user=user)

    events, messages = run_action(ActionCancelBooking(), tracker)

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [("utter_booking_error_booking_not_found", {})]
    assert [b.code for b in service.bookings("test-someone-else-cancel")] == [theirs.code]


def test_cancel_too_late_points_to_the_phone(service, clock, user) -> None:
    booking = book_slot(service, user)
    clock.now = booking.slot.start_at - timedelta(hours=2)
    tracker = user_tracker(
        "取消预约", intent="cancel_booking", user=user, entities=[("booking_code", booking.code)]
    )

    events, messages = run_action(ActionCancelBooking(), tracker)

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [too_late(service)]
    assert [b.code for b in service.bookings(user)] == [booking.code]


def test_cancel_when_the_database_is_down(database_down, user) -> None:
    events, messages = run_action(
        ActionCancelBooking(), user_tracker("取消预约 AB12CD", intent="cancel_booking", user=user)
    )

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [service_down()]


# -- ActionDeleteBookingData ---------------------------------------------------------------------


def test_delete_asks_first_then_forgets_the_user(service, user) -> None:
    book_slot(service, user)
    shared_reminders.cache_clear()
    shared_reminders().follow_policy(user, "rest", "first_business_subsidy")

    events, messages = run_action(
        ActionDeleteBookingData(), user_tracker("删除我的信息", intent="delete_booking_data", user=user)
    )

    assert events == [SlotSet("booking_pending", "delete")]
    assert responses(messages) == [("utter_booking_ask_delete", {})]
    assert domain_buttons("utter_booking_ask_delete") == [("确认删除", "/affirm"), ("不删除", "/deny")]

    tracker = user_tracker("确认", intent="affirm", user=user, slots={"booking_pending": "delete"})
    events, messages = run_action(ActionDeleteBookingData(), tracker)

    assert events == [
        SlotSet("forget_conversation", True),
        SlotSet("booking_pending", None),
        SlotSet("booking_name", None),
        SlotSet("booking_phone", None),
        SlotSet("booking_last_code", None),
        SlotSet("booking_choice", None),
        SlotSet("booking_confirm", None),
    ]
    assert responses(messages) == [
        ("utter_booking_deleted", {"cancelled": 1, "anonymised": 1, "reminders": 1})
    ]
    assert spoken(messages) == [
        "已删除：取消了 1 个未开始的预约，1 条预约记录中的姓名和手机号已删除，1 项提醒已删除，本次对话保存的聊天内容也已清除。"
    ]
    assert service.bookings(user, include_past=True, include_cancelled=True) == []
    assert shared_reminders().subscriptions(user) == [] and shared_reminders().notices(user) == []


def test_no_to_delete_keeps_everything(service, user) -> None:
    booking = book_slot(service, user)
    tracker = user_tracker("不删", intent="deny", user=user, slots={"booking_pending": "delete"})

    events, messages = run_action(ActionDeleteBookingData(), tracker)

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [("utter_booking_delete_kept", {})]
    assert [b.code for b in service.bookings(user)] == [booking.code]


def test_yes_without_a_delete_question_deletes_nothing(service, user) -> None:
    booking = book_slot(service, user)

    events, messages = run_action(ActionDeleteBookingData(), user_tracker("确认", intent="affirm", user=user))

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [("utter_booking_nothing_to_do", {})]
    assert [b.code for b in service.bookings(user)] == [booking.code]


def test_delete_when_the_database_is_down(database_down, user) -> None:
    tracker = user_tracker("确认", intent="affirm", user=user, slots={"booking_pending": "delete"})

    events, messages = run_action(ActionDeleteBookingData(), tracker)

    assert events == [SlotSet("booking_pending", None)]
    assert responses(messages) == [service_down()]


# -- ActionStartReschedule -----------------------------------------------------------------------


def test_reschedule_offers_the_same_experts_other_free_slots(service, user) -> None:
    booking = book_slot(service, user)
    free = other_free_slots(service, booking)
    expert = service.expert(booking.expert_id)

    events, messages = run_action(
        ActionStartReschedule(), user_tracker("改约", intent="reschedule_booking", user=user)
    )

    assert events == [
        SlotSet("booking_target", booking.code),
        SlotSet("booking_offers", [offer(expert, s) for s in free[:MAX_RESCHEDULE_OFFERS]]),
        SlotSet("booking_new_slot", None),
        FollowupAction(RESCHEDULE_FORM),
    ]
    assert messages == []


def test_reschedule_to_next_week_offers_only_next_week(service, clock, user) -> None:
    booking = book_slot(service, user)
    today = clock.now.astimezone(booking.slot.local_start.tzinfo).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    next_week = [
        s
        for s in other_free_slots(service, booking)
        if monday <= s.local_start.date() < monday + timedelta(days=7)
    ]
    assert next_week, "the expert has no free slot next week in the session database"

    events, _ = run_action(
        ActionStartReschedule(), user_tracker("改到下周", intent="reschedule_booking", user=user)
    )

    offered = [o["id"] for o in events[1]["value"]]
    assert offered == [s.id for s in next_week[:MAX_RESCHEDULE_OFFERS]]


def test_reschedule_to_a_day_without_slots_says_so_and_offers_others(service, user) -> None:
    booking = book_slot(service, user)
    free = other_free_slots(service, booking)
    weekdays = {s.local_start.weekday() for s in free}
    names = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    empty_day = next((names[d] for d in range(7) if d not in weekdays), None)
    if empty_day is None:
        pytest.skip("the expert has free slots on every weekday")

    events, messages = run_action(
        ActionStartReschedule(), user_tracker(f"改到{empty_day}", intent="reschedule_booking", user=user)
    )

    assert responses(messages) == [("utter_booking_filter_empty", {"when": empty_day})]
    assert [o["id"] for o in events[1]["value"]] == [s.id for s in free[:MAX_RESCHEDULE_OFFERS]]
    assert events[-1] == FollowupAction(RESCHEDULE_FORM)


def test_reschedule_without_bookings(user) -> None:
    events, messages = run_action(
        ActionStartReschedule(), user_tracker("改约", intent="reschedule_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [("utter_booking_nothing_to_reschedule", {})]


def test_reschedule_with_several_bookings_asks_which(service, user) -> None:
    book_slot(service, user, nth=0)
    book_slot(service, user, nth=1)
    bookings = service.bookings(user)

    events, messages = run_action(
        ActionStartReschedule(), user_tracker("改约", intent="reschedule_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [("utter_booking_which_to_reschedule", {"n": 2})]
    assert buttons(messages[0]) == [(short(b), code_payload("reschedule_booking", b.code)) for b in bookings]


def test_reschedule_an_unknown_code(service, user) -> None:
    book_slot(service, user)

    events, messages = run_action(
        ActionStartReschedule(), user_tracker("改约 ZZ99ZZ", intent="reschedule_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [("utter_booking_error_booking_not_found", {})]


def test_reschedule_too_late(service, clock, user) -> None:
    booking = book_slot(service, user)
    clock.now = booking.slot.start_at - timedelta(hours=3)

    events, messages = run_action(
        ActionStartReschedule(), user_tracker("改约", intent="reschedule_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [too_late(service)]


def test_reschedule_when_the_database_is_down(database_down, user) -> None:
    events, messages = run_action(
        ActionStartReschedule(), user_tracker("改约", intent="reschedule_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [service_down()]


# -- the reschedule form -------------------------------------------------------------------------


def reschedule_state(service, user) -> tuple:
    booking = book_slot(service, user)
    expert = service.expert(booking.expert_id)
    offers = [offer(expert, s) for s in other_free_slots(service, booking)[:MAX_RESCHEDULE_OFFERS]]
    assert len(offers) >= 2
    return booking, offers


def test_new_slot_reply_by_number(service, user) -> None:
    booking, offers = reschedule_state(service, user)
    slots = {"requested_slot": "booking_new_slot", "booking_offers": offers, "booking_target": booking.code}

    events, messages = run_action(
        ValidateBookingRescheduleForm(),
        user_tracker("2", intent="inform", user=user, active_loop=RESCHEDULE_FORM, slots=slots),
    )

    assert events == [SlotSet("booking_new_slot", offers[1]["id"])]
    assert messages == []


def test_new_slot_out_of_range_is_asked_again(service, user) -> None:
    booking, offers = reschedule_state(service, user)
    slots = {"requested_slot": "booking_new_slot", "booking_offers": offers, "booking_target": booking.code}

    events, messages = run_action(
        ValidateBookingRescheduleForm(),
        user_tracker("9", intent="inform", user=user, active_loop=RESCHEDULE_FORM, slots=slots),
    )

    assert events == [SlotSet("booking_new_slot", None)]
    assert responses(messages) == [("utter_booking_bad_choice", {"n": len(offers)})]


def test_new_slot_by_its_id_is_accepted(service, user) -> None:
    _, offers = reschedule_state(service, user)

    result, messages = run_method(
        ValidateBookingRescheduleForm().validate_booking_new_slot,
        offers[-1]["id"],
        user_tracker("", user=user, slots={"booking_offers": offers}),
    )

    assert result == {"booking_new_slot": offers[-1]["id"]}
    assert messages == []


def test_stop_during_the_reschedule_form_is_left_to_the_rules(service, user) -> None:
    _, offers = reschedule_state(service, user)
    slots = {"requested_slot": "booking_new_slot", "booking_offers": offers}

    events, messages = run_action(
        ValidateBookingRescheduleForm(),
        user_tracker("不改了", intent="stop_form", user=user, active_loop=RESCHEDULE_FORM, slots=slots),
    )

    assert events == []
    assert messages == []


def test_ask_new_slot_names_the_current_booking(service, user) -> None:
    booking, offers = reschedule_state(service, user)

    events, messages = run_action(
        ActionAskBookingNewSlot(),
        user_tracker("", user=user, slots={"booking_target": booking.code, "booking_offers": offers}),
    )

    assert events == []
    current = domain_text(
        "utter_booking_current_booking", when=booking.slot.describe(), expert=booking.expert_name
    )
    assert responses(messages) == [("utter_booking_new_slot", {"current": current})]
    assert spoken(messages) == [
        f"当前预约：{booking.slot.describe()}（{booking.expert_name}）。请选择新的时段："
    ]
    assert messages[0]["buttons"] == numbered_buttons(offers)


def test_ask_new_slot_for_an_unknown_booking_still_offers_the_slots(user) -> None:
    offers = [{"id": "X", "label": "某时段", "expert": "-", "when": "-"}]

    events, messages = run_action(
        ActionAskBookingNewSlot(),
        user_tracker("", user=user, slots={"booking_target": "ZZ99ZZ", "booking_offers": offers}),
    )

    assert events == []
    assert responses(messages) == [("utter_booking_new_slot", {"current": ""})]
    assert spoken(messages) == ["请选择新的时段："]
    assert messages[0]["buttons"] == numbered_buttons(offers)


def test_submit_reschedule_moves_the_booking(service, user) -> None:
    booking, offers = reschedule_state(service, user)
    slots = {"booking_target": booking.code, "booking_new_slot": offers[0]["id"]}

    events, messages = run_action(ActionSubmitReschedule(), user_tracker("", user=user, slots=slots))

    assert events == RESCHEDULE_DONE
    [moved] = service.bookings(user)
    assert moved.code == booking.code and moved.slot.id == offers[0]["id"]
    values = {
        "code": moved.code,
        "when": moved.slot.describe(),
        "expert": moved.expert_name,
        "prepare": moved.prepare,
    }
    assert responses(messages) == [("utter_booking_rescheduled", values)]
    # The reminders follow the booking to its new slot.
    [sub] = shared_reminders().subscriptions(user)
    assert sub.booking_code == moved.code
    pending = [n for n in shared_reminders().notices(user) if n.status == "pending"]
    assert pending and all(moved.slot.id in n.key for n in pending)


def test_submit_reschedule_without_a_new_slot_does_nothing(service, user) -> None:
    booking = book_slot(service, user)

    events, messages = run_action(
        ActionSubmitReschedule(), user_tracker("", user=user, slots={"booking_target": booking.code})
    )

    assert events == RESCHEDULE_DONE
    assert messages == []
    assert service.bookings(user)[0].slot.id == booking.slot.id


def test_submit_reschedule_to_a_vanished_slot_keeps_the_booking(service, user) -> None:
    booking = book_slot(service, user)
    slots = {"booking_target": booking.code, "booking_new_slot": "E01-20991231-0900"}

    events, messages = run_action(ActionSubmitReschedule(), user_tracker("", user=user, slots=slots))

    assert events == RESCHEDULE_DONE
    reason = domain_text("utter_booking_error_slot_not_found")
    assert responses(messages) == [("utter_booking_reschedule_kept", {"reason": reason})]
    assert spoken(messages) == ["没有找到这个时段，请重新选择。原预约保持不变。"]
    assert service.bookings(user)[0].slot.id == booking.slot.id


def test_submit_reschedule_too_late(service, clock, user) -> None:
    booking, offers = reschedule_state(service, user)
    clock.now = booking.slot.start_at - timedelta(hours=1)
    slots = {"booking_target": booking.code, "booking_new_slot": offers[-1]["id"]}

    events, messages = run_action(ActionSubmitReschedule(), user_tracker("", user=user, slots=slots))

    assert events == RESCHEDULE_DONE
    assert responses(messages) == [too_late(service)]


def test_submit_reschedule_when_the_database_is_down(database_down, user) -> None:
    slots = {"booking_target": "AB12CD", "booking_new_slot": "E01-20261203-1900"}

    events, messages = run_action(ActionSubmitReschedule(), user_tracker("", user=user, slots=slots))

    assert events == RESCHEDULE_DONE
    assert responses(messages) == [service_down()]


# -- ActionStartRating ---------------------------------------------------------------------------


def test_rating_starts_for_the_consultation_that_ended(service, clock, user) -> None:
    booking = book_slot(service, user)
    after_the_session(clock, booking)

    events, messages = run_action(
        ActionStartRating(), user_tracker("评价一下", intent="rate_booking", user=user)
    )

    assert events == [
        SlotSet("booking_target", booking.code),
        SlotSet("booking_rating_score", None),
        SlotSet("booking_rating_comment", None),
        FollowupAction(RATING_FORM),
    ]
    assert messages == []


def test_rating_before_the_consultation_ends_says_when(service, user) -> None:
    booking = book_slot(service, user)

    events, messages = run_action(
        ActionStartRating(), user_tracker("评价一下", intent="rate_booking", user=user)
    )

    assert events == []
    reason = domain_text("utter_booking_error_rating_too_early")
    when = booking.slot.describe()
    assert responses(messages) == [("utter_booking_rating_too_early", {"reason": reason, "when": when})]
    assert spoken(messages) == [f"咨询结束后才能评价，请在咨询结束后再来。您预约的咨询时间是 {when}。"]


def test_rating_without_consultations(user) -> None:
    events, messages = run_action(
        ActionStartRating(), user_tracker("评价一下", intent="rate_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [("utter_booking_nothing_to_rate", {})]


def test_rating_an_unknown_code(user) -> None:
    events, messages = run_action(
        ActionStartRating(), user_tracker("评价 ZZ99ZZ", intent="rate_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [("utter_booking_error_booking_not_found", {})]


def test_rating_when_the_database_is_down(database_down, user) -> None:
    events, messages = run_action(
        ActionStartRating(), user_tracker("评价一下", intent="rate_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [service_down()]


# -- the rating form -----------------------------------------------------------------------------


def rating_turn(text: str, requested: str, user: str, intent: str = "inform"):
    return user_tracker(
        text, intent=intent, user=user, active_loop=RATING_FORM, slots={"requested_slot": requested}
    )


@pytest.mark.parametrize(("text", "score"), [("5", "5"), ("给4分吧", "4"), ("非常满意", "5"), ("三", "3")])
def test_score_reply_is_read(user, text, score) -> None:
    events, messages = run_action(
        ValidateBookingRatingForm(), rating_turn(text, "booking_rating_score", user)
    )

    assert events == [SlotSet("booking_rating_score", score)]
    assert messages == []


@pytest.mark.parametrize("text", ["10", "还行吧"])
def test_unreadable_score_is_asked_again(user, text) -> None:
    events, messages = run_action(
        ValidateBookingRatingForm(), rating_turn(text, "booking_rating_score", user)
    )

    assert events == [SlotSet("booking_rating_score", None)]
    assert responses(messages) == [("utter_booking_error_invalid_rating", {})]
    assert spoken(messages) == ["请给出 1 到 5 之间的分数。"]


@pytest.mark.parametrize(
    ("text", "comment"), [("跳过", NO_COMMENT), ("专家讲得很清楚，谢谢", "专家讲得很清楚，谢谢")]
)
def test_comment_reply_is_read(user, text, comment) -> None:
    events, messages = run_action(
        ValidateBookingRatingForm(), rating_turn(text, "booking_rating_comment", user)
    )

    assert events == [SlotSet("booking_rating_comment", comment)]
    assert messages == []


def test_comment_read_as_a_policy_question_is_still_a_comment(user) -> None:
    text = "希望以后能多讲讲创业担保贷款怎么申请"
    tracker = rating_turn(text, "booking_rating_comment", user, intent="ask_policy")

    events, _ = run_action(ValidateBookingRatingForm(), tracker)

    assert events == [SlotSet("booking_rating_comment", text)]


def test_long_comment_is_cut_to_500_characters(user) -> None:
    events, _ = run_action(
        ValidateBookingRatingForm(), rating_turn("好" * 600, "booking_rating_comment", user)
    )

    assert events == [SlotSet("booking_rating_comment", "好" * 500)]


def test_stop_during_the_rating_form_is_left_to_the_rules(user) -> None:
    events, messages = run_action(
        ValidateBookingRatingForm(), rating_turn("不评了", "booking_rating_comment", user, intent="stop_form")
    )

    assert events == []
    assert messages == []


def test_ask_score_names_the_day_and_the_expert(service, user) -> None:
    booking = book_slot(service, user)
    start = booking.slot.local_start

    events, messages = run_action(
        ActionAskBookingRatingScore(), user_tracker("", user=user, slots={"booking_target": booking.code})
    )

    assert events == []
    when = f"{start.month}月{start.day}日"
    assert responses(messages) == [("utter_booking_ask_score", {"when": when, "expert": booking.expert_name})]
    assert spoken(messages) == [f"请为 {when} {booking.expert_name} 的咨询打分（1～5 分，5 分最满意）："]
    assert domain_buttons("utter_booking_ask_score") == [(f"{n} 分", str(n)) for n in (5, 4, 3, 2, 1)]


def test_ask_score_for_an_unknown_booking_asks_anyway(user) -> None:
    events, messages = run_action(
        ActionAskBookingRatingScore(), user_tracker("", user=user, slots={"booking_target": None})
    )

    assert events == []
    assert responses(messages) == [("utter_booking_ask_score", {"when": "", "expert": "专家"})]


def test_comment_is_asked_by_its_domain_response_with_a_skip_button(domain) -> None:
    assert "action_ask_booking_rating_comment" not in domain["actions"]
    assert (
        domain_text("utter_ask_booking_rating_comment")
        == "还有想对专家说的吗？直接输入评价内容；不需要请点“跳过”。"
    )
    assert domain_buttons("utter_ask_booking_rating_comment") == [("跳过", "跳过")]


# -- ActionSubmitRating --------------------------------------------------------------------------


def test_rating_is_recorded_and_the_experts_record_shown(service, clock, user) -> None:
    booking = book_slot(service, user)
    after_the_session(clock, booking)
    slots = {
        "booking_target": booking.code,
        "booking_rating_score": "4",
        "booking_rating_comment": NO_COMMENT,
    }

    events, messages = run_action(ActionSubmitRating(), user_tracker("", user=user, slots=slots))

    assert events == RATING_DONE
    record = service.service_record(booking.expert_id)
    assert record.rating_count >= 1
    summary = domain_text(
        "utter_booking_rating_record", count=record.rating_count, average=record.average_rating
    )
    assert responses(messages) == [("utter_booking_rated", {"score": "4", "record": summary})]
    assert spoken(messages) == [
        f"感谢您的评价！已记录 4 分。这位专家已累计收到 {record.rating_count} 条评价，平均 {record.average_rating} 分。"
    ]

    again, messages = run_action(ActionSubmitRating(), user_tracker("", user=user, slots=slots))

    assert again == RATING_DONE
    assert responses(messages) == [("utter_booking_error_already_rated", {})]


def test_rating_too_early_is_refused(service, user) -> None:
    booking = book_slot(service, user)
    slots = {"booking_target": booking.code, "booking_rating_score": "5"}

    events, messages = run_action(ActionSubmitRating(), user_tracker("", user=user, slots=slots))

    assert events == RATING_DONE
    assert responses(messages) == [("utter_booking_error_rating_too_early", {})]


def test_rating_without_a_score_does_nothing(user) -> None:
    events, messages = run_action(
        ActionSubmitRating(), user_tracker("", user=user, slots={"booking_target": "AB12CD"})
    )

    assert events == RATING_DONE
    assert messages == []


def test_submit_rating_when_the_database_is_down(database_down, user) -> None:
    slots = {"booking_target": "AB12CD", "booking_rating_score": "5"}

    events, messages = run_action(ActionSubmitRating(), user_tracker("", user=user, slots=slots))

    assert events == RATING_DONE
    assert responses(messages) == [service_down()]


def test_reschedule_of_a_cancelled_booking_is_refused(service, user) -> None:
    booking = book_slot(service, user)
    service.cancel(user, booking.code)

    events, messages = run_action(
        ActionStartReschedule(), user_tracker(f"改约 {booking.code}", intent="reschedule_booking", user=user)
    )

    assert events == []
    assert responses(messages) == [("utter_booking_error_booking_not_active", {})]
