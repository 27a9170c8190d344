"""Agent desk: call-centre (12333) agent accounts, login tokens and the log of questions the
assistant could not answer. Framework-free: never imports rasa, rasa_sdk, sanic, aiohttp or bot.

Typical use::

    from agent_desk import record_unanswered, shared_desk
    desk = shared_desk()                                      # DATABASE_URL, migrated, one per process
    desk.create_user("wang", "agent", "a long password")
    session = desk.login("wang", "a long password", address="203.0.113.7")  # -> IssuedToken (token once)
    desk.user_for_token(session.token)                        # -> Agent, or None when unknown/expired
    record_unanswered("灵活就业社保补贴怎么退？", channel="wechat")   # from the bot's fallback
"""

from __future__ import annotations

from agent_desk.accounts import ROLES, Agent, IssuedToken
from agent_desk.db import make_engine, migrate
from agent_desk.desk import AgentDesk, record_unanswered, shared_desk
from agent_desk.errors import (
    AgentDeskError,
    AuthenticationError,
    DuplicateUserError,
    InvalidInputError,
    LoginThrottledError,
)
from agent_desk.unanswered import UnansweredGroup, mask_personal_data, normalise_question

__all__ = [
    "ROLES",
    "Agent",
    "AgentDesk",
    "AgentDeskError",
    "AuthenticationError",
    "DuplicateUserError",
    "InvalidInputError",
    "IssuedToken",
    "LoginThrottledError",
    "UnansweredGroup",
    "make_engine",
    "mask_personal_data",
    "migrate",
    "normalise_question",
    "record_unanswered",
    "shared_desk",
]
