"""Short replies outside any form: corrections to an earlier check, a district, an aspect."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.eligibility import (
    ALL_POLICIES,
    ActionStartEligibility,
    choose_policy,
    merge,
    stored_profile,
    user_fields,
)
from actions.knowledge import knowledge_base, log_unanswered, today
from actions.policy_answers import ActionAnswerPolicy, latest_entity_values
from policies_kb import ProfileError, render_answer, render_check_all
from policies_kb.profile_text import extract_profile

# A message the classifier took for a statement of facts may still ask something (就业困难人员里大龄是指
# 多大年纪): then it gets the policy answer, not "记下了" or "没明白".
QUESTION = re.compile(
    r"[吗？?]|多少|多大|多久|几[个年月次岁人家]|怎么|怎样|如何|哪|是否|能不能|可不可以|有没有|算不算|是什么|有什么"
)


def is_question(text: str) -> bool:
    return bool(QUESTION.search(text))


class ActionAnswerFollowup(Action):
    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        kb, on = knowledge_base(), today()
        facts = extract_profile(tracker.latest_message.get("text") or "", on)
        checked = tracker.get_slot("eligibility_policy")
        text = tracker.latest_message.get("text") or ""
        if facts and [p for p in latest_entity_values(tracker, "policy") if p in kb.catalogue.policies]:
            # A message that names a policy and gives facts: the verdict (or the condition) at once.
            named = choose_policy(tracker, kb)
            profile = merge(stored_profile(tracker), facts)
            direct = ActionStartEligibility.direct_answer(kb, named, text, facts, profile, on)
            if direct is not None:
                reply, buttons, events = direct
                dispatcher.utter_message(text=reply, buttons=buttons)
                return [*events, SlotSet("profile", profile)]
            checked = named
        if facts:
            profile = merge(stored_profile(tracker), facts)
            try:
                applicant = kb.profile(user_fields(profile))
            except ProfileError as error:
                dispatcher.utter_message(text="；".join(error.messages))
                return []
            if checked == ALL_POLICIES:
                dispatcher.utter_message(text=render_check_all(kb.check_all(applicant, on), kb.catalogue))
            elif checked in kb.catalogue.policies:
                prefix = (
                    ""
                    if checked != tracker.get_slot("eligibility_policy")
                    else "已按您更正的情况重新判断：\n\n"
                )
                dispatcher.utter_message(text=prefix + kb.render_check(kb.check(checked, applicant, on)))
                events = [SlotSet("profile", profile)]
                if checked != tracker.get_slot("eligibility_policy"):
                    events.append(SlotSet("eligibility_policy", checked))
                return events
            elif is_question(text):
                answered = await ActionAnswerPolicy().run(dispatcher, tracker, domain)
                return [*answered, SlotSet("profile", profile)]
            else:
                dispatcher.utter_message(response="utter_followup_noted")
            return [SlotSet("profile", profile)]
        policy_id = tracker.get_slot("policy")
        if policy_id in kb.catalogue.policies and (
            latest_entity_values(tracker, "district") or latest_entity_values(tracker, "aspect")
        ):
            answer = render_answer(
                kb.get(policy_id),
                kb.catalogue,
                on,
                latest_entity_values(tracker, "aspect"),
                latest_entity_values(tracker, "district"),
            )
            dispatcher.utter_message(text=answer)
            return []
        if is_question(text):
            # The policy answer logs the question itself when the KB has nothing for it.
            return await ActionAnswerPolicy().run(dispatcher, tracker, domain)
        await log_unanswered(tracker)
        dispatcher.utter_message(response="utter_followup_unclear")
        return []
