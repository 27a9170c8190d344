"""Chinese numerals and amounts: 三十五 → 35, 一百二 → 120, 两三个 → 2~3, 三十万元 → 300000.

`read_numeral` is the one reading of a run of numeral characters; `numerals_to_digits` rewrites
every run in a text (profile answers are parsed on digits), `chinese_number` is the value of a text
that is one numeral, and `amount_to_yuan` finds a sum of money.
"""

from __future__ import annotations

import re

from zh.normalise import match_form

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_RUN = re.compile(r"[零〇一二两俩三四五六七八九十百千]+")
_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百]+|\d+(?:\.\d+)?)")

_AMOUNT_UNITS = {
    "亿元": 100_000_000,
    "亿": 100_000_000,
    "万元": 10_000,
    "万": 10_000,
    "千元": 1000,
    "元": 1,
    "块钱": 1,
    "块": 1,
}
# A Chinese numeral must start with a digit or 十 so that 千万不要 is not read as an amount.
AMOUNT_RE = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*)\s*"
    r"(?P<unit>亿元|万元|千元|块钱|亿|万|元|块)"
)


def read_numeral(run: str, following: str = "") -> str:
    """A run of numeral characters as Arabic digits.

    With units it is a value (三十五 → "35", 一百零五 → "105", 一百二 → "120", 两千五 → "2500");
    without, a digit string (二〇二四 → "2024", 二三年 → "23"), except two consecutive digits not
    followed by 年, which people say for a range (两三个 → "2~3", 七八个 → "7~8").
    `following` is the character after the run.
    """
    if all(ch in CN_DIGITS for ch in run):
        values = [CN_DIGITS[ch] for ch in run]
        if len(values) == 2 and values[1] == values[0] + 1 and not following.startswith("年"):
            return f"{values[0]}~{values[1]}"
        return "".join(str(v) for v in values)
    total, current, last_unit, zero_seen = 0, 0, 0, False
    for ch in run:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
            zero_seen = zero_seen or current == 0
        else:
            last_unit = CN_UNITS[ch]
            total += (current or 1) * last_unit
            current, zero_seen = 0, False
    if current and last_unit >= 100 and not zero_seen:
        current *= last_unit // 10  # 一百二 = 120, 两千五 = 2500
    return str(total + current)


def chinese_number(text: str) -> int | None:
    """三十 → 30, 两千五百 → 2500, 十五 → 15; None when the text is not one plain numeral (or is a range)."""
    if not text or not NUMERAL_RUN.fullmatch(text):
        return None
    digits = read_numeral(text)
    return int(digits) if digits.isdigit() else None


def numerals_to_digits(text: str) -> str:
    """Every numeral in `text` as digits, 百分之二十 as 20%: "十一个月前" → "11个月前"."""
    text = _PERCENT.sub(
        lambda m: (m.group(1) if m.group(1)[0].isdigit() else read_numeral(m.group(1))) + "%", text
    )
    return NUMERAL_RUN.sub(lambda m: read_numeral(m.group(0), text[m.end() : m.end() + 1]), text)


def amount_to_yuan(text: str) -> int | None:
    """30万 / 三十万 / 8000元 / 1.5万元 → amount in yuan; None when no amount is found."""
    match = AMOUNT_RE.search(match_form(text))
    if not match:
        return None
    num = match.group("num")
    value = float(num) if num[0].isdigit() else chinese_number(num)
    if value is None:
        return None
    return round(value * _AMOUNT_UNITS[match.group("unit")])
