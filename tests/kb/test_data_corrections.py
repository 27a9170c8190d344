"""Issue #22 parts 2 and 3: the fact sheet's 2026-12 corrections are in policies_kb/data.

Each test reads the real catalogue (policies_kb/data) through the public API — catalogue, KnowledgeBase,
SearchIndex, render — and checks one correction of shared/policy_facts.md: 162号 (S34) and the S35
pages as sources, the two 批次贷 products told apart, 8号's wording of the flexible-employment subsidy
and its 就业困难人员 rules for founders, the graduates' subsidy of 162号 (九), the 星级服务制度, the four
马兰花 stages, the 2023 plan's targets for 2024, 待核实 tags, and reference values with their periods.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from policies_kb import KnowledgeBase
from policies_kb.catalogue import load_catalogue
from policies_kb.freshness import freshness
from policies_kb.model import Catalogue, Fact, Policy
from policies_kb.render import period, render_fact
from policies_kb.review import review
from policies_kb.search import SearchIndex
from policies_kb.validity import ENDED, inherited_end

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ON = date(2026, 12, 3)
PLAN = "S34"  # 沪人社就〔2023〕162号
PLAN_ITEM = "key_groups_entrepreneurship_plan_2023"
BATCH_HRSS = "startup_guarantee_batch_loan"  # 162号 (六) 创业担保批次贷: a way of granting 创业担保贷款
BATCH_FUND = "guarantee_fund_batch_loan"  # the 中小微企业政策性融资担保基金's 担保基金贷 / 批次担保
FLEX_HARD = "flexible_employment_si_subsidy_hard_to_employ"
FLEX_GRAD = "flexible_employment_si_subsidy_graduates"
STAR = "expert_star_service_system"
EXPERTS = "expert_volunteer_group"
MALANHUA = "malanhua_training"
BASIS_8 = "HRSS_2022_8"  # 沪人社规〔2022〕8号
STAGES = ("创业意识激发期", "创业准备期", "创业初创期", "创业发展期")  # 162号 (五)
EXCLUDED_POSTS = ("法定代表人", "董事", "监事")  # 8号: who cannot be, or stops being, 就业困难人员
# Reference values of policy_facts.md 4.3: each must carry the period it holds for.
PERIOD_FACTS = (
    "ref_contribution_base_min",
    "ref_contribution_base_max",
    "ref_minimum_wage",
    "ref_flexible_rate_pension",
    "ref_flexible_rate_medical",
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_files()


@pytest.fixture(scope="module")
def index(catalogue: Catalogue) -> SearchIndex:
    return SearchIndex(catalogue)


def all_text(policy: Policy) -> str:
    """Everything a user may be shown of an item."""
    parts = [policy.name, *policy.aliases, policy.summary, policy.replacement_note or ""]
    parts += [f"{f.label} {f.text}" for f in policy.facts]
    parts += [r.text for r in policy.eligibility]
    parts += [n.text for n in policy.notes]
    if policy.apply is not None:
        parts += [policy.apply.online or "", policy.apply.offline or "", policy.apply.deadline or ""]
    return "\n".join(parts)


def cited(policy: Policy) -> set[str]:
    ids = set(policy.sources)
    for part in (*policy.facts, *policy.eligibility, *policy.notes):
        ids |= set(part.sources)
    return ids


def top_ids(index: SearchIndex, query: str, n: int = 5) -> list[str]:
    return [r.policy_id for r in index.search(query, limit=n, on=ON)]


# --- 1. sources -----------------------------------------------------------------------------------


def test_the_2023_plan_is_a_source(catalogue: Catalogue) -> None:
    plan = catalogue.sources[PLAN]
    assert plan.doc_number == "沪人社就〔2023〕162号"
    assert plan.date == date(2023, 6, 5)
    assert plan.title == "上海市关于实施重点群体创业推进行动工作方案"
    assert plan.reliability == "A"
    assert plan.valid_until is None  # the plan names no end of its own


def test_the_s35_pages_and_the_documents_they_carry_are_sources(catalogue: Catalogue) -> None:
    assert "S35" in catalogue.sources
    by_number = {s.doc_number: s for s in catalogue.sources.values() if s.doc_number}
    assert by_number["沪人社规〔2025〕10号"].date == date(2025, 7, 14)
    assert by_number["沪人社规〔2025〕10号"].url.startswith("https://rsj.sh.gov.cn/")
    assert "沪人社就〔2023〕404号" in by_number
    # 8号's text is read in S35 now: the items resting on it cite S35 next to it.
    assert {BASIS_8, "S35"} <= set(catalogue.policies[FLEX_HARD].sources)


@pytest.mark.parametrize("policy_id", [BATCH_HRSS, STAR, PLAN_ITEM])
def test_items_only_the_plan_backs_cite_only_the_plan(catalogue: Catalogue, policy_id: str) -> None:
    policy = catalogue.policies[policy_id]
    assert policy.sources == (PLAN,)
    assert catalogue.sources[PLAN].doc_number in policy.summary


def test_every_s34_citation_is_in_force_and_resolves(catalogue: Catalogue) -> None:
    citing = [p for p in catalogue.policies.values() if PLAN in cited(p)]
    ids = {p.id for p in citing}
    assert {BATCH_HRSS, BATCH_FUND, FLEX_GRAD, FLEX_HARD, STAR, EXPERTS, MALANHUA, PLAN_ITEM} <= ids
    assert all(p.is_current or p.id == "action_plan_2018_2022" for p in citing)


# --- 2. the two 批次贷 -----------------------------------------------------------------------------


def test_batch_loan_of_the_plan_is_a_guaranteed_loan_mode(catalogue: Catalogue) -> None:
    batch = catalogue.policies[BATCH_HRSS]
    assert batch.category == "loan" and batch.status == "current"
    assert "创业担保贷款" in batch.summary and "白名单" in batch.summary
    for unit in ("各区", "创业孵化示范基地", "院校创业指导站"):
        assert unit in batch.summary
    assert {"市人社局", "市财政局", "人民银行上海分行"} <= set(batch.issuers)
    # The plan sets no amount or rate of its own: unpublished, and marked 待核实 (the sheet's 【推断】).
    for fact in batch.facts:
        assert fact.value is None and fact.verification == "待核实"
    assert BATCH_HRSS in catalogue.policies["guaranteed_loan_overview"].related


def test_guarantee_fund_item_no_longer_denies_the_batch_loan(catalogue: Catalogue) -> None:
    fund = catalogue.policies[BATCH_FUND]
    text = all_text(fund)
    assert "不是创业担保贷款" not in text
    assert "批次贷不是" not in text
    assert PLAN in cited(fund)
    overview = all_text(catalogue.policies["guaranteed_loan_overview"])
    assert "担保基金贷/批次贷" not in overview  # the old "both are not 创业担保贷款" note


def test_each_batch_item_names_the_other(catalogue: Catalogue) -> None:
    hrss, fund = catalogue.policies[BATCH_HRSS], catalogue.policies[BATCH_FUND]
    assert "担保基金贷" in hrss.summary and "不属于人社部门的创业担保贷款" in hrss.summary
    assert hrss.name in fund.summary and "人社部门" in fund.summary
    assert BATCH_FUND in hrss.related and BATCH_HRSS in fund.related


def test_search_finds_the_plan_batch_loan_first(index: SearchIndex, kb: KnowledgeBase) -> None:
    assert top_ids(index, "创业担保批次贷是什么")[0] == BATCH_HRSS
    assert [m.canonical_id for m in kb.recognize("创业担保批次贷是什么") if m.label == "POLICY"] == [
        BATCH_HRSS
    ]
    assert top_ids(index, "担保基金贷")[0] == BATCH_FUND


def test_is_batch_loan_hrss_gets_an_answer_that_tells_both_apart(
    index: SearchIndex, kb: KnowledgeBase
) -> None:
    hits = index.search("批次贷是人社部门的吗", on=ON)
    assert [h.policy_id for h in hits[:2]] == [BATCH_HRSS, BATCH_FUND]
    assert hits[0].score >= 1.5 * hits[1].score  # a clear winner: answered, not a menu
    card = kb.render_card(BATCH_HRSS, ON)
    assert "人社部门" in card and "担保基金贷" in card and "不属于人社部门的创业担保贷款" in card
    assert kb.source(PLAN).doc_number in card


# --- 3. 8号's wording and its 就业困难人员 rules ----------------------------------------------------------


def test_flexible_subsidy_in_8s_words(catalogue: Catalogue) -> None:
    policy = catalogue.policies[FLEX_HARD]
    rate, duration = policy.fact("subsidy_rate"), policy.fact("max_duration")
    assert rate is not None and duration is not None
    assert "（养老、医疗）" not in rate.text and "养老" not in rate.text
    assert "缴费基数的下限" in rate.text and f"{rate.value:g}%" in rate.text
    assert f"累计最长不超过{duration.value:g}年" in duration.text
    assert "最长不超过3年" in policy.summary
    for fact in policy.facts:
        assert "一般不超过" not in fact.text  # "一般" belongs to the employer subsidy only
    for fact in (rate, duration):
        assert fact.verification == "原文" and BASIS_8 in fact.sources
    assert "享受期满" in duration.text and "取消" in duration.text


def test_who_counts_as_hard_to_employ_per_8(catalogue: Catalogue) -> None:
    policy = catalogue.policies[FLEX_HARD]
    rule = next(r for r in policy.eligibility if r.id == "hard_to_employ")
    assert "本市户籍" in rule.text and BASIS_8 in rule.sources and rule.verification == "原文"
    notes = [n for n in policy.notes if BASIS_8 in n.sources]
    identity = next(n for n in notes if "取消" in n.text and "不得认定" in n.text)
    assert all(post in identity.text for post in EXCLUDED_POSTS)
    assert "享受期满" in identity.text
    assert BASIS_8 in catalogue.vocabulary.applicant_groups["hard_to_employ"].defined_by


@pytest.mark.parametrize(
    "policy_id", ["first_business_subsidy", "individual_guaranteed_loan", "guaranteed_loan_overview"]
)
def test_founders_are_told_legal_representative_ends_the_identity(
    catalogue: Catalogue, policy_id: str
) -> None:
    policy = catalogue.policies[policy_id]
    notes = [n for n in policy.notes if BASIS_8 in n.sources and "取消" in n.text]
    assert notes, f"{policy_id}: no 8号 note on losing the 就业困难人员 identity"
    assert all(post in notes[0].text for post in EXCLUDED_POSTS)
    assert notes[0].verification == "原文"


def test_founder_notes_do_not_make_the_whole_item_rest_on_8(catalogue: Catalogue) -> None:
    # A note citing 8号 informs; only the 就业困难人员 path of the rules rests on it (validity.py).
    policy = catalogue.policies["first_business_subsidy"]
    assert inherited_end(policy, catalogue) is None
    assert not freshness(policy, date(2027, 1, 5), catalogue).lapsed
    assert freshness(catalogue.policies[FLEX_HARD], date(2027, 1, 5), catalogue).lapsed


def test_first_business_check_tells_hard_to_employ_founders(catalogue: Catalogue, kb: KnowledgeBase) -> None:
    policy = catalogue.policies["first_business_subsidy"]
    rule = next(r for r in policy.eligibility if BASIS_8 in r.sources)
    assert rule.check is None  # reported as 需人工核实, never a verdict of its own
    assert all(post in rule.text for post in EXCLUDED_POSTS) and "取消" in rule.text
    profile = kb.profile({"groups": ["hard_to_employ"], "hukou": "shanghai"})
    result = kb.check(policy.id, profile, ON)
    assert any(rule.text in m for m in result.manual_checks)


def test_who_counts_as_hard_to_employ_has_its_own_answer(catalogue: Catalogue, index: SearchIndex) -> None:
    item = catalogue.policies["hard_to_employ_identification"]
    assert BASIS_8 in item.sources and not item.eligibility
    assert "本市户籍" in item.summary and all(post in item.summary for post in EXCLUDED_POSTS)
    months = item.fact("min_unemployment_months")
    assert months is not None and f"{months.value}个月" in item.summary
    # It rests on 8号 as a whole, so it ends with it (section 13 of the fact sheet).
    assert inherited_end(item, catalogue) is catalogue.sources[BASIS_8]
    for query in ("就业困难人员认定要什么条件", "就业困难人员怎么认定"):
        assert top_ids(index, query)[0] == item.id, query
    # Free-form questions also rank it among the first two (the group's own items compete).
    for query in (
        "就业困难人员是怎么认定的",
        "外地户口可以认定就业困难人员吗",
        "当了公司法人以后还算就业困难人员吗",
    ):
        assert item.id in top_ids(index, query, 2), query


# --- 4. the graduates' flexible-employment subsidy ---------------------------------------------------


def test_graduates_subsidy_in_the_plans_words(catalogue: Catalogue) -> None:
    policy = catalogue.policies[FLEX_GRAD]
    assert PLAN in policy.sources
    target = next(r for r in policy.eligibility if r.id == "target_group")
    assert "离校2年内未就业" in target.text and PLAN in target.sources and target.verification == "原文"
    assert "离校2年内未就业高校毕业生" in policy.summary
    duration = policy.fact("duration")
    assert duration is not None and duration.value is None  # still not published: never invented


def test_how_many_years_question_surfaces_both_flexible_items(
    catalogue: Catalogue, index: SearchIndex, kb: KnowledgeBase
) -> None:
    query = "灵活就业社保补贴能享受几年"
    assert {h.policy_id for h in index.search(query, limit=2, on=ON)} == {FLEX_HARD, FLEX_GRAD}
    # The words name the 8号 item; its duration facts (what a 几年 question shows) cover both groups.
    assert [m.canonical_id for m in kb.recognize(query) if m.label == "POLICY"] == [FLEX_HARD]
    hard, grad = catalogue.policies[FLEX_HARD], catalogue.policies[FLEX_GRAD]
    durations = [f for f in hard.facts if "期限" in f.label]
    assert any("最长不超过" in f.text for f in durations)
    pointer = next(f for f in durations if "离校2年内未就业" in f.label)
    graduates_duration = grad.fact("duration")
    assert graduates_duration is not None
    assert pointer.value == graduates_duration.value  # never a figure the graduates' item does not have
    assert PLAN in pointer.sources and pointer.verification == "待核实"
    assert top_ids(index, "就业困难人员灵活就业社保补贴能享受几年")[0] == FLEX_HARD


def test_each_flexible_item_points_to_the_other(catalogue: Catalogue) -> None:
    hard, grad = catalogue.policies[FLEX_HARD], catalogue.policies[FLEX_GRAD]
    assert grad.name in all_text(hard) and hard.name in grad.summary
    assert FLEX_GRAD in hard.related and FLEX_HARD in grad.related


# --- 5. 星级服务制度 ------------------------------------------------------------------------------------


def test_star_service_system_is_findable_and_unpublished(catalogue: Catalogue, index: SearchIndex) -> None:
    assert top_ids(index, "星级服务制度是什么")[0] == STAR
    star = catalogue.policies[STAR]
    criteria = star.fact("star_criteria")
    assert criteria is not None and criteria.value is None
    assert criteria.verification == "待核实" and PLAN in criteria.sources
    assert "星级服务制度" in star.summary and "未公布" in star.summary
    experts = catalogue.policies[EXPERTS]
    assert STAR in experts.related and EXPERTS in star.related
    assert "未找到任何来源" not in all_text(experts)  # the sheet used to say no source names it
    assert experts.fact("star_levels").sources == (PLAN,)


# --- 6. the four 马兰花 stages -----------------------------------------------------------------------------


def test_malanhua_stages(catalogue: Catalogue, index: SearchIndex, kb: KnowledgeBase) -> None:
    policy = catalogue.policies[MALANHUA]
    stages = next(f for f in policy.facts if "阶段" in f.label)
    assert all(stage in stages.text for stage in STAGES)
    assert stages.verification == "原文" and stages.sources == (PLAN,)
    assert policy.facts[0] == stages  # shown on the card, before the unpublished subsidy
    assert top_ids(index, "马兰花计划分哪几个阶段")[0] == MALANHUA
    card = kb.render_card(MALANHUA, ON)
    assert all(stage in card for stage in STAGES)


# --- 7. the 2023 plan and its targets for 2024 -----------------------------------------------------------


def test_plan_item_with_its_2024_targets(catalogue: Catalogue, index: SearchIndex) -> None:
    plan = catalogue.policies[PLAN_ITEM]
    targets = [f for f in plan.facts if f.key.startswith("target_2024")]
    assert len(targets) >= 2
    for fact in targets:
        assert "2023年方案" in fact.label and "2024" in fact.label
        assert fact.verification == "原文" and fact.sources == (PLAN,)
    values = {f.key: f.value for f in targets}
    assert values["target_2024_youth_practice"] == 20000 and values["target_2024_activity_rate"] == 12
    assert "12%左右" in plan.summary and "2万人" in plan.summary and "1万户" in plan.summary
    assert "2023年方案的目标" in plan.summary
    assert any("1万户" in n.text and "2023年方案" in n.text for n in plan.notes)
    assert top_ids(index, catalogue.sources[PLAN].doc_number)[0] == PLAN_ITEM
    assert top_ids(index, "重点群体创业推进行动")[0] == PLAN_ITEM


def test_the_older_plan_points_to_the_2023_plan(catalogue: Catalogue) -> None:
    old = catalogue.policies["action_plan_2018_2022"]
    text = all_text(old)
    assert "新一轮市级行动计划未找到" not in text and "新一轮计划未找到" not in text
    assert catalogue.sources[PLAN].doc_number in (old.replacement_note or "")
    assert PLAN_ITEM in old.related


# --- 8. 待核实 where the sheet says so ----------------------------------------------------------------------


def _parts(catalogue: Catalogue) -> Iterator[tuple[str, str, str]]:
    for policy in catalogue.policies.values():
        for part in (*policy.facts, *policy.eligibility, *policy.notes):
            yield policy.id, part.text, part.verification


def test_inferences_are_never_tagged_as_quoted(catalogue: Catalogue) -> None:
    wrong = [(pid, text) for pid, text, v in _parts(catalogue) if "推断" in text and v != "待核实"]
    assert not wrong


def test_sheet_tags_now_marked_to_be_verified(catalogue: Catalogue) -> None:
    overview = catalogue.policies["guaranteed_loan_overview"]
    handles = [n for n in overview.notes if "承办" in n.text]
    assert handles and all(n.verification == "待核实" for n in handles)  # sheet 0.1: 承办 is inferred
    malanhua = catalogue.policies[MALANHUA]
    assert any("课程名" in n.text and n.verification == "待核实" for n in malanhua.notes)
    batch = catalogue.policies[BATCH_HRSS]
    assert any("按创业担保贷款的规则" in n.text and n.verification == "待核实" for n in batch.notes)


# --- 9. reference values with their periods ----------------------------------------------------------------


def _period_facts(catalogue: Catalogue) -> list[tuple[Policy, Fact]]:
    return [(p, f) for p in catalogue.policies.values() for f in p.facts if f.key in PERIOD_FACTS]


def test_reference_values_carry_their_period(catalogue: Catalogue) -> None:
    found = _period_facts(catalogue)
    assert {f.key for _, f in found} == set(PERIOD_FACTS)
    for policy, fact in found:
        assert fact.valid_from is not None, (policy.id, fact.key)
        assert fact.value is not None and fact.verification == "原文"
        assert "S20" not in fact.sources and "S35" in fact.sources  # read in rsj pages, not second-hand
        assert "此前" not in fact.text  # superseded older values are gone, not mixed in
        rendered = render_fact(fact)
        assert period(fact) and period(fact) in rendered and f"{fact.value:g}" in rendered


def test_contribution_base_period_and_consistency(catalogue: Catalogue) -> None:
    bases = [f for _, f in _period_facts(catalogue) if f.key.startswith("ref_contribution_base")]
    assert {f.key for f in bases} == {"ref_contribution_base_min", "ref_contribution_base_max"}
    for fact in bases:
        assert fact.valid_from == date(2026, 7, 1)
        assert fact.valid_until is not None and fact.valid_until > fact.valid_from
        assert period(fact).startswith("（2026年7月")
    # The same reference value says the same everywhere it is repeated.
    by_key: dict[str, set[tuple]] = {}
    for _, fact in _period_facts(catalogue):
        by_key.setdefault(fact.key, set()).add((fact.value, fact.valid_from, fact.valid_until))
    assert all(len(v) == 1 for v in by_key.values()), by_key
    low = next(f for f in bases if f.key == "ref_contribution_base_min")
    high = next(f for f in bases if f.key == "ref_contribution_base_max")
    assert low.value < high.value


def test_minimum_wage_from_july_2025(catalogue: Catalogue) -> None:
    wage = next(f for _, f in _period_facts(catalogue) if f.key == "ref_minimum_wage")
    assert wage.valid_from == date(2025, 7, 1)
    assert any(catalogue.sources[s].doc_number == "沪人社规〔2025〕10号" for s in wage.sources)


def test_review_flags_the_base_once_its_period_has_passed(catalogue: Catalogue) -> None:
    base = next(f for _, f in _period_facts(catalogue) if f.key == "ref_contribution_base_min")
    assert base.valid_until is not None
    listed_now = {v.key for v in review(catalogue, ON).reference_values}
    assert base.key not in listed_now
    later = review(catalogue, base.valid_until + timedelta(days=5)).reference_values
    assert any(v.key == base.key and v.state == ENDED for v in later)


def test_no_reference_figure_in_python_code(catalogue: Catalogue) -> None:
    figures = {str(int(f.value)) for _, f in _period_facts(catalogue) if f.value and f.value >= 1000}
    assert figures
    offenders = [
        (str(path.relative_to(PROJECT_ROOT)), figure)
        for folder in ("policies_kb", "actions", "bot")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        for figure in figures
        if figure in path.read_text(encoding="utf-8")
    ]
    assert not offenders
