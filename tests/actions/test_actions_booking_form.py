"""The booking form: start, the questions, reading and validating replies, the offers, the summary,
the submission and stopping. Experts and slots come from the real consultations service on the
session database, so offers are checked against what the service holds, not against literals.
"""

from __future__ import annotations

import re

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions import booking_texts as T
from actions.booking import (
    ANY_DISTRICT,
    FORM,
    FORM_SLOTS,
    MAX_OFFERS,
    ActionAskBookingChoice,
    ActionAskBookingConfirm,
    ActionAskBookingDistrict,
    ActionAskBookingMode,
    ActionAskBookingName,
    ActionAskBookingPhone,
    ActionAskBookingStage,
    ActionAskBookingTopic,
    ActionStartBooking,
    ActionStopBooking,
    ActionSubmitBooking,
    ValidateBookingForm,
)
from actions.booking_common import numbered_buttons
from consultations import (
    AREAS,
    InvalidPhoneError,
    MaxActiveBookingsError,
    SlotNotFoundError,
    UnknownDistrictError,
    UnknownTopicError,
    mask_phone,
)
from tests.actions.conftest import book_slot, buttons, make_tracker, run_action, run_method, sent_texts

TOPIC_BUTTONS = [(a, a) for a in AREAS]
NOBODY_TAIL = [("换个咨询方向", "换个方向"), ("不约了", "/stop_form")]
CRITERIA = {"booking_topic": "股权", "booking_stage": "筹备中", "booking_mode": "网上"}


def form_turn(text: str, requested: str, intent: str = "inform", confidence: float = 0.9, **slots):
    """The tracker validate_booking_form sees when the user replies `text` to the question for `requested`."""
    return make_tracker(
        text,
        intent=intent,
        confidence=confidence,
        active_loop=FORM,
        slots={"requested_slot": requested, **slots},
    )


def offers_for(topic: str, mode: str, **slots) -> list[dict]:
    events, _ = run_action(
        ActionAskBookingChoice(),
        make_tracker("", slots={"booking_topic": topic, "booking_mode": mode, **slots}),
    )
    offers = events[0]["value"]
    assert offers, f"no free slots for {topic} {mode} in the session database"
    return offers


# -- ActionStartBooking --------------------------------------------------------------------------


def test_start_keeps_topic_mode_district_and_stage_from_the_first_message() -> None:
    tracker = make_tracker("我想预约股权方面的专家，已经注册了，门诊，浦东", intent="book_consultation")

    events, messages = run_action(ActionStartBooking(), tracker)

    assert events[:-1] == [
        SlotSet("booking_topic", "股权"),
        SlotSet("booking_stage", "已注册运营"),
        SlotSet("booking_mode", "门诊"),
        SlotSet("booking_district", "浦东新区"),
        SlotSet("booking_choice", None),
        SlotSet("booking_name", None),
        SlotSet("booking_phone", None),
        SlotSet("booking_confirm", None),
        SlotSet("booking_offers", None),
        SlotSet("booking_last_code", None),
    ]
    assert events[-1]["name"] == "booking_session" and re.fullmatch(r"[0-9a-f]{16}", events[-1]["value"])
    assert sent_texts(messages) == [T.INTRO + T.INTRO_TOPIC.format(topic="股权")]


def test_start_from_an_empty_message_clears_everything_and_opens_a_new_session() -> None:
    first, _ = run_action(ActionStartBooking(), make_tracker("", intent="book_consultation"))
    second, messages = run_action(
        ActionStartBooking(),
        make_tracker(
            "", intent="book_consultation", slots={"booking_topic": "融资", "booking_last_code": "ABC123"}
        ),
    )

    assert second[:-1] == [
        SlotSet(s, None)
        for s in (*FORM_SLOTS[:3], "booking_district", *FORM_SLOTS[4:], "booking_offers", "booking_last_code")
    ]
    assert sent_texts(messages) == [T.INTRO]
    assert first[-1]["value"] != second[-1]["value"]


# -- ValidateBookingForm: required slots ---------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "asks_district"),
    [("网上", False), ("都可以", False), ("门诊", True), ("上门", True), (None, True)],
)
def test_district_is_asked_only_for_in_person_sessions(domain, mode, asks_district) -> None:
    form = ValidateBookingForm()
    slots = form.domain_slots(domain)

    required, _ = run_method(form.required_slots, slots, make_tracker("", slots={"booking_mode": mode}))

    assert required == (slots if asks_district else [s for s in slots if s != "booking_district"])


