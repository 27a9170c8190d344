"""Overview questions ("大学生创业有什么扶持？"): a short list fitted to what the user said."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import knowledge_base, today
from actions.policy_answers import latest_entity_values, policy_buttons
from actions.responses import text_of
from policies_kb import KnowledgeBase, Policy
from policies_kb.render import overview_line

MAX_ITEMS = 6
# Categories a founder usually asks about first, in the order they are listed.
CATEGORY_ORDER = (
    "subsidy",
    "loan",
    "training",
    "incubation",
    "flexible_employment",
    "expert_service",
    "competition",
)


def current_city_policies(kb: KnowledgeBase, on: date) -> list[Policy]:
    return [
        p
        for p in kb.all()
        if p.scope == "city" and p.category in CATEGORY_ORDER and kb.freshness(p.id, on).in_force
    ]


def fitted_policies(kb: KnowledgeBase, tracker: Tracker, on: date) -> list[Policy]:
    """Search with the user's own words; fall back to one item per main category."""
    text = tracker.latest_message.get("text") or ""
    hits = [
        kb.catalogue.policies[h.policy_id] for h in kb.search(text, limit=MAX_ITEMS * 2, on=on) if h.current
    ]
    district = next(iter(latest_entity_values(tracker, "district")), None)
    fitted = [p for p in hits if p.scope == "city" or p.district == district]
    if len(fitted) >= 3:
        return fitted[:MAX_ITEMS]
    chosen: list[Policy] = list(fitted)
    for category in CATEGORY_ORDER:
        for policy in current_city_policies(kb, on):
            if policy.category == category and policy not in chosen and not policy.partial:
                chosen.append(policy)
                break
    return chosen[:MAX_ITEMS]


class ActionPolicyOverview(Action):
    def name(self) -> str:
        return "action_policy_overview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        kb, on = knowledge_base(), today()
        policies = fitted_policies(kb, tracker, on)
        groups = [
            kb.catalogue.vocabulary.applicant_groups[g].name
            for g in latest_entity_values(tracker, "applicant_group")
            if g in kb.catalogue.vocabulary.applicant_groups
        ]
        intro = (
            text_of(domain, "utter_policy_overview_intro_for_group", who="、".join(groups))
            if groups
            else text_of(domain, "utter_policy_overview_intro")
        )
        dispatcher.utter_message(
            response="utter_policy_overview",
            intro=intro,
            policies="\n".join(overview_line(p) for p in policies),
            buttons=policy_buttons(policies[:4]),
        )
        return []
