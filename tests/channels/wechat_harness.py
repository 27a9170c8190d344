"""Test harness for the WeChat channel: the channel's blueprint on a real Sanic server on loopback,
a scripted stand-in for Rasa's `on_new_message`, and a fake WeChat API server (aiohttp).

Everything speaks real HTTP over 127.0.0.1; Redis is the real local server (see tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import socket
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import xmltodict
from aiohttp import web
from rasa.core.channels.channel import UserMessage
from wechatpy.crypto import PrpCrypto, WeChatCrypto, _get_signature
from wechatpy.utils import WeChatSigner

from bot.channels.wechat import WeChatInput
from bot.channels.wechat.config import WeChatSettings
from bot.channels.wechat.security import parse_xml_fields

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wechat"

# Test credentials only. SECRET/TOKEN/AES_KEY are also searched for in captured logs.
APPID = "wx0123456789abcdef"
SECRET = "test-app-secret-5f2c9e1d7a"
TOKEN = "haina-test-token-4b8e"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters
OPENID = "oHaiNaTestUser0000000000001"
WEBHOOK = "/webhooks/wechat/webhook"


def fixture_xml(name: str) -> str:
    return (FIXTURES / f"{name}.xml").read_text(encoding="utf-8")


def text_xml(content: str, msg_id: int, openid: str = OPENID) -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_hainatest0001]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


class _FixedRandomPrp(PrpCrypto):
    """WeChat prepends 16 random bytes; fixing them makes the test ciphertext deterministic."""

    def get_random_string(self) -> str:
        return "HainaFixture0016"


def encrypt_fixture(plain_xml: str) -> str:
    """The `Encrypt` value WeChat would send for `plain_xml` with the test key and appid."""
    key = base64.b64decode(AES_KEY + "=")
    return _FixedRandomPrp(key).encrypt(plain_xml, APPID).decode()


def query_signature(timestamp: str, nonce: str, token: str = TOKEN) -> str:
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return signer.signature


@dataclass
class SignedPush:
    params: dict[str, str]
    body: bytes


def sign_push(plain_xml: str, mode: str, timestamp: int | None = None, token: str = TOKEN) -> SignedPush:
    """Query string and body as WeChat sends them in `mode` (plain | compatible | safe)."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = uuid.uuid4().hex[:10]
    params = {
        "signature": query_signature(ts, nonce, token),
        "timestamp": ts,
        "nonce": nonce,
        "openid": OPENID,
    }
    if mode == "plain":
        return SignedPush(params, plain_xml.encode())
    encrypt = encrypt_fixture(plain_xml)
    params |= {"encrypt_type": "aes", "msg_signature": _get_signature(token, ts, nonce, encrypt)}
    if mode == "safe":
        body = f"<xml><ToUserName><![CDATA[gh_hainatest0001]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    else:  # compatible: plaintext fields and the ciphertext side by side
        body = plain_xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
    return SignedPush(params, body.encode())


class FakeBot:
    """Plays Rasa's `on_new_message`: records texts and answers through the output channel."""

    def __init__(self) -> None:
        self.calls: list[UserMessage] = []
        self.delay = 0.0
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.fail = False

    @property
    def texts(self) -> list[str]:
        return [message.text or "" for message in self.calls]

    async def __call__(self, message: UserMessage) -> None:
        self.calls.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the bot broke")
        out = message.output_channel
        for reply in self.replies.get(message.text or "", [{"text": f"收到：{message.text}"}]):
            if reply.get("buttons"):
                await out.send_text_with_buttons(message.sender_id, reply["text"], reply["buttons"])
            elif "custom" in reply:
                await out.send_custom_json(message.sender_id, reply["custom"])
            else:
                await out.send_text_message(message.sender_id, reply["text"])