# -- ValidateBookingForm: each question ----------------------------------------------------------


def test_topic_reply_is_read_and_normalised() -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn("想问问股权激励的事", "booking_topic"))

    assert events == [SlotSet("booking_topic", "股权")]
    assert messages == []


def test_unknown_topic_is_explained_and_asked_again() -> None:
    tracker = form_turn("区块链", "booking_topic", intent="ask_policy", confidence=0.5)

    events, messages = run_action(ValidateBookingForm(), tracker)

    assert events == [SlotSet("booking_topic", None)]
    assert sent_texts(messages) == [UnknownTopicError.user_message + T.HELP_ELSEWHERE]


def test_sure_policy_question_during_the_form_is_left_to_the_rules() -> None:
    tracker = form_turn("一次性创业补贴有多少钱呀", "booking_topic", intent="ask_policy", confidence=0.97)

    events, messages = run_action(ValidateBookingForm(), tracker)

    assert events == []
    assert messages == []


@pytest.mark.parametrize("text", ["不约了", "算了不弄了"])
def test_stop_during_the_form_is_left_to_the_rules(text) -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn(text, "booking_stage", intent="stop_form"))

    assert events == []
    assert messages == []


def test_number_read_as_goodbye_is_still_an_answer() -> None:
    tracker = form_turn("13800138000", "booking_phone", intent="goodbye", confidence=0.99)

    events, messages = run_action(ValidateBookingForm(), tracker)

    assert events == [SlotSet("booking_phone", "13800138000")]
    assert messages == []


@pytest.mark.parametrize(
    ("text", "stage"),
    [("还没注册，在筹备", "筹备中"), ("有个想法", "想法阶段"), ("已注册运营", "已注册运营")],
)
def test_stage_reply_is_read(text, stage) -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn(text, "booking_stage"))

    assert events == [SlotSet("booking_stage", stage)]
    assert messages == []


def test_unreadable_stage_is_asked_again() -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn("嗯", "booking_stage"))

    assert events == [SlotSet("booking_stage", None)]
    assert sent_texts(messages) == [T.BAD_STAGE]


def test_online_mode_skips_the_district_question() -> None:
    tracker = form_turn("网上就行", "booking_mode", booking_topic="股权", booking_stage="筹备中")

    events, messages = run_action(ValidateBookingForm(), tracker)

    assert events == [SlotSet("booking_mode", "网上"), SlotSet("requested_slot", "booking_choice")]
    assert messages == []


def test_in_person_mode_leaves_the_next_question_to_the_form() -> None:
    events, _ = run_action(ValidateBookingForm(), form_turn("当面聊", "booking_mode", booking_topic="股权"))

    assert events == [SlotSet("booking_mode", "线下")]


def test_unreadable_mode_is_asked_again() -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn("飞过去", "booking_mode"))

    assert events == [SlotSet("booking_mode", None)]
    assert sent_texts(messages) == [T.BAD_MODE]


@pytest.mark.parametrize(
    ("text", "district"), [("浦东", "浦东新区"), ("徐汇区吧", "徐汇区"), ("不限", ANY_DISTRICT)]
)
def test_district_reply_is_read(text, district) -> None:
    events, messages = run_action(
        ValidateBookingForm(), form_turn(text, "booking_district", booking_mode="门诊")
    )

    assert events == [SlotSet("booking_district", district)]
    assert messages == []


def test_unknown_district_is_asked_again() -> None:
    events, messages = run_action(
        ValidateBookingForm(), form_turn("火星", "booking_district", booking_mode="门诊")
    )

    assert events == [SlotSet("booking_district", None)]
    assert sent_texts(messages) == [T.BAD_DISTRICT]


def test_choice_by_number_ordinal_or_teacher_takes_that_offer() -> None:
    offers = offers_for("股权", "网上")
    form = ValidateBookingForm()
    teacher = offers[-1]["label"].split()[0].split("·")[-1]
    if sum(teacher in o["label"] for o in offers) != 1:
        teacher = None

    replies = [("2", 1), ("第一个", 0), ("最后一个", len(offers) - 1)] + (
        [(teacher, len(offers) - 1)] if teacher else []
    )
    for text, index in replies:
        tracker = form_turn(text, "booking_choice", booking_offers=offers, **CRITERIA)
        events, messages = run_action(form, tracker)
        assert events == [
            SlotSet("booking_choice", offers[index]["id"]),
            SlotSet("requested_slot", "booking_name"),
        ]
        assert messages == []


