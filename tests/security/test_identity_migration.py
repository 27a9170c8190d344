"""Issue #23, item 1, existing data: `python -m bot.ops namespace-wechat-ids` moves the WeChat
conversations and bookings stored under a raw openid (before the ids were namespaced) to
`wx:<openid>`, and leaves every other channel's ids alone. Real Rasa tracker store and booking
service, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import ops
from bot.stores import configured_tracker_store
from consultations import BookingService, open_service
from consultations.identity import wechat_user


def save_conversation(sender: str, channel: str, texts: list[str]) -> None:
    store = configured_tracker_store()
    try:
        events = [ActionExecuted("action_listen")]
        for message in texts:
            events += [UserUttered(message, input_channel=channel), ActionExecuted("action_listen")]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    finally:
        store.engine.dispose()


def stored_senders() -> dict[str, int]:
    store = configured_tracker_store()
    try:
        with store.session_scope() as session:
            rows = session.query(store.SQLEvent.sender_id).all()
    finally:
        store.engine.dispose()
    found: dict[str, int] = {}
    for (sender,) in rows:
        found[sender] = found.get(sender, 0) + 1
    return found


def book(service: BookingService, user: str, nth: int) -> str:
    slots = [s for e in service.catalogue.experts for s in service.expert_slots(e.id)]
    booking = service.book(
        user_id=user,
        slot_id=slots[nth].id,
        name="测试用户",
        phone="13800138000",
        topic="融资",
        stage="筹备中",
        idempotency_key=uuid.uuid4().hex,
    )
    return booking.code


def test_wechat_conversations_and_bookings_move_to_their_namespaced_ids(
    database_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    openid, web, phone = "oHaiNaMigrated0000000000001", "web-0123456789abcdef01234567", "tel:13912345678"
    save_conversation(openid, "wechat", ["你好", "我的预约"])
    save_conversation(web, "rest", ["你好"])
    save_conversation(phone, "rest", ["我的预约"])
    service = open_service(database_url)
    service.refresh()  # the experts' slots
    try:
        wechat_code, web_code = book(service, openid, 0), book(service, web, 1)
        before = stored_senders()

        assert ops.namespace_wechat_ids(dry_run=True) == (1, 1)
        assert stored_senders() == before
        assert ops.main(["namespace-wechat-ids"]) == 0

        after = stored_senders()
        assert openid not in after and after[wechat_user(openid)] == before[openid]
        assert after[web] == before[web] and after[phone] == before[phone]
        assert [b.code for b in service.bookings(wechat_user(openid))] == [wechat_code]
        assert service.bookings(openid) == []
        assert [b.code for b in service.bookings(web)] == [web_code]
        # Idempotent: nothing left to move.
        assert ops.namespace_wechat_ids() == (0, 0)
    finally:
        service.engine.dispose()
