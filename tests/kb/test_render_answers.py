"""The answers about one policy (policies_kb.render.answers) on the real catalogue: each aspect, the
district note, the umbrella card with its products, the overview line, and `Rendered` itself.

Figures, names, rules and channels are read from the catalogue, never written out here.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from policies_kb.freshness import freshness
from policies_kb.model import Catalogue, Policy
from policies_kb.render import (
    ASK_ELIGIBILITY_HINT,
    CAVEAT,
    LAPSED_MARK,
    NO_APPLY_INFO,
    NO_MATERIALS,
    Rendered,
    aspect_answer,
    aspect_facts,
    district_note,
    overview_line,
    policy_answer,
    policy_card,
    related_products,
    render_answer,
    render_citation,
    render_fact,
)
from policies_kb.render.answers import umbrella_products

ON = date(2026, 11, 28)  # 沪人社规〔2022〕8号 still in force, ending within 60 days
ENDED_ON = date(2027, 1, 5)  # after its end, no successor recorded: the 8号 items are lapsed
FIRST_BUSINESS = "first_business_subsidy"
INDIVIDUAL_LOAN = "individual_guaranteed_loan"
LOAN_UMBRELLA = "guaranteed_loan_overview"
HARD_TO_EMPLOY = "flexible_employment_si_subsidy_hard_to_employ"
SUPERSEDED = "opening_fee_subsidy"


def policy(catalogue: Catalogue, policy_id: str) -> Policy:
    assert policy_id in catalogue.policies, f"{policy_id} is no longer in the knowledge base"
    return catalogue.policies[policy_id]


def fact_lines(answer: Rendered) -> list[str]:
    return [line for line in answer.body if line.startswith("· ")]


def assert_citations(answer: Rendered, catalogue: Catalogue, limit: int) -> None:
    assert 1 <= len(answer.sources) <= limit
    assert all(line.startswith("来源：") for line in answer.sources)
    assert len(set(answer.sources)) == len(answer.sources)


# -- Rendered ------------------------------------------------------------------------------------


def test_rendered_joins_its_parts() -> None:
    card = Rendered(("【甲】", "⚠ 注意"), ("摘要", "· 一\n· 二"), ("来源：《A》", "来源：《B》"))
    assert card.text == "【甲】\n\n⚠ 注意\n\n摘要\n\n· 一\n· 二\n\n来源：《A》\n来源：《B》"
    assert card.first_line == "【甲】" and str(card) == card.text
    assert card.adding("包括：\n· 乙").text.endswith("· 二\n\n包括：\n· 乙\n\n来源：《A》\n来源：《B》")
    compact = dataclasses.replace(card, compact=True)
    assert compact.text == "【甲】\n⚠ 注意\n摘要\n· 一\n· 二\n来源：《A》\n来源：《B》"
    assert Rendered(("只有一行",)).text == "只有一行"


# -- aspects -------------------------------------------------------------------------------------


def test_amount_answer_gives_the_amount_figure_and_its_source(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, FIRST_BUSINESS)
    amount = subsidy.fact("amount")
    assert amount is not None and amount.value is not None

    answer = aspect_answer(subsidy, "amount", real_catalogue, ON)

    assert answer is not None and answer.compact
    shown = aspect_facts(subsidy, "amount")
    # the first line answers: the name and the first figure asked about, the rest below it
    assert answer.head == (f"【{subsidy.name}】{render_fact(shown[0])}",) == (answer.first_line,)
    assert answer.body == tuple(f"· {render_fact(f)}" for f in shown[1:]) and amount.text in answer.text
    assert all(line.startswith("· ") for line in answer.body)
    assert_citations(answer, real_catalogue, limit=2)
    cited = real_catalogue.sources[amount.sources[0]]
    assert any(line.startswith(render_citation(cited)) for line in answer.sources)
    assert answer.text == "\n".join([*answer.head, *answer.body, *answer.sources])


def test_interest_answer_shows_the_rate_facts_with_their_caveat(real_catalogue: Catalogue) -> None:
    loan = policy(real_catalogue, INDIVIDUAL_LOAN)
    rate = loan.fact("interest_rate_cap")
    assert rate is not None

    answer = aspect_answer(loan, "interest", real_catalogue, ON)

    assert answer is not None
    assert f"· {render_fact(rate)}" in answer.body  # the unpublished cap is flagged, last
    assert (CAVEAT in render_fact(rate)) == (rate.verification == "待核实")
    assert all(any(w in line for w in ("利率", "贴息", "利息")) for line in fact_lines(answer))
    loan_amount = loan.fact("max_amount")
    assert loan_amount is not None and render_fact(loan_amount) not in answer.text  # not what was asked


def test_duration_answer_of_a_policy_ending_soon_carries_the_warning(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, HARD_TO_EMPLOY)
    fresh = freshness(subsidy, ON, real_catalogue)
    assert fresh.status == "expiring_soon"

    answer = aspect_answer(subsidy, "duration", real_catalogue, ON)

    assert answer is not None
    assert answer.head == (f"【{subsidy.name}】", f"⚠ {fresh.warning}")
    duration = subsidy.fact("max_duration")
    assert duration is not None and f"· {render_fact(duration)}" in answer.body


def test_eligibility_answer_lists_every_rule_and_offers_the_check(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, FIRST_BUSINESS)

    answer = aspect_answer(subsidy, "eligibility", real_catalogue, ON)

    assert answer is not None
    rules = [f"{r.text}{CAVEAT if r.verification == '待核实' else ''}" for r in subsidy.eligibility]
    assert answer.first_line == f"【{subsidy.name}】申请条件：{rules[0]}"
    for rule in rules[1:]:
        assert f"· {rule}" in answer.body
    assert answer.body[-1] == ASK_ELIGIBILITY_HINT
    assert_citations(answer, real_catalogue, limit=2)


@pytest.mark.parametrize("aspect", ["how_to_apply", "deadline"])
def test_how_to_apply_gives_the_channels_from_the_kb(real_catalogue: Catalogue, aspect: str) -> None:
    subsidy = policy(real_catalogue, FIRST_BUSINESS)
    apply = subsidy.apply
    assert apply is not None and apply.online and apply.offline and apply.deadline
    end = freshness(subsidy, ON, real_catalogue).expires_on

    answer = aspect_answer(subsidy, aspect, real_catalogue, ON)

    assert answer is not None
    mark = CAVEAT if apply.verification == "待核实" else ""
    online, offline, deadline = (
        f"线上：{apply.online}{mark}",
        f"线下：{apply.offline}{mark}",
        f"时限：{apply.deadline}{mark}",
    )
    # the first line is what was asked: where to apply, or by when
    channels = (online, offline, deadline) if aspect == "how_to_apply" else (deadline, online, offline)
    assert answer.first_line == f"【{subsidy.name}】{channels[0]}"
    assert answer.body[:2] == channels[1:]
    if end is None:
        assert len(answer.body) == 2
    assert_citations(answer, real_catalogue, limit=2)


def test_how_to_apply_without_channels_says_where_to_ask_and_when_it_ends(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, HARD_TO_EMPLOY)
    assert subsidy.apply is None or not (subsidy.apply.online or subsidy.apply.offline), "channels published"
    end = freshness(subsidy, ON, real_catalogue).expires_on
    assert end is not None

    answer = aspect_answer(subsidy, "how_to_apply", real_catalogue, ON)

    assert answer is not None
    assert answer.body == (NO_APPLY_INFO, f"政策有效期至{end.year}年{end.month}月{end.day}日。")
    without = aspect_answer(dataclasses.replace(subsidy, apply=None), "deadline", real_catalogue, ON)
    assert without is not None and without.body == answer.body[::-1]  # by when: the end date first
    lapsed = aspect_answer(subsidy, "how_to_apply", real_catalogue, ENDED_ON)
    assert lapsed is not None and lapsed.body == (NO_APPLY_INFO,)  # no end date once it has passed


def test_materials_answer_lists_them_or_says_they_are_not_published(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, FIRST_BUSINESS)
    assert not subsidy.materials, "materials are now published: the first case needs another policy"

    unpublished = aspect_answer(subsidy, "materials", real_catalogue, ON)
    listed = aspect_answer(
        dataclasses.replace(subsidy, materials=("身份证", "营业执照")), "materials", real_catalogue, ON
    )

    assert unpublished is not None and unpublished.first_line == f"【{subsidy.name}】{NO_MATERIALS}"
    assert listed is not None and listed.first_line == f"【{subsidy.name}】申请材料：身份证、营业执照"
    assert all(line.startswith("· ") for line in (*unpublished.body, *listed.body))


def test_source_answer_gives_up_to_three_citations(real_catalogue: Catalogue) -> None:
    loan = policy(real_catalogue, INDIVIDUAL_LOAN)

    answer = aspect_answer(loan, "source", real_catalogue, ON)

    assert answer is not None and answer.body == ()
    assert_citations(answer, real_catalogue, limit=3)
    assert answer.sources[0] == render_citation(real_catalogue.sources[loan.sources[0]])


def test_aspects_the_policy_has_nothing_for_fall_back_to_the_card(real_catalogue: Catalogue) -> None:
    umbrella = policy(real_catalogue, LOAN_UMBRELLA)
    assert not umbrella.facts and not umbrella.eligibility
    assert aspect_answer(umbrella, "amount", real_catalogue, ON) is None
    assert aspect_answer(umbrella, "eligibility", real_catalogue, ON) is None
    assert aspect_answer(policy(real_catalogue, FIRST_BUSINESS), "no_such_aspect", real_catalogue, ON) is None
    (card,) = policy_answer(umbrella, real_catalogue, ON, aspects=["amount"])
    assert not card.compact and card.first_line == f"【{umbrella.name}】"


def test_lapsed_policy_answer_opens_with_the_notice(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, HARD_TO_EMPLOY)
    fresh = freshness(subsidy, ENDED_ON, real_catalogue)
    assert fresh.lapsed

    answer = aspect_answer(subsidy, "amount", real_catalogue, ENDED_ON)

    assert answer is not None
    assert answer.head == (f"{LAPSED_MARK}{subsidy.name}", f"⚠ {fresh.warning}")
    amount = subsidy.fact("subsidy_rate")
    assert amount is not None and f"· {render_fact(amount)}" in answer.body  # not 旧口径: it may go on


def test_superseded_policy_answer_is_marked_as_history(real_catalogue: Catalogue) -> None:
    old = policy(real_catalogue, SUPERSEDED)
    fresh = freshness(old, ON, real_catalogue)
    assert fresh.status == "superseded"

    answer = aspect_answer(old, "amount", real_catalogue, ON)

    assert answer is not None
    assert answer.head == (f"【{old.name}】⚠ {fresh.warning} 以下为历史口径，请勿据此申请。",)
    assert fact_lines(answer) and all(line.startswith("· （旧口径）") for line in fact_lines(answer))


# -- the whole answer ----------------------------------------------------------------------------


def test_two_aspects_are_two_parts_of_one_message(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, FIRST_BUSINESS)

    parts = policy_answer(subsidy, real_catalogue, ON, aspects=["amount", "materials"])

    assert parts == (
        aspect_answer(subsidy, "amount", real_catalogue, ON),
        aspect_answer(subsidy, "materials", real_catalogue, ON),
    )
    assert render_answer(subsidy, real_catalogue, ON, ["amount", "materials"]) == "\n\n".join(
        p.text for p in parts
    )


def test_without_an_aspect_the_answer_is_the_card(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, FIRST_BUSINESS)
    assert policy_answer(subsidy, real_catalogue, ON) == (policy_card(subsidy, real_catalogue, ON),)


def test_umbrella_card_lists_its_current_products_before_the_sources(real_catalogue: Catalogue) -> None:
    umbrella = policy(real_catalogue, LOAN_UMBRELLA)
    products = [
        real_catalogue.policies[i]
        for i in umbrella.related
        if i in real_catalogue.policies
        and real_catalogue.policies[i].category == umbrella.category
        and freshness(real_catalogue.policies[i], ON, real_catalogue).in_force
    ]
    assert len(products) >= 2, "the umbrella item lost its products"

    related = related_products(umbrella, real_catalogue, ON)
    (answer,) = policy_answer(umbrella, real_catalogue, ON)

    assert related is not None and related.startswith("包括：\n")
    for product in products[:5]:
        figures = "；".join(render_fact(f) for f in product.facts[:2])
        assert f"· {product.name}" + (f"：{figures}" if figures else "") in related.split("\n")
    card = policy_card(umbrella, real_catalogue, ON)
    assert answer == card.adding(related) and answer.body[-1] == related
    assert answer.sources == card.sources and answer.text.index(related) < answer.text.index("\n\n来源：")
    subsidy = policy(real_catalogue, FIRST_BUSINESS)  # figures of its own: its card, without a product list
    assert subsidy.facts and related_products(subsidy, real_catalogue, ON) is not None
    assert policy_answer(subsidy, real_catalogue, ON) == (policy_card(subsidy, real_catalogue, ON),)


def test_city_policy_for_a_district_applies_there(real_catalogue: Catalogue) -> None:
    vocabulary = real_catalogue.vocabulary
    pudong = vocabulary.districts[vocabulary.district_id("浦东")]
    subsidy = policy(real_catalogue, FIRST_BUSINESS)

    (note,) = policy_answer(subsidy, real_catalogue, ON, districts=[pudong.id])

    assert note.first_line == (
        f"「{subsidy.name}」是全市政策，在{pudong.name}同样适用；"
        f"线下可到{pudong.name}就业促进中心创业指导服务部门办理。"
    )
    assert district_note(subsidy, "no_such_district", real_catalogue, ON) is None


def test_district_policy_elsewhere_does_not_apply_and_local_policies_are_named(
    real_catalogue: Catalogue,
) -> None:
    local = next(p for p in real_catalogue.policies.values() if p.scope == "district" and p.district)
    own = real_catalogue.vocabulary.districts[local.district]
    other = next(d for d in real_catalogue.vocabulary.districts.values() if d.id != local.district)

    elsewhere = district_note(local, other.id, real_catalogue, ON)
    at_home = district_note(policy(real_catalogue, FIRST_BUSINESS), own.id, real_catalogue, ON)

    assert elsewhere is not None
    assert elsewhere.head == (f"「{local.name}」是{own.name}的区级政策，{other.name}不适用。",)
    assert at_home is not None and at_home.body, f"{own.name} has no district policy of the same kind"
    assert at_home.body[0].startswith(f"{own.name}另有区级政策：「") and at_home.body[0].endswith(
        "，可以接着问。"
    )
    assert at_home.text == at_home.head[0] + "\n" + at_home.body[0]


def test_a_named_aspect_wins_over_the_district(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, FIRST_BUSINESS)
    (answer,) = policy_answer(subsidy, real_catalogue, ON, aspects=["amount"], districts=["huangpu"])
    assert answer == aspect_answer(subsidy, "amount", real_catalogue, ON)


def test_overview_line_names_the_first_published_figure(real_catalogue: Catalogue) -> None:
    subsidy = policy(real_catalogue, FIRST_BUSINESS)
    figure = next(f for f in subsidy.facts if f.value is not None)
    assert overview_line(subsidy) == f"· {subsidy.name}（{render_fact(figure)}）：{subsidy.summary}"
    umbrella = policy(real_catalogue, LOAN_UMBRELLA)
    assert overview_line(umbrella) == f"· {umbrella.name}：{umbrella.summary}"


# -- aspects matched in facts, rules and notes; answers that span policies (issue #16) ----------


def test_detect_aspects_takes_the_specific_aspect_over_a_bare_amount() -> None:
    from policies_kb.render.answers import detect_aspects

    assert detect_aspects("要担保人吗") == ["guarantor"]
    assert detect_aspects("期限多少年") == ["duration"]
    assert "amount" in detect_aspects("额度多少")


def test_guarantor_answer_opens_with_the_guarantee_fund(real_catalogue: Catalogue) -> None:
    loan, umbrella = policy(real_catalogue, INDIVIDUAL_LOAN), policy(real_catalogue, LOAN_UMBRELLA)
    fund = next(n for n in umbrella.notes if "担保资金" in n.text and "提供担保" in n.text)

    answer = aspect_answer(loan, "guarantor", real_catalogue, ON)

    assert answer is not None and answer.first_line == f"【{loan.name}】担保：{umbrella.name}：{fund.text}"
    assert len(answer.body) <= 3 and all(line.startswith("· ") for line in answer.body)
    assert_citations(answer, real_catalogue, limit=2)


def test_notes_that_match_the_question_are_shown(real_catalogue: Catalogue) -> None:
    loan = policy(real_catalogue, INDIVIDUAL_LOAN)
    note = next(n for n in loan.notes if "法定代表人" in n.text)

    (answer,) = policy_answer(loan, real_catalogue, ON, question="当了法定代表人以后还算重点群体吗")

    assert f"· {note.text}" in answer.body


def test_cross_policy_answer_gives_each_loan_its_term(real_catalogue: Catalogue) -> None:
    from policies_kb.render.answers import cross_policy_answer, expanded

    umbrella = policy(real_catalogue, LOAN_UMBRELLA)
    products = [p for p in expanded([umbrella], real_catalogue, ON) if p.fact("max_term")]
    assert len(products) >= 3

    answer = cross_policy_answer([umbrella], ["duration"], real_catalogue, ON, "贷款期限最长几年")

    assert answer is not None and answer.first_line == "各项政策的期限对比："
    for product in products:
        term = product.fact("max_term")
        assert term is not None and f"· {product.name}：{render_fact(term)}" in answer.body
    assert_citations(answer, real_catalogue, limit=3)


def test_combining_policies_the_sources_are_silent_on_is_answered_honestly(real_catalogue: Catalogue) -> None:
    from policies_kb.render.answers import UNSTATED, cross_policy_answer

    a = policy(real_catalogue, "startup_social_insurance_subsidy")
    b = policy(real_catalogue, "incubation_workspace_subsidy")

    answer = cross_policy_answer([a, b], ["combine"], real_catalogue, ON)

    assert answer is not None and answer.text == f"「{a.name}」和「{b.name}」能否同时享受：{UNSTATED}"
    assert "12333" in UNSTATED


def test_cross_policy_answer_of_an_aspect_only_one_policy_has_is_that_answer(
    real_catalogue: Catalogue,
) -> None:
    from policies_kb.render.answers import cross_policy_answer

    loans = [policy(real_catalogue, i) for i in ("pre_startup_guaranteed_loan", INDIVIDUAL_LOAN)]
    assert loans[0].fact("partnership_cap") is None and loans[1].fact("partnership_cap") is not None

    answer = cross_policy_answer(loans, ["partnership"], real_catalogue, ON, "合伙")

    assert answer == aspect_answer(loans[1], "partnership", real_catalogue, ON, "合伙")
    # one candidate alone is not a cross-policy answer: the caller asks rather than guesses
    assert cross_policy_answer(loans[1:], ["partnership"], real_catalogue, ON, "合伙") is None


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("营业执照还没办下来，能申请哪些扶持", "before_registration"),
        ("公司还没成立可以先申请吗", "before_registration"),
        ("这两个补贴可以一起享受吗", "combine"),
        ("贴息和开业补贴冲突吗", "combine"),
        ("开业补贴要去哪里申请", "how_to_apply"),
    ],
)
def test_detect_aspects_reads_before_registration_and_combining_in_other_words(
    question: str, aspect: str
) -> None:
    from policies_kb.render.answers import detect_aspects

    assert aspect in detect_aspects(question)


def test_a_question_about_one_condition_is_answered_by_the_rules_that_decide_it(
    real_catalogue: Catalogue,
) -> None:
    umbrella = real_catalogue.policies["guaranteed_loan_overview"]
    assert not umbrella.eligibility  # an umbrella: its products' rules answer
    deciding = [
        (p, r)
        for p in umbrella_products(umbrella, real_catalogue, ON)
        for r in p.eligibility
        if "失信被执行人" in r.text
    ]
    assert deciding, "no product has a 失信被执行人 rule any more"

    (answer,) = policy_answer(
        umbrella, real_catalogue, ON, question="被列为失信被执行人还可以办创业担保贷款吗"
    )

    assert answer.first_line.startswith(f"【{umbrella.name}】相关条件：")
    for product, rule in deciding:
        assert f"{product.name}：{rule.text}" in answer.text
    assert ASK_ELIGIBILITY_HINT in answer.text and answer.sources


def test_a_question_naming_no_condition_still_gets_the_card(real_catalogue: Catalogue) -> None:
    policy = real_catalogue.policies["first_business_subsidy"]

    (answer,) = policy_answer(policy, real_catalogue, ON, question="首次创业一次性补贴是什么")

    assert answer == policy_card(policy, real_catalogue, ON)


def test_an_alias_naming_a_part_of_the_item_shows_the_note_about_it(real_catalogue: Catalogue) -> None:
    plan = real_catalogue.policies["key_groups_entrepreneurship_plan_2023"]
    part = next(a for a in plan.aliases if a == "汇创青春")
    notes = [n for n in plan.notes if part in n.text]
    assert notes

    text = render_answer(plan, real_catalogue, ON, question=f"{part}这个比赛在哪报名")

    assert any(n.text in text for n in notes)


def test_where_to_apply_for_a_district_names_its_office_after_the_channels(real_catalogue: Catalogue) -> None:
    policy = real_catalogue.policies[FIRST_BUSINESS]
    district = real_catalogue.vocabulary.districts["minhang"]

    parts = policy_answer(policy, real_catalogue, ON, ["how_to_apply"], ["minhang"], "在闵行去哪申请")

    assert parts[0] == aspect_answer(policy, "how_to_apply", real_catalogue, ON, "在闵行去哪申请")
    assert parts[-1] == district_note(policy, "minhang", real_catalogue, ON)
    assert f"{district.name}就业促进中心" in parts[-1].text


def test_a_short_alias_inside_the_longer_one_asked_is_not_a_part_of_the_item(
    real_catalogue: Catalogue,
) -> None:
    from policies_kb.render.answers import matching_notes

    # An item with a note naming a short alias (社保补贴) that also sits inside a longer one.
    policy, longer, note = next(
        (p, b, n)
        for p in real_catalogue.policies.values()
        for b in p.aliases
        for a in p.aliases
        for n in p.notes
        if a != b and len(a) >= 3 and a in b and a in n.text and b not in n.text and a not in p.name
    )

    assert note not in matching_notes(policy, f"{longer}能享受几年")
