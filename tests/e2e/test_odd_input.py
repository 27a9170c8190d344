"""Odd first messages through the real Rasa server (REST and WeChat): every message gets a reply.

Spaces, emoji, English, another city's policies and a bare policy name (issue #16, parts 4 and 5).
"""

from __future__ import annotations

import random
import uuid

import pytest

from tests.channels.wechat_harness import OPENID, text_xml
from tests.e2e.test_wechat_conversation import decrypt, push
from tests.figures import figure

pytestmark = pytest.mark.rasa_server

PROMPT = "请输入您想咨询的问题"


def new_user() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def wechat(assistant, text: str) -> str:
    openid = f"{OPENID}-{uuid.uuid4().hex[:6]}"
    return decrypt(push(assistant, text_xml(text, msg_id=random.randint(10**15, 10**16), openid=openid)))[
        "Content"
    ]


@pytest.mark.parametrize("message", ["   ", "\u3000\u3000", "？？？", "😂😂"])
def test_contentless_messages_get_the_prompt_over_rest(assistant, message: str) -> None:
    reply = assistant.say_text(new_user(), message)

    assert PROMPT in reply and "12333" in reply


@pytest.mark.parametrize("message", ["8", "一" * 600])
def test_a_lone_number_and_a_very_long_text_get_a_reply(assistant, message: str) -> None:
    assert assistant.say_text(new_user(), message).strip()


def test_english_gets_an_english_reply_with_the_loan_products(assistant) -> None:
    reply = assistant.say_text(new_user(), "I'd like to borrow money to open a café, is there a loan?")

    assert "12333" in reply and "not a real" not in reply and "不是真人" not in reply
    assert "创业担保贷款" in reply
    assert "Shanghai" in reply


def test_english_amount_of_a_named_product_comes_from_the_kb(assistant) -> None:
    reply = assistant.say_text(new_user(), "How much is the organisation loan at most?")

    assert "创业组织创业担保贷款" in reply
    assert figure("organization_guaranteed_loan", "max_amount") in reply


def test_another_city_is_not_answered_with_shanghai_figures(assistant) -> None:
    reply = assistant.say_text(new_user(), "广州的一次性创业补贴能拿多少")

    assert "只回答上海" in reply and "12333" in reply
    assert figure("first_business_subsidy", "amount") not in reply


def test_a_bare_policy_name_gets_the_policy_card(assistant) -> None:
    reply = assistant.say_text(new_user(), "就业困难人员灵活就业社保补贴")

    assert "记下了" not in reply
    assert "灵活就业" in reply and "来源" in reply


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("   ", PROMPT),
        ("👍", PROMPT),
        ("Any support for young founders?", "12333"),
        ("北京创业补贴怎么申请", "只回答上海"),
    ],
)
def test_odd_input_over_wechat(assistant, message: str, expected: str) -> None:
    assert expected in wechat(assistant, message)
