"""bot.nlu.message_kind and the normaliser's empty text: messages the classifier cannot judge."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.message_kind import (
    EMPTY_INTENT,
    EMPTY_TEXT,
    ENGLISH_INTENT,
    OTHER_CITY_INTENT,
    POLICY_INTENT,
    MessageKindClassifier,
)
from bot.nlu.normaliser import TextNormaliser

CLASSIFIED = {"name": "inform", "confidence": 0.77}


def classify(text: str, entities: list[dict] | None = None) -> dict:
    message = Message(data={TEXT: text, INTENT: CLASSIFIED, ENTITIES: entities or []})
    (processed,) = MessageKindClassifier().process([message])
    return processed.get(INTENT)


@pytest.mark.parametrize("text", ["   ", "\u3000\u3000", "", "\t\n"])
def test_whitespace_becomes_the_empty_word_at_prediction_time(text: str) -> None:
    message = Message(data={TEXT: text})

    TextNormaliser().process([message])

    assert message.get(TEXT) == EMPTY_TEXT
    assert classify(message.get(TEXT)) == {"name": EMPTY_INTENT, "confidence": 1.0}


@pytest.mark.parametrize("text", ["？？？", "。。。", "😂😂😂", "👍", "……!!", "啊", "呃呃"])
def test_contentless_messages_get_the_prompt_intent(text: str) -> None:
    assert classify(text)["name"] == EMPTY_INTENT


@pytest.mark.parametrize(
    "text", ["1", "2024", "hello", "ok", "bye bye", "3q", "no no", "嗯", "哦", "首次创业补贴多少"]
)
def test_numbers_known_words_and_chinese_keep_the_classifier_intent(text: str) -> None:
    # A lone number may be a menu choice or a form answer.
    assert classify(text) == CLASSIFIED


@pytest.mark.parametrize("text", ["Any grants for a new bakery?", "hi, can you help me", "qwertyuiop"])
def test_latin_script_without_chinese_is_english(text: str) -> None:
    assert classify(text)["name"] == ENGLISH_INTENT


@pytest.mark.parametrize("text", ["北京有创业补贴吗", "广州开店贷款能贷多少"])
def test_another_city_without_shanghai_is_out_of_scope(text: str) -> None:
    assert classify(text)["name"] == OTHER_CITY_INTENT


@pytest.mark.parametrize(
    "text", ["上海和北京的创业补贴哪个多", "长三角和苏州有什么合作", "沪苏两地创业政策", "帮我订去北京的机票"]
)
def test_shanghai_or_the_yangtze_delta_keeps_the_classifier_intent(text: str) -> None:
    assert classify(text) == CLASSIFIED


def policy_at(start: int, end: int) -> list[dict]:
    return [{"entity": "policy", "value": "x", "start": start, "end": end}]


def test_a_bare_policy_name_is_a_policy_question() -> None:
    name = "就业困难人员灵活就业社保补贴"

    assert classify(name, policy_at(0, len(name)))["name"] == POLICY_INTENT
    assert classify(f"请问{name}？", policy_at(2, 2 + len(name)))["name"] == POLICY_INTENT


def test_a_policy_name_inside_a_statement_keeps_the_classifier_intent() -> None:
    text = "我是就业困难人员，刚开了一家店"

    assert classify(text, [{"entity": "applicant_group", "value": "x", "start": 2, "end": 8}]) == CLASSIFIED
    assert classify("我已经拿了首次创业补贴，现在想再开一家", policy_at(5, 11)) == CLASSIFIED


def test_a_classifier_guess_of_a_rule_only_intent_gives_way_to_the_next_intent() -> None:
    ranking = [{"name": "english", "confidence": 0.5}, {"name": "ask_policy", "confidence": 0.3}]
    message = Message(
        data={TEXT: "创业可以贷款吗", INTENT: ranking[0], "intent_ranking": ranking, ENTITIES: []}
    )

    (processed,) = MessageKindClassifier().process([message])

    assert processed.get(INTENT) == {"name": "ask_policy", "confidence": 0.3}
    assert processed.get("intent_ranking") == ranking[1:]


@pytest.mark.parametrize(
    ("text", "start", "end", "intent"),
    [
        ("预约创业指导专家", 2, 8, "book_consultation"),
        ("取消专家咨询", 2, 4, "cancel_booking"),
        ("约一下专家志愿团", 3, 8, "book_consultation"),
    ],
)
def test_a_policy_name_with_a_verb_keeps_the_classifier_intent(
    text: str, start: int, end: int, intent: str
) -> None:
    guess = {"name": intent, "confidence": 0.6}
    message = Message(data={TEXT: text, INTENT: guess, ENTITIES: policy_at(start, end)})
    assert MessageKindClassifier().process([message])[0].get(INTENT) == guess
    assert MessageKindClassifier.kind(text, policy_at(start, end), "inform") is None


@pytest.mark.parametrize("text", ["help", "see you", "ty", "thanks a lot", "yep", "nope", "quit"])
def test_latin_small_talk_of_the_training_data_keeps_the_classifier_intent(text: str) -> None:
    assert classify(text) == CLASSIFIED


@pytest.mark.parametrize("guess", ["nlu_fallback", "out_of_scope"])
def test_a_named_policy_turns_not_understood_or_out_of_scope_into_a_policy_question(guess: str) -> None:
    text = "征信上有点问题的话创业担保贷款还能办吗"
    start = text.index("创业担保贷款")
    entities = policy_at(start, start + len("创业担保贷款"))

    assert MessageKindClassifier.kind(text, entities, guess) == POLICY_INTENT
    assert MessageKindClassifier.kind(text, [], guess) is None  # nothing named: the guess stands


def test_an_overview_question_naming_one_item_asks_about_that_item() -> None:
    text = "长三角公共创业服务联盟都有哪些服务"
    entities = policy_at(0, len("长三角公共创业服务联盟"))

    assert MessageKindClassifier.kind(text, entities, "ask_overview") == POLICY_INTENT


def test_an_overview_question_naming_a_group_phrase_stays_an_overview() -> None:
    # 退役军人创业 is an alias, but it names a group: the user asks what the group can get.
    text = "退役军人创业有什么政策"

    assert MessageKindClassifier.kind(text, policy_at(0, len("退役军人创业")), "ask_overview") is None


def kb_policy_entities(text: str) -> list[dict]:
    from bot.nlu.message_kind import catalogue
    from policies_kb.entities import POLICY, PhraseScanner

    found = PhraseScanner(catalogue()).recognize(text)
    return [
        {"entity": "policy", "value": m.canonical_id, "start": m.start, "end": m.end}
        for m in found
        if m.label == POLICY
    ]


def test_an_impersonal_yes_no_question_a_rule_answers_is_a_policy_question() -> None:
    from bot.nlu.message_kind import catalogue

    text = "农民合作社可以申请创业组织创业担保贷款吗"
    entities = kb_policy_entities(text)
    (named,) = {e["value"] for e in entities}
    assert any("农民合作社" in r.text for r in catalogue().policies[named].eligibility)

    assert MessageKindClassifier.kind(text, entities, "check_eligibility") == POLICY_INTENT


@pytest.mark.parametrize(
    "text",
    [
        "我们是农民合作社，可以申请创业组织创业担保贷款吗",  # about the user: the check
        "创业组织创业担保贷款怎么申请",  # not a yes/no question
        "创业组织创业担保贷款今年还有吗",  # no rule or condition is asked about
    ],
)
def test_other_eligibility_questions_keep_the_check(text: str) -> None:
    assert MessageKindClassifier.kind(text, kb_policy_entities(text), "check_eligibility") is None
