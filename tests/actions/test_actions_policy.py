"""Policy answers, the overview, follow-ups and the fallback: actions over the knowledge base.

Figures, names and citations are read from the knowledge base the actions use (`kb`), so a policy
update changes the expectation with the answer.
"""

from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk.events import SlotSet, UserUtteranceReverted

from actions.fallback import ActionFallbackToHuman
from actions.followups import ActionAnswerFollowup
from actions.overview import CATEGORY_ORDER, MAX_ITEMS, ActionPolicyOverview
from actions.policy_answers import ActionAnswerPolicy, policy_buttons
from agent_desk import AgentDesk
from policies_kb import KnowledgeBase, render_citation, render_fact
from policies_kb.render import ALL_TAIL, ASPECT_LABEL_WORDS, NO_MATERIALS
from tests.actions.conftest import (
    REFERENCE_DATE,
    buttons,
    domain_text,
    make_tracker,
    run_action,
    sent_texts,
    spoken,
)

ON = date.fromisoformat(REFERENCE_DATE)
FIRST_BUSINESS = "first_business_subsidy"
INDIVIDUAL_LOAN = "individual_guaranteed_loan"
LOAN_UMBRELLA = "guaranteed_loan_overview"


def unanswered_count(url: str, question: str) -> int:
    return sum(g.count for g in AgentDesk.open(url).unanswered_groups(search=question))


def aspect_facts(kb: KnowledgeBase, policy_id: str, aspect: str):
    words = ASPECT_LABEL_WORDS[aspect]
    facts = [f for f in kb.get(policy_id).facts if any(w in f.label for w in words)]
    assert facts, f"{policy_id} has no {aspect} figure in the knowledge base any more"
    return facts


# -- ActionAnswerPolicy --------------------------------------------------------------------------


def test_amount_question_answers_with_the_kb_figures_and_sources(kb) -> None:
    policy = kb.get(FIRST_BUSINESS)
    tracker = make_tracker(
        "一次性创业补贴有多少钱",
        intent="ask_policy",
        entities=[("policy", FIRST_BUSINESS), ("aspect", "amount")],
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("policy", FIRST_BUSINESS), SlotSet("aspect", None)]
    assert len(messages) == 1
    lines = messages[0]["text"].split("\n")
    shown = aspect_facts(kb, FIRST_BUSINESS, "amount")
    assert lines[0] == f"【{policy.name}】{render_fact(shown[0])}"  # the first line answers
    assert [line for line in lines if line.startswith("· ")] == [f"· {render_fact(f)}" for f in shown[1:]]
    assert all(f.text in messages[0]["text"] for f in shown if f.value is not None)
    assert lines[-1].startswith("来源：") and messages[0]["buttons"] == []


def test_follow_up_aspect_uses_the_policy_talked_about_before(kb) -> None:
    policy = kb.get(INDIVIDUAL_LOAN)
    tracker = make_tracker(
        "那利息呢", intent="ask_policy", entities=[("aspect", "interest")], slots={"policy": INDIVIDUAL_LOAN}
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("policy", INDIVIDUAL_LOAN), SlotSet("aspect", None)]
    text = messages[0]["text"]
    assert text.startswith(f"【{policy.name}】")
    for fact in aspect_facts(kb, INDIVIDUAL_LOAN, "interest"):
        assert f"· {render_fact(fact)}" in text


def test_umbrella_item_lists_its_products_before_the_sources(kb) -> None:
    umbrella = kb.get(LOAN_UMBRELLA)
    assert not umbrella.facts, "the umbrella item gained figures of its own: the product list is not shown"
    products = [
        kb.get(i)
        for i in umbrella.related
        if kb.get(i).category == umbrella.category and kb.freshness(i, ON).in_force
    ]
    tracker = make_tracker("创业担保贷款", intent="ask_policy", entities=[("policy", LOAN_UMBRELLA)])

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("policy", LOAN_UMBRELLA), SlotSet("aspect", None)]
    text = messages[0]["text"]
    assert text.startswith(f"【{umbrella.name}】")
    listed = text.index("\n\n包括：\n")
    for product in products[:5]:
        figures = "；".join(render_fact(f) for f in product.facts[:2])
        assert f"· {product.name}：{figures}" in text
    assert listed < text.index("\n\n来源：")
    assert render_citation(kb.source(umbrella.sources[0])) in text


