"""Answers to policy questions, built from the knowledge base with sources.

Which policy: the KB entities of this message, else the policy talked about before (for follow-ups
such as "那利息呢？"), else a KB search. Which part of it: the `aspect` entity (amount, interest,
duration, eligibility, how_to_apply, materials, deadline, source); without one, the policy card.
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

from actions import texts
from actions.knowledge import knowledge_base, log_unanswered, today
from policies_kb import Fact, KnowledgeBase, Policy, render_citation, render_fact, source_statuses
from policies_kb.render import LAPSED_MARK, part_notices

logger = logging.getLogger(__name__)

# A search hit is taken as the answer when it clearly beats the runner-up; otherwise we ask.
CLEAR_WINNER_RATIO = 1.5
MAX_CHOICES = 4
MAX_RELATED = 5

# Fact labels that answer each numeric aspect (labels are Chinese, from the data files).
ASPECT_LABEL_WORDS = {
    "amount": ("额度", "金额", "标准", "最高", "补贴", "资助", "奖励", "人数"),
    "interest": ("利率", "贴息", "利息"),
    "duration": ("期限", "时长", "年限", "期"),
}


def latest_entity_values(tracker: Tracker, entity: str) -> list[str]:
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def policy_payload(policy_id: str) -> str:
    return "/ask_policy" + json.dumps({"policy": policy_id}, ensure_ascii=False)


def policy_buttons(policies: Iterable[Policy]) -> list[dict[str, str]]:
    return [{"title": p.name, "payload": policy_payload(p.id)} for p in policies]


def resolve_policies(tracker: Tracker, kb: KnowledgeBase, on: date) -> tuple[list[Policy], list[Policy]]:
    """(policies to answer about, candidates to choose from when the question is ambiguous)."""
    named = [
        kb.catalogue.policies[i]
        for i in latest_entity_values(tracker, "policy")
        if i in kb.catalogue.policies
    ]
    if named:
        return named[:3], []
    previous = tracker.get_slot("policy")
    has_followup_cue = bool(
        latest_entity_values(tracker, "aspect") or latest_entity_values(tracker, "district")
    )
    if previous in kb.catalogue.policies and has_followup_cue:
        return [kb.catalogue.policies[previous]], []
    text = tracker.latest_message.get("text") or ""
    hits = kb.search(text, limit=MAX_CHOICES, on=on)
    if not hits:
        if previous in kb.catalogue.policies:
            return [kb.catalogue.policies[previous]], []
        return [], []
    if len(hits) == 1 or hits[0].score >= CLEAR_WINNER_RATIO * hits[1].score:
        return [kb.catalogue.policies[hits[0].policy_id]], []
    return [], [kb.catalogue.policies[h.policy_id] for h in hits]


def citations_for(
    kb: KnowledgeBase, source_ids: Iterable[str], limit: int = 2, facts: Iterable[Fact] = ()
) -> list[str]:
    """Citation lines; a source backing one of `facts` also says 原文 / 转述 / 待核实."""
    statuses = source_statuses(facts)
    lines = [
        render_citation(kb.source(s), statuses.get(s))
        for s in dict.fromkeys(source_ids)
        if s in kb.catalogue.sources
    ]
    return lines[:limit]


def header(kb: KnowledgeBase, policy: Policy, on: date) -> list[str]:
    fresh = kb.freshness(policy.id, on)
    if fresh.lapsed:
        return [f"{LAPSED_MARK}{policy.name}", f"⚠ {fresh.warning}"]
    if not fresh.in_force:
        return [f"【{policy.name}】⚠ {fresh.warning} 以下为历史口径，请勿据此申请。"]
    lines = [f"【{policy.name}】"]
    if fresh.warning:
        lines.append(f"⚠ {fresh.warning}")
    return lines


def render_aspect(kb: KnowledgeBase, policy: Policy, aspect: str, on: date) -> str | None:
    """The part of the policy the user asked about, or None to fall back to the whole card."""
    old = kb.freshness(policy.id, on).historical
    lines = header(kb, policy, on)
    sources: list[str] = list(policy.sources)
    shown_facts: list[Fact] = []
    if aspect in ASPECT_LABEL_WORDS:
        words = ASPECT_LABEL_WORDS[aspect]
        facts = [f for f in policy.facts if any(w in f.label for w in words)] or list(policy.facts)
        if not facts:
            return None
        lines += [f"· {render_fact(f, old)}" for f in facts]
        shown_facts = facts
        sources = [s for f in facts for s in f.sources] or sources
    elif aspect == "eligibility":
        if not policy.eligibility:
            return None
        lines.append("申请条件：")
        lines += [
            f"· {r.text}{'【待核实】' if r.verification == '待核实' else ''}" for r in policy.eligibility
        ]
        lines += part_notices(policy, kb.catalogue, on)
        lines.append(texts.ASK_ELIGIBILITY_HINT)
        sources = [s for r in policy.eligibility for s in r.sources] or sources
    elif aspect in ("how_to_apply", "deadline"):
        apply = policy.apply
        if apply is None or not (apply.online or apply.offline or apply.deadline):
            lines.append(texts.NO_APPLY_INFO)
        else:
            caveat = "【待核实】" if apply.verification == "待核实" else ""
            if apply.online:
                lines.append(f"线上：{apply.online}{caveat}")
            if apply.offline:
                lines.append(f"线下：{apply.offline}{caveat}")
            if apply.deadline:
                lines.append(f"时限：{apply.deadline}{caveat}")
            sources = list(apply.sources) or sources
        fresh = kb.freshness(policy.id, on)
        if fresh.expires_on and fresh.in_force:
            lines.append(
                f"政策有效期至{fresh.expires_on.year}年{fresh.expires_on.month}月{fresh.expires_on.day}日。"
            )
    elif aspect == "materials":
        if policy.materials:
            lines.append("申请材料：")
            lines += [f"· {m}" for m in policy.materials]
        else:
            lines.append(texts.NO_MATERIALS)
    elif aspect != "source":
        return None
    lines += citations_for(kb, sources, limit=3 if aspect == "source" else 2, facts=shown_facts)
    return "\n".join(lines)


def render_related(kb: KnowledgeBase, policy: Policy, on: date) -> str | None:
    """For an umbrella item (e.g. 创业担保贷款), list its current products of the same category."""
    products = [
        kb.catalogue.policies[i]
        for i in policy.related
        if i in kb.catalogue.policies
        and kb.catalogue.policies[i].category == policy.category
        and kb.freshness(i, on).in_force
    ][:MAX_RELATED]
    if not products:
        return None
    lines = ["包括："]
    for product in products:
        figures = "；".join(render_fact(f) for f in product.facts[:2])
        lines.append(f"· {product.name}" + (f"：{figures}" if figures else ""))
    return "\n".join(lines)


def render_district_note(kb: KnowledgeBase, policy: Policy, district_id: str, on: date) -> str | None:
    district = kb.catalogue.vocabulary.districts.get(district_id)
    if district is None:
        return None
    local = [
        p
        for p in kb.all()
        if p.scope == "district"
        and p.district == district_id
        and kb.freshness(p.id, on).in_force
        and (p.category == policy.category or policy.id in p.related or p.id in policy.related)
    ]
    if policy.scope == "district" and policy.district != district_id:
        own = kb.catalogue.vocabulary.districts.get(policy.district or "")
        note = f"「{policy.name}」是{own.name if own else '其他区'}的区级政策，{district.name}不适用。"
    else:
        note = f"「{policy.name}」是全市政策，在{district.name}同样适用；线下可到{district.name}就业促进中心创业指导服务部门办理。"
    if local:
        note += (
            f"\n{district.name}另有区级政策：" + "、".join(f"「{p.name}」" for p in local) + "，可以接着问。"
        )
    return note


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        kb, on = knowledge_base(), today()
        policies, choices = resolve_policies(tracker, kb, on)
        if choices:
            dispatcher.utter_message(text=texts.WHICH_ONE, buttons=policy_buttons(choices))
            return []
        if not policies:
            logger.info("no KB answer for a policy question")
            await log_unanswered(tracker)
            dispatcher.utter_message(text=texts.NOT_FOUND)
            return [SlotSet("aspect", None)]
        aspects = latest_entity_values(tracker, "aspect")
        districts = latest_entity_values(tracker, "district")
        for policy in policies:
            dispatcher.utter_message(text=self.answer(kb, policy, aspects, districts, on))
        return [SlotSet("policy", policies[-1].id), SlotSet("aspect", None)]

    @staticmethod
    def answer(kb: KnowledgeBase, policy: Policy, aspects: list[str], districts: list[str], on: date) -> str:
        parts = [part for aspect in aspects if (part := render_aspect(kb, policy, aspect, on))]
        if districts and not parts:
            note = render_district_note(kb, policy, districts[0], on)
            if note:
                return note
        if parts:
            return "\n\n".join(parts)
        card = kb.render_card(policy.id, on)
        related = render_related(kb, policy, on) if not policy.facts else None
        if not related:
            return card
        # The product list belongs with the figures, before the source lines that close the card.
        head, sep, sources = card.partition("\n\n来源：")
        return f"{head}\n\n{related}{sep}{sources}"
