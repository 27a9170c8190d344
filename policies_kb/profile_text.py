"""Free-text Chinese answers to the eligibility form's questions, turned into typed profile values.

The form asks one field at a time (QUESTIONS in profile.py) and people answer the way they write:
"去年6月毕业", "23年7月", "三十五", "外地的，有居住证", "缴了8个月社保", "不对，我是前年毕业的".
`parse_answer` reads such an answer for one field; `extract_profile` picks up whatever facts a free
sentence states clearly. Framework-free: no rasa imports, no database.

Conventions (the eligibility rules are "within N months before" / "at least N months before", so an
imprecise answer must never turn into a wrong definite verdict):

* Every answer carries `bounds`, the inclusive range the true value lies in ((v, v) when exact).
  A caller that evaluates the rule at both ends and gets the same verdict may skip the follow-up.
* Dates with year, month and day are exact. Year and month without a day ("2024年6月", "去年6月",
  "上个月", "3个月前", "半年前") are accepted with `approximate=True`: value is the 1st of the month
  and bounds is the whole month. "刚注册/刚毕业" is today, approximate, bounds the last 3 months.
* A year without a month ("去年毕业", "2023年", "三年前") is too coarse (up to 12 months of error
  against 12-24 month rules): ok=False with a re-ask for the month, value None, but bounds still set
  (the calendar year; today-N years ±6 months for "N年前") so the caller may decide without asking.
  A month without a year ("6月") is ok=False with a re-ask for the year and no bounds.
* Past-tense fields: a registration or birth date after today is refused with a re-ask; a bound that
  runs past today is clipped to today ("今年11月注册" on 2026-11-28 -> 11-01..11-28). Graduation may
  be in the future (students: "明年6月毕业").
* Two-digit years: 20yy when that is at most five years ahead of today, else 19yy ("23年" -> 2023,
  "90年" -> 1990).
* Counts with "多/几" ("一年多", "十几个人", "20%以上") are "at least": ok=True, approximate=True,
  value = the lower bound. "不到N"/"虚岁N"/"30多岁" and an age from a birth year that is ±1 are
  ok=False with bounds, because their lower bound is not a safe reading of "≤ N" rules.
* Age from a birth date is computed on `today`; it is exact when the birth month is known and differs
  from today's month.
* Bool fields read the answer as a reply to the question: "没有" means False, except for good_credit,
  whose question is "是否没有不良信用记录" — there "没有" (no bad record) means True and "有" False.
* Corrections: after "不对/错了/说错了/应该是/其实是…" only the tail is read; "不是X，是Y" reads Y.
  A correction that omits the year ("2023年3月，不对，4月") keeps the year said before.

FIELD_QUESTIONS_ZH is profile.QUESTIONS (one question per field, owned by profile.py), re-exported
so the form has a single source of questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta

from zh.answers import (
    CONTENT_RE,
    CORRECTION_RE,
    SIGNS_RE,
    find_terms,
    negated,
    says_no,
    says_unknown,
    split_correction,
    yes_no,
)
from zh.dates import DateSpan, find_dates, ymd
from zh.normalise import match_form
from zh.numbers import numerals_to_digits
from zh.places import find_districts

from .profile import BOUNDS, FIELD_TYPES, QUESTIONS

__all__ = [
    "FIELD_QUESTIONS_ZH",
    "SUPPORTED_FIELDS",
    "ParsedAnswer",
    "extract_answers",
    "extract_profile",
    "parse_answer",
]

FIELD_QUESTIONS_ZH: dict[str, str] = QUESTIONS

# subsidies_received needs the policy catalogue to name policies; the form asks it as a list instead.
SUPPORTED_FIELDS: tuple[str, ...] = tuple(f for f in FIELD_TYPES if f != "subsidies_received")

Value = date | int | float | bool | str | frozenset[str] | None


@dataclass(frozen=True)
class ParsedAnswer:
    """The reading of one answer.

    ok: the value can be stored. When not ok, message_zh is a short re-ask and value is None.
    approximate: the user gave less than the field's full precision (a month without a day, "一年多").
    bounds: inclusive (low, high) the true value lies in; (v, v) when exact; may be set when not ok.
    """

    value: Value = None
    ok: bool = False
    message_zh: str | None = None
    approximate: bool = False
    bounds: tuple[Any, Any] | None = None


def _fail(message: str, bounds: tuple[Any, Any] | None = None) -> ParsedAnswer:
    return ParsedAnswer(None, False, message, False, bounds)


def _good(value: Value, bounds: tuple[Any, Any] | None = None, approximate: bool = False) -> ParsedAnswer:
    return ParsedAnswer(value, True, None, approximate, bounds if bounds is not None else (value, value))


# ------------------------------------------------------------------ vocabulary (groups)

_VOCABULARY_FILE = Path(__file__).parent / "data" / "vocabulary.yaml"

# Colloquial group names the vocabulary does not list; ids missing from the vocabulary are dropped.
_EXTRA_GROUP_FORMS = {
    "大学毕业": "college_graduate",
    "本科毕业": "college_graduate",
    "硕士毕业": "college_graduate",
    "研究生毕业": "college_graduate",
    "博士毕业": "college_graduate",
    "大专毕业": "college_graduate",
    "专科毕业": "college_graduate",
    "高校毕业": "college_graduate",
    "还在读": "student",
    "在读": "student",
    "在校": "student",
    "当过兵": "veteran",
    "退伍": "veteran",
    "退役": "veteran",
    "留学回来": "returned_overseas",
    "留学回国": "returned_overseas",
}


@lru_cache(maxsize=1)
def _groups() -> dict[str, str]:
    """Group surface form -> id, forms normalised like user text (districts: zh.places)."""
    raw = yaml.safe_load(_VOCABULARY_FILE.read_text(encoding="utf-8")) or {}
    groups: dict[str, str] = {}
    for term_id, term in (raw.get("applicant_groups") or {}).items():
        for form in [term_id, term.get("name", ""), *(term.get("aliases") or [])]:
            if form:
                groups[match_form(str(form))] = term_id
    for form, group in _EXTRA_GROUP_FORMS.items():
        if group in groups.values():
            groups.setdefault(form, group)
    return groups


_groups()  # load at import so a broken vocabulary file fails loudly and early


# ------------------------------------------------------------------ text preparation


def _prep(text: str) -> str:
    t = match_form(text or "")
    t = re.sub(r"(?<=\d)\s+(?=\d)", "-", t)
    t = re.sub(r"\s+", "", t)
    t = t.replace("一半", "半数")
    return numerals_to_digits(t)


# ------------------------------------------------------------------ dates

_DATE_VERB = {"graduation_date": "毕业", "registration_date": "注册", "birth_date": "出生"}
_BARE_YEAR_RE = re.compile(r"(?:我|是|在|于)*((?:19|20)\d\d)(?:年份?)?(?:左右|的|吧|了|毕业|注册|出生|成立)*")


def _date_answer(field: str, hit: DateSpan, today: date) -> ParsedAnswer:
    verb = _DATE_VERB[field]
    example = "1990年5月" if field == "birth_date" else "2024年6月"
    if hit.precision == "invalid":
        return _fail(f"这个日期好像不存在，请再确认一下，例如“{example}”。")
    if hit.precision == "noyear":
        return _fail(f"请告诉我是哪一年{hit.month}月{verb}的，例如“2024年{hit.month}月”。")
    assert hit.lo is not None and hit.hi is not None
    lo, hi = hit.lo, hit.hi
    if field == "graduation_date":
        if lo.year < today.year - 70 or hi.year > today.year + 8:
            return _fail(f"这个毕业时间好像不太对，请再确认一下，例如“{example}”。")
    else:
        if lo > today:
            return _fail(f"{verb}日期不能晚于今天，请再确认一下，例如“{example}”。")
        hi = min(hi, today)
        earliest = today.year - 120 if field == "birth_date" else 1949
        if lo.year < earliest:
            return _fail(f"这个{verb}时间好像不太对，请再确认一下，例如“{example}”。")
    if hit.precision == "year":
        year = lo.year if lo.year == hi.year else None
        if year is not None:
            return _fail(f"请问是{year}年几月{verb}的？例如“{year}年6月”。", (lo, hi))
        return _fail(f"请告诉我大概是哪年哪月{verb}的，例如“{example}”。", (lo, hi))
    if hit.precision == "day":
        return _good(lo)
    if hit.precision == "fuzzy":
        value = today if hi >= today else lo + (hi - lo) / 2
        return _good(value, (lo, hi), approximate=True)
    return _good(lo, (lo, hi), approximate=True)


_NOT_YET = {
    "registration_date": r"还没(?:有)?(?:注册|成立|登记)|没注册|未注册|尚未注册|一直没注册",
    "graduation_date": r"还没毕业|没毕业|未毕业|在读|还在读",
}


def _parse_date(field: str, t: str, before: str, today: date) -> ParsedAnswer:
    hits = find_dates(t, today)
    if not hits and field in _NOT_YET and re.search(_NOT_YET[field], t):
        if field == "registration_date":
            return _fail("好的，还没注册的话这一项先跳过；注册后请告诉我年份和月份，例如“2025年3月”。")
        return _fail("好的，请告诉我预计哪年哪月毕业，例如“2027年6月”。")
    if not hits:
        bare = _BARE_YEAR_RE.fullmatch(t)
        if bare:
            hits = [ymd(0, len(t), int(bare.group(1)), None, None)]
    if not hits:
        verb = _DATE_VERB[field]
        return _fail(f"没听明白{verb}日期，请告诉我年份和月份，例如“2024年6月”。")
    hit = hits[-1]
    if hit.precision == "noyear" and before:
        earlier = [h for h in find_dates(before, today) if h.lo is not None]
        if earlier:
            hit = ymd(hit.start, hit.end, earlier[-1].lo.year, hit.month, hit.day)  # type: ignore[union-attr]
    return _date_answer(field, hit, today)


# ------------------------------------------------------------------ numbers

_FILLER_RE = re.compile(
    r"我|今年|现在|目前|大概|大约|约|差不多|应该|已经|是|有|一共|总共|共|了|吧|呢|啊|呀|的|左右|哈|嗯|"
    r"周岁|岁|个|人|名|位|次|月|[,，。!！?？~～]"
)


def _bare_number(t: str) -> float | None:
    rest = _FILLER_RE.sub("", t)
    if re.fullmatch(r"\d+(?:\.\d+)?", rest):
        return float(rest)
    return None


def _age_from_birth(lo: date, hi: date, today: date) -> tuple[int, int]:
    return relativedelta(today, hi).years, relativedelta(today, lo).years


_AGE_MSG = "没听明白您的年龄，请告诉我周岁年龄，例如“28岁”。"


def _age_answer(age: int) -> ParsedAnswer:
    if not 1 <= age <= 120:
        return _fail("这个年龄好像不太对，请告诉我周岁年龄，例如“28岁”。")
    return _good(age)


def _parse_age(t: str, today: date) -> ParsedAnswer:
    if m := re.search(r"虚岁(\d{1,3})", t):
        n = int(m.group(1))
        return _fail("请告诉我周岁年龄（不是虚岁），例如“28岁”。", (n - 2, n - 1))
    if m := re.search(r"(\d{1,2})多岁|(\d{1,2})几岁", t):
        n = int(m.group(1) or m.group(2))
        return _fail("请告诉我具体的周岁年龄，例如“32岁”。", (n + 1, n + 9))
    if m := re.search(r"(\d{1,3})(?:周岁|岁)", t):
        return _age_answer(int(m.group(1)))
    if m := re.search(r"(?:快|马上|即将|要)(\d{1,3})(?:了|岁)?", t):
        return _age_answer(int(m.group(1)) - 1)
    hits = [h for h in find_dates(t, today) if h.lo is not None and h.hi is not None]
    if not hits and (bare := _BARE_YEAR_RE.fullmatch(t)):
        hits = [ymd(0, len(t), int(bare.group(1)), None, None)]
    if hits:
        hit = hits[-1]
        assert hit.lo is not None and hit.hi is not None
        if hit.lo > today:
            return _fail("出生日期不能晚于今天，请告诉我周岁年龄，例如“28岁”。")
        a_lo, a_hi = _age_from_birth(hit.lo, min(hit.hi, today), today)
        if a_lo == a_hi:
            return _age_answer(a_lo)
        return _fail("请告诉我您的周岁年龄，或出生的年份和月份，例如“1990年5月”。", (a_lo, a_hi))
    if m := re.search(r"今年(\d{1,3})(?![\d年月])", t):
        return _age_answer(int(m.group(1)))
    n = _bare_number(t)
    if n is not None and n == int(n):
        if 1900 <= n <= today.year:
            return _parse_age(f"{int(n)}年", today)
        return _age_answer(int(n))
    return _fail(_AGE_MSG)


def _range_or_one(lo: int, hi: int) -> ParsedAnswer:
    return _good(lo, (lo, hi), approximate=lo != hi)


_MONTHS_MSG = "没听明白，请告诉我缴纳社保的月数，例如“8个月”或“一年半”。"


def _parse_months(t: str) -> ParsedAnswer:
    if m := re.search(r"(\d+)年半", t):
        return _good(int(m.group(1)) * 12 + 6)
    if m := re.search(r"(\d+)年多", t):
        n = int(m.group(1)) * 12
        return _range_or_one(n, n + 11)
    if m := re.search(r"(\d+)年(?:零)?(\d+)个?月", t):
        return _good(int(m.group(1)) * 12 + int(m.group(2)))
    if m := re.search(r"(\d+)~(\d+)年", t):
        return _range_or_one(int(m.group(1)) * 12, int(m.group(2)) * 12)
    if m := re.search(r"(\d+)(?:整)?年", t):
        return _good(int(m.group(1)) * 12)
    if "半年" in t:
        return _good(6)
    if m := re.search(r"(\d+)(?:多|几)个?月", t):
        n = int(m.group(1))
        return _range_or_one(n + 1, n + 9) if n % 10 == 0 else _range_or_one(n, n + 1)
    if m := re.search(r"(\d+)~(\d+)个?月", t):
        return _range_or_one(int(m.group(1)), int(m.group(2)))
    if m := re.search(r"(\d+)个?(?:多|半)?月", t):
        return _good(int(m.group(1)))
    if re.search(r"没有|没交|没缴|没|无|未|还没|不到1个月|0", t):
        return _good(0)
    n = _bare_number(t)
    if n is not None and n == int(n):
        return _good(int(n))
    return _fail(_MONTHS_MSG)


_EMPLOYEES_MSG = "没听明白，请告诉我在职职工人数，例如“5人”；只有您自己请回答“1人”。"


def _parse_employees(t: str) -> ParsedAnswer:
    if re.search(r"\d+(?:个|名|位)?(?:人|员工)?都没|没有员工|没招|没雇|没有职工|还没有人", t):
        return _good(0)
    if m := re.search(r"(\d+)(?:多|几)(?:个|名|位)?", t):
        n = int(m.group(1))
        return _range_or_one(n + 1, n + 9) if n % 10 == 0 else _fail(_EMPLOYEES_MSG)
    if m := re.search(r"(\d+)~(\d+)", t):
        return _range_or_one(int(m.group(1)), int(m.group(2)))
    if m := re.search(r"(\d+)(?:个|名|位)?(?:人|员工|职工|雇员|伙计|员)", t) or re.search(
        r"(?:员工|职工|雇员|工人)\D{0,3}?(\d+)", t
    ):
        return _good(int(m.group(1)))
    if m := re.search(r"(\d+)(?:个|名|位)", t):
        return _good(int(m.group(1)))
    if re.search(r"就我|只有我|我自己|我1个|光杆", t):
        return _good(1)
    if re.fullmatch(r"(?:没有|没|无|0)[的啊呢吧。!！]*", t):
        return _good(0)
    n = _bare_number(t)
    if n is not None and n == int(n):
        return _good(int(n))
    return _fail(_EMPLOYEES_MSG)


_LOANS_MSG = "没听明白，请告诉我已享受过几次创业担保贷款贴息，例如“没有”或“1次”。"


def _parse_loan_count(t: str) -> ParsedAnswer:
    if re.search(r"\d+次都没|从没|从来没|没(?:有)?(?:享受|贷|申请|办)过|首次|第1次", t):
        return _good(0)
    if m := re.search(r"第(\d+)次", t):
        return _good(max(int(m.group(1)) - 1, 0))
    if m := re.search(r"(\d+)次", t):
        return _good(int(m.group(1)))
    if re.search(r"没有|没|无|未", t):
        return _good(0)
    n = _bare_number(t)
    if n is not None and n == int(n):
        return _good(int(n))
    return _fail(_LOANS_MSG)


_PERCENT_MSG = "没听明白比例，请告诉我大约的百分比，例如“20%”或“一半”。"


def _percent_answer(value: float, at_least: bool = False) -> ParsedAnswer:
    if not 0 <= value <= 100:
        return _fail("比例应在 0% 到 100% 之间，请再确认一下，例如“20%”。")
    value = round(float(value), 2)
    if at_least:
        return _good(value, (value, 100.0), approximate=value < 100)
    return _good(value)


def _parse_percent(t: str) -> ParsedAnswer:
    at_least = bool(re.search(r"以上|多|超过|不止|至少|不少于", t))
    if re.search(r"不到|以下|不足|少于|低于|不超过", t):
        bound = re.search(r"(\d+(?:\.\d+)?)(%|成)?", t)
        if bound:
            top = float(bound.group(1)) * (10 if bound.group(2) == "成" else 1)
            return _fail("请告诉我大约的百分比，例如“15%”。", (0.0, min(top, 100.0)))
        if "半数" in t:
            return _fail("请告诉我大约的百分比，例如“30%”。", (0.0, 50.0))
    if m := re.search(r"(\d+(?:\.\d+)?)%", t):
        return _percent_answer(float(m.group(1)), at_least)
    if m := re.search(r"(\d+)分之(\d+)", t):
        whole, part = int(m.group(1)), int(m.group(2))
        return _percent_answer(part * 100 / whole, at_least) if whole else _fail(_PERCENT_MSG)
    if m := re.search(r"(?<![\d.])(\d+)/(\d+)(?![\d.])", t):
        part, whole = int(m.group(1)), int(m.group(2))
        return _percent_answer(part * 100 / whole, at_least) if whole else _fail(_PERCENT_MSG)
    if m := re.search(r"(\d+)个?人?(?:里|中|当中|里面)(?:有)?(\d+)", t):
        whole, part = int(m.group(1)), int(m.group(2))
        return _percent_answer(part * 100 / whole) if whole else _fail(_PERCENT_MSG)
    if m := re.search(r"(\d+)成", t):
        return _percent_answer(int(m.group(1)) * 10, at_least)
    if "半数" in t:
        return _percent_answer(50.0, at_least)
    if re.search(r"全部|全都|都是|全是|所有|百分百|全员", t):
        return _percent_answer(100.0)
    if re.search(r"没有|1个都没|都不是|没|无", t):
        return _percent_answer(0.0)
    n = _bare_number(t)
    if n is not None:
        if 0 < n < 1 and n != int(n):
            return _fail(
                f"请确认一下：是百分之{round(n * 100)}吗？请回答带百分号的数字，例如“{round(n * 100)}%”。"
            )
        return _percent_answer(n, at_least)
    return _fail(_PERCENT_MSG)


# ------------------------------------------------------------------ booleans

_BOOL_MSG = "抱歉没听明白，请回答“是”或“不是”。"

# Field-specific wordings, checked before the generic yes/no; (pattern, value) in order.
_BOOL_SPECIFIC: dict[str, list[tuple[str, bool]]] = {
    "good_credit": [
        (
            r"没有不良|无不良|没有逾期|没逾期|信用(?:良好|很好|好|不错|没问题)|征信(?:良好|很好|好|正常|没问题|干净)",
            True,
        ),
        (r"有不良|有逾期|征信(?:不好|有问题|花了)|信用(?:不好|差)|黑名单|失信|老赖", False),
        (r"不是|不对|否", False),
        (r"没有|没|无", True),
        (r"有", False),
    ],
    "dishonest_debtor": [(r"不是老赖|没被|没有被|不是失信", False), (r"老赖|被认定|被列入|是失信", True)],
    "first_business": [
        (
            r"不是第1次|第[2-9]次|之前(?:也)?(?:开|创|注册|办)过|以前(?:也)?(?:开|创|注册|办)过|开过|创过业",
            False,
        ),
        (r"第1次|首次|头1次|头回", True),
    ],
    "legal_representative": [
        (r"不是我|别人是|[他她]是法人|朋友是|合伙人是|家人是|老婆是|老公是|爸是|妈是", False),
        (r"我是|我就是|本人是|就是我|是我", True),
    ],
    "registered_in_shanghai": [
        (r"不在上海|外地|外省|江苏|浙江|安徽|北京|深圳|杭州|苏州|昆山|海外|国外|香港", False),
        (r"在上海|上海注册|上海的", True),
    ],
    "incubation_agreement": [(r"没签|没入驻|没有入驻|还没", False), (r"签了|入驻了|已入驻|已签", True)],
    "school_recommendation": [(r"没推荐|没有推荐|还没", False), (r"推荐了|有推荐|拿到", True)],
}


def _parse_bool(field: str, t: str) -> ParsedAnswer:
    if says_unknown(t):
        return _fail("没关系，这一项可以先跳过；如果清楚，请回答“是”或“不是”。")
    if field == "registered_in_shanghai" and not says_no(t) and find_districts(t):
        return _good(True)
    for pattern, value in _BOOL_SPECIFIC.get(field, []):
        if re.search(pattern, t):
            return _good(value)
    answer = yes_no(t)
    return _fail(_BOOL_MSG) if answer is None else _good(answer)


# ------------------------------------------------------------------ enums, districts, groups

_HUKOU_MSG = "请告诉我您的户籍或证件类型，例如“上海户口”“上海市居住证”“海外人才居住证”，或“都没有”。"
# "都没有" names no permit: it is "other" only as the reply to the hukou question itself.
_BARE_NONE = r"都没有|都没"
_HUKOU_PATTERNS: list[tuple[str, str]] = [
    ("overseas_talent_permit", r"海外人才居住证|人才居住证|海外人才|b证"),
    ("hk_mo_tw_permit", r"港澳台|港澳|台湾|台胞|香港|澳门"),
    ("foreign_permanent", r"永久居留|永居|中国绿卡|外国人永久"),
    ("returned_overseas_startup", r"留学回国|留学归国|海归|归国留学"),
    ("other", r"没有居住证|没居住证|没办居住证|没有任何证|什么证都没|啥证都没"),
    ("other", _BARE_NONE),
    ("residence_permit", r"居住证"),
    (
        "shanghai",
        r"上海户口|上海户籍|上海本地|本地户口|本地户籍|本市户籍|本市户口|沪籍|上海籍|(?<!新)上海人|本地人|"
        r"落户|本地的|上海的户口|户口在上海|户籍在上海",
    ),
]
_HUKOU_ASK_PERMIT = "请问您持有上海市居住证吗？请回答“有居住证”或“没有居住证”。"
_HUKOU_ASK_FOREIGN = "请问您持有外国人永久居留身份证吗？请回答“有永居证”或“没有”。"


def _find_hukou(t: str, answering: bool = True) -> str | None:
    """The hukou a text states; a bare "都没有" counts only when `answering` the hukou question."""
    for value, pattern in _HUKOU_PATTERNS:
        if pattern == _BARE_NONE and not answering:
            continue
        for m in re.finditer(pattern, t):
            if value == "other" or not negated(t, m.start()):
                return value
    return None


def _parse_hukou(t: str) -> ParsedAnswer:
    value = _find_hukou(t)
    if value is not None:
        return _good(value)
    if re.search(r"外国|外籍", t):
        return _fail(_HUKOU_ASK_FOREIGN)
    if re.search(r"外地|外省|外来|农村|老家|非上海|非沪|不是上海", t):
        return _fail(_HUKOU_ASK_PERMIT)
    if re.search(r"不是|不对|没有|否", t):
        return _fail(
            "好的。请问您持有哪种证件：上海市居住证、海外人才居住证、港澳台居民居住证、外国人永久居留身份证，还是都没有？"
        )
    # The question is "您是上海户籍吗？如果不是，持有哪种证件…", so only 是/对 (not 有) confirm 上海户籍.
    if re.fullmatch(r"(?:是|对|嗯|恩|没错|yes|y)(?:的|滴|呀|啊|吧|[,，。!！])*", t):
        return _good("shanghai")
    return _fail(_HUKOU_MSG)


_BUSINESS_MSG = "请告诉我组织类型，例如“公司”“个体户”“合作社”“民非”，或“还没注册”。"
_BUSINESS_NONE = r"还没注册|没注册|未注册|还没创业|没创业|尚未|还没有|还没开|没开|还没办|准备|打算|计划|想开|想注册|想创业|还在筹备|筹备中"
_BUSINESS_PATTERNS: list[tuple[str, str]] = [
    ("farmer_cooperative", r"合作社"),
    ("private_non_enterprise", r"民非|民办非企业|民办非|社会服务机构"),
    ("individual_business", r"个体户|个体工商户|个体经营|个体"),
    ("micro_enterprise", r"小微企业|小微|有限责任公司|有限公司|公司|企业"),
]


def _find_business(t: str) -> str | None:
    for value, pattern in _BUSINESS_PATTERNS:
        for m in re.finditer(pattern, t):
            if not negated(t, m.start()):
                return value
    return None


def _parse_business(t: str) -> ParsedAnswer:
    if re.search(_BUSINESS_NONE, t) or re.fullmatch(r"(?:没有|没|无|都没有|还没)[的啊呢吧。!！]*", t):
        return _good("none")
    value = _find_business(t)
    if value is not None:
        return _good(value)
    if re.search(r"店|摊|工作室", t):
        return _fail("请问是注册成公司，还是个体工商户？")
    return _fail(_BUSINESS_MSG)


_DISTRICT_MSG = "请告诉我注册在上海哪个区，例如“浦东新区”。"


def _parse_district(t: str) -> ParsedAnswer:
    found = list(dict.fromkeys(d.id for s, _, d in find_districts(t) if not negated(t, s)))
    if len(found) == 1:
        return _good(found[0])
    if len(found) > 1:
        return _fail("您提到了几个区，请问创业组织注册在哪个区？")
    if re.search(r"外地|外省|不在上海|江苏|浙江", t):
        return _fail("这一项问的是上海的区；如果不在上海注册，请回答“不在上海”，我会记下来。")
    return _fail(_DISTRICT_MSG)


_GROUPS_MSG = "请告诉我您属于哪类人群，例如“高校毕业生”“退役军人”“失业人员”；都不是请回答“都不是”。"
# 失业保险金 is not 失业人员; in "就业困难人员灵活就业社会保险费补贴" the group names the policy.
_GROUP_FALSE_FRIENDS = re.compile(
    r"保险|金|率|证明|灵活就业(?:人员)?(?:社会保险费|社保)|(?:创业)?(?:补贴|补助)"
)


def _find_groups(t: str) -> frozenset[str]:
    out = set()
    for start, end, group in find_terms(t, _groups()):
        if negated(t, start) or _GROUP_FALSE_FRIENDS.match(t, end):
            continue
        out.add(group)
    return frozenset(out)


def _parse_groups(t: str) -> ParsedAnswer:
    found = _find_groups(t)
    if found:
        return _good(found)
    if re.search(r"都不是|都不属于|都没有|都不|没有|不是|无|没", t):
        return _good(frozenset())
    return _fail(_GROUPS_MSG)


# ------------------------------------------------------------------ public API

_INT_PARSERS = {
    "social_insurance_months": _parse_months,
    "employees": _parse_employees,
    "loan_history_count": _parse_loan_count,
}


def parse_answer(field: str, text: str, today: date) -> ParsedAnswer:
    """Read a free-text answer to the question for `field` (see the module docstring for conventions).

    Raises ValueError for a field that is not in SUPPORTED_FIELDS (a programming error, not user input).
    """
    kind = FIELD_TYPES.get(field)
    if kind is None or field not in SUPPORTED_FIELDS:
        raise ValueError(f"no free-text reading for profile field {field!r}")
    before, t = split_correction(_prep(text))
    if not CONTENT_RE.search(t) and not SIGNS_RE.search(t):
        return _fail(_empty_message(field, kind))
    if kind != "bool" and says_unknown(t) and not re.search(r"\d", t):
        return _fail("没关系，这一项可以先跳过。" + _empty_message(field, kind))
    if kind == "date":
        return _parse_date(field, t, before, today)
    if field == "age":
        return _parse_age(t, today)
    if kind == "int":
        return _INT_PARSERS[field](t)
    if kind == "number":
        return _parse_percent(t)
    if kind == "bool":
        return _parse_bool(field, t)
    if field == "hukou":
        return _parse_hukou(t)
    if field == "business_type":
        return _parse_business(t)
    if kind == "district":
        return _parse_district(t)
    return _parse_groups(t)


def _empty_message(field: str, kind: str) -> str:
    if kind == "date":
        return f"没听明白{_DATE_VERB[field]}日期，请告诉我年份和月份，例如“2024年6月”。"
    return {
        "age": _AGE_MSG,
        "social_insurance_months": _MONTHS_MSG,
        "employees": _EMPLOYEES_MSG,
        "loan_history_count": _LOANS_MSG,
        "hukou": _HUKOU_MSG,
        "business_type": _BUSINESS_MSG,
        "registration_district": _DISTRICT_MSG,
        "groups": _GROUPS_MSG,
    }.get(field, _PERCENT_MSG if kind == "number" else _BOOL_MSG)


_CLAUSE_RE = re.compile(r"[^,，。;；!！?？]+")
# "首次创业一次性补贴" names a policy; it says nothing about the person asking.
_NOT_A_POLICY_NAME = r"(?!的?(?:1次性|一次性)?(?:补贴|补助|奖励|贷款|担保|贴息|资助|扶持|政策))"
_INTENT_RE = re.compile(r"想|打算|准备|计划|考虑|希望|要不要|能不能|可以|如何|怎么")
_REGISTRATION_CONTEXT = re.compile(r"注册|公司|开|办|店|创业|企业|个体|合作社|民非|工作室|落地")
_DATE_FIELD_AFTER = [
    ("graduation_date", r"毕业"),
    ("registration_date", r"注册|成立|开业|登记|开的|开了|创办|办的"),
    ("birth_date", r"出生|生的|生人|年生"),
]
_DATE_FIELD_BEFORE = [
    ("graduation_date", r"毕业(?:时间|日期)?(?:于|是|为|在)?$"),
    ("registration_date", r"(?:注册|成立|登记)(?:时间|日期)?(?:于|是|为|在)?$"),
    ("birth_date", r"(?:出生|生)(?:日期|日)?(?:于|是|为|在)?$"),
]


# Yes/no facts stated in a sentence, (no, yes) patterns; the form's own question reads bare 是/不是.
_STATED_BOOLS: dict[str, tuple[str, str]] = {
    "has_business_plan": (
        r"(?:计划书?|方案)(?:还|都)?没(?:有)?(?:写|做|准备|弄)|没有(?:(?:创业|商业|项目)计划书?|计划书|方案)",
        r"(?:计划书?|方案)(?:已经|早就|都|也)?(?:写好|做好|准备好|完成|弄好|有了)|有(?:1份)?(?:完整的|可行的)?(?:创业|商业|项目)(?:计划书?|方案)",
    ),
    "school_recommendation": (
        r"学校(?:还|也)?没(?:有)?(?:给)?推荐|没(?:有)?(?:拿到|获得)(?:学校的?)?推荐",
        r"学校(?:已经|也)?(?:给了|出了|开了|给过)(?:我)?推荐|学校已经推荐|(?:拿到|获得)了?学校的?推荐",
    ),
    "flexible_employment_registered": (
        r"没(?:有)?(?:去)?办(?:理)?(?:过)?灵活就业登记|灵活就业(?:登记)?(?:还|也)?没(?:有)?(?:办|登记)",
        r"(?:办|做)(?:了|好|过)灵活就业登记|灵活就业(?:登记)?(?:已经|早就|也)?(?:办|做|登记)(?:好|了|过)|已(?:经)?(?:办理|登记)(?:了)?灵活就业",
    ),
    "accounting_and_tax_registered": (
        r"(?:没|没有|还没|未)(?:建|办|做)(?:立)?(?:财务|财会|税务)|税务(?:登记)?(?:还|也)?没",
        r"税务(?:登记)?(?:已经|也)?(?:办|做|弄)(?:好|了)|(?:办|做)(?:了|好)税务登记",
    ),
}
_ASKS_RE = re.compile(r"吗|么|[?？]|需要|要不要|是否|必须|才能")
# "其他补贴都没领过", "没拿过任何补贴": no subsidy received (a named one needs the catalogue: the form).
_NO_SUBSIDY_RE = re.compile(
    r"(?:补贴|补助)(?:都|也|从来|一直|还)?(?:没|没有|未|从没)(?:领|拿|享受|申请)过"
    r"|(?:没|没有|未|从没|从来没|都没)(?:领|拿|享受)过(?:任何|其他|别的)?(?:的)?(?:创业)?(?:补贴|补助)"
)


def _bounds_a_date(
    field: str, hit: DateSpan, clause: str, known: ParsedAnswer | None, corrected: bool
) -> bool:
    """Whether a year without a month is the range of `field`: its verb right next to it and not
    negated (not "今年28岁了，公司还没注册"), and no date said before inside that year."""
    after = re.match(rf"[^\d没未不]{{0,4}}?(?:{dict(_DATE_FIELD_AFTER)[field]})", clause[hit.end :])
    before = re.search(dict(_DATE_FIELD_BEFORE)[field], clause[max(0, hit.start - 6) : hit.start])
    if not (after or before or corrected):
        return False
    inside = known is not None and known.ok and isinstance(known.value, date)
    return not (inside and hit.lo <= known.value <= hit.hi)  # type: ignore[union-attr,operator]


def _extract_segment(
    t: str, today: date, out: dict[str, ParsedAnswer], corrected_date: str | None
) -> str | None:
    """Add the facts of one stretch of text to out; return the date field it set last.

    corrected_date: the date field the previous stretch set, for a correction that only says the new
    date ("我是2023年6月毕业的，不对，是2024年6月").
    """
    last_date_field = None
    for clause_match in _CLAUSE_RE.finditer(t):
        clause = clause_match.group(0)
        intent = bool(_INTENT_RE.search(clause))
        for hit in find_dates(clause, today):
            after, before = clause[hit.end : hit.end + 14], clause[max(0, hit.start - 6) : hit.start]
            field = next(
                (
                    f
                    for f, p in _DATE_FIELD_AFTER
                    if re.match(rf"(?:[^\d]|\d(?![\d年月./-])){{0,10}}?(?:{p})", after)
                ),
                None,
            ) or next((f for f, p in _DATE_FIELD_BEFORE if re.search(p, before)), None)
            field = field or corrected_date
            if field is None:
                continue
            answer = _date_answer(field, hit, today)
            if answer.ok:
                out[field] = answer
                last_date_field = field
            elif answer.bounds is not None and _bounds_a_date(
                field, hit, clause, out.get(field), field == corrected_date
            ):
                out[field] = answer  # a year alone still bounds the date ("公司2020年注册的")
                last_date_field = field
        age = re.search(r"(?<!虚)(?<![\d.])(\d{1,3})(?:周岁|岁)|今年(\d{1,2})(?![\d年月个])", clause)
        if age:
            out["age"] = _age_answer(int(age.group(1) or age.group(2)))
        if (value := _find_hukou(clause, answering=False)) is not None:
            out["hukou"] = _good(value)
        if re.search(r"社保|社会保险", clause) and re.search(r"\d|半年", clause):
            answer = _parse_months(clause)
            if answer.ok:
                out["social_insurance_months"] = answer
        if m := re.search(
            r"(\d+)(?:个|名|位)(?:员工|职工|雇员|人)|(?:员工|职工|雇员)(?:有)?(\d+)(?:个|名|位)?人?|"
            r"(?:雇|招)了(\d+)(?:个|名|位)",
            clause,
        ):
            out["employees"] = _good(int(next(g for g in m.groups() if g)))
        if re.search(r"还没注册|还没创业|尚未创业|尚未注册|还没开", clause):
            out["business_type"] = _good("none")
        elif not intent and (value := _find_business(clause)) is not None:
            out["business_type"] = _good(value)
        if re.search(r"不是第1次创业|之前(?:也)?创过业|以前(?:也)?创过业", clause):
            out["first_business"] = _good(False)
        elif re.search(r"(?:第1次|首次|头1次|头1回|头回)创业" + _NOT_A_POLICY_NAME, clause):
            out["first_business"] = _good(True)
        if m := re.search(r"(?:享受|贷|办|申请)过(\d+)次|(\d+)次(?:创业担保)?(?:贷款)?贴息", clause):
            out["loan_history_count"] = _good(int(m.group(1) or m.group(2)))
        elif re.search(r"(?:从来|从|都)没(?:有)?(?:享受|办|申请)过(?:创业担保)?(?:贷款)?贴息", clause):
            out["loan_history_count"] = _good(0)
        if (
            re.search(r"(?:在|于)上海.{0,10}(?:注册|成立|开)|上海注册|注册(?:在|于)上海", clause)
            and not intent
        ):
            out["registered_in_shanghai"] = _good(True)
        elif re.search(r"(?:不在|没在)上海(?:注册)?|注册(?:在|于)(?:外地|外省|江苏|浙江|安徽)", clause):
            out["registered_in_shanghai"] = _good(False)
        if re.search(r"不是(?:老赖|失信)|没(?:有)?被(?:列入|认定)", clause):
            out["dishonest_debtor"] = _good(False)
        elif re.search(r"失信被执行人|老赖", clause) and re.search(r"被|是|列入|成了", clause):
            out["dishonest_debtor"] = _good(True)
        if re.search(
            r"(?:征信|信用)(?:上)?(?:有|存在)(?:不良|逾期)|(?<!没)(?<!没有)有不良(?:信用)?记录|征信(?:不好|有问题|花了)",
            clause,
        ):
            out["good_credit"] = _good(False)
        elif re.search(r"(?:信用|征信)(?:良好|很好|不错|没问题|正常)|没有不良(?:信用)?记录", clause):
            out["good_credit"] = _good(True)
        if re.search(r"(?:还)?没(?:有)?(?:入驻|签(?:孵化)?协议)", clause):
            out["incubation_agreement"] = _good(False)
        elif re.search(r"(?:入驻了|已入驻|签了(?:孵化)?协议)", clause):
            out["incubation_agreement"] = _good(True)
        if _NO_SUBSIDY_RE.search(clause):
            out["subsidies_received"] = _good(frozenset())
        for name, (no, yes) in _STATED_BOOLS.items():  # "没有" first: "还没办灵活就业登记"
            if _ASKS_RE.search(clause):  # "要有创业计划书吗" asks about the condition, states nothing
                break
            if re.search(no, clause):
                out[name] = _good(False)
            elif re.search(yes, clause):
                out[name] = _good(True)
        if re.search(r"我不是(?:法人|法定代表人)", clause):
            out["legal_representative"] = _good(False)
        elif re.search(
            r"我是(?:公司)?(?:法人|法定代表人|负责人)|(?:法人|法定代表人|负责人)(?:就)?是(?:我|本人)", clause
        ):
            out["legal_representative"] = _good(True)
    found_groups = _find_groups(t)
    if found_groups:
        previous = out.get("groups")
        merged = found_groups | (
            previous.value if previous and isinstance(previous.value, frozenset) else frozenset()
        )
        out["groups"] = _good(frozenset(merged))
    candidates: dict[str, bool] = {}
    for clause_match in _CLAUSE_RE.finditer(t):
        clause = clause_match.group(0)
        for start, _, district in find_districts(clause):
            if not negated(clause, start):
                candidates[district.id] = candidates.get(district.id, False) or bool(
                    _REGISTRATION_CONTEXT.search(clause)
                )
    in_context = [d for d, ctx in candidates.items() if ctx]
    if len(in_context) > 1:  # "注册在浦东…黄浦创卡落地补贴": the district the organisation is in
        explicit = {
            district.id
            for s_, _, district in find_districts(t)
            if re.search(r"(?:注册|开|落|设)在$|在$", t[max(0, s_ - 3) : s_])
        }
        in_context = [d for d in in_context if d in explicit]
    if len(in_context) == 1:
        out["registration_district"] = _good(in_context[0])
    return last_date_field


def extract_answers(text: str, today: date) -> dict[str, ParsedAnswer]:
    """Every profile fact a free sentence states clearly, as accepted (ok) answers.

    Facts after a correction ("不对，…") override those before it. Intentions ("想开个公司") do not
    set business_type; a district named next to them is still taken as the intended registration district.
    """
    return {k: v for k, v in _read_facts(text, today).items() if v.ok}


def _read_facts(text: str, today: date) -> dict[str, ParsedAnswer]:
    """extract_answers with the dates given only to the year (not ok, with their bounds)."""
    t = _prep(text)
    out: dict[str, ParsedAnswer] = {}
    last, date_field = 0, None
    for m in CORRECTION_RE.finditer(t):
        date_field = _extract_segment(t[last : m.start()], today, out, None)
        last = m.end()
    _extract_segment(t[last:], today, out, date_field)
    _add_implied(t, today, out)
    return {k: v for k, v in out.items() if v.ok or (v.bounds is not None and FIELD_TYPES.get(k) == "date")}


# "注册两年了", "公司成立3年多" state a registration date as a duration before today.
_REGISTERED_FOR_RE = re.compile(r"(?:注册|成立|开业|开|办)(?:了)?(\d+)(年|个月)(多|半)?(?:了)?")


def _add_implied(t: str, today: date, out: dict[str, ParsedAnswer]) -> None:
    """Facts one stated fact implies: a graduation date makes a 高校毕业生 (or a student, when it is
    still ahead); "注册N年了" is a registration date; a registration date means an organisation exists."""
    registration = out.get("registration_date")
    if (registration is None or not registration.ok) and (m := _REGISTERED_FOR_RE.search(t)):
        n = int(m.group(1))
        months = n * 12 if m.group(2) == "年" else n
        extra = 6 if m.group(3) == "半" and m.group(2) == "年" else 0
        hi = today - relativedelta(months=months + extra)
        lo = hi - relativedelta(months=11) if m.group(3) == "多" else hi
        out["registration_date"] = ParsedAnswer(hi, True, None, lo != hi, (lo, hi))
    graduation = out.get("graduation_date")
    if graduation is not None and graduation.bounds is not None:
        # A graduation year alone says as much about the group as a full date ("2019年毕业的").
        lo, hi = graduation.value or graduation.bounds[0], graduation.value or graduation.bounds[1]
        group = "college_graduate" if hi <= today else "student" if lo > today else None
        previous = out.get("groups")
        known = previous.value if previous and isinstance(previous.value, frozenset) else frozenset()
        if group is not None and group in _groups().values() and not known & {"college_graduate", "student"}:
            out["groups"] = _good(frozenset(known | {group}))


def extract_profile(text: str, today: date) -> dict[str, Any]:
    """Field -> value for the facts extract_answers finds (use extract_answers to see which are approximate).

    Dates given only to the year are under BOUNDS as {field: (earliest, latest)}: the rules may be
    decided by the range (profile.py)."""
    facts = _read_facts(text, today)
    out: dict[str, Any] = {field: answer.value for field, answer in facts.items() if answer.ok}
    bounds = {field: answer.bounds for field, answer in facts.items() if not answer.ok and answer.bounds}
    if bounds:
        out[BOUNDS] = bounds
    return out
