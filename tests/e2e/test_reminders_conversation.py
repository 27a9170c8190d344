"""Reminders through the real Rasa server over REST: set one from the facts given, list it, cancel it.

The reminder is stored by the action server in the assistant's database; the notices it planned
are checked there too (they are sent by the scheduler, tests/ops/test_scheduler.py).
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from reminders import ReminderService
from tests.actions.conftest import domain_text

pytestmark = pytest.mark.rasa_server

POLICY = "first_business_subsidy"


def test_a_reminder_is_set_listed_and_cancelled_over_rest(assistant) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    reference = date.fromisoformat(assistant.env["HAINA_REFERENCE_DATE"])

    reply = assistant.say_text(
        sender, f"公司是{reference.year}年{reference.month}月注册的，到期前提醒我申请首次创业补贴"
    )

    service = ReminderService.open(assistant.env["DATABASE_URL"])
    try:
        [sub] = service.subscriptions(sender)
        assert sub.policy_id == POLICY and sub.due_on is not None
        assert reply.startswith(
            domain_text("utter_reminder_set", deadline="\0", dates="", where="").split("\0")[0]
        )
        assert f"{sub.due_on.year}年{sub.due_on.month}月{sub.due_on.day}日" in reply
        assert service.notices(sender), "no notice was planned"

        listed = assistant.say_text(sender, "我的提醒")
        assert listed.startswith(domain_text("utter_reminder_list", items="\0").split("\0")[0])
        assert f"{sub.due_on.month}月{sub.due_on.day}日" in listed

        cancelled = assistant.say_text(sender, "取消提醒")
        assert cancelled == domain_text("utter_reminder_cancelled", count=1)
        assert service.subscriptions(sender) == [] and service.notices(sender) == []
    finally:
        service.engine.dispose()


def test_a_reminder_asked_for_on_wechat_is_kept_for_the_wechat_user(assistant) -> None:
    import random

    from consultations.identity import wechat_user
    from tests.channels.wechat_harness import OPENID, text_xml
    from tests.e2e.test_wechat_conversation import decrypt, push

    openid = f"{OPENID}-{uuid.uuid4().hex[:6]}"
    reference = date.fromisoformat(assistant.env["HAINA_REFERENCE_DATE"])
    text = f"公司{reference.year}年{reference.month}月注册，到期前提醒我申请首次创业补贴"
    reply = decrypt(push(assistant, text_xml(text, msg_id=random.randint(10**15, 10**16), openid=openid)))

    service = ReminderService.open(assistant.env["DATABASE_URL"])
    try:
        [sub] = service.subscriptions(wechat_user(openid))
        assert (sub.policy_id, sub.channel) == (POLICY, "wechat")
        assert domain_text("utter_reminder_where_wechat") in reply["Content"]
    finally:
        service.engine.dispose()
