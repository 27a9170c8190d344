"""One normaliser for user text: width, script, case and whitespace, each an explicit option.

Citizens type on phones with full-width digits and letters (３０万, ＳＹＢ), sometimes in traditional
characters (創業擔保貸款), and with stray whitespace. Every reader folds that the same way; the
callers differ only where they must, and say so with an option:

- `same_length=True` (the knowledge base's search and entity recognition, profile answers): offsets
  found on the normalised text must point into what the user typed, so full-width folding is done
  character by character (a character NFKC would expand, such as ㎡, is kept) and the traditional →
  simplified step is skipped when it would change the length. Whitespace is then kept as typed.
- `lower=True` (the knowledge base): matching ignores case ("syb" finds SYB).
- `simplified=False` (the WeChat inbound text and the booking answers): that text goes on to NLU,
  which simplifies it itself; the booking answers only compare digits and fixed words.
- `spaces`: "collapse" for NLU (the tokenizer sees single spaces), "trim" for the WeChat inbound
  text (kept as typed inside), "remove" for booking answers ("138 0013 8000", "浦东 新区" compare
  compact), "keep" with `same_length`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

import opencc

Spaces = Literal["keep", "trim", "collapse", "remove"]

_WHITESPACE = re.compile(r"\s+")
# Variants OpenCC's t2s leaves alone because they are valid characters, but which people type for
# the common word (妳好 for 你好).
_VARIANTS = str.maketrans({"妳": "你"})


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _fold_char(ch: str, lower: bool) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        return ch
    return folded.lower() if lower else folded


def normalise(
    text: str | None,
    *,
    simplified: bool = True,
    lower: bool = False,
    spaces: Spaces = "collapse",
    same_length: bool = False,
) -> str:
    """Full-width → half-width (NFKC), then the options; the defaults are what NLU reads.

    `None` and "" give "". With `same_length`, the result has exactly as many characters as `text`.
    """
    if not text:
        return ""
    if same_length:
        if spaces != "keep":
            raise ValueError("same_length keeps whitespace as typed: use spaces='keep'")
        out = "".join(_fold_char(ch, lower) for ch in text)
    else:
        out = unicodedata.normalize("NFKC", text)
        if lower:
            out = out.lower()
    if simplified:
        converted = _to_simplified().convert(out).translate(_VARIANTS)
        if not same_length or len(converted) == len(out):
            out = converted
    if spaces == "trim":
        return out.strip()
    if spaces == "collapse":
        return _WHITESPACE.sub(" ", out).strip()
    if spaces == "remove":
        return "".join(out.split())
    return out


def match_form(text: str | None) -> str:
    """The form the knowledge base matches on: same length as `text`, half-width, simplified, lower-case."""
    return normalise(text, lower=True, spaces="keep", same_length=True)


def compact(text: str | None) -> str:
    """A short answer with no whitespace and full-width folded (not simplified): "１３８ ００１３" → "1380013"."""
    return normalise(text, simplified=False, spaces="remove")
