"""Rasa's REST channel behind the project's input gate (bot/channels/input_gate.py).

    POST /webhooks/rest/webhook  {"sender": "...", "message": "typed text"}
                                 {"sender": "...", "payload": "/intent{...}"}   (a button click)

Registered in credentials.yml in place of Rasa's built-in `rest:`, at the same URL. The REST
channel is internal (docs/operations.md, "Public chat input"): the web server's /api/chat and operators call it,
the public does not reach it. It still takes only text from whoever calls it, because an internal
caller forwards what a citizen typed. Unlike Rasa's own REST channel:

- a request that is not a JSON object with a string `sender` and a string `message` or `payload`
  gets a 400 with a Chinese message (Rasa answered 500 or an empty list);
- a well-formed one always gets at least one message back: the gate's polite reply to a text
  that is too long, the turn's answer, or an apology if the turn said nothing or failed;
- typed text never acts as an intent; a payload is honoured only as the gate allows, against the
  buttons this channel offered the sender in its last reply (kept in Redis when REDIS_URL is set);
- the input channel is always "rest": a caller cannot claim to be the WeChat channel (the booking
  actions trust the channel name, consultations/identity.py), and client metadata is not stored;
- a sender id in another channel's namespace (`wx:`, `tel:`) gets a 403: only the WeChat channel
  and the console set those, so no caller of this channel continues such a conversation.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings
from bot.channels.input_gate import (
    Passed,
    PayloadAllowList,
    Refused,
    clean,
    offered_payloads,
    sender_key,
    typed_text,
)
from bot.channels.wechat.store import KeyValueStore, make_store
from consultations.identity import PHONE_PREFIX, WECHAT_PREFIX

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# As the web server's and WeChat's caps: a message over the gate's length still gets its polite reply.
MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128
# How long the buttons of a reply stay clickable; the widget keeps its transcript across reloads.
OFFERED_TTL_SECONDS = 24 * 3600

# Everything a user reads is simplified Chinese.
BAD_REQUEST = "请求格式有误：请发送 JSON 对象，包含会话编号 sender 和文字 message（或按钮的 payload）。"
BAD_SENDER = "会话编号 sender 应为不超过 128 个字符的文字。"
FOREIGN_SENDER = "会话编号不能以 wx: 或 tel: 开头：这类编号只由微信渠道和坐席工作台设定。"
BAD_MESSAGE = "消息 message 应为文字。"
TOO_LARGE = "提交的内容过长。"
REPLY_NO_ANSWER = "抱歉，我暂时没有答案。您可以换个说法，或拨打 12333 咨询。"
REPLY_ERROR = "抱歉，系统暂时繁忙，请稍后再试，或拨打 12333 咨询。"


class BadRequest(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(code)
        self.status, self.message, self.code = status, message, code


def read_request(body: bytes) -> tuple[str, str, bool]:
    """(sender, text, is_button) of a request body, or BadRequest."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(413, TOO_LARGE, "too_large")
    try:
        data = json.loads(body.decode("utf-8", errors="surrogatepass") or "null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, BAD_REQUEST, "bad_json") from None
    if not isinstance(data, dict):
        raise BadRequest(400, BAD_REQUEST, "bad_json")
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(400, BAD_SENDER, "bad_sender")
    if clean(sender) != sender:  # control characters or lone surrogates in an id
        raise BadRequest(400, BAD_SENDER, "bad_sender")
    if sender.startswith((WECHAT_PREFIX, PHONE_PREFIX)):
        raise BadRequest(403, FOREIGN_SENDER, "foreign_sender")
    if "payload" in data and data["payload"] is not None:
        if not isinstance(data["payload"], str):
            raise BadRequest(400, BAD_MESSAGE, "bad_message")
        return sender, data["payload"], True
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest(400, BAD_MESSAGE, "bad_message")
    return sender, message, False


class GatedRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def __init__(self, store: KeyValueStore | None = None, allow: PayloadAllowList | None = None) -> None:
        self.store = store or make_store(settings.current().redis_url, "haina:gate:rest:")
        self.allow = allow or PayloadAllowList.from_domain()

    async def _offered(self, sender: str) -> list[str]:
        raw = await self.store.get(sender_key("offered", sender))
        return json.loads(raw) if raw else []

    async def _remember(self, sender: str, messages: list[dict[str, Any]]) -> None:
        # Only the last reply's buttons are live (as in the widget): a turn without buttons
        # retires the earlier ones.
        payloads = offered_payloads(messages)
        key = sender_key("offered", sender)
        if payloads:
            await self.store.set(key, json.dumps(payloads, ensure_ascii=False), OFFERED_TTL_SECONDS)
        else:
            await self.store.delete(key)

    async def handle(self, body: bytes, on_new_message: OnNewMessage) -> HTTPResponse:
        try:
            sender, raw, is_button = read_request(body)
        except BadRequest as error:
            return response.json(
                {"error": {"code": error.code, "message": error.message}}, status=error.status
            )
        # As typed (not width-folded): the stored conversation keeps what the citizen wrote.
        if is_button:
            gated = self.allow.button(raw, await self._offered(sender), fold=False)
        else:
            gated = typed_text(raw, fold=False)
        if isinstance(gated, Refused):
            return response.json([{"recipient_id": sender, "text": gated.reply}])
        assert isinstance(gated, Passed)
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(gated.text, collector, sender, input_channel=self.name(), metadata=None)
            )
        except Exception:
            logger.exception("REST turn failed")
            return response.json([{"recipient_id": sender, "text": REPLY_ERROR}])
        messages = collector.messages
        try:
            await self._remember(sender, messages)
        except Exception:  # noqa: BLE001 - the answer still goes out; its buttons fall back to text
            logger.exception("Could not store the buttons offered on the REST channel")
        if not messages:
            messages = [{"recipient_id": sender, "text": REPLY_NO_ANSWER}]
        return response.json(messages)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"gated_rest_webhook_{id(self):x}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request.body or b"", on_new_message)

        @webhook.listener("after_server_stop")
        async def shutdown(*_: Any) -> None:
            await self.store.close()

        return webhook