def test_two_named_policies_get_one_answer_covering_each_and_the_last_one_is_remembered(kb) -> None:
    tracker = make_tracker(
        "一次性补贴和个人贷款分别多少",
        intent="ask_policy",
        entities=[("policy", FIRST_BUSINESS), ("policy", INDIVIDUAL_LOAN), ("aspect", "amount")],
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("policy", INDIVIDUAL_LOAN), SlotSet("aspect", None)]
    assert len(messages) == 1  # one answer, not a menu and not two cards
    lines = messages[0]["text"].split("\n")
    assert lines[0] == "各项政策的额度对比："
    for i, policy_id in enumerate((FIRST_BUSINESS, INDIVIDUAL_LOAN), start=1):
        first = aspect_facts(kb, policy_id, "amount")[0]
        assert lines[i] == f"· {kb.get(policy_id).name}：{render_fact(first)}"
    assert lines[-1].startswith("来源：")


def test_city_policy_asked_for_a_district_says_it_applies_there(kb) -> None:
    district = kb.catalogue.vocabulary.districts[kb.catalogue.vocabulary.district_id("浦东")]
    tracker = make_tracker(
        "浦东能办吗",
        intent="ask_policy",
        entities=[("district", district.id)],
        slots={"policy": FIRST_BUSINESS},
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("policy", FIRST_BUSINESS), SlotSet("aspect", None)]
    assert sent_texts(messages)[0].startswith(
        f"「{kb.get(FIRST_BUSINESS).name}」是全市政策，在{district.name}同样适用；"
        f"线下可到{district.name}就业促进中心创业指导服务部门办理。"
    )


def test_district_policy_asked_for_another_district_says_it_does_not_apply(kb) -> None:
    local = next(p for p in kb.all() if p.scope == "district" and p.district)
    own = kb.catalogue.vocabulary.districts[local.district]
    other = next(d for d in kb.catalogue.vocabulary.districts.values() if d.id != local.district)
    tracker = make_tracker(
        "我在别的区", intent="ask_policy", entities=[("policy", local.id), ("district", other.id)]
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("policy", local.id), SlotSet("aspect", None)]
    assert sent_texts(messages)[0].startswith(f"「{local.name}」是{own.name}的区级政策，{other.name}不适用。")


def test_materials_not_published_says_so(kb) -> None:
    policy = kb.get(FIRST_BUSINESS)
    assert policy.materials is None, "materials are now published: pick a policy without them"
    tracker = make_tracker(
        "要什么材料", intent="ask_policy", entities=[("policy", FIRST_BUSINESS), ("aspect", "materials")]
    )

    _, messages = run_action(ActionAnswerPolicy(), tracker)

    lines = messages[0]["text"].split("\n")
    assert lines[0] == f"【{policy.name}】{NO_MATERIALS}"


def test_how_to_apply_gives_the_channels_from_the_kb(kb) -> None:
    apply = kb.get(FIRST_BUSINESS).apply
    tracker = make_tracker(
        "怎么申请", intent="ask_policy", entities=[("policy", FIRST_BUSINESS), ("aspect", "how_to_apply")]
    )

    _, messages = run_action(ActionAnswerPolicy(), tracker)

    lines = messages[0]["text"].split("\n")
    assert lines[0] == f"【{kb.get(FIRST_BUSINESS).name}】线上：{apply.online}"
    assert f"线下：{apply.offline}" in lines
    assert f"时限：{apply.deadline}" in lines


