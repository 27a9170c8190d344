"""Turn Rasa's collected bot messages into WeChat plain text.

WeChat text messages have no buttons, markdown or attachments, so buttons become a numbered
list (the number → payload mapping is returned for the caller to remember) and links/images
become plain lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The documented limit for a text message is 2048 bytes of UTF-8.
MAX_TEXT_BYTES = 2048
CHOICE_HEADER = "回复数字选择："


@dataclass
class Rendered:
    text: str
    payloads: list[str] = field(default_factory=list)  # payloads[i] answers choice i + 1


def _custom_lines(custom: Any) -> list[str]:
    """Best effort for custom JSON: keep the human-readable bits, drop the rest."""
    if isinstance(custom, str):
        return [custom]
    if isinstance(custom, list):
        return [line for item in custom for line in _custom_lines(item)]
    if not isinstance(custom, dict):
        return []
    lines: list[str] = []
    for key in ("title", "text", "description"):
        if isinstance(custom.get(key), str) and custom[key].strip():
            lines.append(custom[key].strip())
    for key in ("url", "link", "href"):
        if isinstance(custom.get(key), str):
            lines.append(custom[key])
    if isinstance(custom.get("image"), str):
        lines.append(f"图片：{custom['image']}")
    for key in ("links", "items", "elements"):
        for item in custom.get(key) or []:
            if isinstance(item, dict):
                label = item.get("title") or item.get("text") or ""
                url = item.get("url") or item.get("link") or ""
                lines.append(f"{label}：{url}" if label and url else (label or url))
            else:
                lines.extend(_custom_lines(item))
    return [line for line in lines if line]


def render_messages(messages: list[dict[str, Any]]) -> Rendered:
    """Merge all bot messages of one turn into one text; buttons are numbered across the turn."""
    blocks: list[str] = []
    payloads: list[str] = []
    for message in messages:
        lines: list[str] = []
        if message.get("text"):
            lines.append(str(message["text"]).strip())
        if message.get("image"):
            lines.append(f"图片：{message['image']}")
        if message.get("attachment"):
            lines.append(f"附件：{message['attachment']}")
        if message.get("custom") is not None:
            lines.extend(_custom_lines(message["custom"]))
        buttons = message.get("buttons") or message.get("quick_replies") or []
        if buttons:
            lines.append(CHOICE_HEADER)
            for button in buttons:
                title = str(button.get("title") or button.get("payload") or "").strip()
                payload = button.get("payload")
                if button.get("type") == "web_url" or (not payload and button.get("url")):
                    # A link cannot be "chosen" by number; show it instead.
                    lines.append(f"· {title}：{button.get('url', '')}")
                    continue
                payloads.append(str(payload or title))
                lines.append(f"{len(payloads)}. {title}")
        if lines:
            blocks.append("\n".join(lines))
    return Rendered("\n\n".join(blocks), payloads)


def _cut_bytes(text: str, limit: int) -> int:
    """The largest character index whose prefix fits in `limit` UTF-8 bytes."""
    size = 0
    for index, char in enumerate(text):
        size += len(char.encode("utf-8"))
        if size > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Split into chunks of at most `limit` UTF-8 bytes, preferring paragraph, then line, breaks.

    Working on characters (not bytes) means a multibyte character is never cut in half.
    """
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest.encode("utf-8")) <= limit:
            chunks.append(rest)
            break
        hard = _cut_bytes(rest, limit)
        window = rest[:hard]
        cut = -1
        for separator in ("\n\n", "\n", "。", "；", "，", " "):
            position = window.rfind(separator)
            # A break in the first quarter would leave a tiny chunk; cutting hard is better.
            if position > hard // 4:
                cut = position + len(separator)
                break
        if cut <= 0:
            cut = hard
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [chunk for chunk in chunks if chunk]
