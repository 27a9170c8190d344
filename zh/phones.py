"""Mainland mobile numbers as people type them: "+86 138-0013-8000", "１３８ ００１３ ８０００"."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-－—()（）]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
#: A mobile number inside free text; group 1 is its first three digits, group 2 its last four.
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?(1[3-9]\d)(?:[\s\-]?\d){4}((?:[\s\-]?\d){4})(?!\d)")
_PHONE_LIKE = re.compile(r"[+\d][\d\s\-－—()（）]{6,}\d")


def mobile_number(raw: str | None) -> str | None:
    """The 11-digit mainland mobile number `raw` spells, or None.

    Accepts "+86 138-0013-8000", "86 13800138000", "0086…", full-width digits and spaces, because that
    is how people type numbers on a phone keyboard.
    """
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text if _MOBILE.fullmatch(text) else None


def phone_candidate(text: str | None) -> str:
    """The phone-number-looking part of a message ("手机 138 0013 8000"), or the message itself."""
    normalised = unicodedata.normalize("NFKC", text or "")
    match = _PHONE_LIKE.search(normalised)
    return match.group(0) if match else normalised


def digit_count(text: str | None) -> int:
    """How many digits, full-width ones included, the text has."""
    return sum(ch.isdigit() for ch in unicodedata.normalize("NFKC", text or ""))