def test_ambiguous_question_offers_the_candidates_as_buttons(kb) -> None:
    hits = kb.search("贷款", limit=4, on=ON)
    assert len(hits) > 1 and hits[0].score < 1.5 * hits[1].score, "“贷款” is no longer ambiguous"
    tracker = make_tracker("贷款", intent="ask_policy")

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == []
    assert spoken(messages) == [domain_text("utter_which_policy")]
    assert messages[0]["buttons"] == policy_buttons(kb.get(h.policy_id) for h in hits)
    assert buttons(messages[0])[0] == (
        kb.get(hits[0].policy_id).name,
        f'/ask_policy{{"policy": "{hits[0].policy_id}"}}',
    )


def test_question_outside_the_kb_is_refused_and_logged_for_the_policy_team(kb, actions_database_url) -> None:
    question = "帮我订一张去北京的机票"
    assert kb.search(question, on=ON) == []
    before = unanswered_count(actions_database_url, question)
    tracker = make_tracker(question, intent="ask_policy", confidence=0.4, channel="wechat")

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("aspect", None)]
    assert spoken(messages) == [
        domain_text("utter_policy_not_found", contact=domain_text("utter_human_contact"))
    ]
    assert unanswered_count(actions_database_url, question) == before + 1
    group = AgentDesk.open(actions_database_url).unanswered_groups(search=question)[0]
    assert "wechat" in group.channels


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_question_is_refused_and_not_logged(actions_database_url, text) -> None:
    total = AgentDesk.open(actions_database_url).unanswered_total()
    events, messages = run_action(ActionAnswerPolicy(), make_tracker(text, intent="ask_policy"))

    assert events == [SlotSet("aspect", None)]
    assert spoken(messages) == [
        domain_text("utter_policy_not_found", contact=domain_text("utter_human_contact"))
    ]
    assert AgentDesk.open(actions_database_url).unanswered_total() == total


def test_unknown_policy_id_in_the_entities_is_ignored() -> None:
    tracker = make_tracker(
        "", intent="ask_policy", entities=[("policy", "no_such_policy"), ("aspect", "amount")]
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("aspect", None)]
    assert spoken(messages) == [
        domain_text("utter_policy_not_found", contact=domain_text("utter_human_contact"))
    ]


def test_stale_previous_policy_slot_is_not_used_the_question_is_searched(kb) -> None:
    text = "那利息呢"
    hits = kb.search(text, limit=4, on=ON)
    assert hits and (len(hits) == 1 or hits[0].score >= 1.5 * hits[1].score), (
        "“利息” has no clear match any more"
    )
    tracker = make_tracker(
        text, intent="ask_policy", entities=[("aspect", "interest")], slots={"policy": "gone"}
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("policy", hits[0].policy_id), SlotSet("aspect", None)]
    assert sent_texts(messages)[0].startswith(f"【{kb.get(hits[0].policy_id).name}】")


# -- ActionPolicyOverview ------------------------------------------------------------------------


def overview_lines(message: dict) -> list[str]:
    return [line for line in spoken([message])[0].split("\n") if line.startswith("· ")]


def listed_policy(kb: KnowledgeBase, line: str):
    """The KB policy an overview line is about: "· {name}（{figure}）：{summary}" or "· {name}：{summary}"."""
    named = [p for p in kb.all() if line.startswith(f"· {p.name}") and line[2 + len(p.name)] in "（："]
    assert named, f"no KB policy for the line {line!r}"
    policy = max(named, key=lambda p: len(p.name))
    assert line.endswith(f"：{policy.summary}")
    return policy


