"""The booking form: start, the questions, reading and validating replies, the offers, the summary,
the submission and stopping. Experts and slots come from the real consultations service on the
session database, so offers are checked against what the service holds, not against literals.
"""

from __future__ import annotations

import inspect
import re

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

import consultations
from actions.booking import (
    ANY_DISTRICT,
    FORM,
    FORM_SLOTS,
    MAX_OFFERS,
    STOPPED,
    ActionAskBookingChoice,
    ActionAskBookingConfirm,
    ActionStartBooking,
    ActionStopBooking,
    ActionSubmitBooking,
    ValidateBookingForm,
)
from actions.booking_common import MODES, STAGES, numbered_buttons
from actions.booking_texts import error_response, error_values
from consultations import (
    AREAS,
    BookingError,
    CalendarUnknownError,
    CancelTooLateError,
    ConsultationError,
    InvalidInputError,
    InvalidPhoneError,
    MaxActiveBookingsError,
    RatingTooEarlyError,
    SlotFullError,
    SlotOutsideHorizonError,
    UnknownTopicError,
    mask_phone,
)
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

TOPIC_BUTTONS = [(a, a) for a in AREAS]
TOPICS = "、".join(AREAS)
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
    assert responses(messages) == [
        ("utter_booking_start", {"topic_note": domain_text("utter_booking_topic_note", topic="股权")})
    ]
    assert spoken(messages) == [
        "好的，我来帮您预约创业指导专家志愿团的免费咨询。需要问您几个问题，随时说“不约了”可以退出。咨询方向：股权。"
    ]


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
    assert responses(messages) == [("utter_booking_start", {"topic_note": ""})]
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
    help_text = domain_text("utter_booking_help_elsewhere")
    reason = domain_text("utter_booking_error_unknown_topic", topics=TOPICS)
    assert responses(messages) == [("utter_booking_with_help", {"reason": reason, "help": help_text})]
    assert spoken(messages) == [
        "暂时没有这个方向的专家。可选方向：融资、财税、法律、股权、营销、知识产权、人力资源、电商、文创、商业计划、政策申报。"
        "也可以拨打12333（上海人社服务热线），或到创业组织注册所在区的就业促进中心创业指导服务部门咨询。"
    ]


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
    assert responses(messages) == [("utter_booking_bad_stage", {})]


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
    assert responses(messages) == [("utter_booking_bad_mode", {})]


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
    assert responses(messages) == [("utter_booking_bad_district", {})]


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
    assert responses(messages) == [("utter_booking_bad_choice", {"n": len(offers)})]
    assert spoken(messages) == [f"请回复序号（1～{len(offers)}）选择一个时段，或说“不约了”。"]


def test_choice_without_offers_is_asked_again() -> None:
    tracker = form_turn("1", "booking_choice", booking_offers=[], **CRITERIA)

    events, messages = run_action(ValidateBookingForm(), tracker)

    assert events == [SlotSet("booking_choice", None), SlotSet("requested_slot", "booking_choice")]
    assert responses(messages) == [("utter_booking_bad_choice_none", {})]


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
    assert responses(messages) == [("utter_booking_bad_name", {})]


def test_phone_reply_is_normalised() -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn("手机 138 0013 8000", "booking_phone"))

    assert events == [SlotSet("booking_phone", "13800138000")]
    assert messages == []


def test_bad_phone_is_explained_and_asked_again() -> None:
    events, messages = run_action(ValidateBookingForm(), form_turn("12345", "booking_phone"))

    assert events == [SlotSet("booking_phone", None)]
    assert responses(messages) == [("utter_booking_error_invalid_phone", {})]


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
    assert responses(messages) == [("utter_booking_bad_confirm", {})]


def test_reply_to_another_question_is_not_taken() -> None:
    # The stage question is pending: "网上" is not read as the mode.
    events, messages = run_action(ValidateBookingForm(), form_turn("网上", "booking_stage"))

    assert events == [SlotSet("booking_stage", None)]
    assert responses(messages) == [("utter_booking_bad_stage", {})]


