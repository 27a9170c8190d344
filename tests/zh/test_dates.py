"""zh.dates: date spans in prepared answers, and days in booking requests.

Whole answers ("去年6月毕业", "三年前") are tested through the profile reader in
tests/kb/test_profile_text.py; these tests pin the spans themselves.
"""

from __future__ import annotations

from datetime import date

import pytest

from zh.dates import WEEKDAY_NAMES, date_filter, find_dates, full_year, ymd

TODAY = date(2026, 11, 28)  # a Saturday
D = date


@pytest.mark.parametrize(
    ("text", "lo", "hi", "precision"),
    [
        ("2024-05-10", D(2024, 5, 10), D(2024, 5, 10), "day"),
        ("20240510", D(2024, 5, 10), D(2024, 5, 10), "day"),
        ("2024.5", D(2024, 5, 1), D(2024, 5, 31), "month"),
        ("去年6月", D(2025, 6, 1), D(2025, 6, 30), "month"),
        ("上个月10号", D(2026, 10, 10), D(2026, 10, 10), "day"),
        ("3个月前", D(2026, 8, 1), D(2026, 8, 31), "month"),
        ("半年前", D(2026, 5, 1), D(2026, 5, 31), "month"),
        ("3年前", D(2023, 5, 28), D(2024, 5, 28), "year"),
        ("2周前", D(2026, 11, 11), D(2026, 11, 17), "fuzzy"),
        ("昨天", D(2026, 11, 27), D(2026, 11, 27), "day"),
        ("刚注册", D(2026, 8, 28), D(2026, 11, 28), "fuzzy"),
        ("前年", D(2024, 1, 1), D(2024, 12, 31), "year"),
        ("2023年2月29日", None, None, "invalid"),
        ("6月", None, None, "noyear"),
    ],
)
def test_find_dates(text: str, lo: date | None, hi: date | None, precision: str) -> None:
    (span,) = find_dates(text, TODAY)
    assert (span.lo, span.hi, span.precision) == (lo, hi, precision)
    assert span.start == 0 and span.end == (1 if text == "刚注册" else len(text))  # 刚 is read before 注册


def test_a_bare_day_is_not_a_date_and_today_said_twice_counts_once() -> None:
    assert find_dates("10号", TODAY) == []
    assert [s.precision for s in find_dates("今天刚注册", TODAY)] == ["day"]


def test_two_digit_years_pivot_five_years_ahead() -> None:
    assert full_year("31", TODAY) == 2031
    assert full_year("32", TODAY) == 1932
    assert ymd(0, 4, 2024, 2, None).hi == D(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "label", "days"),
    [
        ("改到下周", "下周", [D(2026, 11, 30), D(2026, 12, 6)]),
        ("下周三可以吗", "下周三", [D(2026, 12, 2)]),
        ("这周", "本周", [D(2026, 11, 23), D(2026, 11, 29)]),
        ("明天", "明天", [D(2026, 11, 29)]),
        ("后天", "后天", [D(2026, 11, 30)]),
        ("周末", "周末", [D(2026, 11, 28), D(2026, 11, 29), D(2026, 12, 5)]),
        ("星期一", "周一", [D(2026, 11, 30), D(2026, 12, 7)]),
    ],
)
def test_date_filter(text: str, label: str, days: list[date]) -> None:
    found = date_filter(text, TODAY)
    assert found is not None
    assert found[0] == label
    assert all(found[1](d) for d in days)
    assert not found[1](D(2026, 12, 10))  # a Thursday two weeks on


def test_date_filter_needs_a_day_word() -> None:
    assert date_filter("随便", TODAY) is None
    assert WEEKDAY_NAMES[TODAY.weekday()] == "周六"