def test_overview_for_a_group_names_the_group_and_lists_policies_with_buttons(kb) -> None:
    vocabulary = kb.catalogue.vocabulary
    group = vocabulary.applicant_groups[vocabulary.group_id("大学生")]
    tracker = make_tracker(
        "大学生创业有什么扶持", intent="ask_overview", entities=[("applicant_group", group.id)]
    )

    events, messages = run_action(ActionPolicyOverview(), tracker)

    assert events == []
    assert len(messages) == 1
    intro = domain_text("utter_policy_overview_intro_for_group", who=group.name)
    lines = "\n".join(overview_lines(messages[0]))
    assert spoken(messages) == [domain_text("utter_policy_overview", intro=intro, policies=lines)]
    listed = [listed_policy(kb, line) for line in overview_lines(messages[0])]
    assert 3 <= len(listed) <= MAX_ITEMS
    assert all(p.scope == "city" for p in listed)  # no district named
    assert messages[0]["buttons"] == policy_buttons(listed[:4])


def test_overview_without_words_lists_one_current_policy_per_main_category(kb) -> None:
    tracker = make_tracker("", intent="ask_overview", entities=[("applicant_group", "no_such_group")])

    events, messages = run_action(ActionPolicyOverview(), tracker)

    assert events == []
    text = spoken(messages)[0]
    assert text.startswith(
        domain_text("utter_policy_overview_intro") + "\n"
    )  # an unknown group id is not named
    expected = []
    for category in CATEGORY_ORDER:
        policy = next(
            (
                p
                for p in kb.all()
                if p.scope == "city"
                and p.category == category
                and not p.partial
                and kb.freshness(p.id, ON).in_force
            ),
            None,
        )
        if policy is not None:
            expected.append(policy)
    expected = expected[:MAX_ITEMS]
    for line, policy in zip(overview_lines(messages[0]), expected, strict=True):
        figure = next((render_fact(f) for f in policy.facts if f.value is not None), None)
        assert line == f"· {policy.name}" + (f"（{figure}）" if figure else "") + f"：{policy.summary}"
    assert messages[0]["buttons"] == policy_buttons(expected[:4])


# -- ActionAnswerFollowup ------------------------------------------------------------------------


def test_correction_after_a_check_rechecks_that_policy(kb) -> None:
    tracker = make_tracker(
        "不对，我是2025年6月毕业的",
        intent="inform",
        slots={"eligibility_policy": FIRST_BUSINESS, "profile": {"hukou": "shanghai"}},
    )

    events, messages = run_action(ActionAnswerFollowup(), tracker)

    profile = {"hukou": "shanghai", "graduation_date": "2025-06-01", "groups": ["college_graduate"]}
    assert events == [SlotSet("profile", profile)]
    expected = kb.render_check(kb.check(FIRST_BUSINESS, kb.profile(profile), ON))
    assert sent_texts(messages) == ["已按您更正的情况重新判断：\n\n" + expected]
    assert f"「{kb.get(FIRST_BUSINESS).name}」" in expected


def test_correction_after_a_general_check_gives_the_summary_again() -> None:
    tracker = make_tracker("我是上海户口", intent="inform", slots={"eligibility_policy": "all"})

    events, messages = run_action(ActionAnswerFollowup(), tracker)

    assert events == [SlotSet("profile", {"hukou": "shanghai"})]
    assert sent_texts(messages)[0].endswith(ALL_TAIL)


def test_fact_without_a_check_is_noted() -> None:
    events, messages = run_action(ActionAnswerFollowup(), make_tracker("我是上海户口", intent="inform"))

    assert events == [SlotSet("profile", {"hukou": "shanghai"})]
    assert spoken(messages) == [domain_text("utter_followup_noted")]


def test_corrupt_stored_profile_is_explained_and_left_unchanged() -> None:
    tracker = make_tracker(
        "我是上海户口", intent="inform", slots={"eligibility_policy": FIRST_BUSINESS, "profile": {"age": -3}}
    )

    events, messages = run_action(ActionAnswerFollowup(), tracker)

    assert events == []
    assert len(messages) == 1 and "-3" in messages[0]["text"] and "年龄" in messages[0]["text"]