def test_choice_out_of_range_is_asked_again() -> None:
    offers = offers_for("股权", "网上")
    tracker = form_turn("7", "booking_choice", booking_offers=offers, **CRITERIA)

    events, messages = run_action(ValidateBookingForm(), tracker)

    assert events == [SlotSet("booking_choice", None), SlotSet("requested_slot", "booking_choice")]
    assert sent_texts(messages) == [T.BAD_CHOICE.format(n=len(offers))]


def test_choice_without_offers_is_asked_again() -> None:
    tracker = form_turn("1", "booking_choice", booking_offers=[], **CRITERIA)

    events, messages = run_action(ValidateBookingForm(), tracker)

    assert events == [SlotSet("booking_choice", None), SlotSet("requested_slot", "booking_choice")]
    assert sent_texts(messages) == [T.BAD_CHOICE_NONE]


def test_new_criteria_instead_of_a_choice_search_again() -> None:
    tracker = form_turn(
        "改成网上咨询", "booking_choice", booking_offers=[], booking_topic="股权", booking_stage="筹备中",
        booking_mode="门诊", booking_district="崇明区",
    )  # fmt: skip

    events, messages = run_action(ValidateBookingForm(), tracker)

    assert events == [
        SlotSet("booking_mode", "网上"),
        SlotSet("booking_choice", None),
        SlotSet("requested_slot", "booking_choice"),
    ]
    assert messages == []


def test_a_district_instead_of_a_choice_switches_to_in_person() -> None:
    tracker = form_turn(
        "浦东的", "booking_choice", booking_offers=[], booking_topic="股权", booking_mode="网上"
    )

    events, _ = run_action(ValidateBookingForm(), tracker)

    assert events == [
        SlotSet("booking_district", "浦东新区"),
        SlotSet("booking_mode", "线下"),
        SlotSet("booking_choice", None),
    ]


@pytest.mark.parametrize(("text", "name"), [("我叫张三", "张三"), ("李女士", "李女士")])
def test_name_reply_is_read(text, name) -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn(text, "booking_name"))

    assert events == [SlotSet("booking_name", name)]
    assert messages == []


@pytest.mark.parametrize("text", ["12345", "你们几点下班？"])
def test_a_number_or_a_question_is_not_a_name(text) -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn(text, "booking_name"))

    assert events == [SlotSet("booking_name", None)]
    assert sent_texts(messages) == [T.BAD_NAME]


def test_phone_reply_is_normalised() -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn("手机 138 0013 8000", "booking_phone"))

    assert events == [SlotSet("booking_phone", "13800138000")]
    assert messages == []


def test_bad_phone_is_explained_and_asked_again() -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn("12345", "booking_phone"))

    assert events == [SlotSet("booking_phone", None)]
    assert sent_texts(messages) == [InvalidPhoneError.user_message]


@pytest.mark.parametrize(
    ("text", "intent", "answer"), [("确认", "affirm", "yes"), ("不对，要改", "deny", "no")]
)
def test_confirmation_is_read(text, intent, answer) -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn(text, "booking_confirm", intent=intent))

    assert events == [SlotSet("booking_confirm", answer)]
    assert messages == []


def test_unclear_confirmation_is_asked_again() -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn("再说吧啦啦", "booking_confirm"))

    assert events == [SlotSet("booking_confirm", None)]
    assert sent_texts(messages) == [T.BAD_CONFIRM]


def test_reply_to_another_question_is_not_taken() -> None:
    # The stage question is pending: "网上" is not read as the mode.
    events, messages = run_action(ValidateBookingForm(), form_turn("网上", "booking_stage"))

    assert events == [SlotSet("booking_stage", None)]
    assert sent_texts(messages) == [T.BAD_STAGE]


# -- the questions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "text", "expected_buttons"),
    [
        (ActionAskBookingTopic(), T.ASK_TOPIC, TOPIC_BUTTONS),
        (ActionAskBookingStage(), T.ASK_STAGE, [(s, s) for s in T.STAGES]),
        (ActionAskBookingMode(), T.ASK_MODE, [(label, mode) for mode, label in T.MODE_LABELS.items()]),
        (ActionAskBookingDistrict(), T.ASK_DISTRICT, [("不限区域", ANY_DISTRICT)]),
        (ActionAskBookingName(), T.ASK_NAME, []),
        (ActionAskBookingPhone(), T.ASK_PHONE, []),
    ],
)
def test_each_question_is_asked_with_its_buttons(action, text, expected_buttons) -> None:
    events, messages = run_action(action, make_tracker("", active_loop=FORM))

    assert events == []
    assert sent_texts(messages) == [text]
    assert buttons(messages[0]) == expected_buttons


