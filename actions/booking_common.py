"""Shared glue of the booking actions: the service, reading free-text answers, rendering bookings.

The consultations package is synchronous, so every call goes through `call_service`, which runs it
in the default executor and turns unexpected failures into `ServiceUnavailable` (a user never sees
a stack trace; typed `BookingError`s are passed through for their Chinese `user_message`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, TypeVar

from rasa_sdk import Tracker

from actions import booking_texts as T
from consultations import (
    AREAS,
    DISTRICTS,
    Booking,
    BookingError,
    BookingService,
    ConsultationError,
    Expert,
    Slot,
    mask_phone,
    normalise_area,
    normalise_district,
    open_service,
)
from consultations.model import AREA_ALIASES, SHANGHAI, WEEKDAY_NAMES

log = logging.getLogger(__name__)
R = TypeVar("R")

STOP_INTENTS = frozenset({"stop_form", "goodbye"})
# Intents with a rule that answers them in the middle of every booking form (data/rules/booking.yml).
COMMON_INTERRUPTIONS = STOP_INTENTS | {"ask_policy", "ask_overview", "human_handoff", "bot_challenge"}
# Answers this short are rarely questions; NLU must be very sure before one counts as interruption.
SHORT_ANSWER_CHARS = 6
SURE = 0.85
MAX_NUMERIC_ANSWER_CHARS = 20

_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{6})(?![A-Za-z0-9])")
_PHONE_LIKE = re.compile(r"[+\d][\d\s\-－—()（）]{6,}\d")
_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ORDINAL_FILLER = re.compile(r"[第个号项位吧的啊呀哈选择要就那这我个是。，,.!！\s]|时间|时段|老师|专家")


class ServiceUnavailable(Exception):
    """The booking service failed in a way the user did not cause (database down, bug)."""


@lru_cache(maxsize=1)
def booking_service() -> BookingService:
    # Reads DATABASE_URL; migrations are cheap when the schema is current.
    return open_service()


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
        raise ServiceUnavailable(error.user_message) from error
    except Exception as error:  # noqa: BLE001 - the user must get an answer, never a crash
        log.exception("booking service failed")
        raise ServiceUnavailable(T.SERVICE_DOWN) from error


def _is_user_error(error: ConsultationError) -> bool:
    return isinstance(error, BookingError)


def now() -> datetime:
    # The consultation service reads the same system clock (consultations.clock.system_clock).
    return datetime.now(timezone.utc)


# -- reading answers -----------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """NFKC (full-width digits and letters), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


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
    for match in _CODE.finditer(unicodedata.normalize("NFKC", text)):
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
    compact = clean(text)
    for name in DISTRICTS:
        short = name.removesuffix("新区").removesuffix("区")
        if name in compact or short in compact:
            return normalise_district(name)
    return None


ANY_WORDS = ("不限", "都可以", "都行", "随便", "无所谓", "哪里都", "哪个区都", "都好", "哪种都")


def says_any(text: str) -> bool:
    compact = clean(text)
    return any(w in compact for w in ANY_WORDS)


def parse_stage(text: str) -> str | None:
    compact = clean(text)
    if compact in T.STAGES:
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
    if compact in T.MODE_LABELS:
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


def parse_ordinal(text: str, count: int) -> int | None:
    """1-based choice from "1", "第二个", "选3", "最后一个"; None when it is not a choice."""
    compact = clean(text)
    if not compact or compact.startswith("/"):
        return None
    if compact in ("最后一个", "最后那个", "最后"):
        return count if count else None
    rest = _ORDINAL_FILLER.sub("", compact)
    if rest.isdigit() and len(rest) == 1:
        number = int(rest)
    elif rest in _CN_NUMBERS:
        number = _CN_NUMBERS[rest]
    else:
        return None
    return number if 1 <= number <= count else None


