"""Normalising and de-identifying questions the assistant could not answer.

The log is read by the policy team, so it must hold no personal data: phone numbers, ID-card
numbers, e-mail addresses and long digit runs are masked before anything is stored
(zh.personal_data, the masking every store shares), and no sender id is kept.
Grouping uses a normalised form so "灵活就业补贴怎么领？" and "灵活就业补贴 怎么领" count together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from zh.personal_data import mask_personal_data

MAX_TEXT_CHARS = 500
MAX_NORMALISED_CHARS = 200

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_TRAILING_PARTICLES = re.compile(r"(?:[吗呢啊呀吧么嘛哦哈呐]|请问|谢谢|谢啦)+$")
_LEADING_FILLERS = re.compile(r"^(?:你好|您好|请问|问一下|我想问一下|我想问|想问一下|想问|麻烦问一下)+")

__all__ = [
    "MAX_NORMALISED_CHARS",
    "MAX_TEXT_CHARS",
    "UnansweredGroup",
    "mask_personal_data",
    "normalise_question",
]


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
