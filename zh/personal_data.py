"""Personal data inside free text, found and masked in one place.

Mobiles, landlines, ID-card numbers (18 digits, the last may be X; the old 15-digit form), e-mail
addresses, bank cards (also typed in groups of four) and any other run of seven or more digits
(QQ numbers, account numbers, unknown ids: keep nothing). Every store or output that may hold a
citizen's words masks them with `mask_personal_data` — the stored conversation
(bot/tracker_privacy.py), log lines (bot/logs.py), the unanswered-questions log (agent_desk) and
rating comments (consultations) — so what counts as personal data is decided here only.

A digit run glued to a Latin letter, "-" or "_" is part of an identifier the code made (a slot id
``E01-20261205-0900``, a hex id), not something a person typed, and is left alone by the ID,
bank-card and long-digit rules; a mobile number is masked wherever it appears.
"""

from __future__ import annotations

import re

from zh.phones import MOBILE_IN_TEXT

_NOT_AFTER = r"(?<![0-9A-Za-z_\-])"
_NOT_BEFORE = r"(?![0-9A-Za-z_\-])"

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
#: 18 digits (6 region, 8 birth date, 3 sequence, 1 check digit or X) or the 15-digit first
#: generation; people sometimes type them in groups.
ID_CARD = re.compile(_NOT_AFTER + r"\d{6}[ \-]?(?:\d{8}[ \-]?\d{3}[\dXx]|\d{6}[ \-]?\d{3})" + _NOT_BEFORE)
BANK_CARD_GROUPED = re.compile(_NOT_AFTER + r"\d{4}(?:[ \-]\d{4}){2,3}(?:[ \-]?\d{1,3})?" + _NOT_BEFORE)
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s\-]?\d{7,8}(?!\d)")
LONG_DIGITS = re.compile(_NOT_AFTER + r"\d{7,}" + _NOT_BEFORE)

# Full-width digits and signs are what a phone keyboard in Chinese mode types; the patterns above
# are written for ASCII. Chinese punctuation is kept.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－＠．ｘＸ", "0123456789+-@.xX")
_MAYBE_PERSONAL = re.compile(r"[@＠\d]")


def _stars(match: re.Match[str]) -> str:
    return "*" * len(match.group(0))


def _mask_mobile(match: re.Match[str]) -> str:
    return match.group(1) + "****" + re.sub(r"\D", "", match.group(2))


def mask_personal_data(text: str) -> str:
    """The text with personal data masked: 138****8000, 0**-********, ***@***, and one * per
    character of an ID-card number, a bank card or another long digit run."""
    if not _MAYBE_PERSONAL.search(text):  # most texts have neither a digit nor an @: no work
        return text
    text = text.translate(_FULL_WIDTH)
    text = EMAIL.sub("***@***", text)
    text = ID_CARD.sub(_stars, text)
    text = BANK_CARD_GROUPED.sub(_stars, text)
    text = MOBILE_IN_TEXT.sub(_mask_mobile, text)
    text = LANDLINE.sub("0**-********", text)
    return LONG_DIGITS.sub(_stars, text)
