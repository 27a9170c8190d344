"""Answers to policy questions, built from the knowledge base with sources.

Which policy: the KB entities of this message, else the policy talked about before (for follow-ups
such as "那利息呢？"), else a KB search. Which part of it: the aspects the question's words ask for
(`detect_aspects`: guarantor, times, overdue, partnership, non_hukou, before_registration, combine,
interest, duration, amount, ...) and the `aspect` entity; without one, the policy card. A question
that spans policies (two named, a combine, an aspect of several products) gets one answer covering
each of them; the menu only when no policy has what was asked.
The answer itself is rendered by the knowledge base (`policies_kb.render.policy_answer`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import knowledge_base, log_unanswered, today
from actions.responses import human_contact
from policies_kb import KnowledgeBase, Policy, render_answer
from policies_kb.render.answers import aspect_answer, cross_policy_answer, detect_aspects, expanded
from policies_kb.search import shared_alias_meaning

logger = logging.getLogger(__name__)

# A search hit is taken as the answer when it clearly beats the runner-up; otherwise we ask.
CLEAR_WINNER_RATIO = 1.5
# A search hit sharing less than this share of the question's informative words answers another
# question (医保卡丢了怎么补办 has no word of the KB, 买新能源车有补贴吗 only 补贴): say the KB has nothing.
MIN_COVERAGE = 0.12
MAX_CHOICES = 4


def latest_entity_values(tracker: Tracker, entity: str) -> list[str]:
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def policy_payload(policy_id: str) -> str:
    return "/ask_policy" + json.dumps({"policy": policy_id}, ensure_ascii=False)


def policy_buttons(policies: Iterable[Policy]) -> list[dict[str, str]]:
    return [{"title": p.name, "payload": policy_payload(p.id)} for p in policies]


def named_policy_ids(tracker: Tracker, kb: KnowledgeBase) -> list[str]:
    """The policies the message names: its policy entities, then what an alias several policies share
    (社保补贴) stands for in its context (the groups said or in the profile, the other policy named)."""
    ids = [i for i in latest_entity_values(tracker, "policy") if i in kb.catalogue.policies]
    entities = tracker.latest_message.get("entities", [])
    spans = [
        (e["start"], e["end"])
        for e in entities
        if e.get("entity") == "policy" and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
    ]
    profile = tracker.get_slot("profile")
    stored = profile.get("groups") if isinstance(profile, dict) else None
    groups = [
        *latest_entity_values(tracker, "applicant_group"),
        *(stored if isinstance(stored, list) else []),
    ]
    text = tracker.latest_message.get("text") or ""
    shared = shared_alias_meaning(kb.catalogue, text, ids, [g for g in groups if isinstance(g, str)], spans)
    return list(dict.fromkeys([*ids, *shared]))


def resolve_policies(tracker: Tracker, kb: KnowledgeBase, on: date) -> tuple[list[Policy], list[Policy]]:
    """(policies to answer about, candidates to choose from when the question is ambiguous)."""
    named = [kb.catalogue.policies[i] for i in named_policy_ids(tracker, kb)]
    if named:
        return named[:3], []
    previous = tracker.get_slot("policy")
    has_followup_cue = bool(
        latest_entity_values(tracker, "aspect") or latest_entity_values(tracker, "district")
    )
    if previous in kb.catalogue.policies and has_followup_cue:
        return [kb.catalogue.policies[previous]], []
    text = tracker.latest_message.get("text") or ""
    hits = [h for h in kb.search(text, limit=MAX_CHOICES, on=on) if h.coverage >= MIN_COVERAGE]
    if not hits:
        if previous in kb.catalogue.policies:
            return [kb.catalogue.policies[previous]], []
        return [], []
    if len(hits) == 1 or hits[0].score >= CLEAR_WINNER_RATIO * hits[1].score:
        return [kb.catalogue.policies[hits[0].policy_id]], []
    return [], [kb.catalogue.policies[h.policy_id] for h in hits]


def asked_aspects(tracker: Tracker) -> list[str]:
    """The question's own aspect words first (the most specific), then the `aspect` entity."""
    text = tracker.latest_message.get("text") or ""
    return list(dict.fromkeys([*detect_aspects(text), *latest_entity_values(tracker, "aspect")]))


def spans_policies(policies: list[Policy], aspects: list[str]) -> bool:
    return len(policies) >= 2 and bool(aspects)


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        kb, on = knowledge_base(), today()
        policies, choices = resolve_policies(tracker, kb, on)
        aspects = asked_aspects(tracker)
        question = tracker.latest_message.get("text") or ""
        districts = latest_entity_values(tracker, "district")
        if choices and aspects:
            top = choices[0].category
            group = expanded([c for c in choices if c.category == top], kb.catalogue, on)
            if (answer := cross_policy_answer(group, aspects, kb.catalogue, on, question)) is not None:
                dispatcher.utter_message(text=answer.text)
                return [SlotSet("policy", group[0].id), SlotSet("aspect", None)]
        if choices:
            dispatcher.utter_message(response="utter_which_policy", buttons=policy_buttons(choices))
            return []
        if not policies:
            logger.info("no KB answer for a policy question")
            await log_unanswered(tracker)
            dispatcher.utter_message(response="utter_policy_not_found", contact=human_contact(domain))
            return [SlotSet("aspect", None)]
        # An umbrella item stands for its products, unless it has its own conditions or channels
        # (黄浦创卡's conditions, not a comparison of its parts); figures stay per product.
        own = (
            len(policies) == 1
            and aspects[:1] in (["eligibility"], ["how_to_apply"], ["deadline"], ["materials"], ["source"])
            and aspect_answer(policies[0], aspects[0], kb.catalogue, on) is not None
        )
        covered = expanded(policies, kb.catalogue, on) if aspects and not own else policies
        if spans_policies(covered, aspects) and (
            answer := cross_policy_answer(covered, aspects, kb.catalogue, on, question)
        ):
            dispatcher.utter_message(text=answer.text)
            return [SlotSet("policy", policies[-1].id), SlotSet("aspect", None)]
        for policy in policies:
            dispatcher.utter_message(
                text=render_answer(policy, kb.catalogue, on, aspects, districts, question)
            )
        return [SlotSet("policy", policies[-1].id), SlotSet("aspect", None)]
