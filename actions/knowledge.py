"""The knowledge base as the actions see it: opened once per action-server process."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import lru_cache

from rasa_sdk import Tracker

from agent_desk import record_unanswered
from policies_kb import KnowledgeBase, reference_date


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    # Reads DATABASE_URL; serves what the database holds (see KnowledgeBase.for_serving).
    return KnowledgeBase.for_serving()


def today() -> date:
    return reference_date()


async def log_unanswered(tracker: Tracker) -> None:
    """Put the question on the policy team's list (no sender id; personal data masked there)."""
    text = tracker.latest_message.get("text") or ""
    channel = tracker.get_latest_input_channel() or "rest"
    await asyncio.get_running_loop().run_in_executor(None, record_unanswered, text, channel)
