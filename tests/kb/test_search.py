"""Search finds every policy by its name and each alias, ranks non-current items below current ones."""

from __future__ import annotations

from datetime import date

import jieba
import pytest

from policies_kb.model import Catalogue
from policies_kb.search import SearchIndex, shared_alias_meaning

ON = date(2026, 11, 28)
_INDEXES: dict[int, SearchIndex] = {}


def index_for(catalogue: Catalogue) -> SearchIndex:
    if id(catalogue) not in _INDEXES:
        _INDEXES[id(catalogue)] = SearchIndex(catalogue)
    return _INDEXES[id(catalogue)]


def test_finds_every_policy_by_name_and_alias(any_catalogue: Catalogue) -> None:
    index = index_for(any_catalogue)
    owners = any_catalogue.alias_index()
    failures = []
    for policy in any_catalogue.policies.values():
        for form in (policy.name, *policy.aliases):
            ranked = [r.policy_id for r in index.search(form, limit=5, on=ON)]
            if policy.id not in ranked:
                failures.append((form, policy.id, ranked))
                continue
            rank = ranked.index(policy.id)
            if index._in_force(policy, ON):
                # first, unless the alias is shared: then among the policies sharing it
                if rank >= len(owners[form]):
                    failures.append((form, policy.id, ranked))
            elif policy.superseded_by in any_catalogue.policies and policy.superseded_by not in ranked[:rank]:
                failures.append((form, policy.id, ranked))
    assert not failures


def test_non_current_items_rank_below_their_replacement_and_are_marked(any_catalogue: Catalogue) -> None:
    index = index_for(any_catalogue)
    checked = 0
    for policy in any_catalogue.policies.values():
        if policy.status != "superseded":
            continue
        results = index.search(policy.name, limit=10, on=ON)
        ids = [r.policy_id for r in results]
        mine = results[ids.index(policy.id)]
        assert (
            not mine.current and mine.marker == "【已被替代】" and mine.superseded_by == policy.superseded_by
        )
        assert ids.index(policy.superseded_by) < ids.index(policy.id)
        assert results[0].current
        checked += 1
    assert checked


def test_expired_by_date_is_demoted_and_marked(fixture_catalogue: Catalogue) -> None:
    index = index_for(fixture_catalogue)
    before = index.search("灵活就业社保补贴", on=date(2026, 11, 28))[0]
    assert before.current and before.marker == "【即将到期】"
    after = index.search("灵活就业社保补贴", on=date(2027, 1, 1))[0]
    assert not after.current and after.status == "expired" and after.marker == "【已失效】"


@pytest.mark.parametrize(
    ("query", "expected", "top"),
    [
        ("大学生开公司有补贴吗", "first_business_subsidy", 2),
        ("卢湾有啥创业政策", "huangpu_startup_card", 1),
        ("沪人社规（2023）1号", "first_business_subsidy", 1),
        ("創業前貸款", "pre_startup_loan", 1),  # traditional characters
        ("ＡＢＣ创业补贴", "first_business_subsidy", 1),  # full-width letters
    ],
)
def test_colloquial_queries_fixture(
    fixture_catalogue: Catalogue, query: str, expected: str, top: int
) -> None:
    ids = [r.policy_id for r in index_for(fixture_catalogue).search(query, on=ON)]
    assert expected in ids[:top], ids


@pytest.mark.parametrize(
    ("query", "expected", "top"),
    [
        ("毕业生开公司能拿多少补贴", "first_business_subsidy", 3),
        ("我想贷款创业", "pre_startup_guaranteed_loan", 4),
        ("天使基金", "efg_angel_fund", 1),
        ("批次贷", "startup_guarantee_batch_loan", 1),  # 162号 (六): the 创业担保贷款 mode
        ("批次贷", "guarantee_fund_batch_loan", 2),  # the guarantee fund's product, told apart
        ("担保基金贷", "guarantee_fund_batch_loan", 1),
        ("创业培训", "malanhua_training", 1),
        ("找专家咨询", "expert_volunteer_group", 1),
        ("灵活就业社保", "flexible_employment_si_subsidy_graduates", 2),
        ("孵化基地的场地费能补吗", "incubation_workspace_subsidy", 3),
        ("创业担保贷款贴息", "guaranteed_loan_interest_subsidy", 1),
    ],
)
def test_colloquial_queries_real(real_catalogue: Catalogue, query: str, expected: str, top: int) -> None:
    if expected not in real_catalogue.policies:
        pytest.skip(f"{expected} not in the real data")
    ids = [r.policy_id for r in index_for(real_catalogue).search(query, on=ON)]
    assert expected in ids[:top], ids


