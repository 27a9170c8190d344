"""Personal data helpers: phone validation and masking, and hashing of user ids for logs.

The booking table is the only place a phone number or name is stored. Everything that can end up
in a log line or a repr goes through `mask_phone` / `hash_user_id` first.
"""

from __future__ import annotations

import hashlib
import re

from consultations.errors import InvalidPhoneError
from zh.personal_data import mask_personal_data
from zh.phones import mobile_number


def normalise_phone(raw: str) -> str:
    """Return the 11-digit mainland mobile number in `raw` or raise InvalidPhoneError.

    Reading the number is zh.phones.mobile_number ("+86 138-0013-8000", full-width digits, spaces).
    """
    number = mobile_number(raw)
    if number is None:
        raise InvalidPhoneError(f"not a mainland mobile number: {mask_phone(raw)}")
    return number


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
    """Mask every mobile number inside free text (rating comments), and with it every other kind of
    personal data: the project's one masking, zh.personal_data."""
    return mask_personal_data(text)


def hash_user_id(user_id: str | None) -> str:
    """A short stable pseudonym for a user id (e.g. a WeChat openid) to use in logs instead of the id."""
    if user_id is None:
        return "u:-"
    return "u:" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:12]
