"""Personal data in the stored conversation: masked on write, released after booking, forgotten on
request — the pure rules, then the real tracker store on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.stores import UrlSQLTrackerStore
from bot.tracker_privacy import (
    ERASED_TEXT,
    PrivacyRules,
    for_storage,
    forget,
    mask_name,
    personal_values,
    release_personal_data,
)

PHONE = "13800138000"
RULES = PrivacyRules.from_config(
    ["booking_name", "booking_phone"], ["booking_last_code"], "forget_conversation"
)
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [inform, affirm]
slots:
  booking_name: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  booking_phone: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  booking_last_code: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  booking_topic: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  forget_conversation: {type: bool, influence_conversation: false, mappings: [{type: custom}]}
"""
)


def user(text_: str) -> UserUttered:
    return UserUttered(
        text_,
        intent={"name": "inform", "confidence": 0.9},
        entities=[{"entity": "number", "value": text_, "start": 0, "end": len(text_)}],
        parse_data={"text": text_, "intent": {"name": "inform", "confidence": 0.9}, "entities": []},
    )


def test_phone_numbers_are_masked_on_write_except_in_live_personal_slots() -> None:
    stored = for_storage(user(f"我的手机是 {PHONE}").as_dict(), RULES)
    assert PHONE not in json.dumps(stored, ensure_ascii=False)
    assert "138****8000" in stored["text"]
    assert stored["parse_data"]["intent"]["name"] == "inform"
    slot = SlotSet("booking_phone", PHONE).as_dict()
    assert for_storage(slot, RULES) == slot  # the booking still needs it
    other = for_storage(SlotSet("booking_topic", f"融资，电话{PHONE}").as_dict(), RULES)
    assert PHONE not in other["value"]


def test_identifiers_are_not_touched() -> None:
    event = user("你好").as_dict()
    event["message_id"] = "a13800138000b"
    assert for_storage(event, RULES)["message_id"] == "a13800138000b"


def test_release_masks_name_and_phone_wherever_they_were_typed() -> None:
    events = [
        user("我叫张三丰").as_dict(),
        SlotSet("booking_name", "张三丰").as_dict(),
        user(PHONE).as_dict(),
        SlotSet("booking_phone", PHONE).as_dict(),
        BotUttered("张三丰您好，已为您预约").as_dict(),
    ]
    values = personal_values(events, RULES)
    assert values == {"张三丰", PHONE}
    released = [release_personal_data(e, RULES, values) for e in events]
    dumped = json.dumps(released, ensure_ascii=False)
    assert "张三丰" not in dumped and PHONE not in dumped
    assert released[1]["value"] == "张**"
    assert released[3]["value"] == "138****8000"
    assert "张**您好" in released[4]["text"]


def test_one_character_names_do_not_mask_the_whole_conversation() -> None:
    events = [SlotSet("booking_name", "王").as_dict(), user("王先生的股权问题").as_dict()]
    assert personal_values(events, RULES) == set()
    assert mask_name("王") == "王*"


def test_triggers() -> None:
    assert RULES.releases_personal_data([SlotSet("booking_last_code", "HN12AB").as_dict()])
    assert RULES.releases_personal_data([SlotSet("booking_phone", None).as_dict()])
    assert not RULES.releases_personal_data([SlotSet("booking_phone", PHONE).as_dict()])
    assert not RULES.releases_personal_data([SlotSet("booking_last_code", None).as_dict()])
    assert RULES.asks_to_forget([SlotSet("forget_conversation", True).as_dict()])
    assert not RULES.asks_to_forget([SlotSet("forget_conversation", None).as_dict()])
    assert not PrivacyRules().asks_to_forget([SlotSet("forget_conversation", True).as_dict()])


def test_forget_leaves_the_shape_and_no_content() -> None:
    erased_user = forget(user(f"我叫张三，{PHONE}").as_dict())
    assert erased_user["text"] == ERASED_TEXT and erased_user["parse_data"]["entities"] == []
    assert erased_user["parse_data"]["intent"]["name"] == "inform"
    assert forget(BotUttered("张三您好", data={"buttons": [{"title": "张三"}]}).as_dict())["data"] == {}
    assert forget(SlotSet("booking_topic", "融资").as_dict())["value"] is None
    action = ActionExecuted("action_listen").as_dict()
    assert forget(action) == action


