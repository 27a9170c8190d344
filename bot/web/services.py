"""The domain objects one web-server process shares between requests."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from aiohttp import web

from agent_desk import AgentDesk
from consultations import BookingService
from policies_kb import KnowledgeBase


@dataclass
class Services:
    kb: KnowledgeBase
    bookings: BookingService
    desk: AgentDesk
    rasa_url: str
    http: aiohttp.ClientSession | None = None


SERVICES = web.AppKey("services", Services)


def services(request: web.Request) -> Services:
    return request.app[SERVICES]
