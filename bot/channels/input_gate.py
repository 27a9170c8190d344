"""The one gate every public channel passes a citizen's input through before Rasa sees it.

Rasa reads a message that starts with "/" as a ready-made intent with entities
(`/inform{"booking_phone": "…"}`), skipping NLU and every form's validation. Only the project's
own buttons may send such a payload, so:

- typed text is cleaned (control and format characters, lone surrogates), capped in length, and
  never starts with "/" when it reaches Rasa: the prefix is dropped, so "/restart" is read as the
  word "restart". The check reads the text as `zh.normalise` folds it, because the NLU pipeline
  folds it too (bot/nlu/normaliser.py runs before Rasa's RegexMessageHandler): a full-width
  "／restart" would otherwise become "/restart" inside NLU.
- a button click is honoured only if its payload is one of the domain's own fixed button payloads
  (generated from domain/*.yml responses), or one the assistant offered this sender in its last reply (the buttons actions build, such as
  `/cancel_booking{"booking_code":"…"}`, recorded by the channel as the reply goes out), and it
  names a domain intent with domain entities. Anything else is treated as typed text.

Framework-free: the channels (bot/channels/rest.py, bot/channels/wechat/, bot/web/widget.py) do
the HTTP and the storage.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from zh.normalise import normalise

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DIR = PROJECT_ROOT / "domain"

INTENT_PREFIX = "/"
# Longer than anybody types a policy question; the widget's text box stops at the same length.
MAX_TEXT_CHARS = 1000
# A payload is short; one longer than this is not one of ours.
MAX_PAYLOAD_CHARS = 300

# Everything a user reads is simplified Chinese.
REPLY_TOO_LONG = f"您的消息太长了，请控制在 {MAX_TEXT_CHARS} 字以内，或分几次发送。"

# Whitespace kinds become a space; the other control (Cc), format (Cf: zero-width, bidi
# overrides) and surrogate (Cs: lone halves of a pair that JSON "\ud800" can carry) characters
# are dropped: nobody types them, and they can hide text from whoever reads the log.
_DROPPED = {"Cc", "Cf", "Cs"}
_LEADING_PREFIX = re.compile(r"^(?:\s*/)+\s*")
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z0-9_]+)(?P<entities>\{.*\})?$", re.DOTALL)


@dataclass(frozen=True)
class Passed:
    """Input Rasa may receive: `text` is typed text (never starting with "/"; "" when nothing was
    left, which NLU answers with the domain's prompt to ask a question) or a checked payload."""

    text: str
    payload: bool = False


@dataclass(frozen=True)
class Refused:
    """Input answered by the channel itself with `reply`; Rasa is not involved."""

    reply: str
    code: str


Gated = Passed | Refused


def clean(raw: str) -> str:
    """`raw` without control, format and surrogate characters; whitespace kinds become spaces."""
    out = []
    for ch in raw:
        category = unicodedata.category(ch)
        if category in _DROPPED:
            if ch.isspace():
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


def typed_text(raw: str, *, fold: bool = True) -> Gated:
    """What a citizen typed, as Rasa must read it: plain text, or a polite refusal.

    `fold`: pass the text on width-folded (the WeChat channel always did; NLU simplifies and
    collapses spaces itself), else as typed (REST, hence the widget: the stored conversation keeps
    what the citizen wrote). The prefix check reads the folded form either way."""
    if len(raw) > 4 * MAX_TEXT_CHARS:  # do not normalise a pasted document just to refuse it
        return Refused(REPLY_TOO_LONG, "too_long")
    cleaned = clean(raw)
    text = normalise(cleaned, simplified=False, spaces="trim") if fold else cleaned.strip()
    # Cleaning (and folding) first, the prefix last: nothing after this step can bring a "/" back.
    text = _without_prefix(text)
    if len(text) > MAX_TEXT_CHARS:
        return Refused(REPLY_TOO_LONG, "too_long")
    return Passed(text)


def _without_prefix(text: str) -> str:
    """`text` without the leading characters that NLU's folding would turn into Rasa's prefix."""
    while text and (
        text[0].isspace() or normalise(text[0], simplified=False, spaces="keep") == INTENT_PREFIX
    ):
        text = text[1:]
    if normalise(text).startswith(INTENT_PREFIX):  # characters that fold into "/" only together
        text = _LEADING_PREFIX.sub("", normalise(text, simplified=False, spaces="trim"))
    return text


def intent_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    """(intent, entities) of a payload in Rasa's `/intent{json}` form, else None."""
    match = _PAYLOAD.match(text)
    if not match:
        return None
    entities: dict[str, Any] = {}
    if match.group("entities"):
        try:
            entities = json.loads(match.group("entities"))
        except ValueError:
            return None
        if not isinstance(entities, dict):
            return None
    return match.group("intent"), entities


@dataclass(frozen=True)
class PayloadAllowList:
    """The payloads a button may carry, generated from the domain (see the module docstring)."""

    intents: frozenset[str]
    entities: frozenset[str]
    fixed: frozenset[str]

    @classmethod
    def from_domain(cls, domain_dir: Path = DOMAIN_DIR, extra: Iterable[str] = ()) -> PayloadAllowList:
        """From domain/*.yml: the intents, the entities and every response button's payload.

        `extra`: payloads the channel's own configuration sends (WeChat menu, subscribe)."""
        intents: set[str] = set()
        entities: set[str] = set()
        fixed: set[str] = set()
        for path in sorted(Path(domain_dir).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            intents.update(_names(data.get("intents")))
            entities.update(_names(data.get("entities")))
            for variants in (data.get("responses") or {}).values():
                for variant in variants or []:
                    for button in (variant or {}).get("buttons") or []:
                        payload = str((button or {}).get("payload") or "")
                        if payload.startswith(INTENT_PREFIX):
                            fixed.add(payload)
        allow = cls(frozenset(intents), frozenset(entities), frozenset())
        fixed.update(p for p in extra if p.startswith(INTENT_PREFIX))
        bad = sorted(p for p in fixed if not allow.well_formed(p))
        if bad:
            raise ValueError(f"button payloads naming no domain intent or entity: {bad}")
        return cls(allow.intents, allow.entities, frozenset(fixed))

    def well_formed(self, payload: str) -> bool:
        """A domain intent with domain entities whose values are short strings or numbers."""
        parsed = intent_payload(payload)
        if parsed is None:
            return False
        intent, entities = parsed
        return intent in self.intents and all(
            name in self.entities
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
            and len(str(value)) <= 64
            for name, value in entities.items()
        )

    def allows(self, payload: str, offered: Collection[str] = ()) -> bool:
        return (payload in self.fixed or payload in offered) and self.well_formed(payload)

    def button(self, raw: str, offered: Collection[str] = (), *, fold: bool = True) -> Gated:
        """A button click: its payload if allowed, else the same string read as typed text."""
        payload = raw.strip() if isinstance(raw, str) else ""
        if len(payload) <= MAX_PAYLOAD_CHARS and self.allows(payload, offered):
            return Passed(payload, payload=True)
        return typed_text(payload, fold=fold)


def _names(items: Any) -> Iterator[str]:
    for item in items or []:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from (str(key) for key in item)


def offered_payloads(messages: Iterable[dict[str, Any]]) -> list[str]:
    """The intent payloads of the buttons in one reply, in order (those a later click may send)."""
    found: list[str] = []
    for message in messages:
        for button in message.get("buttons") or []:
            payload = button.get("payload") if isinstance(button, dict) else None
            if isinstance(payload, str) and payload.startswith(INTENT_PREFIX) and payload not in found:
                found.append(payload)
    return found


def sender_key(kind: str, sender: str) -> str:
    """A store key for a sender: hashed, so that no sender id (an openid) appears in Redis."""
    return f"{kind}:" + hashlib.sha256(f"{kind}|{sender}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
