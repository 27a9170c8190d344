"""Text normalisation and number parsing shared by search and entity recognition.

Normalisation never changes the length of the text, so character offsets found on the normalised
text are valid on what the user typed (entity spans point into the original message).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_AMOUNT_UNITS = {"亿元": 100_000_000, "亿": 100_000_000, "万元": 10_000, "万": 10_000, "千元": 1000,
                 "元": 1, "块钱": 1, "块": 1}  # fmt: skip

# A Chinese numeral must start with a digit or 十 so that 千万不要 is not read as an amount.
AMOUNT_RE = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*)\s*"
    r"(?P<unit>亿元|万元|千元|块钱|亿|万|元|块)"
)
_OPEN, _CLOSE = "〔[(（【［", "〕])）】］"
DOC_NUMBER_RE = re.compile(
    r"(?P<prefix>(?:沪|国|财|人社|中|京|苏|浙|皖|粤)[\u4e00-\u9fff]{0,8}?)"
    rf"[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d\d)\s*[{re.escape(_CLOSE)}]\s*(?P<num>\d{{1,4}})\s*号"
)


@lru_cache(maxsize=1)
def _t2s():  # noqa: ANN202 - opencc has no type hints
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - optional dependency missing
        return None


def normalize(text: str) -> str:
    """Full-width to half-width, traditional to simplified, lower-case; same length as the input."""
    chars = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        chars.append(folded.lower() if len(folded) == 1 else ch)
    out = "".join(chars)
    converter = _t2s()
    if converter is not None:
        simplified = converter.convert(out)
        if len(simplified) == len(out):
            out = simplified
    return out


def chinese_number(text: str) -> int | None:
    """三十 -> 30, 两千五百 -> 2500, 十五 -> 15; None when the text is not a plain Chinese numeral."""
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def amount_to_yuan(text: str) -> int | None:
    """30万 / 三十万 / 8000元 / 1.5万元 -> amount in yuan; None when no amount is found."""
    match = AMOUNT_RE.search(normalize(text))
    if not match:
        return None
    num = match.group("num")
    value = float(num) if num[0].isdigit() else chinese_number(num)
    if value is None:
        return None
    return round(value * _AMOUNT_UNITS[match.group("unit")])


def normalize_doc_number(text: str) -> str | None:
    """沪人社规[2023]1号 / (2023) / （2023） -> 沪人社规〔2023〕1号; None when it is not a 文号."""
    match = DOC_NUMBER_RE.search(normalize(text))
    if not match:
        return None
    return f"{match.group('prefix')}〔{match.group('year')}〕{int(match.group('num'))}号"


def doc_number_variants(doc_number: str) -> list[str]:
    """The ways people type a 文号: 〔〕 as published, and [] () （） 【】 ［］ substitutes."""
    match = DOC_NUMBER_RE.fullmatch(doc_number)
    if not match:
        return [doc_number]
    prefix, year, num = match.group("prefix"), match.group("year"), match.group("num")
    return list(dict.fromkeys(f"{prefix}{o}{year}{c}{num}号" for o, c in zip(_OPEN, _CLOSE, strict=True)))