def test_aspect_follow_up_without_facts_answers_about_the_previous_policy(kb) -> None:
    tracker = make_tracker(
        "那额度呢", intent="inform", entities=[("aspect", "amount")], slots={"policy": FIRST_BUSINESS}
    )

    events, messages = run_action(ActionAnswerFollowup(), tracker)

    assert events == []
    first, *rest = aspect_facts(kb, FIRST_BUSINESS, "amount")
    assert messages[0]["text"].startswith(f"【{kb.get(FIRST_BUSINESS).name}】{render_fact(first)}")
    for fact in rest:
        assert f"· {render_fact(fact)}" in messages[0]["text"]


def test_unclear_follow_up_says_so_and_is_logged(actions_database_url) -> None:
    question = "嗯嗯那个那个啥来着"
    before = unanswered_count(actions_database_url, question)

    events, messages = run_action(ActionAnswerFollowup(), make_tracker(question, intent="inform"))

    assert events == []
    assert spoken(messages) == [domain_text("utter_followup_unclear")]
    assert unanswered_count(actions_database_url, question) == before + 1


# -- ActionFallbackToHuman -----------------------------------------------------------------------


def test_fallback_reverts_the_message_points_to_a_human_and_logs_it(actions_database_url) -> None:
    question = "阿巴阿巴阿巴"
    before = unanswered_count(actions_database_url, question)
    tracker = make_tracker(question, intent="nlu_fallback", confidence=0.21, channel="web")

    events, messages = run_action(ActionFallbackToHuman(), tracker)

    assert events == [UserUtteranceReverted()]
    assert spoken(messages) == [
        domain_text("utter_fallback_to_human", contact=domain_text("utter_human_contact"))
    ]
    assert unanswered_count(actions_database_url, question) == before + 1


def test_fallback_still_answers_when_the_database_is_down(database_down) -> None:
    events, messages = run_action(ActionFallbackToHuman(), make_tracker("阿巴阿巴", intent="nlu_fallback"))

    assert events == [UserUtteranceReverted()]
    assert spoken(messages) == [
        domain_text("utter_fallback_to_human", contact=domain_text("utter_human_contact"))
    ]


def test_fallback_without_intent_or_text() -> None:
    events, messages = run_action(ActionFallbackToHuman(), make_tracker(""))

    assert events == [UserUtteranceReverted()]
    assert spoken(messages) == [
        domain_text("utter_fallback_to_human", contact=domain_text("utter_human_contact"))
    ]


# -- aspects and questions that span policies (issue #16) -----------------------------------------

INTEREST_SUBSIDY = "guaranteed_loan_interest_subsidy"


def test_guarantor_question_answers_with_the_guarantee_fund_first(kb) -> None:
    loan, umbrella = kb.get(INDIVIDUAL_LOAN), kb.get(LOAN_UMBRELLA)
    fund = next(n for n in umbrella.notes if "担保资金" in n.text and "提供担保" in n.text)
    exempt = next(n for n in loan.notes if "免担保" in n.text)
    tracker = make_tracker("个人创业担保贷款要担保人吗", intent="ask_policy", entities=[("policy", loan.id)])

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert events == [SlotSet("policy", loan.id), SlotSet("aspect", None)]
    lines = messages[0]["text"].split("\n")
    assert lines[0] == f"【{loan.name}】担保：{umbrella.name}：{fund.text}"
    assert f"· {exempt.text}" in lines
    assert lines[-1].startswith("来源：")


def test_rate_question_says_what_is_known_and_flags_only_the_unknown_cap(kb) -> None:
    loan, subsidy = kb.get(INDIVIDUAL_LOAN), kb.get(INTEREST_SUBSIDY)
    rate, times = subsidy.fact("subsidy_rate"), subsidy.fact("max_times")
    cap = loan.fact("interest_rate_cap")
    assert rate and times and cap and cap.value is None, "the rate facts changed"
    tracker = make_tracker(
        "个人创业担保贷款利率是多少",
        intent="ask_policy",
        entities=[("policy", loan.id), ("aspect", "interest")],
    )

    _, messages = run_action(ActionAnswerPolicy(), tracker)

    lines = messages[0]["text"].split("\n")
    assert lines[0] == f"【{loan.name}】{subsidy.name}：{render_fact(rate)}"
    assert f"· {subsidy.name}：{render_fact(times)}" in lines
    assert any("免担保" in line for line in lines)
    assert f"· {render_fact(cap)}" in lines  # unknown, flagged, after what is known
    assert lines.index(f"· {render_fact(cap)}") > lines.index(f"· {subsidy.name}：{render_fact(times)}")


