"""Issue #23: ID-card numbers, e-mail addresses and bank cards are kept out of every store and log
line, with the one masking of zh.personal_data — the rules, the real tracker store on SQLite and
PostgreSQL, the log filter, and a real running assistant (tracker, `profile_answer`, the logs)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import urllib.request
import warnings

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from agent_desk import mask_personal_data as desk_masking
from bot import logs
from bot.stores import UrlSQLTrackerStore
from bot.tracker_privacy import PrivacyRules, for_storage, personal_values, release_personal_data
from consultations.privacy import redact_phones
from zh.personal_data import mask_personal_data

ID_NUMBER = "310101199001011234"
ID_WITH_X = "11010519491231002X"
OLD_ID = "310101900101123"  # the first-generation 15-digit number
EMAIL = "zhang.san@example.com"
CARD = "6222021234567890123"
SLOT_ID = "E01-20261205-0900"  # consultations.slots.slot_id: must survive every masking
SECRETS = (ID_NUMBER, ID_WITH_X, OLD_ID, EMAIL, CARD, "6222 0212 3456 7890", "13800138000")


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        (f"我的身份证号是{ID_NUMBER}", "我的身份证号是" + "*" * 18),
        (f"身份证 {ID_WITH_X.lower()}，", "身份证 " + "*" * 18 + "，"),
        (f"老身份证{OLD_ID}", "老身份证" + "*" * 15),
        ("身份证号 310101 19900101 1234", "身份证号 " + "*" * 20),
        ("身份证３１０１０１１９９００１０１１２３４", "身份证" + "*" * 18),  # typed in full width
        (f"邮箱{EMAIL}谢谢", "邮箱***@***谢谢"),
        (f"卡号{CARD}", "卡号" + "*" * 19),
        ("卡号 6222 0212 3456 7890", "卡号 " + "*" * 19),
        ("电话13800138000", "电话138****8000"),
        ("座机021-52918000", "座机0**-********"),
        ("QQ 12345678", "QQ ********"),
    ],
)
def test_every_kind_of_personal_data_is_masked(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked


def test_identifiers_the_code_made_and_ordinary_numbers_stay() -> None:
    for kept in (
        SLOT_ID,
        "预约码 KWMX43",
        "补贴 3000 元，期限 3 年",
        "2023年3月注册",
        "沪人社就〔2023〕162号",
    ):
        assert mask_personal_data(kept) == kept


def test_every_store_uses_the_same_masking() -> None:
    """The unanswered log, rating comments and the log filter mask exactly what the tracker masks."""
    typed = f"身份证{ID_NUMBER}，邮箱{EMAIL}，卡{CARD}，手机13800138000"
    expected = mask_personal_data(typed)
    assert desk_masking(typed) == expected
    assert redact_phones(typed) == expected
    assert logs.scrub(typed) == expected
    event = for_storage(UserUttered(typed).as_dict(), PrivacyRules())
    assert event["text"] == expected


# --- the real tracker store -----------------------------------------------------------------------

RULES = dict(
    personal_slots=["booking_name", "booking_phone"],
    personal_data_done_slots=["booking_last_code"],
    forget_slot="forget_conversation",
    verbatim_slots=["booking_choice"],
)
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [inform]
slots:
  profile_answer: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  booking_name: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  booking_phone: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  booking_choice: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  booking_last_code: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  forget_conversation: {type: bool, influence_conversation: false, mappings: [{type: custom}]}
"""
)


@pytest.fixture()
def tracker_store(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACKER_STORE_URL", database_url)
    store = UrlSQLTrackerStore(domain=DOMAIN, **RULES)
    yield store
    store.engine.dispose()


def stored(database_url: str, sender: str) -> str:
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            )
            return "\n".join(json.dumps(json.loads(r[0]), ensure_ascii=False) for r in rows)
    finally:
        engine.dispose()


def user(typed: str) -> UserUttered:
    return UserUttered(
        typed,
        intent={"name": "inform", "confidence": 0.9},
        entities=[{"entity": "number", "value": ID_NUMBER, "start": 7, "end": 25}],
        parse_data={"text": typed, "intent": {"name": "inform", "confidence": 0.9}, "entities": []},
    )


def test_an_id_number_is_never_stored_in_user_events_or_the_profile_answer_slot(
    tracker_store: UrlSQLTrackerStore, database_url: str
) -> None:
    """The reproduction: "我的身份证号是310101199001011234" was kept verbatim in the user event and
    in `profile_answer`."""
    tracker = DialogueStateTracker("u-id-card", DOMAIN.slots)
    typed = f"我的身份证号是{ID_NUMBER}，邮箱{EMAIL}"
    for event in (
        SessionStarted(),
        ActionExecuted("action_listen"),
        user(typed),
        SlotSet("profile_answer", typed),
    ):
        tracker.update(event)
    asyncio.run(tracker_store.save(tracker))
    kept = stored(database_url, "u-id-card")
    assert ID_NUMBER not in kept and EMAIL not in kept
    assert "我的身份证号是" + "*" * 18 in kept
    reloaded = asyncio.run(tracker_store.retrieve("u-id-card"))
    assert ID_NUMBER not in reloaded.get_slot("profile_answer")
    assert reloaded.latest_message.intent["name"] == "inform"  # the rest of the event is intact


