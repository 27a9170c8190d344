"""Normalising and de-identifying questions the assistant could not answer.

The log is read by the policy team, so it must hold no personal data: phone numbers, ID-card
numbers and e-mail addresses are masked before anything is stored, and no sender id is kept.
Grouping uses a normalised form so "灵活就业补贴怎么领？" and "灵活就业补贴 怎么领" count together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from zh.phones import MOBILE_IN_TEXT

MAX_TEXT_CHARS = 500
MAX_NORMALISED_CHARS = 200

_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s\-]?\d{7,8}(?!\d)")
_ID_CARD = re.compile(r"(?<![\dA-Za-z])\d{6}(?:19|20)\d{2}\d{7}[\dXx](?![\dA-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{7,}(?!\d)")  # bank cards, unknown ids: keep nothing
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋－＠．", "0123456789+-@.")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_TRAILING_PARTICLES = re.compile(r"(?:[吗呢啊呀吧么嘛哦哈呐]|请问|谢谢|谢啦)+$")
_LEADING_FILLERS = re.compile(r"^(?:你好|您好|请问|问一下|我想问一下|我想问|想问一下|想问|麻烦问一下)+")


def mask_personal_data(text: str) -> str:
    """Mask phone numbers (138****8000), ID-card numbers, e-mail addresses and long digit runs."""
    # Fold only full-width digits and signs: the stored example keeps its Chinese punctuation.
    text = text.translate(_FULL_WIDTH_DIGITS)
    text = _EMAIL.sub("***@***", text)
    text = _ID_CARD.sub(lambda m: "*" * len(m.group(0)), text)
    text = MOBILE_IN_TEXT.sub(_mask_mobile, text)
    text = _LANDLINE.sub("0**-********", text)
    text = _LONG_DIGITS.sub(lambda m: "*" * len(m.group(0)), text)
    return text


def _mask_mobile(match: re.Match[str]) -> str:
    return match.group(1) + "****" + re.sub(r"\D", "", match.group(2))


def normalise_question(text: str) -> str:
    """Grouping key: width-folded, lower-case, no punctuation or spaces, no greeting or particles."""
    folded = unicodedata.normalize("NFKC", text).lower()
    compact = _NOISE.sub("", folded)
    compact = _LEADING_FILLERS.sub("", compact)
    compact = _TRAILING_PARTICLES.sub("", compact)
    return (compact or _NOISE.sub("", folded))[:MAX_NORMALISED_CHARS]


@dataclass(frozen=True)
class UnansweredGroup:
    """Questions with the same normalised text: how often, where, an example wording, when."""

    normalised: str
    example: str
    count: int
    channels: tuple[str, ...]
    first_asked: datetime  # naive UTC
    last_asked: datetime

    def to_dict(self) -> dict:
        return {
            "normalised": self.normalised,
            "example": self.example,
            "count": self.count,
            "channels": list(self.channels),
            "first_asked": self.first_asked.isoformat() + "Z",
            "last_asked": self.last_asked.isoformat() + "Z",
        }
