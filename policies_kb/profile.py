"""The applicant profile that eligibility rules are evaluated against.

Every field is optional: None means "the user has not told us", which the engine treats as unknown
(three-valued logic) and turns into a question. The field list mirrors DATA_FORMAT.md; the rule
validator uses FIELD_TYPES to reject rules over fields or values that do not exist.

A date the user gave only to the year ("公司2020年注册的") is not a value, but its range is known:
`date_bounds` keeps (field, earliest, latest) for such dates, so a rule that holds (or fails) over
the whole range is decided without asking for the month (rules.py). In dicts it is the key BOUNDS,
{field: [earliest, latest]}.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from .errors import ProfileError
from .model import Vocabulary

HUKOU_VALUES = (
    "shanghai",
    "residence_permit",
    "overseas_talent_permit",
    "hk_mo_tw_permit",
    "foreign_permanent",
    "returned_overseas_startup",
    "other",
)
BUSINESS_TYPES = (
    "micro_enterprise",
    "individual_business",
    "farmer_cooperative",
    "private_non_enterprise",
    "none",
)

# field -> kind. Kinds: enum:<name>, int, number, date, bool, district, groups, policies.
FIELD_TYPES: dict[str, str] = {
    "hukou": "enum:hukou",
    "age": "int",
    "birth_date": "date",
    "groups": "groups",
    "graduation_date": "date",
    "business_type": "enum:business_type",
    "registration_date": "date",
    "registration_district": "district",
    "registered_in_shanghai": "bool",
    "first_business": "bool",
    "legal_representative": "bool",
    "social_insurance_months": "int",
    "employees": "int",
    "shanghai_employees_ratio": "number",
    "key_group_new_hires_ratio": "number",
    "incubation_agreement": "bool",
    "good_credit": "bool",
    "dishonest_debtor": "bool",
    "has_business_plan": "bool",
    "school_recommendation": "bool",
    "accounting_and_tax_registered": "bool",
    "flexible_employment_registered": "bool",
    "loan_history_count": "int",
    "subsidies_received": "policies",
}
ENUMS: dict[str, tuple[str, ...]] = {"hukou": HUKOU_VALUES, "business_type": BUSINESS_TYPES}
# The dict key of date ranges (not a field: no rule may name it).
BOUNDS = "date_bounds"

FIELD_LABELS: dict[str, str] = {
    "hukou": "户籍或居住证类型",
    "age": "年龄",
    "birth_date": "出生日期",
    "groups": "所属人群",
    "graduation_date": "毕业日期",
    "business_type": "创业组织类型",
    "registration_date": "创业组织注册登记日期",
    "registration_district": "注册所在区",
    "registered_in_shanghai": "是否在本市注册",
    "first_business": "是否本市首次创业",
    "legal_representative": "是否担任法定代表人或负责人",
    "social_insurance_months": "为职工缴纳社保的月数",
    "employees": "在职职工人数",
    "shanghai_employees_ratio": "吸纳本市劳动者比例",
    "key_group_new_hires_ratio": "新招用重点就业群体比例",
    "incubation_agreement": "是否签订孵化协议并支付工位费",
    "good_credit": "是否无不良信用记录",
    "dishonest_debtor": "是否被认定为失信被执行人",
    "has_business_plan": "是否有创业项目计划",
    "school_recommendation": "是否获学校推荐",
    "accounting_and_tax_registered": "是否已建立财会制度并办理税务登记",
    "flexible_employment_registered": "是否已办理灵活就业登记",
    "loan_history_count": "已享受贷款贴息次数",
    "subsidies_received": "已领取过的补贴",
}

QUESTIONS: dict[str, str] = {
    "hukou": "您是上海户籍吗？如果不是，持有哪种证件（上海市居住证、海外人才居住证、港澳台居民居住证、外国人永久居留身份证等）？",
    "age": "您今年多少周岁？（也可以告诉我出生日期）",
    "birth_date": "您的出生日期是哪天？",
    "groups": "您属于以下哪类人群：高校毕业生、在读学生、就业困难人员、退役军人、城镇登记失业人员、留学回国人员？",
    "graduation_date": "您是哪天毕业的？",
    "business_type": "您创办的是哪类组织：小微企业、个体工商户、农民专业合作社、民办非企业单位，还是尚未创业？",
    "registration_date": "您的创业组织是哪天注册登记的？",
    "registration_district": "您的创业组织注册在上海哪个区？",
    "registered_in_shanghai": "您的创业组织是在上海注册的吗？",
    "first_business": "这是您在上海第一次注册创业组织吗？",
    "legal_representative": "您本人是创业组织的法定代表人或负责人吗？",
    "social_insurance_months": "您的创业组织已经为至少一名职工缴纳了几个月的社会保险？",
    "employees": "您的创业组织目前有多少名在职职工？",
    "shanghai_employees_ratio": "在职职工中本市劳动者大约占百分之多少？",
    "key_group_new_hires_ratio": "申请前一年内新招用的重点就业群体（退役军人、青年大学生、失业人员、就业困难人员等）占在职职工的百分之多少？",
    "incubation_agreement": "您是否入驻了市级创业孵化示范基地，签订了孵化协议并支付了工位费？",
    "good_credit": "您是否没有影响偿债能力的不良信用记录？",
    "dishonest_debtor": "您或法定代表人是否被人民法院认定为失信被执行人？",
    "has_business_plan": "您是否有较为完善、可行的创业项目计划？",
    "school_recommendation": "您是否已获得学校创业指导服务部门的推荐？",
    "accounting_and_tax_registered": "您的创业组织是否已建立财会核算制度并办理税务登记？",
    "flexible_employment_registered": "您是否已办妥灵活就业登记并按时缴纳社保？",
    "loan_history_count": "您之前已经享受过几次创业担保贷款贴息？",
    "subsidies_received": "您之前领取过哪些创业补贴？",
}


@dataclass(frozen=True)
class ApplicantProfile:
    """What we know about the applicant; see FIELD_TYPES for the kinds and DATA_FORMAT.md for meanings."""

    hukou: str | None = None
    age: int | None = None
    birth_date: date | None = None
    groups: frozenset[str] | None = None
    graduation_date: date | None = None
    business_type: str | None = None
    registration_date: date | None = None
    registration_district: str | None = None
    registered_in_shanghai: bool | None = None
    first_business: bool | None = None
    legal_representative: bool | None = None
    social_insurance_months: int | None = None
    employees: int | None = None
    shanghai_employees_ratio: float | None = None
    key_group_new_hires_ratio: float | None = None
    incubation_agreement: bool | None = None
    good_credit: bool | None = None
    dishonest_debtor: bool | None = None
    has_business_plan: bool | None = None
    school_recommendation: bool | None = None
    accounting_and_tax_registered: bool | None = None
    flexible_employment_registered: bool | None = None
    loan_history_count: int | None = None
    subsidies_received: frozenset[str] | None = None
    date_bounds: tuple[tuple[str, date, date], ...] = ()

    def bounds(self, field_name: str) -> tuple[date, date] | None:
        """The range an unknown date field lies in, when the user gave only its year."""
        if getattr(self, field_name, None) is not None:
            return None
        return next(((lo, hi) for name, lo, hi in self.date_bounds if name == field_name), None)

    def value(self, field_name: str, on: date) -> Any:
        """The field's value on the reference date; age is derived from birth_date when that is known."""
        if field_name == "age" and self.birth_date is not None:
            return relativedelta(on, self.birth_date).years
        return getattr(self, field_name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the known fields (dates as YYYY-MM-DD, sets as sorted lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None or f.name == BOUNDS:
                continue
            if isinstance(v, date):
                v = v.isoformat()
            elif isinstance(v, frozenset):
                v = sorted(v)
            out[f.name] = v
        if self.date_bounds:
            out[BOUNDS] = {name: [lo.isoformat(), hi.isoformat()] for name, lo, hi in self.date_bounds}
        return out

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        vocabulary: Vocabulary | None = None,
        policy_ids: set[str] | None = None,
    ) -> ApplicantProfile:
        """Validate user-supplied data; raise ProfileError listing every problem in Chinese.

        With a vocabulary, district and group names/aliases (浦东, 海归) are mapped to their ids and
        unknown ones are rejected; policy_ids does the same for subsidies_received.
        """
        if not isinstance(data, dict):
            raise ProfileError(["申请人信息应为键值对（JSON 对象）"])
        errors: list[str] = []
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key == BOUNDS:
                try:
                    values[key] = _coerce_bounds(raw)
                except ValueError as exc:
                    errors.append(f"{key}（日期范围）：{exc}")
                continue
            if key not in FIELD_TYPES:
                errors.append(f"未知字段“{key}”；可用字段：{'、'.join(FIELD_TYPES)}")
                continue
            if raw is None:
                continue
            try:
                values[key] = _coerce(key, FIELD_TYPES[key], raw, vocabulary, policy_ids)
            except ValueError as exc:
                errors.append(f"{key}（{FIELD_LABELS[key]}）：{exc}")
        if errors:
            raise ProfileError(errors)
        return cls(**values)


def _coerce_bounds(raw: Any) -> tuple[tuple[str, date, date], ...]:
    if not raw:
        return ()
    if not isinstance(raw, dict):
        raise ValueError("应为 {日期字段: [最早, 最晚]}")
    out = []
    for name, pair in sorted(raw.items()):
        if FIELD_TYPES.get(name) != "date":
            raise ValueError(f"“{name}”不是日期字段")
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError("每个日期范围应为 [最早, 最晚] 两个日期")
        lo, hi = (_coerce(name, "date", v, None, None) for v in pair)
        if lo > hi:
            raise ValueError(f"日期范围 {lo.isoformat()}–{hi.isoformat()} 的起点晚于终点")
        out.append((name, lo, hi))
    return tuple(out)


def _coerce(key: str, kind: str, raw: Any, vocabulary: Vocabulary | None, policy_ids: set[str] | None) -> Any:
    if kind.startswith("enum:"):
        allowed = ENUMS[kind[5:]]
        if raw not in allowed:
            raise ValueError(f"取值“{raw}”无效，应为以下之一：{'、'.join(allowed)}")
        return raw
    if kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError("应为 true 或 false")
        return raw
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("应为整数")
        if raw < 0 or (key == "age" and raw > 150):
            raise ValueError(f"数值 {raw} 不合理")
        return raw
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ValueError("应为数字（百分比，例如 15 表示 15%）")
        if not 0 <= raw <= 100:
            raise ValueError("百分比应在 0 到 100 之间")
        return float(raw)
    if kind == "date":
        if isinstance(raw, date):
            return raw
        if not isinstance(raw, str):
            raise ValueError("日期格式应为 YYYY-MM-DD，例如 2024-03-01")
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(f"日期“{raw}”无效，格式应为 YYYY-MM-DD，例如 2024-03-01") from None
    if kind == "district":
        if not isinstance(raw, str):
            raise ValueError("应为区名，例如 浦东新区")
        if vocabulary is None:
            return raw
        district = vocabulary.district_id(raw)
        if district is None:
            names = "、".join(t.name for t in vocabulary.districts.values())
            raise ValueError(f"未知的区“{raw}”，上海的区有：{names}")
        return district
    if kind in ("groups", "policies"):
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, (list, tuple, set, frozenset)) or not all(isinstance(i, str) for i in items):
            raise ValueError("应为字符串列表")
        out = set()
        for item in items:
            if kind == "groups" and vocabulary is not None:
                group = vocabulary.group_id(item)
                if group is None:
                    names = "、".join(t.name for t in vocabulary.applicant_groups.values())
                    raise ValueError(f"未知的人群“{item}”，可选：{names}")
                out.add(group)
            elif kind == "policies" and policy_ids is not None and item not in policy_ids:
                raise ValueError(f"未知的政策编号“{item}”")
            else:
                out.add(item)
        return frozenset(out)
    raise AssertionError(kind)
