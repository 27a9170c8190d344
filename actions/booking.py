"""Booking a consultation with the 创业指导专家志愿团: the booking form and its submission.

topic → stage → online / in person (→ district for in-person sessions) → up to three experts with
their next free slots → name → mobile number → summary → 确认 → booking. Every slot has a custom
mapping: `extract_*` reads the reply to the question asked last, whatever NLU called it, unless
the reply is an interruption with a rule ("不约了", a policy question); `validate_*` normalises it
or explains what is wrong. Experts and slots only ever come from the consultations service.
The wording is domain/booking.yml's: the fixed questions are its utter_ask_<slot> responses, and
the actions here send responses filled with what they found.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import booking_texts as T
from actions.booking_common import (
    COMMON_INTERRUPTIONS,
    ServiceUnavailable,
    as_list,
    booking_service,
    call_service,
    find_area,
    find_district,
    is_interruption,
    latest_intent,
    latest_text,
    numbered_buttons,
    offer,
    owner,
    parse_mode,
    parse_stage,
    parse_yes_no,
    say_error,
)
from actions.reminders import remind_of_booking
from actions.responses import text_of
from consultations import (
    AREAS,
    AlreadyBookedError,
    BookingError,
    FormPreference,
    InvalidInputError,
    InvalidPhoneError,
    MaxActiveBookingsError,
    ServiceForm,
    SlotClosedError,
    SlotFullError,
    SlotInPastError,
    SlotNotFoundError,
    SlotOutsideHorizonError,
    UnknownDistrictError,
    UnknownTopicError,
    mask_phone,
    normalise_area,
    normalise_district,
    normalise_phone,
)
from zh.answers import parse_name, parse_ordinal, says_any
from zh.normalise import compact as clean
from zh.phones import digit_count, phone_candidate

FORM = "booking_form"
ANY_DISTRICT = "不限"
MAX_OFFERS = 3
FORM_SLOTS = (
    "booking_topic",
    "booking_stage",
    "booking_mode",
    "booking_district",
    "booking_choice",
    "booking_name",
    "booking_phone",
    "booking_confirm",
)
# Interruptions with a rule for the booking form (data/rules/booking.yml).
INTERRUPTIONS = COMMON_INTERRUPTIONS | {
    "what_can_you_do",
    "my_bookings",
    "cancel_booking",
    "book_consultation",
}
PREFERENCE = {
    "网上": FormPreference.ONLINE,
    "门诊": FormPreference.IN_PERSON,
    "上门": FormPreference.IN_PERSON,
    "线下": FormPreference.IN_PERSON,
    "都可以": FormPreference.ANY,
}
ONLY_FORM = {"门诊": ServiceForm.CLINIC, "上门": ServiceForm.ON_SITE}
NO_DISTRICT_MODES = ("网上", "都可以")
# What leaving each form says (action_stop_booking).
STOPPED = {
    FORM: "utter_booking_stopped",
    "booking_reschedule_form": "utter_booking_reschedule_stopped",
    "booking_rating_form": "utter_booking_rating_stopped",
}
# Errors after which the user picks another slot and the form runs again.
PICK_ANOTHER_SLOT = (
    SlotFullError,
    SlotInPastError,
    SlotClosedError,
    SlotNotFoundError,
    SlotOutsideHorizonError,
)


def idempotency_key(sender_id: str, session: str, slot_id: str) -> str:
    """The same confirmation of the same form run (WeChat retries, a second 确认) books once."""
    digest = hashlib.sha256(f"{sender_id}|{session}|{slot_id}".encode()).hexdigest()[:40]
    return f"chat:{digest}"


def topic_buttons() -> list[dict[str, str]]:
    return [{"title": a, "payload": a} for a in AREAS]


def needs_district(mode: str | None) -> bool:
    return mode not in NO_DISTRICT_MODES


def search_district(tracker: Tracker) -> str | None:
    district = tracker.get_slot("booking_district")
    if not needs_district(tracker.get_slot("booking_mode")):
        return None
    return None if district in (None, ANY_DISTRICT) else district


class ActionStartBooking(Action):
    """Start a fresh booking, keeping what the first message already says (topic, form, district)."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        topic = find_area(text)
        mode = parse_mode(text)
        district = find_district(text)
        stage = parse_stage(text)
        note = text_of(domain, "utter_booking_topic_note", topic=topic) if topic else ""
        dispatcher.utter_message(response="utter_booking_start", topic_note=note)
        return [
            SlotSet("booking_topic", topic),
            SlotSet("booking_stage", stage),
            SlotSet("booking_mode", mode),
            SlotSet("booking_district", district),
            SlotSet("booking_choice", None),
            SlotSet("booking_name", None),
            SlotSet("booking_phone", None),
            SlotSet("booking_confirm", None),
            SlotSet("booking_offers", None),
            SlotSet("booking_last_code", None),
            SlotSet("booking_session", uuid.uuid4().hex[:16]),
        ]


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if needs_district(tracker.get_slot("booking_mode")):
            return domain_slots
        return [s for s in domain_slots if s != "booking_district"]

    # -- extraction: the reply to the question asked last ---------------------------------------

    @staticmethod
    def _reply(tracker: Tracker, slot: str, understood: bool) -> dict[str, Any]:
        """{slot: text} when the latest message answers `slot`; {} leaves it to the rules."""
        if tracker.get_slot("requested_slot") != slot:
            return {}
        if not understood and is_interruption(tracker, INTERRUPTIONS):
            return {}
        return {slot: latest_text(tracker)}

    async def extract_booking_topic(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._reply(tracker, "booking_topic", find_area(latest_text(tracker)) is not None)

    async def extract_booking_stage(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._reply(tracker, "booking_stage", parse_stage(latest_text(tracker)) is not None)

    async def extract_booking_mode(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._reply(tracker, "booking_mode", parse_mode(latest_text(tracker)) is not None)

    async def extract_booking_district(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        return self._reply(tracker, "booking_district", find_district(text) is not None or says_any(text))

    async def extract_booking_name(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._reply(tracker, "booking_name", False)

    async def extract_booking_phone(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._reply(tracker, "booking_phone", digit_count(latest_text(tracker)) > 0)

    async def extract_booking_confirm(self, dispatcher, tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        return self._reply(tracker, "booking_confirm", parse_yes_no(tracker, text) is not None)

    async def extract_booking_choice(self, dispatcher, tracker, domain) -> dict[str, Any]:
        """A number or an expert/time from the offers — or new search criteria ("改成网上咨询",
        "浦东", "不限区域", another topic), which clear the choice so the search runs again."""
        if tracker.get_slot("requested_slot") != "booking_choice":
            return {}
        text = latest_text(tracker)
        offers = as_list(tracker.get_slot("booking_offers"))
        if choose_offer(text, offers) is not None:
            return {"booking_choice": text}
        compact = clean(text)
        changes: dict[str, Any] = {}
        district = find_district(text)
        if district:
            changes["booking_district"] = district
            if not needs_district(tracker.get_slot("booking_mode")):
                changes["booking_mode"] = "线下"
        elif "区" in compact and (says_any(text) or "不限" in compact):
            changes["booking_district"] = ANY_DISTRICT
        elif "换" in compact and "区" in compact:
            changes["booking_district"] = None
        mode = parse_mode(text)
        if mode and "booking_district" not in changes and mode != tracker.get_slot("booking_mode"):
            changes["booking_mode"] = mode
            if needs_district(mode):
                changes["booking_district"] = None
        area = find_area(text)
        if area and area != tracker.get_slot("booking_topic"):
            changes["booking_topic"] = area
        elif "方向" in compact and "换" in compact:
            changes["booking_topic"] = None
        if changes:
            return {**changes, "booking_choice": None}
        if is_interruption(tracker, INTERRUPTIONS):
            return {}
        return {"booking_choice": text}

    # -- validation ---------------------------------------------------------------------------

    async def validate_booking_topic(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_topic": None}
        area = normalise_area(str(value)) or find_area(str(value))
        if area is None:
            help_text = text_of(domain, "utter_booking_help_elsewhere")
            say_error(
                dispatcher, domain, UnknownTopicError(topics=AREAS), "utter_booking_with_help", help=help_text
            )
            return {"booking_topic": None}
        return {"booking_topic": area}

    async def validate_booking_stage(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_stage": None}
        stage = parse_stage(str(value))
        if stage is None:
            dispatcher.utter_message(response="utter_booking_bad_stage")
            return {"booking_stage": None}
        return {"booking_stage": stage}

    async def validate_booking_mode(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_mode": None}
        mode = parse_mode(str(value))
        if mode is None:
            dispatcher.utter_message(response="utter_booking_bad_mode")
            return {"booking_mode": None}
        return {"booking_mode": mode}

    async def validate_booking_district(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_district": None}
        if str(value) == ANY_DISTRICT:
            return {"booking_district": ANY_DISTRICT}
        district = normalise_district(str(value)) or find_district(str(value))
        if district is None and says_any(str(value)):
            district = ANY_DISTRICT
        if district is None:
            dispatcher.utter_message(response="utter_booking_bad_district")
            return {"booking_district": None}
        return {"booking_district": district}

    async def validate_booking_choice(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_choice": None}
        offers = as_list(tracker.get_slot("booking_offers"))
        chosen = choose_offer(str(value), offers)
        if chosen is None:
            if offers:
                dispatcher.utter_message(response="utter_booking_bad_choice", n=len(offers))
            else:
                dispatcher.utter_message(response="utter_booking_bad_choice_none")
            return {"booking_choice": None}
        return {"booking_choice": chosen["id"]}

    async def validate_booking_name(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_name": None}
        name = parse_name(str(value))
        if name is None:
            dispatcher.utter_message(response="utter_booking_bad_name")
        return {"booking_name": name}

    async def validate_booking_phone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_phone": None}
        try:
            phone = normalise_phone(phone_candidate(str(value)))
        except InvalidPhoneError as error:
            say_error(dispatcher, domain, error)
            return {"booking_phone": None}
        return {"booking_phone": phone}

    async def validate_booking_confirm(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_confirm": None}
        if value in ("yes", "no"):
            return {"booking_confirm": value}
        answer = parse_yes_no(tracker, str(value))
        if answer is None:
            dispatcher.utter_message(response="utter_booking_bad_confirm")
        return {"booking_confirm": answer}


def choose_offer(text: str, offers: list[dict[str, str]]) -> dict[str, str] | None:
    """The offer meant by "2", "第二个", a slot id, or an expert / date / time from its label."""
    if not offers:
        return None
    by_id = next((o for o in offers if o["id"] == text.strip()), None)
    if by_id:
        return by_id
    number = parse_ordinal(text, len(offers))
    if number is not None:
        return offers[number - 1]
    compact = clean(text)
    if len(compact) < 2:
        return None
    scores = []
    for item in offers:
        # "示例专家·王老师 12月2日 周三 14:00 网上": the teacher, the date and the time identify it.
        parts = item["label"].replace("·", " ").split()
        keys = [
            p
            for p in parts[1:]
            if p and not p.startswith("周") and ("老师" in p or any(c.isdigit() for c in p))
        ]
        scores.append(sum(1 for key in keys if key in compact))
    best = max(scores)
    if best > 0 and scores.count(best) == 1:
        return offers[scores.index(best)]
    return None


class ActionAskBookingChoice(Action):
    """Search the service and offer up to three experts with their next free slots, or say
    honestly that nobody is free and what else the user can do."""

    def name(self) -> str:
        return "action_ask_booking_choice"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        topic = tracker.get_slot("booking_topic") or ""
        mode = tracker.get_slot("booking_mode") or "都可以"
        district = search_district(tracker)
        preference = PREFERENCE.get(mode, FormPreference.ANY)
        only_form = ONLY_FORM.get(mode)
        try:
            matches = await call_service(lambda s: s.find_experts(topic, preference, district))
        except UnknownTopicError as error:
            dispatcher.utter_message(
                response=T.error_response(domain, error), buttons=topic_buttons(), **T.error_values(error)
            )
            return [SlotSet("booking_offers", []), SlotSet("booking_topic", None)]
        except UnknownDistrictError as error:
            say_error(dispatcher, domain, error)
            return [SlotSet("booking_offers", []), SlotSet("booking_district", None)]
        except ServiceUnavailable as error:
            say_error(dispatcher, domain, error)
            return [SlotSet("booking_offers", [])]

        per_expert = [
            (m.expert, [s for s in m.next_slots if only_form is None or s.form is only_form])
            for m in matches
            if only_form is None or only_form in m.matched_forms
        ]
        offers = [offer(e, slots[0]) for e, slots in per_expert if slots][:MAX_OFFERS]
        if len(offers) < MAX_OFFERS:  # fewer experts than buttons: show their later slots too
            later = sorted(
                ((s, e) for e, slots in per_expert for s in slots[1:]), key=lambda pair: pair[0].start_at
            )
            offers += [offer(e, s) for s, e in later][: MAX_OFFERS - len(offers)]

        where = f"{district}" if district else ""
        mode_text = T.MODE_NAMES.get(mode, "")
        if not offers:
            return await self._nobody(dispatcher, domain, topic, mode, where, mode_text, bool(per_expert))

        criteria = "、".join(x for x in (topic, mode_text if mode != "都可以" else "", where) if x)
        note = ""
        if booking_service().catalogue.sample_data:
            note = text_of(domain, "utter_booking_sample_note") + "\n"
        dispatcher.utter_message(
            response="utter_booking_offers",
            buttons=numbered_buttons(offers),
            sample_note=note,
            criteria=criteria,
        )
        return [SlotSet("booking_offers", offers)]

    @staticmethod
    async def _nobody(
        dispatcher: CollectingDispatcher,
        domain: DomainDict,
        topic: str,
        mode: str,
        where: str,
        mode_text: str,
        experts_exist: bool,
    ) -> list[EventType]:
        help_text = text_of(domain, "utter_booking_help_elsewhere")
        online_note = ""
        # Which other ways are offered depends on what was searched: these buttons are built here.
        buttons = []
        if mode != "网上":
            try:
                online = await call_service(lambda s: s.find_experts(topic, FormPreference.ONLINE))
            except (BookingError, ServiceUnavailable):
                online = []
            if any(m.next_slots for m in online):
                online_note = text_of(domain, "utter_booking_online_has_slots")
            buttons.append({"title": "改成网上咨询", "payload": "改成网上咨询"})
            if where:
                buttons.append({"title": "不限区域", "payload": "不限区域"})
            alternatives = text_of(domain, "utter_booking_alternatives", help=help_text)
        else:
            buttons.append({"title": "改成线下面谈", "payload": "改成线下面谈"})
            alternatives = text_of(domain, "utter_booking_alternatives_online", help=help_text)
        buttons += [
            {"title": "换个咨询方向", "payload": "换个方向"},
            {"title": "不约了", "payload": "/stop_form"},
        ]
        values = {"topic": topic, "where": where, "mode": mode_text, "online": online_note}
        if experts_exist:
            days = booking_service().rules.horizon_days
            response = "utter_booking_no_slot"
            values["days"] = days
        else:
            response = "utter_booking_no_expert"
        dispatcher.utter_message(response=response, buttons=buttons, alternatives=alternatives, **values)
        return [SlotSet("booking_offers", [])]


def expert_label(domain: DomainDict, name: str, sample: bool) -> str:
    """The expert's name, marked as a sample expert while the expert list is sample data."""
    return name + (text_of(domain, "utter_booking_sample_expert") if sample else "")


def chosen_offer(tracker: Tracker) -> dict[str, str] | None:
    slot_id = tracker.get_slot("booking_choice")
    return next((o for o in as_list(tracker.get_slot("booking_offers")) if o["id"] == slot_id), None)


class ActionAskBookingConfirm(Action):
    def name(self) -> str:
        return "action_ask_booking_confirm"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        chosen = chosen_offer(tracker) or {"expert": "-", "when": "-"}
        try:
            sample = await call_service(lambda s: s.catalogue.sample_data)
        except ServiceUnavailable as error:
            say_error(dispatcher, domain, error)
            return []
        dispatcher.utter_message(
            response="utter_booking_summary",
            expert=expert_label(domain, chosen["expert"], sample),
            when=chosen["when"],
            topic=tracker.get_slot("booking_topic"),
            stage=tracker.get_slot("booking_stage"),
            caller=tracker.get_slot("booking_name"),
            phone=mask_phone(tracker.get_slot("booking_phone")),
        )
        return []


class ActionSubmitBooking(Action):
    """Book once the summary is confirmed; a repeated 确认 returns the same booking (idempotency key)."""

    def name(self) -> str:
        return "action_submit_booking"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        slot_id = tracker.get_slot("booking_choice")
        session = tracker.get_slot("booking_session")
        last_code = tracker.get_slot("booking_last_code")
        if tracker.get_slot("booking_confirm") == "no":
            dispatcher.utter_message(response="utter_booking_not_submitted")
            return [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("booking_offers", None)]
        if tracker.get_slot("booking_confirm") != "yes" or not slot_id or not session:
            dispatcher.utter_message(response="utter_booking_nothing_to_do")
            return []
        user = owner(tracker, dispatcher)
        if user is None:  # nothing booked: the name and phone leave the conversation too
            return [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("booking_offers", None)]
        key = idempotency_key(user, session, slot_id)
        try:
            booking = await call_service(
                lambda s: s.book(
                    user_id=user,
                    slot_id=slot_id,
                    name=tracker.get_slot("booking_name") or "",
                    phone=tracker.get_slot("booking_phone") or "",
                    topic=tracker.get_slot("booking_topic") or "",
                    stage=tracker.get_slot("booking_stage") or "",
                    idempotency_key=key,
                )
            )
        except ServiceUnavailable as error:
            say_error(dispatcher, domain, error)
            return []
        except BookingError as error:
            return self._failed(dispatcher, domain, error)

        sample = booking_service().catalogue.sample_data
        expert = expert_label(domain, booking.expert_name, sample)
        if last_code == booking.code:
            dispatcher.utter_message(
                response="utter_booking_already_booked",
                code=booking.code,
                when=booking.slot.describe(),
                expert=expert,
            )
            return []
        rules = booking_service().rules
        free = ""
        if rules.free_of_charge:
            free = rules.notice or text_of(domain, "utter_booking_free")
        note = "\n" + text_of(domain, "utter_booking_sample_booked") if sample else ""
        reminded = await remind_of_booking(user, booking)
        dispatcher.utter_message(
            response="utter_booking_booked",
            reminder_note=text_of(domain, "utter_booking_reminders_planned") if reminded else "",
            code=booking.code,
            expert=expert,
            when=booking.slot.describe(),
            caller=booking.name or "",
            phone=mask_phone(booking.phone),
            prepare=booking.prepare,
            free=free,
            hours=rules.cancel_min_hours,
            sample_note=note,
        )
        return [SlotSet("booking_last_code", booking.code)]

    @staticmethod
    def _failed(dispatcher: CollectingDispatcher, domain: DomainDict, error: BookingError) -> list[EventType]:
        if isinstance(error, PICK_ANOTHER_SLOT):
            say_error(dispatcher, domain, error, "utter_booking_pick_again")
            return [SlotSet("booking_choice", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
        if isinstance(error, InvalidPhoneError):
            say_error(dispatcher, domain, error)
            return [SlotSet("booking_phone", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
        if isinstance(error, InvalidInputError):
            say_error(dispatcher, domain, error)
            return [SlotSet("booking_name", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
        if isinstance(error, UnknownTopicError):
            say_error(dispatcher, domain, error)
            return [SlotSet("booking_topic", None), SlotSet("booking_confirm", None), FollowupAction(FORM)]
        if isinstance(error, (MaxActiveBookingsError, AlreadyBookedError)):
            say_error(dispatcher, domain, error, "utter_booking_see_my_bookings")
        else:
            say_error(dispatcher, domain, error)
        return [SlotSet("booking_confirm", None)]


class ActionStopBooking(Action):
    """Leave whichever booking form is running, saying what happened to the booking."""

    def name(self) -> str:
        return "action_stop_booking"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        loop = (tracker.active_loop or {}).get("name") or FORM
        note = ""
        if latest_intent(tracker)[0] == "cancel_booking":
            note = text_of(domain, "utter_booking_stopped_for_cancel")
        dispatcher.utter_message(response=STOPPED.get(loop, STOPPED[FORM]), for_cancel=note)
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        if loop == FORM:
            events += [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("booking_offers", None)]
        else:
            events += [
                SlotSet("booking_new_slot", None),
                SlotSet("booking_rating_score", None),
                SlotSet("booking_rating_comment", None),
                SlotSet("booking_target", None),
            ]
        return events