# -- the questions -------------------------------------------------------------------------------


MODE_TITLES = ["网上咨询", "门诊咨询（到咨询点面谈）", "上门指导", "线下面谈（门诊或上门）", "都可以"]


@pytest.mark.parametrize(
    ("slot", "text", "expected_buttons"),
    [
        ("booking_topic", "请问想咨询哪个方向？请选择或直接输入：", TOPIC_BUTTONS),
        ("booking_stage", "您的创业进行到哪一步了？", [(s, s) for s in STAGES]),
        ("booking_mode", "希望怎么咨询？", list(zip(MODE_TITLES, MODES, strict=True))),
        (
            "booking_district",
            "希望在哪个区面谈？请说区名，例如“浦东”“徐汇”；哪个区都可以请回复“不限”。",
            [("不限区域", ANY_DISTRICT)],
        ),
        ("booking_name", "请问怎么称呼您？（例如“张先生”，专家会这样称呼您）", []),
        (
            "booking_phone",
            "请留一个大陆手机号，方便专家或工作人员联系您（只用于这次咨询，显示时会隐藏中间四位）。",
            [],
        ),
    ],
)
def test_each_fixed_question_is_a_domain_response_with_its_buttons(
    domain, slot, text, expected_buttons
) -> None:
    # Without an action_ask_<slot>, the form asks with the response utter_ask_<slot>; its buttons'
    # payloads are what the validation reads (areas, stages, modes).
    assert f"action_ask_{slot}" not in domain["actions"]
    assert domain_text(f"utter_ask_{slot}") == text
    assert domain_buttons(f"utter_ask_{slot}") == expected_buttons


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
    note = domain_text("utter_booking_sample_note") + "\n" if service.catalogue.sample_data else ""
    assert responses(messages) == [
        ("utter_booking_offers", {"sample_note": note, "criteria": "股权、网上咨询"})
    ]
    assert spoken(messages)[0].endswith("为您找到以下专家和最近的空闲时段（股权、网上咨询），请选择：")
    assert messages[0]["buttons"] == numbered_buttons(offers)


def test_nobody_in_that_district_offers_online_and_other_ways(service) -> None:
    assert not any(
        "股权" in e.areas and any(x.form.value == "上门" and x.district == "崇明区" for x in e.schedule)
        for e in service.catalogue.experts
    ), "an expert now comes to 崇明区 for 股权: pick another district"
    slots = {"booking_topic": "股权", "booking_mode": "上门", "booking_district": "崇明区"}

    events, messages = run_action(ActionAskBookingChoice(), make_tracker("", slots=slots))

    assert events == [SlotSet("booking_offers", [])]
    help_text = domain_text("utter_booking_help_elsewhere")
    values = {
        "topic": "股权",
        "where": "崇明区",
        "mode": "上门指导",
        "online": domain_text("utter_booking_online_has_slots"),
        "alternatives": domain_text("utter_booking_alternatives", help=help_text),
    }
    assert responses(messages) == [("utter_booking_no_expert", values)]
    assert spoken(messages) == [
        "抱歉，目前没有崇明区提供上门指导的「股权」方向专家。改成网上咨询的话，近期还有空闲时段。\n"
        "您可以改成网上咨询、换一个区或换一个咨询方向；" + help_text
    ]
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
    help_text = domain_text("utter_booking_help_elsewhere")
    alternatives = domain_text("utter_booking_alternatives_online", help=help_text)
    values = {"topic": topic, "where": "", "mode": "网上咨询", "online": "", "alternatives": alternatives}
    assert responses(messages) == [("utter_booking_no_expert", values)]
    assert buttons(messages[0]) == [("改成线下面谈", "改成线下面谈"), *NOBODY_TAIL]