def test_nonsense_and_empty_queries(fixture_catalogue: Catalogue) -> None:
    index = index_for(fixture_catalogue)
    assert index.search("", on=ON) == []
    assert index.search("   ", on=ON) == []
    assert index.search("今天天气怎么样", on=ON) == []
    assert index.search("创业补贴", limit=0, on=ON) == []


def test_private_jieba_leaves_the_global_dictionary_alone(fixture_catalogue: Catalogue) -> None:
    # Other tests may load the project's user dictionary into the global jieba (the Rasa tokenizer
    # does); compare before and after building an index instead of assuming a pristine global.
    jieba.initialize()
    global_before = dict(jieba.dt.FREQ)
    index = SearchIndex(fixture_catalogue)  # a fresh build, not the cached one
    index.search("首创补贴")
    assert dict(jieba.dt.FREQ) == global_before
    assert "首创补贴" in index._jieba.FREQ


def test_a_benefit_question_is_not_answered_by_an_item_of_another_kind(real_catalogue: Catalogue) -> None:
    # 注册 is a rarer word than 补贴, but the question asks for a subsidy: the registration item,
    # whose name and aliases name no subsidy, must not lead.
    index = index_for(real_catalogue)
    registration = next(
        p
        for p in real_catalogue.policies.values()
        if p.category == "registration" and "注册" in " ".join(p.aliases)
    )
    assert index.search("网上注册公司", on=ON)[0].policy_id == registration.id  # still found by itself

    top = index.search("注册了公司以后有什么补贴可以领", on=ON)[0]

    assert "补贴" in top.name or any("补贴" in a for a in real_catalogue.policies[top.policy_id].aliases)


def test_a_hit_on_a_stray_word_has_a_low_coverage(real_catalogue: Catalogue) -> None:
    index = index_for(real_catalogue)
    named = index.search("一次性创业补贴", on=ON)[0]
    stray = index.search("换购家电有补贴吗", on=ON)

    assert named.coverage == 1.0
    assert stray and stray[0].coverage < 0.12


def test_an_alias_several_policies_share_is_read_from_the_message(real_catalogue: Catalogue) -> None:
    shared = {f: ids for f, ids in real_catalogue.alias_index().items() if f == "社保补贴"}
    assert len(shared["社保补贴"]) >= 2, "社保补贴 is no longer shared: this test needs another alias"
    owners = [real_catalogue.policies[i] for i in shared["社保补贴"]]
    workspace = real_catalogue.policies["incubation_workspace_subsidy"]
    same_kind = [p.id for p in owners if p.category == workspace.category]
    assert len(same_kind) == 1

    # next to another subsidy of a business: the subsidy of the same kind
    assert shared_alias_meaning(real_catalogue, "社保补贴和孵化补贴能一起拿吗", [workspace.id]) == same_kind
    # a graduate's 社保补贴: the owner that names the graduates
    graduates = [p.id for p in owners if any("毕业生" in f for f in (p.name, *p.aliases))]
    assert shared_alias_meaning(real_catalogue, "社保补贴怎么领", [], ["college_graduate"]) == graduates
    # no context: undecided, the caller asks
    assert shared_alias_meaning(real_catalogue, "社保补贴怎么领") == []
    # inside a longer name it is that name, not the shared alias
    assert (
        shared_alias_meaning(real_catalogue, "初创期社保补贴怎么领", [], ["college_graduate"], [(0, 7)]) == []
    )