def test_overdue_question_answers_with_the_rule_on_overdue_loans(kb) -> None:
    subsidy = kb.get(INTEREST_SUBSIDY)
    rule = next(r for r in subsidy.eligibility if "逾期" in r.text)
    tracker = make_tracker("贷款逾期了还能贴息吗", intent="ask_policy", entities=[("policy", subsidy.id)])

    _, messages = run_action(ActionAnswerPolicy(), tracker)

    assert len(messages) == 1
    assert messages[0]["text"].split("\n")[0] == f"【{subsidy.name}】逾期与展期：{rule.text}"


def test_times_question_answers_with_the_count(kb) -> None:
    policy = kb.get(FIRST_BUSINESS)
    fact = next(f for f in policy.facts if "次数" in f.label)
    tracker = make_tracker("首次创业补贴能领几次", intent="ask_policy", entities=[("policy", FIRST_BUSINESS)])

    _, messages = run_action(ActionAnswerPolicy(), tracker)

    assert messages[0]["text"].split("\n")[0] == f"【{policy.name}】次数：{render_fact(fact)}"


def test_non_hukou_question_answers_with_the_residence_rule(kb) -> None:
    loan = kb.get(INDIVIDUAL_LOAN)
    rule = next(r for r in loan.eligibility if "居住证" in r.text)
    tracker = make_tracker(
        "个人创业担保贷款外地户口能办吗", intent="ask_policy", entities=[("policy", loan.id)]
    )

    _, messages = run_action(ActionAnswerPolicy(), tracker)

    assert messages[0]["text"].split("\n")[0] == f"【{loan.name}】户籍要求：{rule.text}"


def test_partnership_question_answers_with_the_partnership_cap(kb) -> None:
    loan = kb.get(INDIVIDUAL_LOAN)
    cap = loan.fact("partnership_cap")
    assert cap is not None
    tracker = make_tracker(
        "合伙创业的话个人创业担保贷款怎么算", intent="ask_policy", entities=[("policy", loan.id)]
    )

    _, messages = run_action(ActionAnswerPolicy(), tracker)

    assert messages[0]["text"].split("\n")[0] == f"【{loan.name}】合伙创业：{render_fact(cap)}"


