"""Free-text answers to profile questions: table-driven over every field kind, on a fixed date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from policies_kb.profile import BOUNDS, FIELD_TYPES, QUESTIONS, ApplicantProfile
from policies_kb.profile_text import (
    FIELD_QUESTIONS_ZH,
    SUPPORTED_FIELDS,
    ParsedAnswer,
    extract_answers,
    extract_profile,
    parse_answer,
)
from zh.places import DISTRICTS

TODAY = date(2026, 11, 28)
D = date
GRADUATE = frozenset({"college_graduate"})
VOCABULARY = yaml.safe_load(
    (Path(__file__).parents[2] / "policies_kb" / "data" / "vocabulary.yaml").read_text(encoding="utf-8")
)
NOT_OK = object()  # expected value for answers that must be re-asked

# (field, answer, expected value, approximate)
ACCEPTED: list[tuple[str, str, object, bool]] = [
    # --- dates: exact days
    ("graduation_date", "2024-05-10", D(2024, 5, 10), False),
    ("graduation_date", "2024年5月10日", D(2024, 5, 10), False),
    ("graduation_date", "2024.5.10", D(2024, 5, 10), False),
    ("graduation_date", "20240510", D(2024, 5, 10), False),
    ("graduation_date", "２０２４年５月１０号", D(2024, 5, 10), False),  # full-width digits
    ("registration_date", "2024/2/29", D(2024, 2, 29), False),  # leap day
    ("registration_date", "今天刚注册的", D(2026, 11, 28), False),
    ("registration_date", "昨天", D(2026, 11, 27), False),
    ("registration_date", "上个月10号", D(2026, 10, 10), False),
    ("birth_date", "1990年5月3日", D(1990, 5, 3), False),
    # --- dates: month precision -> 1st of month, approximate
    ("graduation_date", "去年6月毕业", D(2025, 6, 1), True),
    ("graduation_date", "23年7月", D(2023, 7, 1), True),
    ("graduation_date", "2024.5", D(2024, 5, 1), True),
    ("graduation_date", "2024年5", D(2024, 5, 1), True),
    ("graduation_date", "今年1月", D(2026, 1, 1), True),
    ("graduation_date", "二〇二四年十一月", D(2024, 11, 1), True),
    ("graduation_date", "二三年六月份", D(2023, 6, 1), True),
    ("graduation_date", "大概是2023年的7月吧", D(2023, 7, 1), True),
    ("graduation_date", "还没毕业，明年7月", D(2027, 7, 1), True),
    ("graduation_date", "明年6月毕业", D(2027, 6, 1), True),  # students graduate in the future
    ("graduation_date", "上个月", D(2026, 10, 1), True),
    ("graduation_date", "半年前", D(2026, 5, 1), True),
    ("registration_date", "2023年3月注册的", D(2023, 3, 1), True),
    ("registration_date", "3个月前", D(2026, 8, 1), True),
    ("registration_date", "十一个月前", D(2025, 12, 1), True),
    ("registration_date", "今年11月", D(2026, 11, 1), True),
    ("registration_date", "刚注册", D(2026, 11, 28), True),
    ("birth_date", "90年5月", D(1990, 5, 1), True),
    # --- corrections
    ("graduation_date", "不对，我是前年6月毕业的", D(2024, 6, 1), True),
    ("graduation_date", "2023年3月，不对，4月", D(2023, 4, 1), True),
    ("registration_date", "说错了，应该是2022年8月", D(2022, 8, 1), True),
    ("age", "不是25岁，是26", 26, False),
    ("hukou", "不是上海户口，是居住证", "residence_permit", False),
    ("business_type", "不是个体户，是公司", "micro_enterprise", False),
    ("first_business", "是的，哦不，不是", False, False),
    # --- age
    ("age", "35岁", 35, False),
    ("age", "三十五", 35, False),
    ("age", "我今年28", 28, False),
    ("age", "28周岁", 28, False),
    ("age", "快35了", 34, False),
    ("age", "1990年5月出生", 36, False),
    ("age", "1990年12月出生", 35, False),
    ("age", "1991-11-28", 35, False),  # birthday today
    ("age", "1991-11-29", 34, False),  # birthday tomorrow
    # --- social insurance months
    ("social_insurance_months", "缴了8个月社保", 8, False),
    ("social_insurance_months", "半年", 6, False),
    ("social_insurance_months", "一年多", 12, True),
    ("social_insurance_months", "一年半", 18, False),
    ("social_insurance_months", "两年", 24, False),
    ("social_insurance_months", "1年3个月", 15, False),
    ("social_insurance_months", "8", 8, False),
    ("social_insurance_months", "十二个月", 12, False),
    ("social_insurance_months", "十几个月", 11, True),
    ("social_insurance_months", "还没交", 0, False),
    # --- employees
    ("employees", "两个人", 2, False),
    ("employees", "5个员工", 5, False),
    ("employees", "员工有12个", 12, False),
    ("employees", "就我一个", 1, False),
    ("employees", "没有员工", 0, False),
    ("employees", "二十多人", 21, True),
    ("employees", "两三个", 2, True),
    ("employees", "3", 3, False),
    # --- loan history
    ("loan_history_count", "没有", 0, False),
    ("loan_history_count", "一次", 1, False),
    ("loan_history_count", "享受过2次", 2, False),
    ("loan_history_count", "一次都没有", 0, False),
    ("loan_history_count", "第一次申请", 0, False),
    # --- percentages
    ("shanghai_employees_ratio", "20%", 20.0, False),
    ("shanghai_employees_ratio", "百分之二十", 20.0, False),
    ("shanghai_employees_ratio", "一半", 50.0, False),
    ("shanghai_employees_ratio", "三分之一", 33.33, False),
    ("shanghai_employees_ratio", "八成", 80.0, False),
    ("shanghai_employees_ratio", "10个人里有3个", 30.0, False),
    ("shanghai_employees_ratio", "全部都是", 100.0, False),
    ("key_group_new_hires_ratio", "15", 15.0, False),
    ("key_group_new_hires_ratio", "30%以上", 30.0, True),
    ("key_group_new_hires_ratio", "没有", 0.0, False),
    # --- booleans
    ("first_business", "是", True, False),
    ("first_business", "不是", False, False),
    ("first_business", "对", True, False),
    ("first_business", "第一次", True, False),
    ("first_business", "以前开过公司", False, False),
    ("legal_representative", "有的", True, False),
    ("legal_representative", "我就是法人", True, False),
    ("legal_representative", "法人是我朋友，不是我", False, False),
    ("incubation_agreement", "签了", True, False),
    ("incubation_agreement", "还没签", False, False),
    ("has_business_plan", "嗯嗯", True, False),
    ("has_business_plan", "没有", False, False),
    ("school_recommendation", "没有", False, False),
    ("accounting_and_tax_registered", "都办好了", True, False),
    ("flexible_employment_registered", "还没办", False, False),
    ("registered_in_shanghai", "在浦东", True, False),
    ("registered_in_shanghai", "在江苏昆山", False, False),
    ("registered_in_shanghai", "👍", True, False),
    ("dishonest_debtor", "没有", False, False),  # negative-sense field: 没有 = not a dishonest debtor
    ("dishonest_debtor", "不是", False, False),
    ("dishonest_debtor", "是", True, False),
    ("good_credit", "没有", True, False),  # "是否没有不良信用记录？" — 没有 = no bad record
    ("good_credit", "有", False, False),
    ("good_credit", "没有不良记录", True, False),
    ("good_credit", "有过逾期", False, False),
    ("good_credit", "信用良好", True, False),
    ("good_credit", "对", True, False),
    # --- hukou
    ("hukou", "上海户口", "shanghai", False),
    ("hukou", "本地户口", "shanghai", False),
    ("hukou", "是", "shanghai", False),  # the question is 您是上海户籍吗？
    ("hukou", "外地的，有居住证", "residence_permit", False),
    ("hukou", "有上海居住证", "residence_permit", False),
    ("hukou", "新上海人，办了居住证", "residence_permit", False),
    ("hukou", "海外人才居住证", "overseas_talent_permit", False),
    ("hukou", "港澳台居民居住证", "hk_mo_tw_permit", False),
    ("hukou", "我是台湾人", "hk_mo_tw_permit", False),
    ("hukou", "外国人永久居留身份证", "foreign_permanent", False),
    ("hukou", "海归", "returned_overseas_startup", False),
    ("hukou", "外地的，没有居住证", "other", False),
    ("hukou", "都没有", "other", False),
    # --- business type
    ("business_type", "个体户", "individual_business", False),
    ("business_type", "开了个公司", "micro_enterprise", False),
    ("business_type", "小微企业", "micro_enterprise", False),
    ("business_type", "有限责任公司", "micro_enterprise", False),
    ("business_type", "合作社", "farmer_cooperative", False),
    ("business_type", "民非", "private_non_enterprise", False),
    ("business_type", "民办非企业单位", "private_non_enterprise", False),
    ("business_type", "还没注册", "none", False),
    ("business_type", "打算开公司，还没注册", "none", False),
    # --- district
    ("registration_district", "浦东", "pudong", False),
    ("registration_district", "在黄浦注册的", "huangpu", False),
    ("registration_district", "卢湾", "huangpu", False),  # merged into 黄浦区
    ("registration_district", "闸北区", "jingan", False),
    ("registration_district", "浦东新区张江", "pudong", False),
    # --- groups
    ("groups", "我是退役军人", frozenset({"veteran"}), False),
    ("groups", "应届毕业生", frozenset({"college_graduate"}), False),
    ("groups", "失业了", frozenset({"registered_unemployed"}), False),
    ("groups", "海归", frozenset({"returned_overseas"}), False),
    ("groups", "在读研究生", frozenset({"student"}), False),
    ("groups", "退伍军人，现在失业", frozenset({"veteran", "registered_unemployed"}), False),
    ("groups", "我不是退役军人，是大学生", frozenset({"college_graduate"}), False),
    ("groups", "都不是", frozenset(), False),
]


@pytest.mark.parametrize(("field", "text", "expected", "approximate"), ACCEPTED, ids=lambda v: str(v))
def test_accepted_answers(field: str, text: str, expected: object, approximate: bool) -> None:
    answer = parse_answer(field, text, TODAY)
    assert answer.ok, answer.message_zh
    assert answer.value == expected
    assert type(answer.value) is type(expected)
    assert answer.approximate is approximate
    assert answer.message_zh is None
    assert answer.bounds is not None
    low, high = answer.bounds
    if approximate:
        assert low <= answer.value <= high and low != high
    else:
        assert low == high == answer.value


# (field, answer, a word the re-ask must contain, expected bounds or None)
REJECTED: list[tuple[str, str, str, tuple | None]] = [
    # garbage in every kind of field
    ("graduation_date", "啊啊啊", "2024年6月", None),
    ("graduation_date", "", "年份和月份", None),
    ("registration_date", "😂😂", "年份和月份", None),
    ("age", "啊啊啊", "周岁", None),
    ("age", "", "周岁", None),
    ("social_insurance_months", "🙂", "个月", None),
    ("employees", "hmm", "人", None),
    ("loan_history_count", "？？？", "次", None),
    ("shanghai_employees_ratio", "很多", "%", None),
    ("first_business", "啊啊啊", "是", None),
    ("good_credit", "", "是", None),
    ("hukou", "😀", "上海户口", None),
    ("business_type", "啊啊", "个体户", None),
    ("registration_district", "火星", "区", None),
    ("groups", "啊啊啊", "都不是", None),
    # year without month: re-ask for the month, bounds still given
    ("graduation_date", "前年毕业的", "2024年几月", (D(2024, 1, 1), D(2024, 12, 31))),
    ("graduation_date", "去年", "2025年几月", (D(2025, 1, 1), D(2025, 12, 31))),
    ("registration_date", "2023", "2023年几月", (D(2023, 1, 1), D(2023, 12, 31))),
    ("registration_date", "今年注册的", "2026年几月", (D(2026, 1, 1), D(2026, 11, 28))),  # clipped to today
    ("registration_date", "三年前", "哪年哪月", (D(2023, 5, 28), D(2024, 5, 28))),
    ("birth_date", "1990年出生", "1990年几月", (D(1990, 1, 1), D(1990, 12, 31))),
    # month without year
    ("graduation_date", "6月", "哪一年6月", None),
    # impossible or future dates
    ("graduation_date", "2023年2月29日", "不存在", None),
    ("registration_date", "2024年13月", "不存在", None),
    ("registration_date", "今年12月", "不能晚于今天", None),
    ("registration_date", "明年3月", "不能晚于今天", None),
    ("birth_date", "2030年1月1日", "不能晚于今天", None),
    # ages that are ±1 or vague
    ("age", "1990年出生", "出生的年份和月份", (35, 36)),
    ("age", "1990年11月", "出生的年份和月份", (35, 36)),  # birthday somewhere in this month
    ("age", "虚岁36", "周岁", (34, 35)),
    ("age", "三十多岁", "周岁", (31, 39)),
    ("age", "200岁", "不太对", None),
    # percentages
    ("shanghai_employees_ratio", "不到一半", "百分比", (0.0, 50.0)),
    ("shanghai_employees_ratio", "150%", "0% 到 100%", None),
    ("shanghai_employees_ratio", "0.3", "30%", None),
    # enums that need a follow-up
    ("hukou", "外地的", "居住证", None),
    ("hukou", "不是", "哪种证件", None),
    ("hukou", "有", "上海户口", None),  # 有 does not answer 您是上海户籍吗
    ("registration_date", "还没注册", "跳过", None),
    ("graduation_date", "还没毕业", "预计", None),
    ("hukou", "外籍", "永久居留", None),
    ("business_type", "开了个店", "个体工商户", None),
    ("registration_district", "浦东还是闵行还没定", "哪个区", None),
    # unknowns
    ("first_business", "不知道", "跳过", None),
    ("graduation_date", "不记得了", "跳过", None),
]


@pytest.mark.parametrize(("field", "text", "hint", "bounds"), REJECTED, ids=lambda v: str(v))
def test_rejected_answers_re_ask(field: str, text: str, hint: str, bounds: tuple | None) -> None:
    answer = parse_answer(field, text, TODAY)
    assert not answer.ok
    assert answer.value is None
    assert answer.message_zh and hint in answer.message_zh
    assert answer.bounds == bounds


def test_month_precision_bounds_cover_the_whole_month_and_stop_at_today() -> None:
    assert parse_answer("registration_date", "2024年2月", TODAY).bounds == (D(2024, 2, 1), D(2024, 2, 29))
    assert parse_answer("registration_date", "2023年2月", TODAY).bounds == (D(2023, 2, 1), D(2023, 2, 28))
    assert parse_answer("graduation_date", "去年6月", TODAY).bounds == (D(2025, 6, 1), D(2025, 6, 30))
    assert parse_answer("registration_date", "本月", TODAY).bounds == (D(2026, 11, 1), D(2026, 11, 28))
    # graduation is not clipped: a student may graduate later this month
    assert parse_answer("graduation_date", "本月", TODAY).bounds == (D(2026, 11, 1), D(2026, 11, 30))
    on_month_end = date(2026, 3, 31)
    assert parse_answer("registration_date", "上个月", on_month_end).bounds == (D(2026, 2, 1), D(2026, 2, 28))
    assert parse_answer("registration_date", "刚注册", TODAY).bounds == (D(2026, 8, 28), D(2026, 11, 28))


def test_two_digit_years_pivot_around_today() -> None:
    assert parse_answer("graduation_date", "31年6月", TODAY).value == D(2031, 6, 1)
    assert parse_answer("birth_date", "95年3月", TODAY).value == D(1995, 3, 1)
    assert parse_answer("birth_date", "00年3月", TODAY).value == D(2000, 3, 1)


def test_every_district_name_and_alias_is_recognised() -> None:
    for district in DISTRICTS:
        for form in district.surface_forms:
            assert parse_answer("registration_district", form, TODAY).value == district.id, form


def test_every_group_name_and_alias_is_recognised() -> None:
    for group_id, term in VOCABULARY["applicant_groups"].items():
        for form in [term["name"], *term.get("aliases", [])]:
            assert parse_answer("groups", form, TODAY).value == frozenset({group_id}), form


@pytest.mark.parametrize("field", SUPPORTED_FIELDS)
def test_every_field_has_a_question_and_re_asks_on_garbage(field: str) -> None:
    assert FIELD_QUESTIONS_ZH[field]
    for garbage in ("", "   ", "🤔", "…"):
        answer = parse_answer(field, garbage, TODAY)
        assert not answer.ok and answer.message_zh, (field, garbage)


def test_questions_are_the_profile_questions() -> None:
    assert FIELD_QUESTIONS_ZH is QUESTIONS


def test_unknown_or_unsupported_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_answer("shoe_size", "42", TODAY)
    with pytest.raises(ValueError):
        parse_answer("subsidies_received", "没有", TODAY)
    assert set(SUPPORTED_FIELDS) == set(FIELD_TYPES) - {"subsidies_received"}


def test_accepted_values_build_a_valid_profile() -> None:
    values = {field: parse_answer(field, text, TODAY).value for field, text, _, _ in ACCEPTED}
    profile = ApplicantProfile.from_dict(values)
    assert profile.hukou == "other"  # the last hukou answer in the table


EXTRACTED: list[tuple[str, dict]] = [
    (
        "我是去年6月毕业的上海户口大学生，想在浦东开个公司",
        {"graduation_date": D(2025, 6, 1), "hukou": "shanghai", "groups": frozenset({"college_graduate"}),
         "registration_district": "pudong"},
    ),
    (
        "我今年28岁，退役军人，2023年3月在闵行注册了一家公司，有5个员工，社保交了一年多",
        {"age": 28, "groups": frozenset({"veteran"}), "registration_date": D(2023, 3, 1),
         "registration_district": "minhang", "business_type": "micro_enterprise", "employees": 5,
         "social_insurance_months": 12},
    ),
    (
        "外地的，有居住证，24年7月在徐汇开了个体户",
        {"hukou": "residence_permit", "registration_date": D(2024, 7, 1), "registration_district": "xuhui",
         "business_type": "individual_business"},
    ),
    ("不对，我是前年6月毕业的", {"graduation_date": D(2024, 6, 1), "groups": GRADUATE}),
    ("我是2023年6月毕业的，不对，是2024年6月", {"graduation_date": D(2024, 6, 1), "groups": GRADUATE}),
    ("海归，1992年3月出生，还没注册，第一次创业", {"groups": frozenset({"returned_overseas"}), "hukou":
     "returned_overseas_startup", "birth_date": D(1992, 3, 1), "business_type": "none", "first_business": True}),
    ("我不是退役军人，是在读学生", {"groups": frozenset({"student"})}),
    ("我住在浦东", {}),  # where one lives is not where the business is registered
    # A year without a month is no date, but its range is kept (the rules may not need the month).
    ("前年毕业的，想了解创业贷款", {BOUNDS: {"graduation_date": (D(2024, 1, 1), D(2024, 12, 31))}, "groups": GRADUATE}),
    ("请问创业补贴怎么申请？", {}),
    ("", {}),
    ("😀😀", {}),
]  # fmt: skip


# Issue #20: every fact of a message, including those one fact implies.
EXTRACTED += [
    ("2025年6月毕业的", {"graduation_date": D(2025, 6, 1), "groups": GRADUATE}),
    ("明年6月毕业", {"graduation_date": D(2027, 6, 1), "groups": frozenset({"student"})}),
    (
        "我38岁，上海户口大学毕业，还没注册公司，想申请创业前贷款",
        {"age": 38, "hukou": "shanghai", "business_type": "none", "groups": GRADUATE},
    ),
    (
        "上海户口，去年6月毕业，公司是今年3月注册的",
        {
            "hukou": "shanghai",
            "graduation_date": D(2025, 6, 1),
            "registration_date": D(2026, 3, 1),
            "business_type": "micro_enterprise",
            "groups": GRADUATE,
        },
    ),
    ("公司注册两年了", {"business_type": "micro_enterprise", "registration_date": D(2024, 11, 28)}),
    ("户口在上海", {"hukou": "shanghai"}),
    ("法人就是本人", {"legal_representative": True}),
    ("这是头一回创业", {"first_business": True}),
    ("我已经享受过3次创业担保贷款贴息了", {"loan_history_count": 3}),
    ("从来没享受过贴息", {"loan_history_count": 0}),
    (
        "公司注册在浦东新区，可以申请黄浦创卡落地补贴吗",
        {"business_type": "micro_enterprise", "registration_district": "pudong"},
    ),
]


# Year-only dates (issue #20): the range, with the verb next to the year; today clips the current year.
EXTRACTED += [
    (
        "我30岁，公司2019年注册的",
        {"age": 30, "business_type": "micro_enterprise",
         BOUNDS: {"registration_date": (D(2019, 1, 1), D(2019, 12, 31))}},
    ),
    ("个体户是今年注册的", {"business_type": "individual_business",
                         BOUNDS: {"registration_date": (D(2026, 1, 1), TODAY)}}),
    ("1988年出生", {BOUNDS: {"birth_date": (D(1988, 1, 1), D(1988, 12, 31))}}),
    ("公司成立于2022年", {"business_type": "micro_enterprise",
                       BOUNDS: {"registration_date": (D(2022, 1, 1), D(2022, 12, 31))}}),
    ("我是2027年毕业", {BOUNDS: {"graduation_date": (D(2027, 1, 1), D(2027, 12, 31))},
                     "groups": frozenset({"student"})}),
    # No subsidy received, said in a sentence; a policy name alone says nothing about it.
    ("其他补贴都没领过", {"subsidies_received": frozenset()}),
    ("从来没拿过别的创业补贴", {"subsidies_received": frozenset()}),
    ("领过补贴吗", {}),
    # Yes/no facts of the loans and subsidies, said in a sentence.
    ("项目计划书早就准备好了", {"has_business_plan": True}),
    ("商业计划书还没写", {"has_business_plan": False}),
    ("我没有计划去外地", {}),  # "no plan to", not "no business plan"
    ("申请时要有创业计划书吗", {}),  # a question about the condition states nothing
    ("学校已经给了推荐", {"school_recommendation": True}),
    ("学校还没推荐", {"school_recommendation": False}),
    ("灵活就业登记也办好了", {"flexible_employment_registered": True}),
    ("还没去办灵活就业登记", {"flexible_employment_registered": False}),
    ("税务登记已经办了", {"accounting_and_tax_registered": True}),
    # A group inside a policy's name is no group of the person asking.
    ("就业困难人员灵活就业社会保险费补贴能领吗", {}),
    ("我是就业困难人员，想问灵活就业社保补贴", {"groups": frozenset({"hard_to_employ"})}),
    # The field word before the date, with 时间/日期 and 是.
    ("营业执照上的成立日期是2023年8月12日", {"registration_date": D(2023, 8, 12)}),
    ("注册时间是2022年", {BOUNDS: {"registration_date": (D(2022, 1, 1), D(2022, 12, 31))}}),
    # Not a registration year: negated, or an age after 今年.
    ("今年还没注册公司", {"business_type": "none"}),
    # A year that restates the month said before keeps the month; one outside it corrects it.
    ("2024年8月注册的，对，就是2024年注册的", {"registration_date": D(2024, 8, 1)}),
    ("2024年8月注册的，不对，是2023年注册的",
     {BOUNDS: {"registration_date": (D(2023, 1, 1), D(2023, 12, 31))}}),
]  # fmt: skip


def test_registered_for_n_years_more_is_a_range() -> None:
    answer = extract_answers("公司成立3年多了", TODAY)["registration_date"]
    assert answer.approximate and answer.bounds == (D(2022, 12, 28), D(2023, 11, 28))


@pytest.mark.parametrize(("text", "expected"), EXTRACTED, ids=lambda v: str(v)[:30])
def test_extract_profile(text: str, expected: dict) -> None:
    assert extract_profile(text, TODAY) == expected


def test_extract_answers_keep_the_approximate_flag() -> None:
    answers = extract_answers("去年6月毕业，2024-05-10注册的公司", TODAY)
    assert answers["graduation_date"].approximate is True
    assert answers["registration_date"] == ParsedAnswer(
        D(2024, 5, 10), True, None, False, (D(2024, 5, 10),) * 2
    )


# Replies to the eligibility form's questions, read for the field asked (issue #22 part 5).
FORM_REPLIES: list[tuple[str, str, object]] = [
    ("groups", "就业困难人员", frozenset({"hard_to_employ"})),
    ("groups", "我是退役军人", frozenset({"veteran"})),
    ("groups", "都不是", frozenset()),
    ("groups", "都不属于", frozenset()),
    ("legal_representative", "是法定代表人", True),
    ("legal_representative", "我是法定代表人", True),
    ("legal_representative", "我是法人", True),
    ("legal_representative", "不是", False),
    ("hukou", "都没有", "other"),  # as the reply to the hukou question itself
]


@pytest.mark.parametrize(("field", "text", "expected"), FORM_REPLIES, ids=lambda v: str(v)[:20])
def test_form_reply_is_read_for_the_field_asked(field: str, text: str, expected: object) -> None:
    answer = parse_answer(field, text, TODAY)
    assert answer.ok and answer.value == expected


@pytest.mark.parametrize(
    "text",
    ["都没有", "都没", "没有，都没有领过"],
)
def test_a_bare_none_states_no_hukou_in_a_free_sentence(text: str) -> None:
    # "都没有" replies to the question asked (e.g. which subsidies); it is no hukou fact, which would
    # overwrite an earlier "上海户籍" answer.
    assert "hukou" not in extract_profile(text, TODAY)
    assert extract_profile("外地的，没有居住证", TODAY).get("hukou") == "other"


@pytest.mark.parametrize(
    "text",
    ["我能申请首次创业一次性补贴吗", "首次创业补贴怎么申请", "首次创业的补贴有多少", "首次创业1次性补贴"],
)
def test_a_policy_name_states_no_first_business(text: str) -> None:
    assert "first_business" not in extract_profile(text, TODAY)
    assert extract_profile("我是首次创业，想申请补贴", TODAY)["first_business"] is True
