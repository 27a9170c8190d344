"""Every item of the seed plan 沪人社就〔2023〕162号 [S34] is in the knowledge base and found by a colloquial question.

The questions are written from the plan's item list (policy_facts.md 12), one or two per item; expected
values are read from the catalogue, never repeated here.
"""

from __future__ import annotations

from datetime import date

import pytest

from policies_kb.model import Catalogue
from policies_kb.search import SearchIndex

ON = date(2026, 12, 3)
SEED = "S34"
_INDEX: dict[int, SearchIndex] = {}

# (plan item, colloquial question, policy ranked first)
QUESTIONS = [
    ("一", "营业执照可以网上办吗", "business_registration_online"),
    ("一", "网上注册公司怎么弄", "business_registration_online"),
    ("二", "返乡创业有什么政策", "key_groups_startup_support"),
    ("二", "农民工创业有补贴吗", "key_groups_startup_support"),
    ("二", "退役军人创业有什么支持", "key_groups_startup_support"),
    ("三", "创业大赛有奖励吗", "competition_award_subsidy"),
    ("四", "有没有一站式的创业服务", "one_stop_entrepreneurship_service"),
    ("四", "找专家咨询", "expert_volunteer_group"),
    ("五", "马兰花培训", "malanhua_training"),
    ("六", "创业担保贷款", "guaranteed_loan_overview"),
    ("七", "银行有什么创业金融产品", "financial_products_support"),
    ("八", "创业孵化基地", "incubation_demonstration_base"),
    ("八", "学校里的创业指导站", "university_entrepreneurship_guidance_station"),
    ("八", "家门口创业服务", "startup_carriers_plan"),
    ("十", "海纳百创服务号有什么功能", "haina_baichuang_brand"),
    ("十一", "长三角创业有什么政策", "yangtze_delta_entrepreneurship_alliance"),
]

# (九) 灵活就业: the two subsidy items share the phrase; either may come first.
FLEXIBLE = (
    "灵活就业社保补贴",
    {"flexible_employment_si_subsidy_graduates", "flexible_employment_si_subsidy_hard_to_employ"},
)

# Items added for the seed plan, each backed by the plan itself.
NEW_ITEMS = [
    "business_registration_online",
    "key_groups_startup_support",
    "one_stop_entrepreneurship_service",
    "financial_products_support",
    "startup_carriers_plan",
    "yangtze_delta_entrepreneurship_alliance",
]


def index_for(catalogue: Catalogue) -> SearchIndex:
    if id(catalogue) not in _INDEX:
        _INDEX[id(catalogue)] = SearchIndex(catalogue)
    return _INDEX[id(catalogue)]


@pytest.mark.parametrize(("item", "query", "expected"), QUESTIONS)
def test_seed_item_is_found_first(real_catalogue: Catalogue, item: str, query: str, expected: str) -> None:
    ids = [r.policy_id for r in index_for(real_catalogue).search(query, on=ON)]
    assert ids and ids[0] == expected, (item, ids)


def test_flexible_employment_item_is_found_first(real_catalogue: Catalogue) -> None:
    query, expected = FLEXIBLE
    ids = [r.policy_id for r in index_for(real_catalogue).search(query, on=ON)]
    assert ids and ids[0] in expected, ids


@pytest.mark.parametrize("policy_id", NEW_ITEMS)
def test_new_item_cites_the_seed_plan(real_catalogue: Catalogue, policy_id: str) -> None:
    policy = real_catalogue.policies[policy_id]
    assert SEED in policy.sources
    assert policy.status == "current"
    # every note and fact carries a status, and a 原文/转述 one names its source
    for entry in (*policy.notes, *policy.facts):
        assert entry.verification in {"原文", "转述", "待核实"}
        if entry.verification != "待核实":
            assert entry.sources, (policy_id, entry.text)


@pytest.mark.parametrize("policy_id", NEW_ITEMS)
def test_no_invented_figures(real_catalogue: Catalogue, policy_id: str) -> None:
    # the plan gives no amounts: a fact of these items is unpublished and flagged
    for fact in real_catalogue.policies[policy_id].facts:
        assert fact.value is None and fact.unit is None
        assert fact.verification == "待核实" and fact.text.startswith("未公布")


def test_seed_source_is_the_162_plan(real_catalogue: Catalogue) -> None:
    source = real_catalogue.sources[SEED]
    assert source.doc_number == "沪人社就〔2023〕162号"


def test_brand_item_covers_the_service_account(real_catalogue: Catalogue) -> None:
    brand = real_catalogue.policies["haina_baichuang_brand"]
    assert SEED in brand.sources
    assert any("海纳百创服务号" in note.text and SEED in note.sources for note in brand.notes)


def test_veteran_note_cites_the_loan_rules_not_the_plan(real_catalogue: Catalogue) -> None:
    # 退役军人 as a loan 重点就业群体 comes from the loan rules' source, not from the plan
    support = real_catalogue.policies["key_groups_startup_support"]
    veteran = [n for n in support.notes if "退役军人" in n.text and n.verification == "原文"]
    assert veteran and all(SEED not in n.sources for n in veteran)


def test_plan_item_points_to_every_new_item(real_catalogue: Catalogue) -> None:
    plan = real_catalogue.policies["key_groups_entrepreneurship_plan_2023"]
    assert set(NEW_ITEMS) <= set(plan.related)
    for number in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"):
        assert any(note.text.startswith(f"（{number}）") for note in plan.notes), number