def test_term_of_the_loans_answers_for_each_product_not_a_menu(kb) -> None:
    umbrella = kb.get(LOAN_UMBRELLA)
    products = [
        kb.get(i)
        for i in umbrella.related
        if kb.get(i).category == umbrella.category
        and kb.freshness(i, ON).in_force
        and kb.get(i).fact("max_term")
    ]
    assert len(products) >= 3, "the three loan products no longer all publish a term"
    tracker = make_tracker(
        "创业担保贷款期限最长几年", intent="ask_policy", entities=[("policy", LOAN_UMBRELLA)]
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert len(messages) == 1 and messages[0]["buttons"] == []
    text = messages[0]["text"]
    assert text.split("\n")[0] == "各项政策的期限对比："
    for product in products:
        assert f"· {product.name}：{render_fact(product.fact('max_term'))}" in text
    assert events == [SlotSet("policy", LOAN_UMBRELLA), SlotSet("aspect", None)]


def test_combining_two_subsidies_the_sources_do_not_address_says_so_honestly(kb) -> None:
    from policies_kb.render.answers import UNSTATED

    social, venue = "startup_social_insurance_subsidy", "incubation_workspace_subsidy"
    tracker = make_tracker(
        "初创期社保补贴跟孵化场地费补贴可以一起享受吗",
        intent="ask_policy",
        entities=[("policy", social), ("policy", venue)],
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert sent_texts(messages) == [
        f"「{kb.get(social).name}」和「{kb.get(venue).name}」能否同时享受：{UNSTATED}"
    ]
    assert events == [SlotSet("policy", venue), SlotSet("aspect", None)]


def test_compare_two_named_loans_puts_them_side_by_side(kb) -> None:
    from policies_kb.render.answers import COMPARE_HINT

    pre, individual = kb.get("pre_startup_guaranteed_loan"), kb.get(INDIVIDUAL_LOAN)
    tracker = make_tracker(
        "创业前贷款和个人贷款有什么区别",
        intent="ask_policy",
        entities=[("policy", pre.id), ("policy", individual.id)],
    )

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    lines = sent_texts(messages)[0].split("\n")
    assert lines[0] == "各项政策对比："
    for i, loan in enumerate((pre, individual), start=1):
        assert lines[i] == f"· {loan.name}：" + "；".join(render_fact(f) for f in loan.facts[:2])
    assert lines[3] == COMPARE_HINT and lines[-1].startswith("来源：")
    assert events == [SlotSet("policy", individual.id), SlotSet("aspect", None)]


def test_an_alias_two_policies_share_is_read_from_the_other_policy_named(kb) -> None:
    from policies_kb.render.answers import UNSTATED

    social, venue = "startup_social_insurance_subsidy", "incubation_workspace_subsidy"
    text = "社保补贴跟孵化场地费补贴可以一起享受吗"
    assert len(kb.catalogue.alias_index()["社保补贴"]) >= 2  # shared: the recogniser names neither
    start = text.index("孵化场地费补贴")
    venue_entity = {"entity": "policy", "value": venue, "start": start, "end": start + len("孵化场地费补贴")}

    events, messages = run_action(
        ActionAnswerPolicy(), make_tracker(text, intent="ask_policy", entities=[venue_entity])
    )

    (reply,) = sent_texts(messages)
    assert f"「{kb.get(venue).name}」" in reply and f"「{kb.get(social).name}」" in reply
    assert reply.endswith(UNSTATED)
    assert SlotSet("policy", social) in events  # the last policy of the answer is the one talked about


def test_an_umbrella_with_its_own_conditions_answers_with_them(kb) -> None:
    umbrella = kb.get("huangpu_chuangka")
    assert umbrella.eligibility and not umbrella.facts  # an umbrella that has conditions of its own
    tracker = make_tracker(
        "黄浦创卡申请需要满足什么条件",
        intent="ask_policy",
        entities=[("policy", umbrella.id), ("aspect", "eligibility")],
    )

    _, messages = run_action(ActionAnswerPolicy(), tracker)

    first = sent_texts(messages)[0].split("\n")[0]
    assert first == f"【{umbrella.name}】申请条件：{umbrella.eligibility[0].text}"


def test_a_search_hit_on_a_stray_word_is_no_answer(kb, actions_database_url) -> None:
    question = "换购家电有补贴吗"
    assert kb.search(question, on=ON)  # 补贴 alone finds subsidies
    tracker = make_tracker(question, intent="ask_policy", confidence=0.5)

    events, messages = run_action(ActionAnswerPolicy(), tracker)

    assert spoken(messages) == [
        domain_text("utter_policy_not_found", contact=domain_text("utter_human_contact"))
    ]
    assert events == [SlotSet("aspect", None)]


def test_a_question_read_as_a_statement_gets_the_policy_answer_not_noted(kb) -> None:
    text = "我是上海户口，孵化场地费补贴最多补几个月？"
    tracker = make_tracker(text, intent="inform")

    events, messages = run_action(ActionAnswerFollowup(), tracker)
    _, answered = run_action(ActionAnswerPolicy(), make_tracker(text, intent="ask_policy"))

    assert spoken(messages) == spoken(answered) != [domain_text("utter_followup_noted")]
    assert SlotSet("profile", {"hukou": "shanghai"}) in events
