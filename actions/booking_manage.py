"""After booking: list, cancel, reschedule, rate, and delete one's booking data.

The user is always `tracker.sender_id`, set by the channel (consultations/identity.py) and vetted
by `owner`; the service refuses codes of other users. Reschedule and
rating run a small form started by their action with FollowupAction, only when there is a booking
to work on. The wording is domain/booking.yml's responses, filled here with the bookings' data.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import booking_texts as T
from actions.booking_common import (
    COMMON_INTERRUPTIONS,
    STOP_INTENTS,
    ServiceUnavailable,
    as_list,
    booking_code_in,
    booking_line,
    call_service,
    code_payload,
    is_interruption,
    latest_intent,
    latest_text,
    local_today,
    now,
    numbered_buttons,
    offer,
    owner,
    say_error,
)
from actions.reminders import forget_booking_reminders, remind_of_booking
from actions.responses import text_of
from consultations import (
    Booking,
    BookingError,
    BookingNotActiveError,
    CancelTooLateError,
    RatingTooEarlyError,
)
from reminders import shared_reminders
from zh.answers import is_skip, parse_ordinal, parse_score
from zh.dates import date_filter

log = logging.getLogger(__name__)

MAX_RESCHEDULE_OFFERS = 5
NO_COMMENT = "-"


def short(booking: Booking) -> str:
    start = booking.slot.local_start
    return f"{start.month}月{start.day}日 {start:%H:%M} {booking.expert_name}（{booking.code}）"


async def upcoming(user_id: str) -> list[Booking]:
    return await call_service(lambda s: s.bookings(user_id))


class ActionListBookings(Action):
    def name(self) -> str:
        return "action_list_bookings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        user = owner(tracker, dispatcher)
        if user is None:
            return []
        try:
            bookings = await upcoming(user)
        except ServiceUnavailable as error:
            say_error(dispatcher, domain, error)
            return []
        if not bookings:
            dispatcher.utter_message(response="utter_booking_none")
            return []
        lines = "\n".join(booking_line(i, b) for i, b in enumerate(bookings, start=1))
        dispatcher.utter_message(response="utter_booking_list", lines=lines)
        return []


class ActionCancelBooking(Action):
    """ "取消预约 H7K2Q9" cancels; "取消我的预约" asks which (or confirms the only one) first."""

    def name(self) -> str:
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent, _ = latest_intent(tracker)
        pending = tracker.get_slot("booking_pending") or ""
        code = booking_code_in(tracker)
        if intent == "deny":
            kept = (
                "utter_booking_cancel_kept"
                if pending.startswith("cancel:")
                else "utter_booking_nothing_to_do"
            )
            dispatcher.utter_message(response=kept)
            return [SlotSet("booking_pending", None)]
        if intent == "affirm":
            if not pending.startswith("cancel:"):
                dispatcher.utter_message(response="utter_booking_nothing_to_do")
                return []
            code = pending.removeprefix("cancel:")
        user = owner(tracker, dispatcher)
        if user is None:
            return [SlotSet("booking_pending", None)]
        try:
            if code:
                return await self._cancel(dispatcher, domain, user, code)
            bookings = await upcoming(user)
        except ServiceUnavailable as error:
            say_error(dispatcher, domain, error)
            return [SlotSet("booking_pending", None)]
        if not bookings:
            dispatcher.utter_message(response="utter_booking_nothing_to_cancel")
            return [SlotSet("booking_pending", None)]
        if len(bookings) == 1:
            only = bookings[0]
            # The buttons carry the booking's code, so they are built here.
            dispatcher.utter_message(
                response="utter_booking_confirm_cancel",
                line=booking_line(1, only),
                buttons=[
                    {"title": "确认取消", "payload": code_payload("cancel_booking", only.code)},
                    {"title": "不取消", "payload": "/deny"},
                ],
            )
            return [SlotSet("booking_pending", f"cancel:{only.code}")]
        dispatcher.utter_message(
            response="utter_booking_which_to_cancel",
            n=len(bookings),
            buttons=[
                {"title": short(b), "payload": code_payload("cancel_booking", b.code)} for b in bookings
            ],
        )
        return [SlotSet("booking_pending", None)]

    @staticmethod
    async def _cancel(
        dispatcher: CollectingDispatcher, domain: DomainDict, user_id: str, code: str
    ) -> list[EventType]:
        try:
            booking = await call_service(lambda s: s.cancel(user_id, code))
        except CancelTooLateError as error:
            say_error(dispatcher, domain, error, "utter_booking_too_late")
            return [SlotSet("booking_pending", None)]
        except BookingError as error:
            say_error(dispatcher, domain, error)
            return [SlotSet("booking_pending", None)]
        await forget_booking_reminders(user_id, booking.code)
        dispatcher.utter_message(
            response="utter_booking_cancelled",
            code=booking.code,
            when=booking.slot.describe(),
            expert=booking.expert_name,
        )
        return [SlotSet("booking_pending", None)]


async def forget_reminders(user: str) -> int:
    """Delete the user's reminders and their notices ("删除我的信息" covers them too)."""
    try:
        return await asyncio.to_thread(lambda: shared_reminders().delete_user_data(user))
    except Exception as error:  # noqa: BLE001 - said to the user as a service failure
        log.exception("reminder deletion failed")
        raise ServiceUnavailable() from error