def test_a_running_booking_keeps_what_it_needs_and_loses_it_when_done(
    tracker_store: UrlSQLTrackerStore, database_url: str
) -> None:
    tracker = DialogueStateTracker("u-booking", DOMAIN.slots)
    turns = [
        [SessionStarted(), ActionExecuted("action_listen")],
        [SlotSet("booking_choice", SLOT_ID)],
        [UserUttered("13800138000"), SlotSet("booking_phone", "13800138000")],
    ]
    for events in turns:
        for event in events:
            tracker.update(event)
        asyncio.run(tracker_store.save(tracker))
    reloaded = asyncio.run(tracker_store.retrieve("u-booking"))
    assert reloaded.get_slot("booking_choice") == SLOT_ID, "the chosen slot id must survive the store"
    assert reloaded.get_slot("booking_phone") == "13800138000", "the running booking still needs it"
    tracker.update(SlotSet("booking_last_code", "HN12AB"))
    asyncio.run(tracker_store.save(tracker))
    kept = stored(database_url, "u-booking")
    assert "13800138000" not in kept and SLOT_ID in kept


def test_release_masks_other_personal_data_too() -> None:
    rules = PrivacyRules.from_config(
        ["booking_name", "booking_phone"], ["booking_last_code"], "forget_conversation", ["booking_choice"]
    )
    events = [SlotSet("booking_name", "张三丰").as_dict(), UserUttered(f"张三丰 {ID_WITH_X}").as_dict()]
    released = [release_personal_data(e, rules, personal_values(events, rules)) for e in events]
    dumped = json.dumps(released, ensure_ascii=False)
    assert ID_WITH_X not in dumped and "张三丰" not in dumped


# --- the log filter ------------------------------------------------------------------------------


def test_a_warning_quoting_an_id_number_is_masked_in_the_log() -> None:
    """Python warnings (Rasa's UserWarnings among them) reach the log as records of `py.warnings`
    (logs.configure captures them) and pass the same filter as every other record."""
    config = logs.logging_config("rasa", fmt="json", level="INFO")["handlers"]["stdout"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter("rasa"))
    for name in config["filters"]:  # the filters configure() installs, in its order
        handler.addFilter(
            {"personal_data": logs.PersonalDataFilter, "library_deprecations": logs.LibraryDeprecationFilter}[
                name
            ]()
        )
    loggers = [logging.getLogger("py.warnings"), logging.getLogger("rasa.core.processor")]
    for logger in loggers:
        logger.addHandler(handler)
    logging.captureWarnings(True)
    try:
        warnings.warn(
            f"Interpreter parsed '我的身份证号是{ID_NUMBER}', 邮箱 {EMAIL}", UserWarning, stacklevel=1
        )
        loggers[1].warning("message %s from %s", ID_WITH_X, CARD)
    finally:
        logging.captureWarnings(False)
        for logger in loggers:
            logger.removeHandler(handler)
    out = stream.getvalue()
    assert out.count("\n") >= 2
    for secret in (ID_NUMBER, EMAIL, ID_WITH_X, CARD):
        assert secret not in out
    assert "*" * 18 in out


def test_rasa_debug_lines_quoting_the_text_json_escaped_are_masked() -> None:
    """Rasa's structlog lines quote the text JSON-escaped: "\\u8bc1310101…" glued the ID number to
    the escape's hex digits, so the log showed it in clear."""
    quoted = json.dumps(
        {"parse_data_text": f"身份证{ID_NUMBER}，件13912345678", "event": "processor.message.parse"}
    )
    assert ID_NUMBER in quoted and "13912345678" in quoted
    line = logs.scrub(quoted)
    assert ID_NUMBER not in line and "13912345678" not in line
    assert "身份证" + "*" * 18 in line and "139****5678" in line


# --- a real running assistant ---------------------------------------------------------------------


@pytest.mark.rasa_server
def test_a_real_assistant_keeps_no_id_number_in_tracker_or_logs(assistant) -> None:
    sender = "security-masking-1"
    assistant.say(sender, "我能申请一次性创业补贴吗？")
    assistant.say(sender, f"我的身份证号是{ID_NUMBER}")
    assistant.say(sender, f"我的邮箱是{EMAIL}，银行卡{CARD}")
    kept = assistant.stored_conversation(sender)
    assert "身份证号是" in kept, "the messages were stored"
    for secret in (ID_NUMBER, EMAIL, CARD):
        assert secret not in kept, secret
    # The widget's path, through the web server's /api/chat.
    request = urllib.request.Request(
        f"{assistant.web_url}/api/chat",
        data=json.dumps({"message": f"身份证{ID_WITH_X}"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
    lines = [line for output in assistant.supervisor.output.values() for line in output]
    assert lines, "the supervisor keeps every service's output"
    leaked = [line for line in lines if re.search(f"{ID_NUMBER}|{ID_WITH_X}|{EMAIL}|{CARD}", line)]
    assert leaked == []
