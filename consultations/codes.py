"""Short confirmation codes that survive being read aloud or typed on a phone.

The alphabet leaves out characters people confuse: 0/O/D/Q, 1/I/L/J, 2/Z, 5/S, 8/B, U/V.
Six characters from 20 give 6.4e7 codes; the database's unique constraint catches the rare
collision and the service draws again.
"""

from __future__ import annotations

import secrets

ALPHABET = "34679ACEFGHKMNPRTWXY"
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """Upper-case and strip what users add around a code ("预约码: ak3-9xm" → "AK39XM")."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
