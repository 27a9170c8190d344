"""Personal data helpers: phone validation and masking, and hashing of user ids for logs.

The booking table is the only place a phone number or name is stored. Everything that can end up
in a log line or a repr goes through `mask_phone` / `hash_user_id` first.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from consultations.errors import InvalidPhoneError

_PHONE_SEPARATORS = re.compile(r"[\s\-－—()（）]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d){8}(?!\d)")


def normalise_phone(raw: str) -> str:
    """Return the 11-digit mainland mobile number in `raw` or raise InvalidPhoneError.

    Accepts "+86 138-0013-8000", "86 13800138000", full-width digits and spaces, because that is how
    people type numbers on a phone keyboard.
    """
    text = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not _MOBILE.fullmatch(text):
        raise InvalidPhoneError(f"not a mainland mobile number: {mask_phone(raw)}")
    return text


def mask_phone(phone: str | None) -> str:
    """138****1234 for a mobile number; anything else is masked entirely so nothing leaks."""
    if not phone:
        return "-"
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 11:
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    return "***"


def redact_phones(text: str) -> str:
    """Mask every mobile number inside free text (rating comments, log messages)."""
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


def hash_user_id(user_id: str | None) -> str:
    """A short stable pseudonym for a user id (e.g. a WeChat openid) to use in logs instead of the id."""
    if user_id is None:
        return "u:-"
    return "u:" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:12]