def test_unknown_topic_slot_asks_for_the_topic_again() -> None:
    events, messages = run_action(
        ActionAskBookingChoice(), make_tracker("", slots={"booking_topic": "区块链", "booking_mode": "网上"})
    )

    assert events == [SlotSet("booking_offers", []), SlotSet("booking_topic", None)]
    assert responses(messages) == [("utter_booking_error_unknown_topic", {"topics": TOPICS})]
    assert buttons(messages[0]) == TOPIC_BUTTONS


def test_unknown_district_slot_asks_for_the_district_again() -> None:
    slots = {"booking_topic": "股权", "booking_mode": "门诊", "booking_district": "火星区"}

    events, messages = run_action(ActionAskBookingChoice(), make_tracker("", slots=slots))

    assert events == [SlotSet("booking_offers", []), SlotSet("booking_district", None)]
    assert responses(messages) == [("utter_booking_error_unknown_district", {})]


def test_offers_when_the_database_is_down_say_so(database_down) -> None:
    events, messages = run_action(
        ActionAskBookingChoice(), make_tracker("", slots={"booking_topic": "股权", "booking_mode": "网上"})
    )

    assert events == [SlotSet("booking_offers", [])]
    assert responses(messages) == [service_down()]


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
    expert = offers[0]["expert"] + sample
    values = {
        "expert": expert,
        "when": offers[0]["when"],
        "topic": "股权",
        "stage": "筹备中",
        "caller": "张女士",
        "phone": mask_phone("13800138000"),
    }
    assert responses(messages) == [("utter_booking_summary", values)]
    assert spoken(messages) == [
        f"请核对预约信息：\n专家：{expert}\n时间：{offers[0]['when']}\n咨询方向：股权\n创业阶段：筹备中\n"
        f"称呼：张女士\n手机：{mask_phone('13800138000')}\n信息无误请回复“确认”提交预约；不约了请回复“不约了”。"
    ]
    assert "13800138000" not in repr(messages)
    assert domain_buttons("utter_booking_summary") == [("确认", "/affirm"), ("不约了", "/stop_form")]


def test_summary_without_a_chosen_slot_shows_placeholders(service) -> None:
    events, messages = run_action(
        ActionAskBookingConfirm(), make_tracker("", slots={"booking_topic": "股权"})
    )

    assert events == []
    lines = spoken(messages)[0].split("\n")
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
    expert = booking.expert_name + ("（示例专家）" if sample else "")
    expected = {
        "code": booking.code,
        "expert": expert,
        "when": booking.slot.describe(),
        "caller": "张女士",
        "phone": mask_phone("13800138000"),
        "prepare": booking.prepare,
        "free": (rules.notice or "咨询免费。") if rules.free_of_charge else "",
        "hours": rules.cancel_min_hours,
        "sample_note": "\n（提醒：这是示例专家，仅用于演示。）" if sample else "",
        "reminder_note": domain_text("utter_booking_reminders_planned"),
    }
    assert responses(messages) == [("utter_booking_booked", expected)]
    [sub] = shared_reminders().subscriptions(tracker.sender_id)
    assert sub.booking_code == booking.code and sub.next_send_at is not None
    assert spoken(messages)[0].startswith(f"预约成功！预约码：{booking.code}\n专家：{expert}\n")

    repeat = make_tracker(
        "确认", intent="affirm", sender_id=tracker.sender_id,
        slots=filled_form(offers, booking_last_code=booking.code),
    )  # fmt: skip
    events, messages = run_action(ActionSubmitBooking(), repeat)

    assert events == []
    assert responses(messages) == [
        (
            "utter_booking_already_booked",
            {"code": booking.code, "when": booking.slot.describe(), "expert": expert},
        )
    ]
    assert [b.code for b in service.bookings(tracker.sender_id)] == [booking.code]


def test_declined_summary_books_nothing_and_clears_the_form(service) -> None:
    offers = offers_for("股权", "网上")
    tracker = make_tracker("不", intent="deny", slots=filled_form(offers, booking_confirm="no"))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("booking_offers", None)]
    assert responses(messages) == [("utter_booking_not_submitted", {})]
    assert service.bookings(tracker.sender_id) == []


