"""zh.places: one list of Shanghai districts, former names included, for policies and bookings."""

from __future__ import annotations

import pytest

from zh.normalise import match_form
from zh.places import DISTRICTS, district, find_districts, first_district


def test_sixteen_districts_with_unique_forms() -> None:
    assert len(DISTRICTS) == 16
    forms = [f for d in DISTRICTS for f in (d.id, *d.surface_forms)]
    assert len(forms) == len(set(forms))


@pytest.mark.parametrize(
    ("text", "name"),
    [("浦东", "浦东新区"), ("浦东新区", "浦东新区"), ("浦东区", "浦东新区"), ("徐汇", "徐汇区"), ("静安区", "静安区"),
     ("卢湾", "黄浦区"), ("南市区", "黄浦区"), ("闸北", "静安区"), ("南汇", "浦东新区"), ("崇明县", "崇明区"),
     ("徐汇 区", "徐汇区"), ("pudong", "浦东新区"), ("朝阳区", None), ("", None), (None, None)],
)  # fmt: skip
def test_district_names_a_whole_answer(text: str | None, name: str | None) -> None:
    found = district(text)
    assert (found.name if found else None) == name


def test_every_form_is_found_in_a_sentence() -> None:
    for d in DISTRICTS:
        for form in d.surface_forms:
            assert first_district(f"我在{form}注册的") == d, form


def test_find_districts_in_order_longest_form_first() -> None:
    text = match_form("在南汇区还是闵行")
    assert [(s, e, d.id) for s, e, d in find_districts(text)] == [(1, 4, "pudong"), (6, 8, "minhang")]
    assert first_district("在 浦东 张江").name == "浦东新区"
    assert first_district("火星") is None
