"""GET /api/notices: the reminders waiting for the widget's conversation, shown when it opens.

WeChat notices are pushed by the scheduler (bot/scheduler.py); the widget cannot be pushed to, so
its due notices wait until the page asks, with the same server-issued session token as /api/chat.
Each notice is handed out once (marked sent as it is taken).
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.web.http import json_response
from bot.web.services import services
from bot.web.widget import SESSION_HEADER, SIGNER
from consultations.identity import web_user
from reminders import shared_reminders

routes = web.RouteTableDef()
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": SESSION_HEADER,
    "Access-Control-Max-Age": "86400",
}


@routes.options("/api/notices")
async def notices_preflight(request: web.Request) -> web.Response:
    return web.Response(status=204, headers=CORS_HEADERS)


@routes.get("/api/notices")
async def widget_notices(request: web.Request) -> web.Response:
    """[{text}] for the session's due notices; [] without a valid session (nothing to show)."""
    session_id = request.app[SIGNER].session_id(request.headers.get(SESSION_HEADER))
    taken = []
    if session_id is not None:
        reminders = shared_reminders(services(request).kb.database_url)
        taken = await asyncio.to_thread(reminders.take_due, web_user(session_id), ["web"])
    response = json_response([{"text": n.text} for n in taken])
    response.headers.update(CORS_HEADERS)
    return response
