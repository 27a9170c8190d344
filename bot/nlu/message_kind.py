"""Rasa component that routes messages the intent classifier cannot judge (issue #16, part 5).

Runs last in the pipeline, after FallbackClassifier, and overrides the intent of four kinds of
message, each answered by a rule (data/rules/conversation.yml):

- `empty_message`: nothing to read — spaces (half- or full-width), punctuation, emoji, a lone
  interjection. A lone number is left to the classifier: it may answer a menu or a form question. The featurisers give such a text no features, so without this the classifier's
  guess decides (or, for an empty text, nothing replies at all).
- `english`: Latin-script text without Chinese characters. The classifier is trained on Chinese and
  reads English as noise (it used to answer "How can I get a startup loan?" with the bot-challenge
  reply); the English action answers it from the knowledge base.
- `out_of_scope`: a question about another city's policies (深圳创业补贴有多少) that does not mention
  Shanghai. The knowledge base holds Shanghai's policies only, so answering with its figures is wrong.
- `ask_policy`: a message that is essentially a policy name (就业困难人员灵活就业社保补贴). The KB
  recogniser finds the name; without this the applicant group inside the name made it a profile
  statement (`inform`). Also any message naming a policy that the classifier could only call
  "not understood" or "out of scope" (创业担保贷款征信有问题能办吗 is neither).

Every other message keeps the classifier's intent, except that `empty_message` and `english` are
decided here only: a classifier guess of either for a message that is neither gives way to the next
intent of its ranking.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from policies_kb.catalogue import load_catalogue
from policies_kb.kb import reference_date
from policies_kb.model import Catalogue
from policies_kb.render.answers import condition_lines, detect_aspects

EMPTY_INTENT = "empty_message"
# What TextNormaliser puts in place of a text that is only whitespace (see there).
EMPTY_TEXT = "empty"
ENGLISH_INTENT = "english"
# Another city's policies are out of scope: the out-of-scope reply says so and points to that city's
# 12333 (domain/conversation.yml, utter_out_of_scope).
OTHER_CITY_INTENT = "out_of_scope"
POLICY_INTENT = "ask_policy"

# A lone interjection carries no question (啊, 呃). Not 嗯 or 哦: those say yes (affirm).
INTERJECTIONS = frozenset("啊呃额唉诶欸喔")

# The Latin small talk the Chinese training data knows (hello, bye bye, thanks a lot, nope, help):
# messages of only these words keep the classifier's intent.
KNOWN_LATIN_WORDS = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "bye",
        "see",
        "you",
        "ok",
        "okay",
        "thanks",
        "thank",
        "ty",
        "thx",
        "a",
        "lot",
        "yes",
        "yep",
        "yeah",
        "no",
        "nope",
        "help",
        "quit",
        "stop",
        "q",
    ]
)

# Other cities people compare Shanghai with. 长三角 questions name them too, but ask about the
# cooperation, which Shanghai's knowledge base covers.
OTHER_CITIES = (
    "北京",
    "天津",
    "重庆",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "无锡",
    "宁波",
    "合肥",
    "成都",
    "武汉",
    "西安",
    "长沙",
    "郑州",
    "青岛",
    "厦门",
    "福州",
    "济南",
    "沈阳",
    "大连",
    "昆山",
    "嘉兴",
    "南通",
)
SHANGHAI_MARKERS = ("上海", "沪", "长三角")
# Only a question about policies is another city's policy question ("去北京的机票" is out of scope).
POLICY_CUES = (
    "创业",
    "补贴",
    "补助",
    "贷款",
    "政策",
    "社保",
    "孵化",
    "培训",
    "扶持",
    "大赛",
    "开店",
    "开公司",
)

# A policy name is "the message" when, punctuation and particles aside, nothing else is left
# (预约创业指导专家 is a booking: 预约 is left). Only a classifier guess of a profile statement or of
# "not understood" is overridden: the classifier read 就业困难人员 in the name as a fact about the user.
FILLER = re.compile(r"[的吗呢吧呀啊了嘛？?！!。.，,、\s]|请问|想问|问一下|了解一下|了解|政策|是什么|介绍")
OVERRIDABLE_BY_POLICY_NAME = ("inform", "nlu_fallback")
# A message that names a policy the knowledge base has is a question about it when the classifier
# could only say "not understood" or "out of scope": the policy answer (or its honest "not found")
# helps more than "没有听懂", and the KB never holds anything out of scope. Another city's question
# is decided before this (other_city).
OVERRIDABLE_BY_ANY_POLICY = ("nlu_fallback", "out_of_scope")
# An overview question that names one item (长三角创业有什么政策, 处在创业准备期有什么培训) asks about
# that item, unless the name is a group's phrase (退役军人创业有什么政策 asks what the group can get).
OVERVIEW_INTENT = "ask_overview"
# A yes/no question about a named policy that does not speak of the user (民办非企业单位能申请创业组织
# 贷款吗) is a question about the policy's rules, not a request to be checked: when a rule of the
# policy (or a condition aspect: 户籍, 合伙, 注册前, ...) answers it, the policy answer gives that rule
# and offers the check, instead of starting the check's questions.
ELIGIBILITY_INTENT = "check_eligibility"
FIRST_PERSON = re.compile(r"我|本人|咱")
YES_NO = re.compile(r"[吗么不]$|[吗么][？?。！!]*$|能不能|可不可以|是否|能否|算不算|行不行|有没有")
CONDITION_ASPECTS = frozenset(
    {"non_hukou", "partnership", "before_registration", "times", "guarantor", "overdue", "combine"}
)

_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def is_contentless(text: str) -> bool:
    """Nothing to answer: no letters or digits at all, or a lone interjection."""
    letters = [ch for ch in text if unicodedata.category(ch)[0] in "LN"]
    if not letters:
        return True  # spaces, punctuation, emoji only
    return all(ch in INTERJECTIONS for ch in letters)


def is_english(text: str) -> bool:
    """Latin-script words and no Chinese characters ("hello", "bye bye", "3q" excepted)."""
    if any(_is_cjk(ch) for ch in text):
        return False
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    return bool(words) and not all(w in KNOWN_LATIN_WORDS for w in words)


def other_city(text: str) -> str | None:
    """The other city asked about, when the message does not also speak of Shanghai."""
    if any(marker in text for marker in SHANGHAI_MARKERS) or not any(cue in text for cue in POLICY_CUES):
        return None
    return next((city for city in OTHER_CITIES if city in text), None)


def names_policy(entities: list[dict[str, Any]]) -> bool:
    return any(e.get("entity") == "policy" and e.get("value") for e in entities)


@functools.cache
def catalogue() -> Catalogue:
    """The knowledge base's files, read once per process (as the KB entity extractor reads them)."""
    return load_catalogue()


