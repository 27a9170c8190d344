"""Shared glue of the booking actions: the service, reading the tracker, rendering bookings.

Reading the answers themselves (ordinals, yes/no, names, phones, districts, dates) is zh/'s job.

The consultations package is synchronous, so every call goes through `call_service`, which runs it
in the default executor and turns unexpected failures into `ServiceUnavailable` (a user never sees
a stack trace; typed `BookingError`s are passed through). `say_error` tells the user about either
in the words of the domain responses `utter_booking_error_*`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import booking_texts as T
from actions.responses import text_of
from consultations import (
    AREAS,
    Booking,
    BookingError,
    BookingService,
    ConsultationError,
    Expert,
    Slot,
    mask_phone,
    normalise_area,
    shared_service,
)
from consultations.identity import may_act_for
from consultations.model import AREA_ALIASES, SHANGHAI, WEEKDAY_NAMES
from zh import answers, places
from zh.normalise import compact as clean
from zh.normalise import normalise

log = logging.getLogger(__name__)
R = TypeVar("R")

STOP_INTENTS = frozenset({"stop_form", "goodbye"})
# Intents with a rule that answers them in the middle of every booking form (data/rules/booking.yml).
COMMON_INTERRUPTIONS = STOP_INTENTS | {"ask_policy", "ask_overview", "human_handoff", "bot_challenge"}
# Answers this short are rarely questions; NLU must be very sure before one counts as interruption.
SHORT_ANSWER_CHARS = 6
SURE = 0.85
MAX_NUMERIC_ANSWER_CHARS = 20

# The values the booking_stage and booking_mode slots hold (the payloads of their buttons).
STAGES = ("想法阶段", "筹备中", "已注册运营")
MODES = ("网上", "门诊", "上门", "线下", "都可以")

_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{6})(?![A-Za-z0-9])")


class ServiceUnavailable(Exception):
    """The booking service failed in a way the user did not cause (database down, bug, invalid
    expert data); `cause` is the package's own error when it raised one."""

    def __init__(self, cause: ConsultationError | None = None) -> None:
        super().__init__(type(cause).__name__ if cause else "booking service failed")
        self.cause = cause


def booking_service() -> BookingService:
    """The process's booking service for DATABASE_URL (consultations.shared_service)."""
    return shared_service()


async def call_service(fn: Callable[[BookingService], R]) -> R:
    """Run `fn(service)` off the event loop; BookingError passes through, anything else is logged."""
    loop = asyncio.get_running_loop()

    def run() -> R:
        return fn(booking_service())

    try:
        return await loop.run_in_executor(None, run)
    except ConsultationError as error:
        if _is_user_error(error):
            raise
        log.exception("booking service error")
        raise ServiceUnavailable(error) from error
    except Exception as error:  # noqa: BLE001 - the user must get an answer, never a crash
        log.exception("booking service failed")
        raise ServiceUnavailable() from error


def _is_user_error(error: ConsultationError) -> bool:
    return isinstance(error, BookingError)


def say_error(
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    error: ConsultationError | ServiceUnavailable,
    then: str | None = None,
    **values: Any,
) -> None:
    """Tell the user about `error` with its response utter_booking_error_*, filled with its data.

    With `then`, that sentence is the {reason} of the response `then` instead (e.g.
    utter_booking_pick_again: "{reason}请重新选择一个时段："), which gets `values` too. A failure
    the package did not name is utter_booking_service_down."""
    cause = error.cause if isinstance(error, ServiceUnavailable) else error
    if cause is None:
        dispatcher.utter_message(
            response="utter_booking_service_down", help=text_of(domain, "utter_booking_help_elsewhere")
        )
        return
    response = T.error_response(domain, cause)
    if then is None:
        dispatcher.utter_message(response=response, **T.error_values(cause))
    else:
        reason = text_of(domain, response, **T.error_values(cause))
        dispatcher.utter_message(response=then, reason=reason, **values)


def owner(tracker: Tracker, dispatcher: CollectingDispatcher) -> str | None:
    """The user id whose bookings this conversation may read or change, or None after saying so.

    The sender id is the channel's (consultations/identity.py), never the client's; still, a phone
    caller's bookings (`tel:`) are changed by an agent in the console only, and a WeChat id counts
    only on a message the WeChat channel verified, so an internal caller of the REST channel that
    names one gets nothing."""
    user = tracker.sender_id
    if may_act_for(user, tracker.get_latest_input_channel()):
        return user
    log.warning("booking action refused: the sender id is not this channel's (%s)", user.split(":")[0])
    dispatcher.utter_message(response="utter_booking_not_this_channel")
    return None


def now() -> datetime:
    # The consultation service reads the same system clock (consultations.clock.system_clock).
    return datetime.now(timezone.utc)