@pytest.mark.parametrize("missing", ["booking_confirm", "booking_choice", "booking_session"])
def test_submit_without_a_confirmed_form_books_nothing(service, missing) -> None:
    offers = offers_for("股权", "网上")
    tracker = make_tracker("确认", intent="affirm", slots=filled_form(offers, **{missing: None}))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == []
    assert responses(messages) == [("utter_booking_nothing_to_do", {})]
    assert service.bookings(tracker.sender_id) == []


def test_slot_gone_asks_to_pick_another() -> None:
    offers = offers_for("股权", "网上")
    gone = {**offers[0], "id": "E01-20991231-0900"}
    tracker = make_tracker("确认", intent="affirm", slots=filled_form([gone], booking_choice=gone["id"]))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_choice", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
    reason = domain_text("utter_booking_error_slot_not_found")
    assert responses(messages) == [("utter_booking_pick_again", {"reason": reason})]
    assert spoken(messages) == ["没有找到这个时段，请重新选择。请重新选择一个时段："]


def test_bad_phone_at_submission_asks_for_the_phone_again() -> None:
    tracker = make_tracker(
        "确认", intent="affirm", slots=filled_form(offers_for("股权", "网上"), booking_phone="12345")
    )

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_phone", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
    assert responses(messages) == [("utter_booking_error_invalid_phone", {})]


def test_missing_name_at_submission_asks_for_the_name_again() -> None:
    tracker = make_tracker(
        "确认", intent="affirm", slots=filled_form(offers_for("股权", "网上"), booking_name=None)
    )

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_name", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
    assert responses(messages) == [("utter_booking_error_invalid_input_name", {"limit": 50})]
    assert spoken(messages) == ["请告诉我们您的称呼（50 字以内）。"]


