"""English messages (issue #16, part 5): a short English reply built from the knowledge base.

bot.nlu.message_kind marks a Latin-script message as intent `english`; this action finds the
policies it is about with the English words of actions/english_terms.yml (words → KB policy ids),
names them by their official Chinese names, and, when the question asks a figure (amount, term) of
one policy, gives that figure from the knowledge base. The wording is the domain's (domain/
conversation.yml, utter_english_*); every name and figure comes from the knowledge base.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import knowledge_base, log_unanswered
from policies_kb import KnowledgeBase, Policy

TERMS_FILE = Path(__file__).with_name("english_terms.yml")


@dataclass(frozen=True)
class EnglishQuestion:
    policies: tuple[str, ...]  # KB policy ids, the one answered first
    aspect: str | None  # "amount" / "term" when a figure is asked
    human: bool  # asks for a person


@functools.cache
def english_terms() -> dict[str, Any]:
    return yaml.safe_load(TERMS_FILE.read_text(encoding="utf-8"))


def _has(text: str, terms: list[str]) -> bool:
    return any(term in text for term in terms)


def read_question(text: str) -> EnglishQuestion:
    terms = english_terms()
    lowered = " ".join(text.lower().split())
    policies = next((tuple(e["policies"]) for e in terms["policies"] if _has(lowered, e["terms"])), ())
    aspect = next((a["aspect"] for a in terms["aspects"] if _has(lowered, a["terms"])), None)
    return EnglishQuestion(policies, aspect, _has(lowered, terms["human"]))


def english_figure(policy: Policy, aspect: str | None) -> str | None:
    """The KB's figure for `aspect` (the amount when none was asked) in English, if it has one."""
    terms = english_terms()
    for key in terms["fact_keys"][aspect or "amount"]:
        fact = policy.fact(key)
        if fact is None or fact.value is None or fact.unit not in terms["units"]:
            continue
        value = fact.value if not float(fact.value).is_integer() else int(fact.value)
        return terms["units"][fact.unit].format(value=value)
    return None


def answer_line(kb: KnowledgeBase, question: EnglishQuestion) -> str:
    """ "<name>: <aspect> <figure>" for the first policy, or "" when the KB has no such figure."""
    policy = kb.catalogue.policies[question.policies[0]]
    figure = english_figure(policy, question.aspect)
    if figure is None:
        return ""
    what = {"term": "longest term", "amount": "amount"}[question.aspect or "amount"]
    return f"{policy.name}: {what} {figure}.\n"


class ActionAnswerEnglish(Action):
    def name(self) -> str:
        return "action_answer_english"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        question = read_question(tracker.latest_message.get("text") or "")
        kb = knowledge_base()
        known = tuple(p for p in question.policies if p in kb.catalogue.policies)
        if question.human and not known:
            dispatcher.utter_message(response="utter_english_human")
            return []
        if not known:
            await log_unanswered(tracker)
            dispatcher.utter_message(response="utter_english_unknown")
            return []
        question = EnglishQuestion(known, question.aspect, question.human)
        names = "\n".join(f"- {kb.catalogue.policies[p].name}" for p in known)
        dispatcher.utter_message(
            response="utter_english_policies", policies=names, answer=answer_line(kb, question)
        )
        return []