# -- ActionAskBookingChoice ----------------------------------------------------------------------


def test_offers_are_free_slots_of_matching_experts_earliest_expert_first(service) -> None:
    events, messages = run_action(
        ActionAskBookingChoice(), make_tracker("", slots={"booking_topic": "股权", "booking_mode": "网上"})
    )

    assert len(events) == 1 and events[0]["name"] == "booking_offers"
    offers = events[0]["value"]
    assert 1 <= len(offers) <= MAX_OFFERS
    experts = {e.display_name: e for e in service.catalogue.experts}
    for item in offers:
        expert = experts[item["expert"]]
        assert "股权" in expert.areas
        slot = next(s for s in service.expert_slots(expert.id) if s.id == item["id"])  # still free
        assert slot.form.value == "网上" and item["when"] == slot.describe()
    head = T.OFFERS_HEAD.format(criteria="股权、网上咨询")
    assert sent_texts(messages) == [(T.SAMPLE_NOTE + "\n" + head) if service.catalogue.sample_data else head]
    assert messages[0]["buttons"] == numbered_buttons(offers)


def test_nobody_in_that_district_offers_online_and_other_ways(service) -> None:
    assert not any(
        "股权" in e.areas and any(x.form.value == "上门" and x.district == "崇明区" for x in e.schedule)
        for e in service.catalogue.experts
    ), "an expert now comes to 崇明区 for 股权: pick another district"
    slots = {"booking_topic": "股权", "booking_mode": "上门", "booking_district": "崇明区"}

    events, messages = run_action(ActionAskBookingChoice(), make_tracker("", slots=slots))

    assert events == [SlotSet("booking_offers", [])]
    text = T.NO_EXPERT.format(topic="股权", where="崇明区", mode="上门指导")
    assert sent_texts(messages) == [text + T.ONLINE_HAS_SLOTS + "\n" + T.ALTERNATIVES]
    assert buttons(messages[0]) == [("改成网上咨询", "改成网上咨询"), ("不限区域", "不限区域"), *NOBODY_TAIL]


def test_nobody_online_offers_in_person(service) -> None:
    topic = next(
        a for a in AREAS if not any(a in e.areas and any(x.form.value == "网上" for x in e.schedule)
                                    for e in service.catalogue.experts)
    )  # fmt: skip

    events, messages = run_action(
        ActionAskBookingChoice(), make_tracker("", slots={"booking_topic": topic, "booking_mode": "网上"})
    )

    assert events == [SlotSet("booking_offers", [])]
    text = T.NO_EXPERT.format(topic=topic, where="", mode="网上咨询")
    assert sent_texts(messages) == [text + "\n" + T.ALTERNATIVES_ONLINE]
    assert buttons(messages[0]) == [("改成线下面谈", "改成线下面谈"), *NOBODY_TAIL]


def test_unknown_topic_slot_asks_for_the_topic_again() -> None:
    events, messages = run_action(
        ActionAskBookingChoice(), make_tracker("", slots={"booking_topic": "区块链", "booking_mode": "网上"})
    )

    assert events == [SlotSet("booking_offers", []), SlotSet("booking_topic", None)]
    assert sent_texts(messages) == [UnknownTopicError.user_message]
    assert buttons(messages[0]) == TOPIC_BUTTONS


def test_unknown_district_slot_asks_for_the_district_again() -> None:
    slots = {"booking_topic": "股权", "booking_mode": "门诊", "booking_district": "火星区"}

    events, messages = run_action(ActionAskBookingChoice(), make_tracker("", slots=slots))

    assert events == [SlotSet("booking_offers", []), SlotSet("booking_district", None)]
    assert sent_texts(messages) == [UnknownDistrictError.user_message]


def test_offers_when_the_database_is_down_say_so(database_down) -> None:
    events, messages = run_action(
        ActionAskBookingChoice(), make_tracker("", slots={"booking_topic": "股权", "booking_mode": "网上"})
    )

    assert events == [SlotSet("booking_offers", [])]
    assert sent_texts(messages) == [T.SERVICE_DOWN]


