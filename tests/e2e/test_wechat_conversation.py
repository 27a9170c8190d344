"""The WeChat channel inside the real Rasa server: safe-mode push in, encrypted passive reply out."""

from __future__ import annotations

import random

import pytest

from consultations.identity import wechat_user
from tests.channels.wechat_harness import OPENID, decrypt_reply, push_to, text_xml
from tests.figures import figure

pytestmark = pytest.mark.rasa_server


def push(assistant, xml: str) -> str:
    return push_to(assistant.ports.rasa, xml, timeout=10)


decrypt = decrypt_reply


def test_text_message_answered_passively_and_processed_once(assistant) -> None:
    xml = text_xml("你好", msg_id=random.randint(10**15, 10**16))
    first = decrypt(push(assistant, xml))
    assert first["MsgType"] == "text"
    assert "海纳百创" in first["Content"]
    assert first["ToUserName"] == OPENID

    # WeChat retries the same message when it thinks we were too slow: same answer, no second turn.
    retry = decrypt(push(assistant, xml))
    assert retry["Content"] == first["Content"]
    assert assistant.tracker_events(wechat_user(OPENID)).count("user") == 1
    assert assistant.tracker_events(OPENID) == []  # the raw openid is no conversation id


def test_policy_answer_over_wechat_is_plain_text_with_source(assistant) -> None:
    xml = text_xml("一次性创业补贴有多少钱？", msg_id=random.randint(10**15, 10**16), openid=OPENID + "b")
    reply = decrypt(push(assistant, xml))
    assert figure("first_business_subsidy", "amount") in reply["Content"]
    assert "来源" in reply["Content"]
