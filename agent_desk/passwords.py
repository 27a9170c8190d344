"""Password hashing with hashlib.scrypt (standard library, memory-hard), and the check that refuses
passwords too easy to guess (a list of common passwords kept as data, data/common_passwords.txt).

Stored format: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`` so the cost can be raised later while
old hashes keep verifying.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from pathlib import Path

N, R, P, DKLEN = 2**14, 8, 1, 32
MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=DKLEN, maxmem=MAXMEM)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=MAXMEM,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
MIN_DISTINCT_CHARS = 4


@functools.cache
def common_passwords() -> frozenset[str]:
    """The refused passwords of data/common_passwords.txt, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def weakness(password: str) -> str | None:
    """Why `password` is too easy to guess (a Chinese sentence for the person choosing it), or None.

    Length is checked by the caller; here: a listed common password, or too few different
    characters ("aaaaaaaaaa", "1212121212", "abcabcabca").
    """
    lowered = password.lower()
    if lowered in common_passwords():
        return "该密码过于常见，很容易被猜中，请换一个。"
    if len(set(lowered)) < MIN_DISTINCT_CHARS:
        return f"密码至少要包含 {MIN_DISTINCT_CHARS} 个不同的字符，请换一个。"
    return None