class ActionDeleteBookingData(Action):
    """Ask first; on yes, cancel upcoming bookings and remove name and phone (delete_user_data)."""

    def name(self) -> str:
        return "action_delete_booking_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent, _ = latest_intent(tracker)
        pending = tracker.get_slot("booking_pending")
        if intent == "delete_booking_data":
            dispatcher.utter_message(response="utter_booking_ask_delete")
            return [SlotSet("booking_pending", "delete")]
        if intent != "affirm" or pending != "delete":
            kept = "utter_booking_delete_kept" if pending == "delete" else "utter_booking_nothing_to_do"
            dispatcher.utter_message(response=kept)
            return [SlotSet("booking_pending", None)]
        user = owner(tracker, dispatcher)
        if user is None:
            return [SlotSet("booking_pending", None)]
        try:
            reminders = await forget_reminders(user)
            report = await call_service(lambda s: s.delete_user_data(user))
        except (BookingError, ServiceUnavailable) as error:
            say_error(dispatcher, domain, error)
            return [SlotSet("booking_pending", None)]
        dispatcher.utter_message(
            response="utter_booking_deleted",
            cancelled=report.cancelled,
            anonymised=report.anonymised,
            reminders=reminders,
        )
        # The stored conversation forgets them too: the tracker store erases its texts and values.
        return [
            SlotSet("forget_conversation", True),
            SlotSet("booking_pending", None),
            SlotSet("booking_name", None),
            SlotSet("booking_phone", None),
            SlotSet("booking_last_code", None),
            SlotSet("booking_choice", None),
            SlotSet("booking_confirm", None),
        ]


async def target_booking(
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    tracker: Tracker,
    intent: str,
    candidates: list[Booking],
    question: str,
    user: str,
) -> Booking | None:
    """The booking named by code, the only candidate, or None after asking which one: the response
    `question` with {n} and a button per booking."""
    code = booking_code_in(tracker)
    if code:
        match = next((b for b in candidates if b.code == code), None)
        if match is None:
            try:
                match = await call_service(lambda s: s.get_booking(user, code))
            except BookingError as error:
                say_error(dispatcher, domain, error)
                return None
        return match
    if len(candidates) == 1:
        return candidates[0]
    dispatcher.utter_message(
        response=question,
        n=len(candidates),
        buttons=[{"title": short(b), "payload": code_payload(intent, b.code)} for b in candidates],
    )
    return None


