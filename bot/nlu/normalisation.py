"""Normalisation of user text before anything else reads it.

Citizens type on phones with full-width digits and letters (３０万, ＳＹＢ), sometimes in traditional
characters (創業擔保貸款), and with stray whitespace. Tokenizer, featurizers, lookup tables and the KB
all expect simplified, half-width text, so every channel's text goes through `normalise_text` first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_WHITESPACE = re.compile(r"\s+")
# Variants OpenCC's t2s leaves alone because they are valid characters, but which people type for
# the common word (妳好 for 你好).
_VARIANTS = str.maketrans({"妳": "你"})


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalise_text(text: str | None) -> str:
    """Full-width → half-width (NFKC), traditional → simplified, whitespace trimmed and collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _to_simplified().convert(text).translate(_VARIANTS)
    return _WHITESPACE.sub(" ", text).strip()
