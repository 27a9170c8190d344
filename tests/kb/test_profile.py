"""ApplicantProfile.from_dict: coercion, vocabulary mapping and Chinese error messages."""

from __future__ import annotations

from datetime import date

import pytest

from policies_kb.errors import ProfileError
from policies_kb.model import Catalogue
from policies_kb.profile import BOUNDS, FIELD_TYPES, QUESTIONS, ApplicantProfile


def test_every_field_has_a_question_and_a_dataclass_slot() -> None:
    # date_bounds is no field of its own: the ranges of dates given only to the year.
    assert set(QUESTIONS) == set(FIELD_TYPES) == set(ApplicantProfile.__dataclass_fields__) - {BOUNDS}
    assert QUESTIONS["registration_date"] == "您的创业组织是哪天注册登记的？"


def test_from_dict_coerces_and_maps_aliases(fixture_catalogue: Catalogue) -> None:
    profile = ApplicantProfile.from_dict(
        {"hukou": "shanghai", "birth_date": "1995-03-01", "groups": ["海归", "college_graduate"],
         "registration_district": "卢湾", "shanghai_employees_ratio": 15, "good_credit": True,
         "subsidies_received": ["first_business_subsidy"], "age": None},
        fixture_catalogue.vocabulary, set(fixture_catalogue.policies),
    )  # fmt: skip
    assert profile.birth_date == date(1995, 3, 1)
    assert profile.groups == {"returned_overseas", "college_graduate"}
    assert profile.registration_district == "huangpu"
    assert profile.shanghai_employees_ratio == 15.0
    assert profile.value("age", date(2026, 11, 28)) == 31
    assert ApplicantProfile.from_dict(profile.to_dict(), fixture_catalogue.vocabulary) == profile


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"hukou": "beijing"}, "hukou（户籍或居住证类型）：取值“beijing”无效"),
        ({"registration_date": "2024/03/01"}, "格式应为 YYYY-MM-DD"),
        ({"registration_date": "2024-02-30"}, "日期“2024-02-30”无效"),
        ({"age": "三十"}, "age（年龄）：应为整数"),
        ({"age": 200}, "不合理"),
        ({"good_credit": "yes"}, "应为 true 或 false"),
        ({"groups": ["外星人"]}, "未知的人群“外星人”"),
        ({"registration_district": "苏州"}, "未知的区“苏州”"),
        ({"subsidies_received": ["nope"]}, "未知的政策编号“nope”"),
        ({"shanghai_employees_ratio": 150}, "百分比应在 0 到 100 之间"),
        ({"salary": 1}, "未知字段“salary”"),
    ],
)
def test_from_dict_rejects(fixture_catalogue: Catalogue, data: dict, fragment: str) -> None:
    with pytest.raises(ProfileError) as info:
        ApplicantProfile.from_dict(data, fixture_catalogue.vocabulary, set(fixture_catalogue.policies))
    assert any(fragment in m for m in info.value.messages), info.value.messages
    assert str(info.value).startswith("申请人信息有误：")


def test_reports_every_problem_at_once() -> None:
    with pytest.raises(ProfileError) as info:
        ApplicantProfile.from_dict({"hukou": "x", "age": "y", "z": 1})
    assert len(info.value.messages) == 3


def test_not_a_mapping() -> None:
    with pytest.raises(ProfileError, match="JSON 对象"):
        ApplicantProfile.from_dict(["hukou"])  # type: ignore[arg-type]