# -- reading answers -----------------------------------------------------------------------------


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> tuple[str, float]:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def is_interruption(tracker: Tracker, interruptions: Iterable[str]) -> bool:
    """Whether the latest message should leave the form to a rule instead of answering it.

    Stopping always counts; other intents count when NLU is sure or the text is long enough to be
    a question, because a bare "区块链" or "王明" may be misread as a policy question."""
    intent, confidence = latest_intent(tracker)
    if intent not in set(interruptions):
        return False
    compact = clean(latest_text(tracker))
    # Short answers with digits ("1", "12345", a phone number) are answers: NLU reads bare numbers
    # as goodbye because of "88".
    if len(compact) <= MAX_NUMERIC_ANSWER_CHARS and any(ch.isdigit() for ch in compact):
        return False
    if intent in STOP_INTENTS:
        return True
    return confidence >= SURE or len(compact) > SHORT_ANSWER_CHARS


def entity_value(tracker: Tracker, entity: str) -> str | None:
    for item in tracker.latest_message.get("entities") or []:
        if item.get("entity") == entity and isinstance(item.get("value"), str):
            return item["value"]
    return None


def booking_code_in(tracker: Tracker) -> str | None:
    """A confirmation code from a button payload or typed in the message ("取消预约 h7k2q9")."""
    code = entity_value(tracker, "booking_code")
    if code:
        return clean(code).upper()
    text = latest_text(tracker)
    if text.startswith("/"):
        return None
    for match in _CODE.finditer(normalise(text, simplified=False, spaces="keep")):
        token = match.group(1)
        # A code mixes letters and digits or is all capitals; plain words or numbers are not codes.
        if (not token.isdigit() and not token.isalpha()) or token.isupper():
            return token.upper()
    return None


def find_area(text: str) -> str | None:
    """The expertise area named anywhere in the text: the earliest mention, longest word first."""
    lowered = clean(text).lower()
    best: tuple[int, int, str] | None = None
    for word in (*AREAS, *AREA_ALIASES):
        position = lowered.find(word.lower())
        if position < 0:
            continue
        candidate = (position, -len(word), word)
        if best is None or candidate < best:
            best = candidate
    return normalise_area(best[2]) if best else None


def find_district(text: str) -> str | None:
    """The official name of the first district the text mentions (the booking slot holds names)."""
    district = places.first_district(text)
    return district.name if district else None


def parse_stage(text: str) -> str | None:
    compact = clean(text)
    if compact in STAGES:
        return compact
    if any(
        w in compact for w in ("还没注册", "未注册", "没注册", "没有注册", "筹备", "准备", "正在办", "在办")
    ):
        return "筹备中"
    if any(
        w in compact for w in ("注册", "运营", "营业", "开业", "成立", "开了", "经营", "执照", "已经在做")
    ):
        return "已注册运营"
    if any(w in compact for w in ("想法", "点子", "构思", "打算", "没开始", "考虑", "想创业", "有个想法")):
        return "想法阶段"
    return None


def parse_mode(text: str) -> str | None:
    compact = clean(text)
    if compact in MODES:
        return compact
    if any(w in compact for w in ("都可以", "都行", "随便", "无所谓", "哪种都", "都好")):
        return "都可以"
    if any(w in compact for w in ("上门", "到我", "来我")):
        return "上门"
    if "门诊" in compact:
        return "门诊"
    if any(w in compact for w in ("网上", "线上", "在线", "视频", "远程", "电话", "微信", "网络")):
        return "网上"
    if any(w in compact for w in ("线下", "当面", "面谈", "面对面", "见面", "现场")):
        return "线下"
    return None


def parse_yes_no(tracker: Tracker, text: str) -> str | None:
    """The reply to the booking summary, with what NLU understood (affirm / deny) as a hint."""
    intent, _ = latest_intent(tracker)
    return answers.parse_yes_no(text, {"deny": "no", "affirm": "yes"}.get(intent))


# -- rendering -----------------------------------------------------------------------------------


def slot_label(expert_name: str, slot: Slot) -> str:
    """ "示例专家·王老师 12月2日 周三 14:00 网上" — short enough for a button."""
    start = slot.local_start
    where = f"·{slot.district}" if slot.district else ""
    return (
        f"{expert_name} {start.month}月{start.day}日 {WEEKDAY_NAMES[start.weekday()]} "
        f"{start:%H:%M} {slot.form.value}{where}"
    )


def offer(expert: Expert | None, slot: Slot) -> dict[str, str]:
    name = expert.display_name if expert else slot.expert_id
    return {"id": slot.id, "label": slot_label(name, slot), "expert": name, "when": slot.describe()}


def booking_line(index: int, booking: Booking) -> str:
    return T.BOOKING_LINE.format(
        i=index,
        code=booking.code,
        when=booking.slot.describe(),
        expert=booking.expert_name,
        name=booking.name or "",
        phone=mask_phone(booking.phone),
    )


def numbered_buttons(offers: list[dict[str, str]]) -> list[dict[str, str]]:
    # The payload is the number itself: typing "2" in WeChat or on the web means the same as a tap.
    return [{"title": f"{i}. {o['label']}", "payload": str(i)} for i, o in enumerate(offers, start=1)]


def code_payload(intent: str, code: str) -> str:
    return f'/{intent}{{"booking_code":"{code}"}}'


def sample_data() -> bool:
    return booking_service().catalogue.sample_data


def local_today() -> date:
    return now().astimezone(SHANGHAI).date()


def as_list(value: Any) -> list[dict[str, str]]:
    return [o for o in value if isinstance(o, dict) and "id" in o] if isinstance(value, list) else []