def test_unknown_topic_at_submission_asks_for_the_topic_again() -> None:
    tracker = make_tracker(
        "确认", intent="affirm", slots=filled_form(offers_for("股权", "网上"), booking_topic="区块链")
    )

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == [SlotSet("booking_topic", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
    assert responses(messages) == [("utter_booking_error_unknown_topic", {"topics": TOPICS})]


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
    limit = service.rules.max_active_bookings
    assert refused.value.data == {"limit": limit}
    reason = domain_text("utter_booking_error_max_active_bookings", limit=limit)
    assert responses(messages) == [("utter_booking_see_my_bookings", {"reason": reason})]
    assert spoken(messages) == [
        f"您当前已有 {limit} 个未完成的预约，已达上限。请先完成或取消已有预约后再预约。说“我的预约”可以查看已有预约。"
    ]


def test_submit_when_the_database_is_down_says_so(database_down) -> None:
    offers = [{"id": "E01-20261203-1900", "label": "-", "expert": "-", "when": "-"}]
    tracker = make_tracker("确认", intent="affirm", slots=filled_form(offers))

    events, messages = run_action(ActionSubmitBooking(), tracker)

    assert events == []
    assert responses(messages) == [service_down()]


# -- ActionStopBooking ---------------------------------------------------------------------------


def test_stop_booking_form_clears_the_form() -> None:
    tracker = make_tracker("不约了", intent="stop_form", active_loop=FORM, slots={"booking_topic": "股权"})

    events, messages = run_action(ActionStopBooking(), tracker)

    assert events == [ActiveLoop(None), SlotSet("requested_slot", None)] + [
        SlotSet(s, None) for s in FORM_SLOTS
    ] + [SlotSet("booking_offers", None)]
    assert responses(messages) == [(STOPPED[FORM], {"for_cancel": ""})]


def test_stop_to_cancel_explains_how_to_cancel_a_booking() -> None:
    tracker = make_tracker("我要取消预约", intent="cancel_booking", active_loop=FORM)

    _, messages = run_action(ActionStopBooking(), tracker)

    note = domain_text("utter_booking_stopped_for_cancel")
    assert responses(messages) == [("utter_booking_stopped", {"for_cancel": note})]
    assert spoken(messages) == [
        "好的，已停止本次预约，没有提交任何信息。需要时说“预约专家”重新开始。"
        "如需取消已有的预约，请说“取消预约”加预约码，或说“我的预约”查看。"
    ]


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
    assert responses(messages) == [(STOPPED[loop], {"for_cancel": ""})]


def test_stop_without_an_active_form_speaks_of_the_booking_form() -> None:
    events, messages = run_action(ActionStopBooking(), make_tracker("不约了", intent="stop_form"))

    assert responses(messages) == [(STOPPED[FORM], {"for_cancel": ""})]
    assert events[0] == ActiveLoop(None) and len(events) == 2 + len(FORM_SLOTS) + 1


def test_summary_when_the_database_is_down_says_so(database_down) -> None:
    # Reached when the action server restarts while the database is down in the middle of a form.
    offers = [{"id": "E01-20261203-1900", "label": "-", "expert": "示例专家·王老师", "when": "-"}]

    events, messages = run_action(ActionAskBookingConfirm(), make_tracker("", slots=filled_form(offers)))

    assert events == []
    assert responses(messages) == [service_down()]


# -- the words of the consultations errors ---------------------------------------------------------


def consultation_errors() -> list[type[ConsultationError]]:
    return [
        cls
        for cls in vars(consultations).values()
        if inspect.isclass(cls)
        and issubclass(cls, ConsultationError)
        and cls not in (ConsultationError, BookingError)
    ]


@pytest.mark.parametrize("cls", consultation_errors(), ids=lambda cls: cls.__name__)
def test_every_consultations_error_has_its_words_in_the_domain(domain, cls) -> None:
    assert error_response(domain, cls()) in domain["responses"]


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (UnknownTopicError(topics=AREAS), "可选方向：" + TOPICS + "。"),
        (SlotFullError(), "这个时段刚刚约满了，请换一个时段。"),
        (SlotOutsideHorizonError(horizon_days=14), "目前只能预约 14 天内的时段"),
        (MaxActiveBookingsError(limit=3), "您当前已有 3 个未完成的预约"),
        (CancelTooLateError(hours=24), "距离咨询开始已不足 24 小时"),
        (InvalidPhoneError(), "手机号码格式不正确"),
        (CalendarUnknownError(), "尚未公布"),
        (RatingTooEarlyError(), "咨询结束后才能评价"),
        (InvalidInputError(field="stage", limit=50), "请简单说明您的创业阶段（50 字以内）。"),
        (InvalidInputError(field="user_id", limit=128), "填写的信息不完整，请检查后重新提交。"),
    ],
)
def test_error_sentences_are_filled_with_the_errors_data(domain, error, words) -> None:
    assert words in domain_text(error_response(domain, error), **error_values(error))


def test_the_horizon_is_said_as_the_rules_set_it(service) -> None:
    error = SlotOutsideHorizonError(horizon_days=service.rules.horizon_days)
    text = domain_text("utter_booking_error_slot_outside_horizon", **error_values(error))
    assert f"{service.rules.horizon_days} 天" in text and "两周" not in text


@pytest.mark.parametrize("cls", consultation_errors(), ids=lambda cls: cls.__name__)
def test_the_console_api_words_errors_as_the_bot_does(domain, cls) -> None:
    from bot.web.api import _error_text

    data = {"topics": AREAS, "horizon_days": 14, "hours": 24, "limit": 3}
    for error in (cls(**data), cls(field="name", **data)):
        assert _error_text(error) == domain_text(error_response(domain, error), **error_values(error))


def test_no_response_value_escapes_the_privacy_scrub(domain) -> None:
    # A response's values are stored with the bot's message; the scrub of names and numbers in the
    # stored conversation leaves structural keys alone, so no value may be called like one.
    from bot.tracker_privacy import _STRUCTURAL_KEYS

    names = {
        slot
        for variants in domain["responses"].values()
        for slot in re.findall(r"{(\w+)}", variants[0]["text"])
    }
    assert names and names & _STRUCTURAL_KEYS == set()