class FakeWeChatApi:
    """Loopback stand-in for api.weixin.qq.com: issues tokens, records customer-service and template messages."""

    def __init__(self) -> None:
        self.token_fetches = 0
        self.sent: list[dict[str, Any]] = []
        self.rejected_tokens: list[str] = []
        self.fail_next: list[int] = []  # errcodes to answer to the next sends
        self.fetch_delay = 0.0
        self._valid: set[str] = set()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001, as after WeChat's expiry."""
        self._valid.clear()

    async def _token(self, request: web.Request) -> web.Response:
        if request.query.get("appid") != APPID or request.query.get("secret") != SECRET:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        self.token_fetches += 1
        await asyncio.sleep(self.fetch_delay)
        token = f"ACCESS_TOKEN_{self.token_fetches}"
        self._valid = {token}  # a new token invalidates the old ones
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        if token not in self._valid:
            self.rejected_tokens.append(token)
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if self.fail_next:
            return web.json_response({"errcode": self.fail_next.pop(0), "errmsg": "fake failure"})
        self.sent.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        app.router.add_post("/cgi-bin/message/template/send", self._send)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", free_port())
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_sent(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        give_up = time.monotonic() + timeout
        while len(self.sent) < count and time.monotonic() < give_up:
            await asyncio.sleep(0.02)
        return self.sent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    text: str

    def fields(self) -> dict[str, str]:
        return parse_xml_fields(self.text)


@dataclass
class Harness:
    channel: WeChatInput
    bot: FakeBot
    base_url: str
    http: aiohttp.ClientSession
    servers: list[Any] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return self.channel.settings.mode

    async def post_raw(self, params: dict[str, str], body: bytes) -> Reply:
        async with self.http.post(f"{self.base_url}{WEBHOOK}?{urlencode(params)}", data=body) as resp:
            return Reply(resp.status, await resp.text())

    async def push(self, plain_xml: str, mode: str | None = None, **kwargs: Any) -> Reply:
        signed = sign_push(plain_xml, mode or self.mode, **kwargs)
        return await self.post_raw(signed.params, signed.body)

    async def get(self, params: dict[str, str]) -> Reply:
        async with self.http.get(f"{self.base_url}{WEBHOOK}?{urlencode(params)}") as resp:
            return Reply(resp.status, await resp.text())

    def reply_content(self, reply: Reply) -> str:
        """The text of a passive reply, decrypting it in safe mode."""
        assert reply.status == 200, reply
        xml = reply.text
        fields = parse_xml_fields(xml)
        if "Encrypt" in fields:
            crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
            xml = crypto.decrypt_message(xml, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
            fields = parse_xml_fields(xml)
        assert fields["MsgType"] == "text"
        assert fields["ToUserName"] == OPENID
        return fields["Content"]


def base_settings(**overrides: Any) -> WeChatSettings:
    settings = WeChatSettings(
        token=TOKEN,
        appid=APPID,
        secret=SECRET,
        encoding_aes_key=AES_KEY,
        mode="plain",
        api_base_url="http://127.0.0.1:9",  # replaced by the fake API when one is running
        passive_deadline=1.0,
        log_salt="test-salt",
    )
    return replace(settings, **overrides)


def hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def push_to(rasa_port: int, xml: str, timeout: float = 30) -> str:
    """`xml` signed and encrypted in safe mode, pushed to a running Rasa's WeChat webhook; its raw reply."""
    signed = sign_push(xml, "safe")
    url = f"http://127.0.0.1:{rasa_port}/webhooks/wechat/webhook?" + urllib.parse.urlencode(signed.params)
    request = urllib.request.Request(url, data=signed.body, headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode()


def decrypt_reply(reply: str) -> dict[str, Any]:
    """The fields of an encrypted passive reply."""
    envelope = xmltodict.parse(reply)["xml"]
    plain = WeChatCrypto(TOKEN, AES_KEY, APPID).decrypt_message(
        reply, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    return xmltodict.parse(plain)["xml"]


def wechat_text(assistant: Any, openid: str, content: str, msg_id: int | None = None) -> str:
    """One text message from `openid` through the running assistant's webhook; the passive reply's text."""
    xml = text_xml(content, msg_id=msg_id or random.randint(10**15, 10**16), openid=openid)
    return decrypt_reply(push_to(assistant.ports.rasa, xml))["Content"]