class ActionStartReschedule(Action):
    """ "改约" / "改到下周": offer the same expert's other free slots, filtered by the date asked for."""

    def name(self) -> str:
        return "action_start_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        user = owner(tracker, dispatcher)
        if user is None:
            return []
        try:
            bookings = await upcoming(user)
            if not bookings and not booking_code_in(tracker):
                dispatcher.utter_message(response="utter_booking_nothing_to_reschedule")
                return []
            booking = await target_booking(
                dispatcher,
                domain,
                tracker,
                "reschedule_booking",
                bookings,
                "utter_booking_which_to_reschedule",
                user,
            )
            if booking is None:
                return []
            if not booking.active:  # named by its code after it was cancelled
                say_error(dispatcher, domain, BookingNotActiveError(f"booking {booking.code} is not active"))
                return []
            hours = await call_service(lambda s: s.rules.cancel_min_hours)
            if (booking.slot.start_at - now()).total_seconds() < hours * 3600:
                too_late = CancelTooLateError(f"less than {hours} h before the session", hours=hours)
                say_error(dispatcher, domain, too_late, "utter_booking_too_late")
                return []
            free = await call_service(lambda s: s.expert_slots(booking.expert_id))
            expert = await call_service(lambda s: s.expert(booking.expert_id))
        except (ServiceUnavailable, BookingError) as error:
            say_error(dispatcher, domain, error)
            return []
        free = [s for s in free if s.id != booking.slot.id]
        if not free:
            help_text = text_of(domain, "utter_booking_help_elsewhere")
            dispatcher.utter_message(
                response="utter_booking_no_other_slots", expert=booking.expert_name, help=help_text
            )
            return []
        described = None
        wanted = date_filter(latest_text(tracker), local_today())
        if wanted:
            asked, fits = wanted
            fitting = [s for s in free if fits(s.local_start.date())]
            if fitting:
                free = fitting
            else:
                described = asked
        offers = [offer(expert, s) for s in free[:MAX_RESCHEDULE_OFFERS]]
        if described:
            dispatcher.utter_message(response="utter_booking_filter_empty", when=described)
        return [
            SlotSet("booking_target", booking.code),
            SlotSet("booking_offers", offers),
            SlotSet("booking_new_slot", None),
            FollowupAction("booking_reschedule_form"),
        ]


class ValidateBookingRescheduleForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_reschedule_form"

    async def extract_booking_new_slot(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "booking_new_slot":
            return {}
        offers = as_list(tracker.get_slot("booking_offers"))
        if parse_ordinal(latest_text(tracker), len(offers)) is None and is_interruption(
            tracker, COMMON_INTERRUPTIONS
        ):
            return {}
        return {"booking_new_slot": latest_text(tracker)}

    async def validate_booking_new_slot(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_new_slot": None}
        offers = as_list(tracker.get_slot("booking_offers"))
        if any(o["id"] == value for o in offers):
            return {"booking_new_slot": value}
        number = parse_ordinal(str(value), len(offers))
        if number is None:
            dispatcher.utter_message(response="utter_booking_bad_choice", n=len(offers))
            return {"booking_new_slot": None}
        return {"booking_new_slot": offers[number - 1]["id"]}


class ActionAskBookingNewSlot(Action):
    def name(self) -> str:
        return "action_ask_booking_new_slot"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        code = tracker.get_slot("booking_target")
        offers = as_list(tracker.get_slot("booking_offers"))
        user = owner(tracker, dispatcher)
        if user is None:
            return []
        try:
            booking = await call_service(lambda s: s.get_booking(user, code))
            current = text_of(
                domain,
                "utter_booking_current_booking",
                when=booking.slot.describe(),
                expert=booking.expert_name,
            )
        except (BookingError, ServiceUnavailable):
            current = ""
        dispatcher.utter_message(
            response="utter_booking_new_slot", current=current, buttons=numbered_buttons(offers)
        )
        return []


class ActionSubmitReschedule(Action):
    def name(self) -> str:
        return "action_submit_reschedule"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        code, new_slot = tracker.get_slot("booking_target"), tracker.get_slot("booking_new_slot")
        done: list[EventType] = [SlotSet("booking_new_slot", None), SlotSet("booking_target", None)]
        if not code or not new_slot:
            return done
        user = owner(tracker, dispatcher)
        if user is None:
            return done
        try:
            booking = await call_service(lambda s: s.reschedule(user, code, new_slot))
        except CancelTooLateError as error:
            say_error(dispatcher, domain, error, "utter_booking_too_late")
            return done
        except BookingError as error:
            say_error(dispatcher, domain, error, "utter_booking_reschedule_kept")
            return done
        except ServiceUnavailable as error:
            say_error(dispatcher, domain, error)
            return done
        await remind_of_booking(user, booking)
        dispatcher.utter_message(
            response="utter_booking_rescheduled",
            code=booking.code,
            when=booking.slot.describe(),
            expert=booking.expert_name,
            prepare=booking.prepare,
        )
        return done


class ActionStartRating(Action):
    """Rate the latest consultation that has ended (or the one named by code)."""

    def name(self) -> str:
        return "action_start_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        user = owner(tracker, dispatcher)
        if user is None:
            return []
        try:
            everything = await call_service(lambda s: s.bookings(user, include_past=True))
        except ServiceUnavailable as error:
            say_error(dispatcher, domain, error)
            return []
        moment = now()
        ended = [b for b in everything if b.slot.end_at <= moment]
        code = booking_code_in(tracker)
        if code:
            booking = next((b for b in everything if b.code == code), None)
            if booking is None:
                try:
                    booking = await call_service(lambda s: s.get_booking(user, code))
                except (BookingError, ServiceUnavailable) as error:
                    say_error(dispatcher, domain, error)
                    return []
        elif ended:
            booking = ended[-1]
        elif everything:
            booking = everything[0]
        else:
            dispatcher.utter_message(response="utter_booking_nothing_to_rate")
            return []
        if booking.slot.end_at > moment:
            too_early = RatingTooEarlyError(f"booking {booking.code} has not ended")
            say_error(
                dispatcher, domain, too_early, "utter_booking_rating_too_early", when=booking.slot.describe()
            )
            return []
        return [
            SlotSet("booking_target", booking.code),
            SlotSet("booking_rating_score", None),
            SlotSet("booking_rating_comment", None),
            FollowupAction("booking_rating_form"),
        ]


class ValidateBookingRatingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_rating_form"

    async def extract_booking_rating_score(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "booking_rating_score":
            return {}
        text = latest_text(tracker)
        if parse_score(text) is None and is_interruption(tracker, COMMON_INTERRUPTIONS):
            return {}
        return {"booking_rating_score": text}

    async def extract_booking_rating_comment(self, dispatcher, tracker, domain) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "booking_rating_comment":
            return {}
        text = latest_text(tracker)
        if is_skip(text):
            return {"booking_rating_comment": NO_COMMENT}
        # Any free text is a comment, even one NLU takes for a policy question; only stopping is not.
        if is_interruption(tracker, STOP_INTENTS):
            return {}
        return {"booking_rating_comment": text}

    async def validate_booking_rating_score(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_rating_score": None}
        score = parse_score(str(value))
        if score is None:
            dispatcher.utter_message(response="utter_booking_error_invalid_rating")
            return {"booking_rating_score": None}
        return {"booking_rating_score": str(score)}

    async def validate_booking_rating_comment(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"booking_rating_comment": None}
        text = str(value).strip()
        return {"booking_rating_comment": text[:500] or NO_COMMENT}


class ActionAskBookingRatingScore(Action):
    def name(self) -> str:
        return "action_ask_booking_rating_score"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        code = tracker.get_slot("booking_target")
        user = owner(tracker, dispatcher)
        if user is None:
            return []
        try:
            booking = await call_service(lambda s: s.get_booking(user, code))
            start = booking.slot.local_start
            when, expert = f"{start.month}月{start.day}日", booking.expert_name
        except (BookingError, ServiceUnavailable):
            when, expert = "", T.ANY_EXPERT
        dispatcher.utter_message(response="utter_booking_ask_score", when=when, expert=expert)
        return []


class ActionSubmitRating(Action):
    def name(self) -> str:
        return "action_submit_rating"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        code = tracker.get_slot("booking_target")
        score = tracker.get_slot("booking_rating_score")
        comment = tracker.get_slot("booking_rating_comment")
        done: list[EventType] = [
            SlotSet("booking_target", None),
            SlotSet("booking_rating_score", None),
            SlotSet("booking_rating_comment", None),
        ]
        if not code or not score:
            return done
        user = owner(tracker, dispatcher)
        if user is None:
            return done
        try:
            record = await call_service(
                lambda s: s.rate(user, code, int(score), None if comment == NO_COMMENT else comment)
            )
        except (BookingError, ServiceUnavailable) as error:
            say_error(dispatcher, domain, error)
            return done
        summary = ""
        if record.rating_count and record.average_rating is not None:
            summary = text_of(
                domain,
                "utter_booking_rating_record",
                count=record.rating_count,
                average=record.average_rating,
            )
        dispatcher.utter_message(response="utter_booking_rated", score=score, record=summary)
        return done
