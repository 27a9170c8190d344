"""Chinese conversations through the REST channel of the real Rasa server with the trained model."""

from __future__ import annotations

import uuid

import pytest

from tests.figures import figure

pytestmark = pytest.mark.rasa_server


def new_user() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def test_greeting_introduces_the_assistant(assistant) -> None:
    reply = assistant.say_text(new_user(), "你好")
    assert "海纳百创" in reply
    assert "政策助手" in reply


def test_greeting_in_traditional_and_full_width(assistant) -> None:
    assert "海纳百创" in assistant.say_text(new_user(), "您好，在嗎？")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("再见", "再见"),
        ("谢谢你", "不客气"),
        ("你是机器人吗", "机器人"),
        ("你能做什么", "查政策"),
        ("转人工", "12333"),
    ],
)
def test_small_talk(assistant, message: str, expected: str) -> None:
    assert expected in assistant.say_text(new_user(), message)


@pytest.mark.parametrize("message", ["今天天气怎么样", "帮我订一张去北京的机票"])
def test_out_of_scope_points_to_12333(assistant, message: str) -> None:
    reply = assistant.say_text(new_user(), message)
    assert "12333" in reply


def test_loan_products_come_from_the_knowledge_base_with_citations(assistant) -> None:
    reply = assistant.say_text(new_user(), "创业担保贷款有哪几种？")
    for product in ("创业前", "个人", "创业组织"):
        assert product in reply
    for policy_id in (
        "pre_startup_guaranteed_loan",
        "individual_guaranteed_loan",
        "organization_guaranteed_loan",
    ):
        assert figure(policy_id, "max_amount") in reply
    assert "沪财发〔2024〕4号" in reply


def test_empty_and_very_long_messages_do_not_crash(assistant) -> None:
    user = new_user()
    assert assistant.say(user, "   ") is not None
    reply = assistant.say_text(user, "创业" * 3000)
    assert reply  # answered, not crashed


def test_conversation_survives_a_server_restart(assistant) -> None:
    user = new_user()
    first = assistant.say_text(user, "个人创业担保贷款最高能贷多少？")
    assert figure("individual_guaranteed_loan", "max_amount") in first
    # policy_facts.md has the cap only as reported by a news article: the citation says so.
    assert "｜转述" in first
    assistant.supervisor.restart("rasa")
    follow_up = assistant.say_text(user, "那期限呢？")
    assert "个人创业担保贷款" in follow_up
    assert "3年" in follow_up


def test_unanswerable_question_is_honest_and_logged_for_the_policy_team(assistant) -> None:
    from agent_desk import AgentDesk

    question = "呜啦啦噜噜 13812345678 嘟嘟嘟"
    reply = assistant.say_text(new_user(), question)
    assert "12333" in reply
    groups = AgentDesk.open(assistant.env["DATABASE_URL"]).unanswered_groups()
    logged = [g for g in groups if "呜啦啦" in g.example]
    assert logged, groups
    assert "13812345678" not in logged[0].example  # the phone number is masked before storing


# --- the eligibility form keeps what it asked for (issue #22 part 5) ------------------------------
# A Shanghai-hukou 就业困难人员 who founded a 小微企业 in Shanghai, registered 2025-10-01, is its legal
# representative, first business, social insurance paid 8 months, no earlier subsidy. The bot asks
# what the engine still needs; each question is answered truthfully, whatever the order.
FOUNDER_ANSWERS = {
    "hukou": "上海户籍",
    "groups": "就业困难人员",
    "registered_in_shanghai": "是",
    "first_business": "是",
    "business_type": "小微企业",
    "legal_representative": "是法定代表人",
    "registration_date": "2025年10月1日",
    "social_insurance_months": "8个月",
    "subsidies_received": "都没有",
}


def field_asked(reply: str) -> str | None:
    from policies_kb.profile import QUESTIONS

    return next((field for field, question in QUESTIONS.items() if question in reply), None)


def stored_profile(assistant, user: str) -> dict:
    import json

    slots = [json.loads(line) for line in assistant.stored_conversation(user).splitlines()]
    profiles = [e["value"] for e in slots if e.get("event") == "slot" and e.get("name") == "profile"]
    return profiles[-1] if profiles else {}


def check_as_founder(
    assistant, user: str, answers: dict[str, str], until: str | None = None
) -> tuple[str, list]:
    """Start the 首次创业一次性补贴 check and answer what is asked; (last reply, fields asked in order)."""
    reply = assistant.say_text(user, "我能申请首次创业一次性补贴吗")
    asked = []
    for _ in range(15):
        field = field_asked(reply)
        if field is None or field == until:
            break
        asked.append(field)
        reply = assistant.say_text(user, answers[field])
    return reply, asked


def test_eligibility_chat_keeps_every_answer_and_agrees_with_the_engine(assistant) -> None:
    user = new_user()
    reply, asked = check_as_founder(assistant, user, FOUNDER_ANSWERS)
    assert {"hukou", "groups", "legal_representative", "subsidies_received"} <= set(asked), asked
    assert len(asked) == len(set(asked)), asked  # no question asked twice: every answer was kept
    assert "首次创业一次性补贴" in reply
    assert "暂不符合" not in reply
    assert "符合条件" in reply
    profile = stored_profile(assistant, user)
    assert profile["groups"] == ["hard_to_employ"]
    assert profile["hukou"] == "shanghai"  # "都没有" answered the subsidies question, not the hukou one
    assert profile["legal_representative"] is True
    assert profile["subsidies_received"] == []


@pytest.mark.parametrize(("answer", "groups"), [("退役军人", ["veteran"]), ("都不是", [])])
def test_group_answer_fills_groups(assistant, answer: str, groups: list) -> None:
    user = new_user()
    check_as_founder(assistant, user, FOUNDER_ANSWERS, until="groups")
    assistant.say_text(user, answer)
    assert stored_profile(assistant, user)["groups"] == groups


@pytest.mark.parametrize("answer", ["是法定代表人", "我是法定代表人", "我是法人"])
def test_legal_representative_answer_is_an_answer_not_a_bot_challenge(assistant, answer: str) -> None:
    from policies_kb.profile import QUESTIONS

    user = new_user()
    check_as_founder(assistant, user, FOUNDER_ANSWERS, until="legal_representative")
    reply = assistant.say_text(user, answer)
    assert "机器人" not in reply
    assert QUESTIONS["legal_representative"] not in reply
    assert stored_profile(assistant, user)["legal_representative"] is True


def test_question_interrupted_by_a_bot_challenge_is_asked_again(assistant) -> None:
    from policies_kb.profile import QUESTIONS

    user = new_user()
    check_as_founder(assistant, user, FOUNDER_ANSWERS, until="groups")
    reply = assistant.say_text(user, "你是机器人吗")
    assert "机器人" in reply
    assert QUESTIONS["groups"] in reply  # the same question again, not the next one
    assistant.say_text(user, "就业困难人员")
    assert stored_profile(assistant, user)["groups"] == ["hard_to_employ"]