def rule_answers(text: str, entities: list[dict[str, Any]]) -> bool:
    """An impersonal yes/no question about a named policy that one of its rules or a condition
    aspect answers."""
    if FIRST_PERSON.search(text) or not YES_NO.search(text.strip()):
        return False
    kb = catalogue()
    named = [
        kb.policies[e["value"]]
        for e in entities
        if e.get("entity") == "policy" and e.get("value") in kb.policies
    ]
    if not named:
        return False
    if CONDITION_ASPECTS & set(detect_aspects(text)):
        return True
    on = reference_date()
    return any(condition_lines(policy, kb, on, text)[0] for policy in named)


@functools.cache
def group_forms() -> tuple[str, ...]:
    """Every way the knowledge base's applicant groups are written (退役军人, 大学生, ...)."""
    groups = catalogue().vocabulary.applicant_groups.values()
    return tuple(form for group in groups for form in group.surface_forms)


def names_item_not_group(text: str, entities: list[dict[str, Any]]) -> bool:
    """A policy is named by words that are not an applicant group's phrase."""
    for e in entities:
        if (
            e.get("entity") != "policy"
            or not isinstance(e.get("start"), int)
            or not isinstance(e.get("end"), int)
        ):
            continue
        span = text[e["start"] : e["end"]]
        if not any(form in span for form in group_forms()):
            return True
    return False


def is_bare_policy_name(text: str, entities: list[dict[str, Any]]) -> bool:
    """The message is a recognised policy name and (almost) nothing else."""
    spans = [
        (e["start"], e["end"])
        for e in entities
        if e.get("entity") == "policy" and e.get("start") is not None and e.get("end") is not None
    ]
    if not spans:
        return False
    rest = list(text)
    for start, end in spans:
        rest[start:end] = [""] * (end - start)
    return not FILLER.sub("", "".join(rest))


RULE_ONLY_INTENTS = (EMPTY_INTENT, ENGLISH_INTENT)


def _set_intent(message: Message, name: str) -> None:
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, intent, add_to_output=True)
    message.set("intent_ranking", [intent], add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MessageKindClassifier(GraphComponent):
    """Overrides the intent of contentless, English, other-city and bare-policy-name messages."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageKindClassifier:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            guess = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            kind = self.kind(message.get(TEXT) or "", message.get(ENTITIES) or [], guess)
            if kind:
                _set_intent(message, kind)
            elif guess in RULE_ONLY_INTENTS:
                self._next_best(message)
        return messages

    @staticmethod
    def _next_best(message: Message) -> None:
        ranking = [
            dict(i)
            for i in message.get("intent_ranking") or []
            if i.get(INTENT_NAME_KEY) not in RULE_ONLY_INTENTS
        ]
        intent = ranking[0] if ranking else {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, intent, add_to_output=True)
        message.set("intent_ranking", ranking or [intent], add_to_output=True)

    @staticmethod
    def kind(text: str, entities: list[dict[str, Any]], guess: str | None = "inform") -> str | None:
        if text == EMPTY_TEXT or is_contentless(text):
            return EMPTY_INTENT
        if is_english(text):
            return ENGLISH_INTENT
        if other_city(text):
            return OTHER_CITY_INTENT
        if guess in OVERRIDABLE_BY_POLICY_NAME and is_bare_policy_name(text, entities):
            return POLICY_INTENT
        if guess in OVERRIDABLE_BY_ANY_POLICY and names_policy(entities):
            return POLICY_INTENT
        if guess == OVERVIEW_INTENT and names_item_not_group(text, entities):
            return POLICY_INTENT
        if guess == ELIGIBILITY_INTENT and rule_answers(text, entities):
            return POLICY_INTENT
        return None