# -- ActionAskBookingConfirm ---------------------------------------------------------------------


def filled_form(offers: list[dict], **overrides) -> dict:
    slots = {
        "booking_topic": "股权",
        "booking_stage": "筹备中",
        "booking_mode": "网上",
        "booking_offers": offers,
        "booking_choice": offers[0]["id"],
        "booking_name": "张女士",
        "booking_phone": "13800138000",
        "booking_confirm": "yes",
        "booking_session": "0123456789abcdef",
    }
    slots.update(overrides)
    return slots


def test_summary_shows_the_chosen_slot_and_a_masked_phone(service) -> None:
    offers = offers_for("股权", "网上")
    slots = filled_form(offers, booking_confirm=None)

    events, messages = run_action(ActionAskBookingConfirm(), make_tracker("", active_loop=FORM, slots=slots))

    assert events == []
    sample = "（示例专家）" if service.catalogue.sample_data else ""
    assert sent_texts(messages) == [
        T.SUMMARY.format(
            expert=offers[0]["expert"] + sample, when=offers[0]["when"], topic="股权", stage="筹备中",
            name="张女士", phone=mask_phone("13800138000"),
        )
    ]  # fmt: skip
    assert "13800138000" not in messages[0]["text"]
    assert buttons(messages[0]) == [("确认", "/affirm"), ("不约了", "/stop_form")]


def test_summary_without_a_chosen_slot_shows_placeholders(service) -> None:
    events, messages = run_action(
        ActionAskBookingConfirm(), make_tracker("", slots={"booking_topic": "股权"})
    )

    assert events == []
    lines = messages[0]["text"].split("\n")
    assert lines[1].startswith("专家：-") and lines[2] == "时间：-"


# -- ActionSubmitBooking -------------------------------------------------------------------------


def test_confirmed_booking_is_made_once_and_a_repeat_says_so(service) -> None:
    offers = offers_for("股权", "网上")
    tracker = make_tracker("确认", intent="affirm", slots=filled_form(offers))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    [booking] = service.bookings(tracker.sender_id)
    assert booking.slot.id == offers[0]["id"] and booking.phone == "13800138000"
    assert events == [SlotSet("booking_last_code", booking.code)]
    sample = service.catalogue.sample_data
    rules = service.rules
    expected = T.BOOKED.format(
        code=booking.code, expert=booking.expert_name + ("（示例专家）" if sample else ""),
        when=booking.slot.describe(), name="张女士", phone=mask_phone("13800138000"), prepare=booking.prepare,
        free=(rules.notice or "咨询免费。") if rules.free_of_charge else "", hours=rules.cancel_min_hours,
    )  # fmt: skip
    assert sent_texts(messages) == [expected + ("\n" + T.SAMPLE_BOOKED if sample else "")]

    repeat = make_tracker(
        "确认", intent="affirm", sender_id=tracker.sender_id,
        slots=filled_form(offers, booking_last_code=booking.code),
    )  # fmt: skip
    events, messages = run_action(ActionSubmitBooking(), repeat)

    assert events == []
    assert sent_texts(messages) == [
        T.ALREADY_BOOKED.format(
            code=booking.code, when=booking.slot.describe(),
            expert=booking.expert_name + ("（示例专家）" if sample else ""),
        )
    ]  # fmt: skip
    assert [b.code for b in service.bookings(tracker.sender_id)] == [booking.code]


def test_declined_summary_books_nothing_and_clears_the_form(service) -> None:
    offers = offers_for("股权", "网上")
    tracker = make_tracker("不", intent="deny", slots=filled_form(offers, booking_confirm="no"))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("booking_offers", None)]
    assert sent_texts(messages) == [T.NOT_SUBMITTED]
    assert service.bookings(tracker.sender_id) == []


@pytest.mark.parametrize("missing", ["booking_confirm", "booking_choice", "booking_session"])
def test_submit_without_a_confirmed_form_books_nothing(service, missing) -> None:
    offers = offers_for("股权", "网上")
    tracker = make_tracker("确认", intent="affirm", slots=filled_form(offers, **{missing: None}))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == []
    assert sent_texts(messages) == [T.REPEAT_NOTHING]
    assert service.bookings(tracker.sender_id) == []


