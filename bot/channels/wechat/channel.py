"""Rasa input channel for the WeChat 公众号 message-push protocol.

POST /webhooks/wechat/webhook, in order:
1. size cap, timestamp window, query `signature` (all modes) — before the body is touched;
2. safe XML parse; in safe/compatible-AES mode `msg_signature` over `Encrypt`, then decrypt;
3. dedup (SET NX EX in the shared store) so each message reaches Rasa exactly once;
4. run the turn in a task; answer passively within the deadline, else "success" now and the
   answer later through the customer-service API.

Retry semantics (WeChat resends after 5 s, three times): a retry of a message that is still
being processed, or whose answer went / will go through the customer-service API, gets
"success". A retry of a message that was answered passively gets the same passive reply again:
WeChat only retries when it did not receive our answer in time, so repeating it is the only way
the user sees it, and WeChat shows at most one answer per message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply

from bot.channels.input_gate import Passed, PayloadAllowList
from bot.channels.rate_limit import REPLY_TOO_MANY, Limits, RateLimiter
from bot.channels.wechat.api import WeChatApi
from bot.channels.wechat.config import ConfigError, MissingTokenError, WeChatSettings, load_settings
from bot.channels.wechat.inbound import (
    REPLY_ERROR,
    Inbound,
    Kind,
    choice_number,
    dedup_id,
    interpret,
    load_menu,
)
from bot.channels.wechat.outbound import Rendered, render_messages, split_text
from bot.channels.wechat.security import (
    Rejected,
    SafeModeCrypto,
    check_timestamp,
    parse_xml_fields,
    verify_query_signature,
)
from bot.channels.wechat.store import KeyValueStore, make_store
from consultations.identity import openid_of, wechat_user
from settings import current as current_settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# Dedup record states.
PENDING = "pending"  # claimed, the turn is running
ASYNC = "async"  # answered "success"; the answer goes through the customer-service API
DONE = "done"  # nothing to say (unsubscribe, VIEW, a silent turn)
REPLY_PREFIX = "reply:"  # answered passively with the text that follows


@dataclass
class _Push:
    """Who answers one message: the webhook passively, or, once `late`, the turn itself."""

    recorded: asyncio.Task | None = None  # writing the ASYNC dedup record, set when the deadline passed

    @property
    def late(self) -> bool:
        return self.recorded is not None


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        try:
            return cls(load_settings(credentials))
        except MissingTokenError:
            # credentials.yml is shared by every environment; without WECHAT_TOKEN the channel is
            # off (503) rather than stopping Rasa. An unsigned webhook must never be served.
            logger.warning("WeChat channel disabled: WECHAT_TOKEN (or `token`) is not set")
            return DisabledWeChatInput()
        except ConfigError as exc:
            raise RasaException(f"WeChat channel: {exc}") from None

    def __init__(self, settings: WeChatSettings, store: KeyValueStore | None = None) -> None:
        self.settings = settings
        self.store = store or make_store(settings.redis_url, settings.redis_prefix)
        self.menu = load_menu(settings.menu_file)
        # What a numbered reply may send: the gate checks the payload of the button it names.
        self.allow = PayloadAllowList.from_domain()
        # Per user only: every push comes from WeChat's servers, so an address says nothing.
        self.limiter = RateLimiter(
            Limits(per_sender=current_settings().chat_limit_per_sender, per_address=0),
            settings.redis_url,
            settings.redis_prefix + "limit:",
        )
        self.crypto = (
            SafeModeCrypto(settings.token, settings.encoding_aes_key, settings.appid)
            if settings.mode != "plain"
            else None
        )
        self.api = (
            WeChatApi(settings.appid, settings.secret, settings.api_base_url, self.store)
            if settings.can_send
            else None
        )
        if self.api is None:
            logger.warning("WeChat appid/secret not set: slow answers cannot be delivered asynchronously")
        # Without a configured salt the log hashes are only comparable within one process.
        self._log_salt = settings.log_salt or secrets.token_hex(16)
        # Strong references: the event loop only keeps weak ones to running tasks.
        self._background: set[asyncio.Task] = set()

    def url_prefix(self) -> str:
        return self.name()

    def get_output_channel(self) -> OutputChannel | None:
        """Lets Rasa push outside a request (reminders, trigger_intent) via the customer-service API."""
        return WeChatOutput(self)

    # -- helpers -----------------------------------------------------------------------------

    def user_ref(self, openid: str) -> str:
        """A salted hash standing in for the openid (personal data) in logs."""
        return hashlib.sha256(f"{self._log_salt}|{openid}".encode()).hexdigest()[:12]

    @staticmethod
    def _user_key(openid: str) -> str:
        return "buttons:" + hashlib.sha256(f"buttons|{openid}".encode()).hexdigest()[:32]

    def _spawn(self, coro: Awaitable[Any], failure: str) -> asyncio.Task:
        """Run `coro` in the background; if it fails, log `failure` with the error (nobody awaits it)."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)

        def finished(done: asyncio.Task) -> None:
            self._background.discard(done)
            if not done.cancelled() and done.exception() is not None:
                logger.error("%s", failure, exc_info=done.exception())

        task.add_done_callback(finished)
        return task

    async def close(self, wait: float = 5.0) -> None:
        """Let pending deliveries finish, then release HTTP and Redis connections."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=wait)
        if self.api is not None:
            await self.api.close()
        await self.limiter.close()
        await self.store.close()

    def _passive_reply(self, message: BaseMessage, text: str, encrypted: bool) -> HTTPResponse:
        # wechatpy writes Content into CDATA verbatim; split any "]]>" so the XML stays valid.
        content = text.replace("]]>", "]]]]><![CDATA[>")
        xml = TextReply(message=message, content=content).render()
        if encrypted and self.crypto is not None:
            xml = self.crypto.encrypt(xml, nonce=secrets.token_hex(8), timestamp=str(int(time.time())))
        return response.text(xml, content_type="application/xml; charset=utf-8")

    @staticmethod
    def _success() -> HTTPResponse:
        # "success" tells WeChat not to retry and not to show "该公众号暂时无法提供服务".
        return response.text("success")

    # -- request handling --------------------------------------------------------------------

    def _authenticate(self, request: Request) -> tuple[str, dict[str, str], bool]:
        """Verify and unwrap a push: (plaintext XML, its fields, whether to encrypt the reply)."""
        body = request.body or b""
        if len(body) > self.settings.max_body_bytes:
            raise Rejected(413, "body too large")
        args = {key: request.args.get(key) for key in ("signature", "timestamp", "nonce", "msg_signature")}
        # WeChat sends the query `signature` in every mode; checking it first means no byte of an
        # unauthenticated body is parsed. It does not cover the body, hence msg_signature for AES.
        verify_query_signature(self.settings.token, args)
        check_timestamp(args["timestamp"], self.settings.timestamp_tolerance)
        encrypted = self.settings.mode == "safe" or (
            self.settings.mode == "compatible" and request.args.get("encrypt_type") == "aes"
        )
        # defusedxml first: wechatpy's own xmltodict parse only ever sees vetted XML.
        fields = parse_xml_fields(body)
        if not encrypted:
            return body.decode("utf-8", errors="replace"), fields, False
        assert self.crypto is not None
        plaintext = self.crypto.decrypt(
            fields.get("Encrypt", ""), args["msg_signature"], args["timestamp"] or "", args["nonce"] or ""
        )
        return plaintext, parse_xml_fields(plaintext), True

    async def _choices(self, openid: str) -> list[str]:
        raw = await self.store.get(self._user_key(openid))
        return json.loads(raw) if raw else []

    async def _remember_choices(self, openid: str, rendered: Rendered) -> None:
        # A turn without buttons clears the old mapping, so a later "1" is not misread.
        if rendered.payloads:
            await self.store.set(
                self._user_key(openid), json.dumps(rendered.payloads), self.settings.buttons_ttl
            )
        else:
            await self.store.delete(self._user_key(openid))

    async def _rasa_text(self, inbound: Inbound) -> str:
        if not inbound.may_be_choice:
            return inbound.text
        number = choice_number(inbound.text)
        if number is None:
            return inbound.text
        payloads = await self._choices(inbound.openid)
        if not 1 <= number <= len(payloads):
            return inbound.text
        gated = self.allow.button(payloads[number - 1], payloads)
        return gated.text if isinstance(gated, Passed) else inbound.text

    async def _run_turn(self, on_new_message: OnNewMessage, inbound: Inbound) -> Rendered:
        collector = CollectingOutputChannel()
        message = inbound.message
        try:
            user_message = UserMessage(
                text=await self._rasa_text(inbound),
                output_channel=collector,
                # Namespaced: no other channel can produce this id, so knowing an openid is not
                # enough to continue this conversation elsewhere (consultations/identity.py).
                sender_id=wechat_user(inbound.openid),
                input_channel=self.name(),
                message_id=str(message.id) if message.id else None,
                metadata={"wechat": {"msg_type": message.type, "event": getattr(message, "event", None)}},
            )
            await on_new_message(user_message)
            rendered = render_messages(collector.messages)
            # In the background, like the dedup record: the user reads the answer before typing a
            # number, and the write is sent before the answer is.
            self._spawn(
                self._remember_choices(inbound.openid, rendered),
                f"Could not store the numbered options for user {self.user_ref(inbound.openid)}",
            )
            return rendered
        except Exception:
            # Rasa or the store failed: the user still gets an answer instead of silence.
            logger.exception("WeChat turn failed for user %s", self.user_ref(inbound.openid))
            return Rendered(REPLY_ERROR)

    async def _send_chunks(self, openid: str, chunks: list[str]) -> None:
        if self.api is None:
            logger.warning(
                "Dropping %d WeChat message(s) for user %s: no customer-service API credentials",
                len(chunks),
                self.user_ref(openid),
            )
            return
        for chunk in chunks:
            if not await self.api.send_text(openid, chunk, self.user_ref(openid)):
                return  # the rest would fail the same way (window closed, quota, …)

    async def _turn(
        self, on_new_message: OnNewMessage, inbound: Inbound, dedup_key: str, push: _Push
    ) -> Rendered:
        rendered = await self._run_turn(on_new_message, inbound)
        if push.late:
            # The passive window closed while Rasa worked. The turn delivers its own answer rather
            # than waking a waiting task: on a busy replica every wake-up costs a lap of the loop.
            await self._deliver_late(rendered, inbound, dedup_key, push)
        return rendered

    async def _deliver_late(self, rendered: Rendered, inbound: Inbound, dedup_key: str, push: _Push) -> None:
        chunks = split_text(rendered.text)
        if self.api is None and chunks:
            # No customer-service credentials: keep the answer for WeChat's next retry instead,
            # written after the "async" record so that it is not overwritten.
            assert push.recorded is not None
            await asyncio.wait({push.recorded})
            await self.store.set(dedup_key, REPLY_PREFIX + chunks[0], self.settings.dedup_ttl)
        await self._send_chunks(inbound.openid, chunks)

    def _answer_later(self, push: _Push, inbound: Inbound, dedup_key: str) -> None:
        push.recorded = self._spawn(
            self.store.set(dedup_key, ASYNC, self.settings.dedup_ttl),
            "Could not record a WeChat message as answered asynchronously",
        )

    async def _answer(
        self, inbound: Inbound, dedup_key: str, on_new_message: OnNewMessage, encrypted: bool, deadline: float
    ) -> HTTPResponse:
        if inbound.kind is Kind.IGNORE:
            await self.store.set(dedup_key, DONE, self.settings.dedup_ttl)
            return self._success()
        if inbound.kind is Kind.REPLY:
            await self.store.set(dedup_key, REPLY_PREFIX + inbound.text, self.settings.dedup_ttl)
            return self._passive_reply(inbound.message, inbound.text, encrypted)
        if not await self.limiter.allow(inbound.openid):
            await self.store.set(dedup_key, REPLY_PREFIX + REPLY_TOO_MANY, self.settings.dedup_ttl)
            return self._passive_reply(inbound.message, REPLY_TOO_MANY, encrypted)

        push = _Push()
        turn = self._spawn(
            self._turn(on_new_message, inbound, dedup_key, push),
            f"Asynchronous WeChat delivery failed for user {self.user_ref(inbound.openid)}",
        )
        # asyncio.wait, not wait_for: on timeout the turn must keep running, not be cancelled.
        try:
            remaining = max(deadline - asyncio.get_running_loop().time(), 0.0)
            await asyncio.wait({turn}, timeout=remaining)
        except asyncio.CancelledError:
            # The connection went away before the deadline; the answer must still reach the user.
            if not turn.done():
                self._answer_later(push, inbound, dedup_key)
            raise
        if not turn.done():
            self._answer_later(push, inbound, dedup_key)
            logger.info(
                "WeChat turn for user %s exceeded %.1fs; answering asynchronously",
                self.user_ref(inbound.openid),
                self.settings.passive_deadline,
            )
            return self._success()
        chunks = split_text(turn.result().text)
        # The reply goes out first and is recorded for WeChat's retries in the background: on a
        # busy replica every await costs a full lap of the event loop, and WeChat retries only
        # after 5 s, long after the write has landed.
        self._spawn(
            self.store.set(dedup_key, REPLY_PREFIX + chunks[0] if chunks else DONE, self.settings.dedup_ttl),
            "Could not record the WeChat reply for retries",
        )
        if not chunks:
            return self._success()
        if chunks[1:]:
            # One passive reply per message: the overflow follows via the customer-service API.
            self._spawn(
                self._send_chunks(inbound.openid, chunks[1:]),
                f"Sending the rest of a long answer failed for user {self.user_ref(inbound.openid)}",
            )
        return self._passive_reply(inbound.message, chunks[0], encrypted)

    async def handle_push(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        # The 5-second clock runs from the moment the push reached us, not from when the turn
        # starts: decryption and the dedup store also take time on a busy server.
        deadline = asyncio.get_running_loop().time() + self.settings.passive_deadline
        try:
            xml, fields, encrypted = self._authenticate(request)
            inbound = interpret(xml, self.menu, self.settings.subscribe_payload)
        except Rejected as exc:
            logger.warning("WeChat push rejected (%s): %s", exc.status, exc.reason)
            return response.text("", status=exc.status)
        except Exception as exc:  # wechatpy on XML without MsgType etc.
            logger.warning("WeChat push not understood: %s", type(exc).__name__)
            return response.text("", status=400)

        dedup_key = "dedup:" + dedup_id(fields)
        if not await self.store.set_nx(dedup_key, PENDING, self.settings.dedup_ttl):
            state = await self.store.get(dedup_key) or ""
            logger.info(
                "WeChat retry from user %s (state %s)", self.user_ref(inbound.openid), state.split(":", 1)[0]
            )
            if state.startswith(REPLY_PREFIX):
                return self._passive_reply(inbound.message, state[len(REPLY_PREFIX) :], encrypted)
            return self._success()
        logger.debug("WeChat %s from user %s", inbound.message.type, self.user_ref(inbound.openid))
        return await self._answer(inbound, dedup_key, on_new_message, encrypted, deadline)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"wechat_webhook_{id(self):x}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            args = {key: request.args.get(key) for key in ("signature", "timestamp", "nonce")}
            try:
                verify_query_signature(self.settings.token, args)
                check_timestamp(args["timestamp"], self.settings.timestamp_tolerance)
            except Rejected as exc:
                logger.warning("WeChat URL verification rejected: %s", exc.reason)
                return response.text("", status=403)
            return response.text(request.args.get("echostr", ""), content_type="text/plain")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle_push(request, on_new_message)

        @webhook.listener("after_server_stop")
        async def shutdown(*_: Any) -> None:
            await self.close()

        return webhook


class WeChatOutput(OutputChannel):
    """Proactive messages: each bot message becomes customer-service text (48-hour window applies)."""

    def __init__(self, channel: WeChatInput) -> None:
        self._channel = channel

    @classmethod
    def name(cls) -> str:
        return "wechat"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        openid = openid_of(recipient_id)
        if openid is None:  # not a conversation of this channel
            logger.warning("Not sending a WeChat message to a sender id of another channel")
            return
        rendered = render_messages([message])
        if rendered.payloads:
            await self._channel._remember_choices(openid, rendered)
        await self._channel._send_chunks(openid, split_text(rendered.text))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class DisabledWeChatInput(InputChannel):
    """Stands in for the channel when no token is configured: the webhook answers 503."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"wechat_webhook_disabled_{id(self):x}", __name__)

        @webhook.route("/webhook", methods=["GET", "POST"])
        async def unavailable(_: Request) -> HTTPResponse:
            return response.text("", status=503)

        return webhook
