"""The English reply (actions/english.py): the domain's English wording, the KB's names and figures.

Names, figures and units are read from the knowledge base the action uses (`kb`) and from the word
map actions/english_terms.yml, never written here.
"""

from __future__ import annotations

import pytest

from actions.english import ActionAnswerEnglish, english_terms, read_question
from agent_desk import AgentDesk
from policies_kb import KnowledgeBase
from tests.actions.conftest import domain_text, make_tracker, responses, run_action, spoken

LOAN_PRODUCTS = ("individual_guaranteed_loan", "organization_guaranteed_loan", "pre_startup_guaranteed_loan")


def english(text: str):
    return run_action(ActionAnswerEnglish(), make_tracker(text, intent="english"))


def names(kb: KnowledgeBase, *policy_ids: str) -> str:
    return "\n".join(f"- {kb.get(p).name}" for p in policy_ids)


def figure(kb: KnowledgeBase, policy_id: str, key: str) -> str:
    fact = kb.get(policy_id).fact(key)
    assert fact is not None and fact.value is not None, f"{policy_id} has no {key} in the KB any more"
    value = int(fact.value) if float(fact.value).is_integer() else fact.value
    return english_terms()["units"][fact.unit].format(value=value)


def test_a_loan_question_names_the_loan_products_and_the_hotline(kb: KnowledgeBase) -> None:
    events, messages = english("How do I get a start-up loan for my shop?")

    assert events == []
    assert responses(messages) == [
        (
            "utter_english_policies",
            {"policies": names(kb, "guaranteed_loan_overview", *LOAN_PRODUCTS), "answer": ""},
        )
    ]
    (reply,) = spoken(messages)
    assert "12333" in reply
    assert all(kb.get(p).name in reply for p in LOAN_PRODUCTS)


def test_the_amount_of_a_named_product_is_answered_with_the_kb_figure(kb: KnowledgeBase) -> None:
    policy = kb.get("organization_guaranteed_loan")

    _, messages = english("What is the maximum an organisation loan can be?")

    answer = f"{policy.name}: amount {figure(kb, policy.id, 'max_amount')}.\n"
    assert responses(messages) == [
        ("utter_english_policies", {"policies": names(kb, policy.id), "answer": answer})
    ]
    assert str(int(policy.fact("max_amount").value)) in spoken(messages)[0]


def test_the_term_of_a_named_product_is_answered_with_the_kb_figure(kb: KnowledgeBase) -> None:
    policy = kb.get("pre_startup_guaranteed_loan")

    _, messages = english("pre-startup loan: how long can I keep it?")

    answer = f"{policy.name}: longest term {figure(kb, policy.id, 'max_term')}.\n"
    assert responses(messages) == [
        ("utter_english_policies", {"policies": names(kb, policy.id), "answer": answer})
    ]


def test_without_an_asked_aspect_the_key_figure_is_given(kb: KnowledgeBase) -> None:
    policy = kb.get("first_business_subsidy")

    _, messages = english("Tell me about the one-off grant")

    answer = f"{policy.name}: amount {figure(kb, policy.id, 'amount')}.\n"
    assert responses(messages) == [
        ("utter_english_policies", {"policies": names(kb, policy.id), "answer": answer})
    ]


def test_a_policy_without_such_a_figure_gets_the_names_only(kb: KnowledgeBase) -> None:
    _, messages = english("Can I get advice from a mentor?")

    assert responses(messages) == [
        ("utter_english_policies", {"policies": names(kb, "expert_volunteer_group"), "answer": ""})
    ]


def test_asking_for_a_person_gets_the_hotline() -> None:
    events, messages = english("I need to talk to a real person")

    assert events == []
    assert responses(messages) == [("utter_english_human", {})]
    assert "12333" in domain_text("utter_english_human")


def test_an_unknown_question_is_an_honest_reply_and_is_logged(actions_database_url: str) -> None:
    question = "what time does the museum open"
    desk = AgentDesk.open(actions_database_url)
    before = sum(g.count for g in desk.unanswered_groups(search=question))

    events, messages = english(question)

    assert events == []
    assert responses(messages) == [("utter_english_unknown", {})]
    reply = domain_text("utter_english_unknown")
    assert "12333" in reply and "not sure" in reply
    assert sum(g.count for g in AgentDesk.open(actions_database_url).unanswered_groups(search=question)) == (
        before + 1
    )


@pytest.mark.parametrize(
    ("text", "policy", "aspect"),
    [
        ("how long is the loan term", "guaranteed_loan_overview", "term"),
        ("interest subsidy, how much?", "guaranteed_loan_interest_subsidy", "amount"),
        ("incubator workspace", "incubation_workspace_subsidy", None),
        ("hello there friend", None, None),
    ],
)
def test_read_question(text: str, policy: str | None, aspect: str | None) -> None:
    question = read_question(text)

    assert (question.policies[0] if question.policies else None, question.aspect) == (policy, aspect)


def test_every_policy_of_the_word_map_is_in_the_knowledge_base(kb: KnowledgeBase) -> None:
    mapped = {p for entry in english_terms()["policies"] for p in entry["policies"]}

    assert mapped <= set(kb.catalogue.policies)