def parse_score(text: str) -> int | None:
    compact = clean(text)
    if any(w in compact for w in ("满分", "五星", "非常满意")):
        return 5
    digits = re.findall(r"\d+", compact)
    if len(digits) == 1 and digits[0] in {"1", "2", "3", "4", "5"}:
        return int(digits[0])
    numerals = [c for c in compact if c in _CN_NUMBERS]
    if len(numerals) == 1 and 1 <= _CN_NUMBERS[numerals[0]] <= 5 and len(compact) <= 4:
        return _CN_NUMBERS[numerals[0]]
    return None


def phone_candidate(text: str) -> str:
    """The phone-number-looking part of a message ("手机 138 0013 8000"), or the message itself."""
    normalised = unicodedata.normalize("NFKC", text or "")
    match = _PHONE_LIKE.search(normalised)
    return match.group(0) if match else normalised


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in unicodedata.normalize("NFKC", text or ""))


_NAME_PREFIXES = (
    "我的名字是",
    "我的名字叫",
    "名字是",
    "名字叫",
    "姓名是",
    "姓名",
    "称呼我",
    "就叫我",
    "叫我",
    "我叫",
    "我是",
    "免贵",
)
_QUESTION_MARKS = ("?", "？", "吗", "呢", "怎么", "什么", "多少", "哪")


def parse_name(text: str) -> str | None:
    name = clean(text).strip("。.,，!！~")
    for prefix in _NAME_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    if not 1 <= len(name) <= 20 or any(ch.isdigit() for ch in name):
        return None
    if any(mark in name for mark in _QUESTION_MARKS) or name.startswith("/"):
        return None
    return name


YES_WORDS = ("确认", "确定", "是", "对", "好", "可以", "没问题", "提交", "嗯", "ok", "OK", "行", "没错")
NO_WORDS = ("不", "别", "否", "错", "修改", "有误", "no", "No")


def parse_yes_no(tracker: Tracker, text: str) -> str | None:
    intent, _ = latest_intent(tracker)
    compact = clean(text)
    if intent == "deny" or any(compact.startswith(w) for w in NO_WORDS):
        return "no"
    if intent == "affirm" or any(compact.startswith(w) for w in YES_WORDS):
        return "yes"
    return None


SKIP_WORDS = ("跳过", "没有", "没了", "无", "不用", "不写", "算了", "没什么", "就这样")


def is_skip(text: str) -> bool:
    compact = clean(text)
    return compact in SKIP_WORDS or any(compact.startswith(w) for w in ("跳过", "不用了", "没有了"))


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


# -- dates in requests such as "改到下周" -----------------------------------------------------------

_WEEKDAY_WORDS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def date_filter(text: str, today: date) -> tuple[str, Callable[[date], bool]] | None:
    """A (description, predicate on local dates) for 下周 / 这周 / 明天 / 后天 / 周三 / 周末."""
    compact = clean(text)
    monday = today - timedelta(days=today.weekday())
    weekday = None
    match = re.search(r"(?:周|星期|礼拜)([一二三四五六日天])", compact)
    if match:
        weekday = _WEEKDAY_WORDS[match.group(1)]
    if "下周" in compact or "下个星期" in compact or "下星期" in compact or "下礼拜" in compact:
        start = monday + timedelta(days=7)
        if weekday is not None:
            day = start + timedelta(days=weekday)
            return f"下周{WEEKDAY_NAMES[weekday][1]}", lambda d: d == day
        return "下周", lambda d: start <= d < start + timedelta(days=7)
    if "这周" in compact or "本周" in compact:
        return "本周", lambda d: monday <= d < monday + timedelta(days=7)
    if "明天" in compact:
        day = today + timedelta(days=1)
        return "明天", lambda d: d == day
    if "后天" in compact:
        day = today + timedelta(days=2)
        return "后天", lambda d: d == day
    if "周末" in compact:
        return "周末", lambda d: d.weekday() >= 5
    if weekday is not None:
        return WEEKDAY_NAMES[weekday], lambda d: d.weekday() == weekday
    return None


def local_today() -> date:
    return now().astimezone(SHANGHAI).date()


def as_list(value: Any) -> list[dict[str, str]]:
    return [o for o in value if isinstance(o, dict) and "id" in o] if isinstance(value, list) else []