def test_slot_gone_asks_to_pick_another() -> None:
    offers = offers_for("股权", "网上")
    gone = {**offers[0], "id": "E01-20991231-0900"}
    tracker = make_tracker("确认", intent="affirm", slots=filled_form([gone], booking_choice=gone["id"]))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_choice", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
    assert sent_texts(messages) == [SlotNotFoundError.user_message + T.PICK_AGAIN]


def test_bad_phone_at_submission_asks_for_the_phone_again() -> None:
    tracker = make_tracker(
        "确认", intent="affirm", slots=filled_form(offers_for("股权", "网上"), booking_phone="12345")
    )

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_phone", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
    assert sent_texts(messages) == [InvalidPhoneError.user_message]


def test_missing_name_at_submission_asks_for_the_name_again() -> None:
    tracker = make_tracker(
        "确认", intent="affirm", slots=filled_form(offers_for("股权", "网上"), booking_name=None)
    )

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_name", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
    assert len(messages) == 1 and messages[0]["text"]


def test_unknown_topic_at_submission_asks_for_the_topic_again() -> None:
    tracker = make_tracker(
        "确认", intent="affirm", slots=filled_form(offers_for("股权", "网上"), booking_topic="区块链")
    )

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_topic", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
    assert sent_texts(messages) == [UnknownTopicError.user_message]


def test_too_many_active_bookings_points_to_my_bookings(service) -> None:
    sender = "test-many-bookings"
    for nth in range(service.rules.max_active_bookings):
        book_slot(service, sender, nth=nth)
    offers = offers_for("融资", "网上")
    with pytest.raises(MaxActiveBookingsError) as refused:
        book_slot(service, sender, topic="融资")
    tracker = make_tracker(
        "确认", intent="affirm", sender_id=sender, slots=filled_form(offers, booking_topic="融资")
    )

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_confirm", None)]
    assert sent_texts(messages) == [refused.value.user_message + "说“我的预约”可以查看已有预约。"]


def test_submit_when_the_database_is_down_says_so(database_down) -> None:
    offers = [{"id": "E01-20261203-1900", "label": "-", "expert": "-", "when": "-"}]
    tracker = make_tracker("确认", intent="affirm", slots=filled_form(offers))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == []
    assert sent_texts(messages) == [T.SERVICE_DOWN]


# -- ActionStopBooking ---------------------------------------------------------------------------


def test_stop_booking_form_clears_the_form() -> None:
    tracker = make_tracker("不约了", intent="stop_form", active_loop=FORM, slots={"booking_topic": "股权"})

    events, messages = run_action(ActionStopBooking(), tracker)

    assert events == [ActiveLoop(None), SlotSet("requested_slot", None)] + [
        SlotSet(s, None) for s in FORM_SLOTS
    ] + [SlotSet("booking_offers", None)]
    assert sent_texts(messages) == [T.STOPPED[FORM]]


def test_stop_to_cancel_explains_how_to_cancel_a_booking() -> None:
    tracker = make_tracker("我要取消预约", intent="cancel_booking", active_loop=FORM)

    _, messages = run_action(ActionStopBooking(), tracker)

    assert sent_texts(messages) == [T.STOPPED[FORM] + T.STOPPED_FOR_CANCEL]


@pytest.mark.parametrize("loop", ["booking_reschedule_form", "booking_rating_form"])
def test_stop_reschedule_or_rating_clears_their_slots(loop) -> None:
    events, messages = run_action(
        ActionStopBooking(), make_tracker("不改了", intent="stop_form", active_loop=loop)
    )

    assert events == [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("booking_new_slot", None),
        SlotSet("booking_rating_score", None),
        SlotSet("booking_rating_comment", None),
        SlotSet("booking_target", None),
    ]
    assert sent_texts(messages) == [T.STOPPED[loop]]


def test_stop_without_an_active_form_speaks_of_the_booking_form() -> None:
    events, messages = run_action(ActionStopBooking(), make_tracker("不约了", intent="stop_form"))

    assert sent_texts(messages) == [T.STOPPED[FORM]]
    assert events[0] == ActiveLoop(None) and len(events) == 2 + len(FORM_SLOTS) + 1


def test_summary_when_the_database_is_down_says_so(database_down) -> None:
    # Reached when the action server restarts while the database is down in the middle of a form.
    offers = [{"id": "E01-20261203-1900", "label": "-", "expert": "示例专家·王老师", "when": "-"}]

    events, messages = run_action(ActionAskBookingConfirm(), make_tracker("", slots=filled_form(offers)))

    assert events == []
    assert sent_texts(messages) == [T.SERVICE_DOWN]
