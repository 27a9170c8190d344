"""What happens when the assistant does not understand: an honest reply and a way to a human."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import log_unanswered
from actions.responses import human_contact

logger = logging.getLogger(__name__)


class ActionFallbackToHuman(Action):
    def name(self) -> str:
        return "action_fallback_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        intent = tracker.latest_message.get("intent", {})
        logger.info(
            "fallback: intent=%s confidence=%.2f", intent.get("name"), intent.get("confidence") or 0.0
        )
        await log_unanswered(tracker)
        dispatcher.utter_message(response="utter_fallback_to_human", contact=human_contact(domain))
        # Forget the misunderstood message so it does not steer the next prediction.
        return [UserUtteranceReverted()]
