"""zh.phones: mainland mobile numbers as people type them."""

from __future__ import annotations

import pytest

from zh.phones import MOBILE_IN_TEXT, digit_count, mobile_number, phone_candidate


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "86 13800138000",
        "0086-138-0013-8000",
        "１３８００１３８０００",  # full-width digits from a Chinese keyboard
        "(138) 0013 8000",
    ],
)
def test_phone_variants_read_as_eleven_digits(raw: str) -> None:
    assert mobile_number(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "12800138000",
        "1380013800",
        "138001380001",
        "021-64370000",
        "10086",
        "abcdefghijk",
        "+1 138 0013 8000",
    ],
)
def test_not_mobile_numbers(raw: str | None) -> None:
    assert mobile_number(raw) is None


def test_mobile_numbers_in_free_text() -> None:
    text = "有问题打我电话 139 1234 5678 或 +86-13800138000，座机 021-64370000。"
    found = [(m.group(1), m.group(2).replace(" ", "")) for m in MOBILE_IN_TEXT.finditer(text)]
    assert found == [("139", "5678"), ("138", "8000")]


@pytest.mark.parametrize(
    ("text", "candidate"),
    [
        ("手机 138 0013 8000", "138 0013 8000"),
        ("我的号码是１３８００１３８０００", "13800138000"),
        ("没有", "没有"),
    ],
)
def test_phone_candidate(text: str, candidate: str) -> None:
    assert phone_candidate(text) == candidate


def test_digit_count_counts_full_width_digits() -> None:
    assert digit_count("１３８ 0013") == 7
    assert digit_count(None) == 0
