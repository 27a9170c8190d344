"""Chinese labels for the codes of the knowledge base: verdicts, policy statuses, profile enum values.

One home for each: the chat answers, the console and the e2e tests read them from here.
"""

from __future__ import annotations

from ..eligibility import BASIS_LAPSED, ELIGIBLE, NEED_MORE_INFO, NOT_ELIGIBLE

# A verdict on an item whose document has ended with no successor known: neither 符合 nor 不符合.
LAPSED_LABEL = "有效期已过、待确认"
LAPSED_MARK = f"【{LAPSED_LABEL}】"

# The verdict as an answer says it, after the policy's name: 「首次创业一次性补贴」初步判断：符合条件.
STATUS_LABELS = {
    ELIGIBLE: "初步判断：符合条件",
    NEED_MORE_INFO: "还需要了解一些情况",
    BASIS_LAPSED: LAPSED_LABEL,
    NOT_ELIGIBLE: "初步判断：暂不符合条件",
}

# The verdict as a short badge (the console's list of verdicts).
CHECK_LABELS = {
    ELIGIBLE: "初步符合",
    NEED_MORE_INFO: "还需了解情况",
    BASIS_LAPSED: LAPSED_LABEL,
    NOT_ELIGIBLE: "暂不符合",
}

# A policy's status (Policy.status) and its freshness on a date (Freshness.status, SearchResult.status).
POLICY_STATUS_LABELS = {
    "current": "现行",
    "superseded": "已被替代",
    "expired": "已失效",
    "reference": "参考（非本市创业政策）",
    "expiring_soon": "即将到期",
    "not_yet_effective": "尚未生效",
    "lapsed": LAPSED_LABEL,
}

# Values of the profile's enum fields (profile.ENUMS), by enum name.
ENUM_LABELS = {
    "hukou": {
        "shanghai": "上海户籍",
        "residence_permit": "上海市居住证",
        "overseas_talent_permit": "海外人才居住证",
        "hk_mo_tw_permit": "港澳台居民居住证",
        "foreign_permanent": "外国人永久居留身份证",
        "returned_overseas_startup": "留学回国人员（来沪创业）",
        "other": "其他",
    },
    "business_type": {
        "micro_enterprise": "小微企业",
        "individual_business": "个体工商户",
        "farmer_cooperative": "农民专业合作社",
        "private_non_enterprise": "民办非企业单位",
        "none": "尚未创业",
    },
}
