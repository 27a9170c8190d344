"""The chat widget's side of the server: the demo page and /api/chat, a thin proxy to Rasa's
REST channel, which is internal (docs/operations.md "Internal services"). The conversation id is
the server's: a signed session token in the X-Haina-Session header (bot/web/widget_session.py);
a `sender` in the body is ignored, so the page cannot name anyone's conversation."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import aiohttp
from aiohttp import web

import settings
from bot.channels.rate_limit import REPLY_TOO_MANY, WINDOW_SECONDS, Limits, RateLimiter
from bot.web.client import client_address
from bot.web.http import ApiError, error_response, json_body, json_response
from bot.web.services import services
from bot.web.widget_session import HEADER as SESSION_HEADER
from bot.web.widget_session import SessionSigner

log = logging.getLogger("bot.web.widget")
routes = web.RouteTableDef()
STATIC_DIR = Path(__file__).resolve().parent / "static"
DEMO_PAGE = (STATIC_DIR / "demo.html").read_text(encoding="utf-8")

MAX_MESSAGE_CHARS = 1000
RASA_TIMEOUT_S = 30
SIGNER = web.AppKey("widget_session_signer", SessionSigner)
LIMITER = web.AppKey("chat_rate_limiter", RateLimiter)
# The proxy is public (the widget may sit on any 海纳百创 page) and uses no cookies: the session
# token travels in a header the page sends and reads, so any origin may embed the widget.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": f"Content-Type, {SESSION_HEADER}",
    "Access-Control-Expose-Headers": SESSION_HEADER,
    "Access-Control-Max-Age": "86400",
}


@routes.get("/")
async def demo_page(request: web.Request) -> web.Response:
    return web.Response(text=DEMO_PAGE, content_type="text/html", charset="utf-8")


@routes.options("/api/chat")
async def chat_preflight(request: web.Request) -> web.Response:
    return web.Response(status=204, headers=CORS_HEADERS)


@routes.post("/api/chat")
async def chat(request: web.Request) -> web.Response:
    """{message} + the session header -> Rasa's list of bot messages, unchanged, and the session
    header to send next time (a new conversation's when the request had none or a forged one)."""
    try:
        response = await _chat(request)
    except ApiError as error:
        response = json_response({"error": error.payload}, error.status_code)
    response.headers.update(CORS_HEADERS)
    return response


async def _chat(request: web.Request) -> web.Response:
    data = await json_body(request)
    ask = _what_to_ask(data)
    sender, session = request.app[SIGNER].sender(request.headers.get(SESSION_HEADER))
    if await request.app[LIMITER].allow(sender, client_address(request)):
        response = await _ask_rasa(request, {"sender": sender, **ask})
    else:
        response = error_response(429, REPLY_TOO_MANY, "too_many")
        response.headers["Retry-After"] = str(WINDOW_SECONDS)
    response.headers[SESSION_HEADER] = session
    return response


def _what_to_ask(data: dict) -> dict[str, str]:
    """{"message": typed text} or, for a click on one of the assistant's buttons, {"payload": ...}.

    Rasa's REST channel gates both (bot/channels/rest.py): typed text is only ever text, and a
    payload counts only if the assistant offered it to this conversation in its last reply."""
    payload = data.get("payload")
    if payload is not None:
        if not isinstance(payload, str) or not payload.strip() or len(payload) > MAX_MESSAGE_CHARS:
            raise ApiError(400, "按钮内容有误，请直接输入您的问题。", "bad_payload")
        return {"payload": payload}
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ApiError(400, "请输入您的问题。", "empty_message")
    if len(message) > MAX_MESSAGE_CHARS:
        raise ApiError(400, f"问题太长了，请控制在 {MAX_MESSAGE_CHARS} 字以内。", "too_long")
    return {"message": message}


def install(app: web.Application) -> None:
    """The widget's routes and the chat rate limits (shared through Redis when REDIS_URL is set)."""
    config = settings.current()
    limits = Limits(config.chat_limit_per_sender, config.chat_limit_per_address)
    app[LIMITER] = RateLimiter(limits, config.redis_url, "haina:limit:web:")
    app.add_routes(routes)

    async def close(app: web.Application) -> None:
        await app[LIMITER].close()

    app.on_cleanup.append(close)


async def _ask_rasa(request: web.Request, body: dict[str, str]) -> web.Response:
    svc = services(request)
    assert svc.http is not None
    url = svc.rasa_url.rstrip("/") + "/webhooks/rest/webhook"
    try:
        async with svc.http.post(url, json=body) as upstream:
            if upstream.status != 200:
                log.warning("Rasa answered %s", upstream.status)
                return error_response(502, "助手暂时无法回答，请稍后再试，或拨打 12333 咨询。", "upstream")
            replies = await upstream.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError):
        log.warning("Rasa at %s is unreachable", svc.rasa_url)
        return error_response(502, "助手暂时无法回答，请稍后再试，或拨打 12333 咨询。", "upstream")
    if not isinstance(replies, list):
        return error_response(502, "助手暂时无法回答，请稍后再试，或拨打 12333 咨询。", "upstream")
    return json_response(replies)