# --- the real tracker store -----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch) -> UrlSQLTrackerStore:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        url = request.getfixturevalue("postgres_url_per_test")
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    tracker_store = UrlSQLTrackerStore(
        domain=DOMAIN,
        personal_slots=["booking_name", "booking_phone"],
        personal_data_done_slots=["booking_last_code"],
        forget_slot="forget_conversation",
    )
    tracker_store.url = url
    yield tracker_store
    tracker_store.engine.dispose()


def stored(store: UrlSQLTrackerStore, sender: str) -> str:
    engine = create_engine(store.url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            )
            return "\n".join(json.dumps(json.loads(r[0]), ensure_ascii=False) for r in rows)
    finally:
        engine.dispose()


def turn(store: UrlSQLTrackerStore, tracker: DialogueStateTracker, *events) -> None:
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))


def test_store_keeps_the_phone_only_until_the_booking_is_made(store: UrlSQLTrackerStore) -> None:
    tracker = DialogueStateTracker("u-privacy", DOMAIN.slots)
    turn(store, tracker, SessionStarted(), ActionExecuted("action_listen"))
    turn(store, tracker, user("我叫张三丰"), SlotSet("booking_name", "张三丰"))
    turn(store, tracker, user(f"+86 {PHONE}"), SlotSet("booking_phone", PHONE))
    before = stored(store, "u-privacy")
    assert f'"value": "{PHONE}"' in before  # the slot the booking still needs
    assert f"+86 {PHONE}" not in before  # the typed message is masked already
    # Reloaded between turns (another replica), the form still has the real number.
    reloaded = asyncio.run(store.retrieve("u-privacy"))
    assert reloaded.get_slot("booking_phone") == PHONE

    turn(store, tracker, user("确认"), SlotSet("booking_last_code", "HN12AB"), BotUttered("预约成功"))
    after = stored(store, "u-privacy")
    assert PHONE not in after and "张三丰" not in after
    assert "138****8000" in after and "张**" in after
    reloaded = asyncio.run(store.retrieve("u-privacy"))
    assert reloaded.get_slot("booking_phone") == "138****8000"
    assert reloaded.get_slot("booking_last_code") == "HN12AB"
    # Later turns append after the rewritten events: nothing lost, nothing stored twice.
    turn(store, tracker, user("谢谢"))
    assert len(asyncio.run(store.retrieve("u-privacy")).events) == len(tracker.events)


def test_store_forgets_the_conversation_on_request(store: UrlSQLTrackerStore) -> None:
    tracker = DialogueStateTracker("u-forget", DOMAIN.slots)
    turn(store, tracker, SessionStarted(), ActionExecuted("action_listen"))
    turn(store, tracker, user("我在浦东开奶茶店"), SlotSet("booking_topic", "融资"), BotUttered("好的，浦东"))
    turn(store, tracker, user("确认删除"), SlotSet("forget_conversation", True), BotUttered("已删除"))
    after = stored(store, "u-forget")
    assert "浦东" not in after and "融资" not in after
    reloaded = asyncio.run(store.retrieve("u-forget"))
    assert reloaded.get_slot("booking_topic") is None
    assert reloaded.get_slot("forget_conversation") is None
    assert len(reloaded.events) == len(tracker.events)
    assert {e.text for e in reloaded.events if isinstance(e, UserUttered)} == {ERASED_TEXT}


def test_retention_job_releases_idle_conversations(store: UrlSQLTrackerStore) -> None:
    tracker = DialogueStateTracker("u-idle", DOMAIN.slots)
    turn(store, tracker, SessionStarted(), user(PHONE), SlotSet("booking_phone", PHONE))
    assert store.idle_senders(3600) == []
    assert "u-idle" in store.idle_senders(-60)
    assert store.release_personal_data("u-idle") >= 1
    assert PHONE not in stored(store, "u-idle")


def test_scrub_command_uses_the_endpoints_settings(store: UrlSQLTrackerStore, capsys) -> None:
    from bot import ops

    tracker = DialogueStateTracker("u-abandoned", DOMAIN.slots)
    turn(store, tracker, SessionStarted(), SlotSet("booking_name", "李四光"), SlotSet("booking_phone", PHONE))
    assert PHONE in stored(store, "u-abandoned")
    assert ops.main(["scrub-conversations", "--idle-hours", "0"]) == 0
    after = stored(store, "u-abandoned")
    assert PHONE not in after and "李四光" not in after and "李**" in after
    assert "conversations idle" in capsys.readouterr().err
