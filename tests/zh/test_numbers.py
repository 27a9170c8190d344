"""zh.numbers: Chinese numerals and amounts of money."""

from __future__ import annotations

import pytest

from zh.numbers import amount_to_yuan, chinese_number, numerals_to_digits, read_numeral


@pytest.mark.parametrize(
    ("text", "yuan"),
    [("30万", 300_000), ("三十万", 300_000), ("8000元", 8000), ("1.5万元", 15_000), ("两千五百块", 2500),
     ("十万", 100_000), ("500万元", 5_000_000), ("一百零五元", 105), ("3亿", 300_000_000), ("３０万", 300_000),
     ("千万不要", None), ("没有金额", None)],
)  # fmt: skip
def test_amount_to_yuan(text: str, yuan: int | None) -> None:
    assert amount_to_yuan(text) == yuan


# The numerals of the profile-answer table (tests/kb/test_profile_text.py) and of the booking form.
NUMERALS = [
    ("三十五", "35"),
    ("十一", "11"),
    ("十二", "12"),
    ("二十", "20"),
    ("十", "10"),
    ("一百零五", "105"),
    ("一百二", "120"),
    ("两千五", "2500"),
    ("两千五百", "2500"),
    ("二〇二四", "2024"),
    ("一", "1"),
    ("两", "2"),
    ("俩", "2"),
]


@pytest.mark.parametrize(("run", "digits"), NUMERALS)
def test_read_numeral(run: str, digits: str) -> None:
    assert read_numeral(run) == digits


def test_two_consecutive_digits_are_a_range_unless_a_year_follows() -> None:
    assert read_numeral("两三", "个") == "2~3"
    assert read_numeral("七八") == "7~8"
    assert read_numeral("二三", "年") == "23"


@pytest.mark.parametrize(
    ("text", "value"),
    [("三十", 30), ("两千五百", 2500), ("十五", 15), ("零", 0), ("一百零五", 105), ("两三", None), ("三十万", None),
     ("", None), ("abc", None)],
)  # fmt: skip
def test_chinese_number(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [("十一个月前", "11个月前"), ("二三年六月份", "23年6月份"), ("二〇二四年十一月", "2024年11月"),
     ("百分之二十", "20%"), ("百分之12.5", "12.5%"), ("两三个", "2~3个"), ("二十多人", "20多人"), ("没有", "没有")],
)  # fmt: skip
def test_numerals_to_digits(text: str, expected: str) -> None:
    assert numerals_to_digits(text) == expected
