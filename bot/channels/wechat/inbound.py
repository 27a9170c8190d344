"""What a WeChat push means for the bot: text for Rasa, a canned reply, or nothing at all."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import yaml
from wechatpy import parse_message
from wechatpy.messages import BaseMessage

from bot.channels.input_gate import Refused, typed_text
from zh.normalise import normalise

logger = logging.getLogger(__name__)

# Everything a user reads is simplified Chinese.
PROMPT_EMPTY = "请输入您想咨询的问题，例如：“创业担保贷款怎么申请？”"
PROMPT_VOICE_UNRECOGNISED = "抱歉，没能识别您的语音，请直接输入文字描述您的问题。"
PROMPT_TEXT_ONLY = "目前我只能看懂文字消息，请用文字描述您的问题，例如：“创业担保贷款怎么申请？”"
PROMPT_MENU_UNAVAILABLE = "该菜单功能暂未开放，请直接输入您的问题。"
REPLY_ERROR = "抱歉，系统暂时繁忙，请稍后再试。"

_CHOICE = re.compile(r"^(\d{1,2})\s*[.、)）]?$")


class Kind(Enum):
    RASA = "rasa"  # hand `text` to Rasa
    REPLY = "reply"  # answer `text` directly, Rasa is not involved
    IGNORE = "ignore"  # answer "success", nothing is shown to the user


@dataclass(frozen=True)
class Inbound:
    message: BaseMessage
    kind: Kind
    text: str = ""
    # Only free text typed by the user may be a numbered choice ("1", "２.", …).
    may_be_choice: bool = False

    @property
    def openid(self) -> str:
        return self.message.source


def _inbound(text: str | None) -> str:
    # Width only: the text goes on to NLU, which simplifies and collapses spaces itself.
    return normalise(text, simplified=False, spaces="trim")


def choice_number(text: str) -> int | None:
    """The 1-based choice in a reply like "1", "１", "1." or "2、", else None."""
    match = _CHOICE.match(_inbound(text))
    return int(match.group(1)) if match else None


def dedup_id(fields: dict[str, str]) -> str:
    """WeChat's advice: MsgId for messages, FromUserName + CreateTime for events."""
    msg_id = fields.get("MsgId")
    if msg_id:
        return f"msg:{msg_id}"
    # Hashed so that the openid never appears in a store key.
    raw = f"{fields.get('FromUserName', '')}|{fields.get('CreateTime', '')}|{fields.get('Event', '')}"
    return "evt:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def load_menu(path: str | Path) -> dict[str, str]:
    """EventKey → Rasa payload table for menu CLICK buttons; a missing file means no menu."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        logger.warning("WeChat menu file %s not found; CLICK events get a polite prompt", path)
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"WeChat menu file {path} must map EventKey to payload")
    return {str(k): str(v) for k, v in data.items()}


def interpret(xml: str, menu: dict[str, str], subscribe_payload: str) -> Inbound:
    """Map an already verified and safely parsed push to what the channel should do."""
    message = parse_message(xml)
    kind = message.type
    if kind in ("text", "voice"):
        # What the user typed (or said) is only ever text for Rasa (bot/channels/input_gate.py);
        # recognition is only present when speech recognition is enabled for the account.
        gated = typed_text((message.content if kind == "text" else message.recognition) or "")
        if isinstance(gated, Refused):
            return Inbound(message, Kind.REPLY, gated.reply)
        if not gated.text:
            return Inbound(message, Kind.REPLY, PROMPT_EMPTY if kind == "text" else PROMPT_VOICE_UNRECOGNISED)
        return Inbound(message, Kind.RASA, gated.text, may_be_choice=kind == "text")
    if kind == "event":
        event = getattr(message, "event", "")
        if event in ("subscribe", "subscribe_scan"):
            return Inbound(message, Kind.RASA, subscribe_payload)
        if event == "click":
            payload = menu.get(message.key or "")
            if payload:
                return Inbound(message, Kind.RASA, payload)
            logger.warning("WeChat menu CLICK with unmapped EventKey %r", message.key)
            return Inbound(message, Kind.REPLY, PROMPT_MENU_UNAVAILABLE)
        # unsubscribe, VIEW (the client opens a link itself), template/mass-send reports, …
        return Inbound(message, Kind.IGNORE)
    # image, video, shortvideo, location, link, file, unknown
    return Inbound(message, Kind.REPLY, PROMPT_TEXT_ONLY)
