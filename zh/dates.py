"""Dates in what people say: spans in answers (去年6月, 3个月前, 刚注册) and days in requests (下周三).

`find_dates` reads every date a prepared answer mentions (normalised, numerals as digits, no
whitespace: see zh.numbers.numerals_to_digits) as a `DateSpan`, the inclusive range the date lies
in and how precise it was. `date_filter` reads a request such as "改到下周" as a predicate on days.
Framework-free: the caller says what "today" is.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from zh.normalise import compact

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

_REL_YEAR = {"大前年": -3, "前年": -2, "去年": -1, "今年": 0, "本年": 0, "明年": 1, "后年": 2}
_REL_MONTH = {
    "上上个月": -2,
    "上上月": -2,
    "上个月": -1,
    "上月": -1,
    "这个月": 0,
    "本月": 0,
    "下个月": 1,
    "下月": 1,
}
_DATE_RE = re.compile(
    r"(?P<iso>(?<!\d)(?P<iy>(?:19|20)\d\d)[-./](?P<im>\d{1,2})(?:[-./](?P<id>\d{1,2}))?(?![\d.]))"
    r"|(?P<compact>(?<!\d)(?P<cy>(?:19|20)\d\d)(?P<cm>[01]\d)(?P<cd>[0-3]\d)(?!\d))"
    r"|(?P<ago>(?P<an>\d+|半)(?P<au>年|个?月|周|个?星期|天)(?:以)?前)"
    r"|(?P<now>今天|昨天|前天|刚刚|刚(?=注册|毕业|成立|开|办|登记|拿到|出生))"
    r"|(?P<cn>(?:(?<!\d)(?P<y>\d{4}|\d{2})年(?!前|以前|多|半|内|以内|后|以后|之前|之后)|(?P<ry>大前年|前年|去年|今年|本年|明年|后年))?"
    r"(?:(?<=年)的)?(?:(?P<m>\d{1,2})月份?|(?<=年)(?P<m2>\d{1,2})(?![\d个~])|(?P<rm>上上个?月|上个?月|这个月|本月|下个?月))?"
    r"(?:(?P<d>\d{1,2})[日号])?)"
)


@dataclass(frozen=True)
class DateSpan:
    """A date found at text[start:end]: the inclusive range lo..hi it lies in, and its precision."""

    start: int
    end: int
    lo: date | None
    hi: date | None
    precision: str  # day | month | fuzzy (approximate, accepted) | year (needs the month) | noyear | invalid
    month: int | None = None  # for noyear: the month that was said
    day: int | None = None


def full_year(digits: str, today: date) -> int:
    """Two-digit years are 20yy when that is at most five years ahead of today, else 19yy."""
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if 2000 + year <= today.year + 5 else 1900
    return year


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def ymd(start: int, end: int, year: int | None, month: int | None, day: int | None) -> DateSpan:
    """The span of a year, a month or a day (precision year, month, day; noyear or invalid)."""
    if month is None:
        assert year is not None
        if not 1 <= year <= 9999:
            return DateSpan(start, end, None, None, "invalid")
        return DateSpan(start, end, date(year, 1, 1), date(year, 12, 31), "year")
    if not 1 <= month <= 12:
        return DateSpan(start, end, None, None, "invalid")
    if year is None:
        return DateSpan(start, end, None, None, "noyear", month, day)
    if day is not None:
        try:
            exact = date(year, month, day)
        except ValueError:
            return DateSpan(start, end, None, None, "invalid")
        return DateSpan(start, end, exact, exact, "day")
    lo, hi = _month_span(year, month)
    return DateSpan(start, end, lo, hi, "month")


def find_dates(t: str, today: date) -> list[DateSpan]:
    """Every date in a prepared text, in order: "2024-05-10", "去年6月", "3个月前", "刚注册", "上个月10号"."""
    hits: list[DateSpan] = []
    for m in _DATE_RE.finditer(t):
        if not m.group(0):
            continue
        s, e = m.span()
        if m.group("iso"):
            day = int(m.group("id")) if m.group("id") else None
            hits.append(ymd(s, e, int(m.group("iy")), int(m.group("im")), day))
        elif m.group("compact"):
            hits.append(ymd(s, e, int(m.group("cy")), int(m.group("cm")), int(m.group("cd"))))
        elif m.group("ago"):
            n = 0.5 if m.group("an") == "半" else int(m.group("an"))
            unit = m.group("au")[-1]
            if unit == "年" and n != 0.5:
                centre = today - relativedelta(years=int(n))
                hits.append(
                    DateSpan(s, e, centre - relativedelta(months=6), centre + relativedelta(months=6), "year")
                )
            elif unit in "年月":
                months = 6 if unit == "年" else (int(n) if n >= 1 else 0)
                if n == 0.5 and unit == "月":  # 半个月前
                    centre = today - timedelta(days=15)
                    hits.append(
                        DateSpan(s, e, centre - timedelta(days=7), centre + timedelta(days=7), "fuzzy")
                    )
                    continue
                then = today - relativedelta(months=months)
                hits.append(ymd(s, e, then.year, then.month, None))
            else:
                days = int(n * (7 if unit in "周期" else 1))
                then = today - timedelta(days=days)
                if unit == "天":
                    hits.append(DateSpan(s, e, then, then, "day"))
                else:
                    hits.append(DateSpan(s, e, then - timedelta(days=3), then + timedelta(days=3), "fuzzy"))
        elif m.group("now"):
            word = m.group("now")
            if word.startswith("刚") and hits and hits[-1].end == s:
                continue  # 今天刚注册: the day already said is more precise
            if word.startswith("刚"):
                hits.append(DateSpan(s, e, today - relativedelta(months=3), today, "fuzzy"))
            else:
                then = today - timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[word])
                hits.append(DateSpan(s, e, then, then, "day"))
        else:
            year = None
            if m.group("y"):
                year = full_year(m.group("y"), today)
            elif m.group("ry"):
                year = today.year + _REL_YEAR[m.group("ry")]
            month_text = m.group("m") or m.group("m2")
            month = int(month_text) if month_text else None
            if m.group("rm"):
                then = today + relativedelta(months=_REL_MONTH[m.group("rm")])
                year, month = then.year, then.month
            day = int(m.group("d")) if m.group("d") else None
            if year is None and month is None:
                continue  # a bare 10号 is not a date we can use
            hits.append(ymd(s, e, year, month, day))
    return hits


# -- days in requests such as "改到下周" -------------------------------------------------------------

_WEEKDAY_WORDS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def date_filter(text: str, today: date) -> tuple[str, Callable[[date], bool]] | None:
    """A (description, predicate on local dates) for 下周 / 这周 / 明天 / 后天 / 周三 / 周末."""
    compacted = compact(text)
    monday = today - timedelta(days=today.weekday())
    weekday = None
    match = re.search(r"(?:周|星期|礼拜)([一二三四五六日天])", compacted)
    if match:
        weekday = _WEEKDAY_WORDS[match.group(1)]
    if "下周" in compacted or "下个星期" in compacted or "下星期" in compacted or "下礼拜" in compacted:
        start = monday + timedelta(days=7)
        if weekday is not None:
            day = start + timedelta(days=weekday)
            return f"下周{WEEKDAY_NAMES[weekday][1]}", lambda d: d == day
        return "下周", lambda d: start <= d < start + timedelta(days=7)
    if "这周" in compacted or "本周" in compacted:
        return "本周", lambda d: monday <= d < monday + timedelta(days=7)
    if "明天" in compacted:
        day = today + timedelta(days=1)
        return "明天", lambda d: d == day
    if "后天" in compacted:
        day = today + timedelta(days=2)
        return "后天", lambda d: d == day
    if "周末" in compacted:
        return "周末", lambda d: d.weekday() >= 5
    if weekday is not None:
        return WEEKDAY_NAMES[weekday], lambda d: d.weekday() == weekday
    return None
