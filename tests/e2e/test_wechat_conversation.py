"""The WeChat channel inside the real Rasa server: safe-mode push in, encrypted passive reply out."""

from __future__ import annotations

import random
import urllib.parse
import urllib.request

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from consultations.identity import wechat_user
from tests.channels.wechat_harness import AES_KEY, APPID, OPENID, TOKEN, sign_push, text_xml
from tests.figures import figure

pytestmark = pytest.mark.rasa_server


def push(assistant, xml: str) -> str:
    signed = sign_push(xml, "safe")
    url = f"http://127.0.0.1:{assistant.ports.rasa}/webhooks/wechat/webhook?" + urllib.parse.urlencode(
        signed.params
    )
    request = urllib.request.Request(url, data=signed.body, headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def decrypt(reply: str) -> dict:
    envelope = xmltodict.parse(reply)["xml"]
    plain = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        reply, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    return xmltodict.parse(plain)["xml"]


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
