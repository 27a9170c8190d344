"""The knowledge base as the actions see it: opened once per action-server process."""

from __future__ import annotations

import asyncio
from datetime import date

from rasa_sdk import Tracker

from agent_desk import record_unanswered
from policies_kb import reference_date
from policies_kb.kb import shared_kb

# The process's knowledge base for DATABASE_URL: what the database holds, read once
# (`knowledge_base()`; tests reset it with `knowledge_base.cache_clear()`).
knowledge_base = shared_kb


def today() -> date:
    return reference_date()


async def log_unanswered(tracker: Tracker) -> None:
    """Put the question on the policy team's list (no sender id; personal data masked there)."""
    text = tracker.latest_message.get("text") or ""
    channel = tracker.get_latest_input_channel() or "rest"
    await asyncio.get_running_loop().run_in_executor(None, record_unanswered, text, channel)
