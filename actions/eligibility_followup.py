"""Facts stated outside the form, once a policy is in the conversation: the check of that policy.

"想办创业前创业担保贷款" may be answered with the policy's card (a policy question); the facts the
user then states one by one ("30岁", "上海户籍", "征信有逾期记录") are meant for that policy, so each
is read as a check of it: the verdict when the facts decide it, else the form asks what is missing.
A correction after a verdict ("不对，公司是2023年8月注册的") is judged again the same way, keeping the
questions the user already said they could not answer.

Everything else stated outside the form (a district after a policy question, facts with no policy in
the conversation, a correction of a check of all policies) stays with `action_answer_followup`.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.eligibility import (
    ALL_POLICIES,
    ASKED,
    ActionStartEligibility,
    checkable,
    choose_policy,
    stated_fields,
    stored_profile,
)
from actions.followups import ActionAnswerFollowup
from actions.knowledge import knowledge_base, today
from policies_kb.profile_text import extract_profile

RECHECKED = "已按您更正的情况重新判断：\n\n"
# Facts that locate an organisation rather than describe the applicant: after a policy question
# "公司在浦东" asks for the district's version of the policy (action_answer_followup).
PLACE_FIELDS = frozenset({"registration_district"})


class ActionEligibilityFollowup(Action):
    def name(self) -> str:
        return "action_eligibility_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb, on = knowledge_base(), today()
        facts = extract_profile(tracker.latest_message.get("text") or "", on)
        policy_id = choose_policy(tracker, kb)
        if (
            policy_id == ALL_POLICIES
            or not checkable(kb.get(policy_id))
            or not stated_fields(facts) - PLACE_FIELDS
        ):
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        again = policy_id == tracker.get_slot("eligibility_policy")
        skipped = list(stored_profile(tracker).get(ASKED) or []) if again else []
        collecting = CollectingDispatcher()
        events = [
            self._keep_skipped(e, skipped)
            for e in await ActionStartEligibility().run(collecting, tracker, domain)
        ]
        answered = any(isinstance(e, dict) and e.get("name") == "action_listen" for e in events)
        if answered:  # a verdict or a yes/no answer at once
            for i, message in enumerate(collecting.messages):
                if again and i == 0 and message.get("text"):
                    message = {**message, "text": RECHECKED + message["text"]}
                dispatcher.messages.append(message)
            return events
        if not again:  # the introduction of a new check; a corrected one goes on with its next question
            dispatcher.messages.extend(collecting.messages)
        return [*events, FollowupAction("eligibility_form")]

    @staticmethod
    def _keep_skipped(event: Any, skipped: list[str]) -> Any:
        """A correction keeps the questions answered "不知道" in the check it corrects."""
        if not skipped or not (isinstance(event, dict) and event.get("name") == "profile"):
            return event
        value = dict(event.get("value") or {})
        value[ASKED] = [*value.get(ASKED, []), *(f for f in skipped if f not in value.get(ASKED, []))]
        return SlotSet("profile", value)
