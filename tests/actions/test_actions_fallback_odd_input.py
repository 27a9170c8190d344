"""The honest fallback for messages the assistant cannot place: 12333, the district centre, the log.

Odd first messages reach the fallback when the NLU is unsure (nlu_fallback); the reply must name a
person to ask and the question must land on the console's unanswered list, on every channel.
"""

from __future__ import annotations

import pytest
from rasa_sdk.events import UserUtteranceReverted

from actions.fallback import ActionFallbackToHuman
from agent_desk import AgentDesk
from tests.actions.conftest import domain_text, make_tracker, run_action, spoken

FALLBACK = domain_text("utter_fallback_to_human", contact=domain_text("utter_human_contact"))


def logged(url: str, question: str) -> int:
    return sum(g.count for g in AgentDesk.open(url).unanswered_groups(search=question))


@pytest.mark.parametrize("channel", ["wechat", "rest", "web"])
def test_an_unsure_question_gets_the_hotline_and_district_centre_and_is_logged(
    actions_database_url: str, channel: str
) -> None:
    question = f"开奶茶店要交什么保证金（{channel}）"
    before = logged(actions_database_url, question)

    events, messages = run_action(
        ActionFallbackToHuman(),
        make_tracker(question, intent="nlu_fallback", confidence=0.2, channel=channel),
    )

    assert events == [UserUtteranceReverted()]
    assert spoken(messages) == [FALLBACK]
    assert "12333" in FALLBACK and "就业促进中心" in FALLBACK
    assert logged(actions_database_url, question) == before + 1


@pytest.mark.parametrize("text", ["   ", "\u3000", "😂😂"])
def test_a_contentless_text_still_gets_the_reply_and_logs_nothing_worth_reading(
    actions_database_url: str, text: str
) -> None:
    events, messages = run_action(ActionFallbackToHuman(), make_tracker(text, intent="nlu_fallback"))

    assert events == [UserUtteranceReverted()]
    assert spoken(messages) == [FALLBACK]


def test_a_very_long_question_is_answered_and_logged(actions_database_url: str) -> None:
    question = "我想问一下关于开店的事情" * 80
    before = logged(actions_database_url, "我想问一下关于开店的事情")

    _, messages = run_action(ActionFallbackToHuman(), make_tracker(question, intent="nlu_fallback"))

    assert spoken(messages) == [FALLBACK]
    assert logged(actions_database_url, "我想问一下关于开店的事情") == before + 1
