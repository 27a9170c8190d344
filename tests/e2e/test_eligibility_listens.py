"""Issue #20's two conversations through the REST channel and WeChat: the verdict as soon as the
facts decide it, and a graduation date that answers the group question.

Expectations come from the knowledge base (labels, the amount fact), never from literals of figures.
"""

from __future__ import annotations

import random
import uuid

import pytest

from policies_kb import ELIGIBLE, NOT_ELIGIBLE
from policies_kb.render.labels import STATUS_LABELS
from tests.channels.wechat_harness import OPENID, text_xml
from tests.e2e.test_wechat_conversation import decrypt, push
from tests.figures import figure

pytestmark = pytest.mark.rasa_server

RICH = "我38岁，上海户口大学毕业，还没注册公司，想申请创业前贷款"
# The user's turns of the second conversation: each states its fact in words, whichever question comes.
STEP_BY_STEP = [
    "我能申请首次创业补贴吗",
    "上海户籍",
    "2025年6月毕业的",
    "2025年8月注册的",
    "在上海注册的",
    "第一次创业",
    "公司",
    "我是法人",
    "8个月",
    "没有领过",
]


def rest_dialogue(assistant, turns: list[str]) -> list[str]:
    sender = f"e2e-elig-{uuid.uuid4().hex[:8]}"
    replies = []
    for turn in turns:
        replies.append(assistant.say_text(sender, turn))
        if STATUS_LABELS[ELIGIBLE] in replies[-1] or STATUS_LABELS[NOT_ELIGIBLE] in replies[-1]:
            break
    return replies


def wechat_dialogue(assistant, turns: list[str]) -> list[str]:
    openid = OPENID + uuid.uuid4().hex[:6]
    replies = []
    for turn in turns:
        xml = text_xml(turn, msg_id=random.randint(10**15, 10**16), openid=openid)
        replies.append(decrypt(push(assistant, xml))["Content"])
        if STATUS_LABELS[ELIGIBLE] in replies[-1] or STATUS_LABELS[NOT_ELIGIBLE] in replies[-1]:
            break
    return replies


@pytest.mark.parametrize("channel", [rest_dialogue, wechat_dialogue], ids=["rest", "wechat"])
def test_rich_first_message_gets_the_verdict_at_once(assistant, channel) -> None:
    (reply,) = channel(assistant, [RICH])
    assert STATUS_LABELS[NOT_ELIGIBLE] in reply
    assert "35岁" in reply and "依据" in reply
    assert "记下了" not in reply


@pytest.mark.parametrize("channel", [rest_dialogue, wechat_dialogue], ids=["rest", "wechat"])
def test_graduation_date_answers_the_group_question_and_the_check_ends_eligible(assistant, channel) -> None:
    replies = channel(assistant, STEP_BY_STEP)
    assert STATUS_LABELS[ELIGIBLE] in replies[-1]
    assert figure("first_business_subsidy", "amount") in replies[-1]
    group_question = "您属于以下哪类人群"
    assert sum(group_question in r for r in replies) <= 1
