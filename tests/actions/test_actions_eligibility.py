"""The eligibility form: start, ask, validate the reply, report, stop.

Questions and verdicts come from the knowledge base (`QUESTIONS`, `kb.check`), so the expectations
are computed from it rather than written out.
"""

from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.eligibility import (
    ALL_POLICIES,
    BOOL_BUTTONS,
    COMPLETE,
    ActionAskProfileAnswer,
    ActionReportEligibility,
    ActionStartEligibility,
    ActionStopEligibility,
    ValidateEligibilityForm,
    full_check_button,
    named_policies,
)
from actions.followups import ActionAnswerFollowup
from policies_kb import ELIGIBLE, NEED_MORE_INFO, NOT_ELIGIBLE, QUESTIONS, ProfileError
from policies_kb.eligibility import condition_answer
from policies_kb.profile import FIELD_TYPES
from policies_kb.render import ALL_HEAD_ELIGIBLE, ALL_HEAD_MAYBE, ALL_NONE, ALL_TAIL
from policies_kb.render.checks import ALSO_FITS, condition_reply, decided_verdict
from policies_kb.render.labels import STATUS_LABELS
from tests.actions.conftest import (
    REFERENCE_DATE,
    domain_text,
    make_tracker,
    run_action,
    run_method,
    sent_texts,
    spoken,
)

ON = date.fromisoformat(REFERENCE_DATE)
POLICY = "first_business_subsidy"
# Every fact 首次创业补贴 asks for, all met (a graduate of 2025, registered in August 2025).
ELIGIBLE_FACTS = {
    "hukou": "shanghai",
    "groups": ["college_graduate"],
    "graduation_date": "2025-06-01",
    "registration_date": "2025-08-01",
    "registered_in_shanghai": True,
    "first_business": True,
    "business_type": "micro_enterprise",
    "legal_representative": True,
    "social_insurance_months": 8,
    "subsidies_received": [],
}
FORM = "eligibility_form"


def missing(kb, policy_id: str, profile: dict) -> list[str]:
    result = kb.check(policy_id, kb.profile(profile), ON)
    assert result.status == NEED_MORE_INFO, f"{policy_id} is decided for {profile}: pick another profile"
    return list(result.missing_fields)


def form_reply(text: str, field: str, profile: dict, policy_id: str = POLICY, intent: str = "inform"):
    """The tracker the form's validation sees after the user replied `text` to the question for `field`."""
    return make_tracker(
        text,
        intent=intent,
        active_loop=FORM,
        slots={
            "eligibility_policy": policy_id,
            "requested_slot": "profile_answer",
            "requested_profile_field": field,
            "profile": profile,
        },
        candidates=[SlotSet("profile_answer", text)],
    )


# -- ActionStartEligibility ----------------------------------------------------------------------


def test_start_for_a_named_policy_keeps_what_the_first_message_says(kb) -> None:
    tracker = make_tracker(
        "我是上海户口，能申请一次性创业补贴吗", intent="check_eligibility", entities=[("policy", POLICY)]
    )

    events, messages = run_action(ActionStartEligibility(), tracker)

    assert events == [
        SlotSet("eligibility_policy", POLICY),
        SlotSet("profile", {"hukou": "shanghai", "_asked": []}),
        SlotSet("requested_profile_field", None),
        SlotSet("profile_answer", None),
    ]
    assert spoken(messages) == [domain_text("utter_eligibility_intro", policy_name=kb.get(POLICY).name)]


def test_start_without_a_policy_checks_all_and_forgets_a_previous_run() -> None:
    previous = {"hukou": "shanghai", "_asked": ["hukou"], "_pending": "groups", "_reask": "？"}
    tracker = make_tracker("我能申请什么", intent="check_eligibility", slots={"profile": previous})

    events, messages = run_action(ActionStartEligibility(), tracker)

    assert events == [
        SlotSet("eligibility_policy", ALL_POLICIES),
        SlotSet("profile", {"hukou": "shanghai", "_asked": []}),
        SlotSet("requested_profile_field", None),
        SlotSet("profile_answer", None),
    ]
    assert spoken(messages) == [domain_text("utter_eligibility_intro_all")]


def test_start_with_an_unknown_policy_entity_checks_all() -> None:
    tracker = make_tracker("能申请吗", intent="check_eligibility", entities=[("policy", "no_such_policy")])

    events, _ = run_action(ActionStartEligibility(), tracker)

    assert events[0] == SlotSet("eligibility_policy", ALL_POLICIES)


def test_start_with_a_corrupt_stored_profile_starts_from_scratch() -> None:
    tracker = make_tracker("帮我判断", intent="check_eligibility", slots={"profile": {"age": -3}})

    events, messages = run_action(ActionStartEligibility(), tracker)

    assert events == [
        SlotSet("eligibility_policy", ALL_POLICIES),
        SlotSet("profile", {"_asked": []}),
        SlotSet("requested_profile_field", None),
        SlotSet("profile_answer", None),
    ]
    assert spoken(messages) == [domain_text("utter_eligibility_intro_all")]


# -- ActionAskProfileAnswer ----------------------------------------------------------------------


def test_ask_puts_the_most_useful_question_and_marks_it_pending(kb) -> None:
    field = missing(kb, POLICY, {})[0]
    tracker = make_tracker("", slots={"eligibility_policy": POLICY, "profile": {"_asked": []}})

    events, messages = run_action(ActionAskProfileAnswer(), tracker)

    assert events == [
        SlotSet("requested_profile_field", field),
        SlotSet("profile", {"_asked": [], "_pending": field}),
    ]
    assert sent_texts(messages) == [QUESTIONS[field]]
    assert messages[0]["buttons"] == (BOOL_BUTTONS if FIELD_TYPES.get(field) == "bool" else [])


def test_ask_skips_what_was_answered(kb) -> None:
    profile = {"hukou": "shanghai", "_asked": ["hukou"]}
    field = missing(kb, POLICY, {"hukou": "shanghai"})[0]
    assert field != "hukou"

    events, messages = run_action(
        ActionAskProfileAnswer(), make_tracker("", slots={"eligibility_policy": POLICY, "profile": profile})
    )

    assert events == [
        SlotSet("requested_profile_field", field),
        SlotSet("profile", {**profile, "_pending": field}),
    ]
    assert sent_texts(messages) == [QUESTIONS[field]]


def test_ask_yes_no_question_comes_with_buttons(kb) -> None:
    fields = missing(kb, POLICY, {})
    bool_field = next((f for f in fields if FIELD_TYPES.get(f) == "bool"), None)
    if bool_field is None:
        pytest.skip(f"{POLICY} asks no yes/no question")
    # Everything asked before the yes/no question is skipped ("不知道"), so it comes next.
    asked = fields[: fields.index(bool_field)]
    profile = {"_asked": asked}

    events, messages = run_action(
        ActionAskProfileAnswer(), make_tracker("", slots={"eligibility_policy": POLICY, "profile": profile})
    )

    assert events == [
        SlotSet("requested_profile_field", bool_field),
        SlotSet("profile", {**profile, "_pending": bool_field}),
    ]
    assert messages[0]["buttons"] == BOOL_BUTTONS


def test_ask_again_uses_the_parsers_reask_for_the_pending_question(kb) -> None:
    field = missing(kb, POLICY, {})[0]
    profile = {"_asked": [], "_pending": field, "_reask": "没听明白，请换个说法。"}

    events, messages = run_action(
        ActionAskProfileAnswer(), make_tracker("", slots={"eligibility_policy": POLICY, "profile": profile})
    )

    assert events == [
        SlotSet("requested_profile_field", field),
        SlotSet("profile", {"_asked": [], "_pending": field}),
    ]
    assert sent_texts(messages) == ["没听明白，请换个说法。"]


def test_ask_with_nothing_left_completes_the_form_silently(kb) -> None:
    asked = missing(kb, POLICY, {})
    tracker = make_tracker("", slots={"eligibility_policy": POLICY, "profile": {"_asked": asked}})

    events, messages = run_action(ActionAskProfileAnswer(), tracker)

    assert events == [SlotSet("profile_answer", COMPLETE)]
    assert messages == []


def test_ask_without_a_policy_slot_asks_for_the_general_check(kb) -> None:
    events, messages = run_action(ActionAskProfileAnswer(), make_tracker("", slots={"profile": None}))

    assert len(events) == 2 and events[0]["name"] == "requested_profile_field"
    field = events[0]["value"]
    assert field in QUESTIONS and sent_texts(messages) == [QUESTIONS[field]]
    assert events[1] == SlotSet("profile", {"_pending": field})


# -- ValidateEligibilityForm ---------------------------------------------------------------------


def test_reply_answering_the_question_is_stored_and_the_form_goes_on(kb) -> None:
    tracker = form_reply("上海户口", "hukou", {"_asked": [], "_pending": "hukou"})

    events, messages = run_action(ValidateEligibilityForm(), tracker)

    assert missing(kb, POLICY, {"hukou": "shanghai"})  # more to ask
    assert events == [
        SlotSet("profile_answer", None),
        SlotSet("profile", {"_asked": ["hukou"], "hukou": "shanghai"}),
    ]
    assert messages == []


def test_dont_know_skips_the_question() -> None:
    tracker = form_reply("不知道", "hukou", {"_asked": [], "_pending": "hukou"})

    events, messages = run_action(ValidateEligibilityForm(), tracker)

    assert events == [SlotSet("profile_answer", None), SlotSet("profile", {"_asked": ["hukou"]})]
    assert messages == []


def test_unreadable_reply_keeps_the_question_pending_with_a_reask() -> None:
    tracker = form_reply("蓝色", "hukou", {"_asked": [], "_pending": "hukou"})

    events, messages = run_action(ValidateEligibilityForm(), tracker)

    assert len(events) == 2 and events[0] == SlotSet("profile_answer", None)
    profile = events[1]["value"]
    assert events[1]["name"] == "profile" and profile["_pending"] == "hukou" and profile["_asked"] == []
    assert profile["_reask"] and profile["_reask"] != QUESTIONS["hukou"]
    assert messages == []  # the re-ask is sent by action_ask_profile_answer


def test_fact_about_another_field_is_kept_and_the_question_stays_pending() -> None:
    tracker = form_reply("我是2025年6月毕业的", "hukou", {"_asked": [], "_pending": "hukou"})

    events, messages = run_action(ValidateEligibilityForm(), tracker)

    assert events == [
        SlotSet("profile_answer", None),
        SlotSet(
            "profile",
            {
                "_asked": [],
                "_pending": "hukou",
                "graduation_date": "2025-06-01",
                "groups": ["college_graduate"],  # a graduation date implies the group
            },
        ),
    ]
    assert messages == []


def test_last_answer_completes_the_form(kb) -> None:
    fields = missing(kb, POLICY, {})
    last = fields[-1]
    profile = {"_asked": fields[:-1], "_pending": last}
    tracker = form_reply("不知道", last, profile)

    events, _ = run_action(ValidateEligibilityForm(), tracker)

    assert events == [SlotSet("profile_answer", COMPLETE), SlotSet("profile", {"_asked": fields})]


def test_complete_marker_is_passed_through(kb) -> None:
    profile = {"_asked": missing(kb, POLICY, {})}

    result, messages = run_method(
        ValidateEligibilityForm().validate_profile_answer,
        COMPLETE,
        make_tracker("", slots={"eligibility_policy": POLICY, "profile": profile}),
    )

    assert result == {"profile_answer": COMPLETE, "profile": profile}
    assert messages == []


def test_stored_value_the_kb_rejects_is_dropped_and_the_reply_kept(kb) -> None:
    stored = {"_asked": ["age"], "_pending": "hukou", "age": -3}
    with pytest.raises(ProfileError):
        kb.profile({"age": -3})

    slots, messages = run_method(
        ValidateEligibilityForm().validate_profile_answer, "上海户口", form_reply("上海户口", "hukou", stored)
    )

    assert slots["profile"] == {"_asked": ["hukou"], "hukou": "shanghai"}
    assert messages == []


# -- ActionReportEligibility ---------------------------------------------------------------------


def test_report_for_one_policy_renders_the_kb_verdict(kb) -> None:
    profile = {"hukou": "shanghai", "_asked": ["hukou"]}
    tracker = make_tracker(
        "", slots={"eligibility_policy": POLICY, "profile": profile, "profile_answer": COMPLETE}
    )

    events, messages = run_action(ActionReportEligibility(), tracker)

    assert events == [SlotSet("profile_answer", None), SlotSet("requested_profile_field", None)]
    assert sent_texts(messages) == [kb.render_check(kb.check(POLICY, kb.profile({"hukou": "shanghai"}), ON))]


def test_report_for_all_lists_the_city_policies_by_verdict(kb) -> None:
    tracker = make_tracker("", slots={"eligibility_policy": ALL_POLICIES, "profile": {"hukou": "shanghai"}})

    events, messages = run_action(ActionReportEligibility(), tracker)

    assert events == [SlotSet("profile_answer", None), SlotSet("requested_profile_field", None)]
    text = sent_texts(messages)[0]
    assert text.endswith(ALL_TAIL)
    results = kb.check_all(kb.profile({"hukou": "shanghai"}), ON)
    city = [r for r in results if r.current and kb.get(r.policy_id).scope == "city"]
    maybe = [r.policy_name for r in city if r.status == NEED_MORE_INFO]
    # The first line says whether anything fits, in the words the console uses for a caller too.
    assert text.startswith(
        ALL_HEAD_ELIGIBLE if any(r.status == ELIGIBLE for r in city) else ALL_NONE + "\n\n"
    )
    if maybe:
        assert ALL_HEAD_MAYBE + "\n" + "\n".join(f"· {n}" for n in maybe[:5]) in text


def test_report_without_slots_reports_the_general_check() -> None:
    events, messages = run_action(ActionReportEligibility(), make_tracker(""))

    assert events == [SlotSet("profile_answer", None), SlotSet("requested_profile_field", None)]
    assert sent_texts(messages)[0].endswith(ALL_TAIL)


# -- ActionStopEligibility -----------------------------------------------------------------------


def test_stop_leaves_the_form_and_clears_its_slots() -> None:
    tracker = make_tracker(
        "不查了", intent="stop_form", active_loop=FORM, slots={"requested_slot": "profile_answer"}
    )

    events, messages = run_action(ActionStopEligibility(), tracker)

    assert events == [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("profile_answer", None),
        SlotSet("requested_profile_field", None),
    ]
    assert spoken(messages) == [domain_text("utter_eligibility_stopped")]


# -- a policy removed from the knowledge base while a check is open ------------------------------
# The slot `eligibility_policy` is only ever set to a policy of the KB, but a conversation stored
# in the tracker store outlives a policy-team reload that removes or renames that policy.


def test_question_for_a_policy_no_longer_in_the_kb_says_so_and_checks_all(kb) -> None:
    tracker = form_reply("", "hukou", {"_asked": [], "_pending": "hukou"}, policy_id="removed_policy")

    events, messages = run_action(ActionAskProfileAnswer(), tracker)

    field = events[1]["value"]
    assert events == [
        SlotSet("eligibility_policy", ALL_POLICIES),
        SlotSet("requested_profile_field", field),
        SlotSet("profile", {"_asked": [], "_pending": field}),
    ]
    assert spoken(messages) == [domain_text("utter_eligibility_policy_gone"), QUESTIONS[field]]


def test_reply_for_a_policy_no_longer_in_the_kb_is_kept() -> None:
    tracker = form_reply("上海户口", "hukou", {"_asked": [], "_pending": "hukou"}, policy_id="removed_policy")

    slots, _ = run_method(ValidateEligibilityForm().validate_profile_answer, "上海户口", tracker)

    assert slots["profile"]["hukou"] == "shanghai" and slots["profile"]["_asked"] == ["hukou"]


def test_report_for_a_policy_no_longer_in_the_kb_says_so_and_reports_all() -> None:
    tracker = make_tracker(
        "", slots={"eligibility_policy": "removed_policy", "profile": {"hukou": "shanghai"}}
    )

    events, messages = run_action(ActionReportEligibility(), tracker)

    assert events == [SlotSet("profile_answer", None), SlotSet("requested_profile_field", None)]
    texts = spoken(messages)
    assert texts[0] == domain_text("utter_eligibility_policy_gone") and texts[1].endswith(ALL_TAIL)


def test_stored_profile_values_the_kb_no_longer_accepts_are_asked_again(kb) -> None:
    # e.g. an applicant group id dropped from vocabulary.yaml by a reload
    profile = {"hukou": "shanghai", "groups": ["dropped_group"], "_asked": ["hukou", "groups"]}
    tracker = make_tracker("", slots={"eligibility_policy": POLICY, "profile": profile})

    events, messages = run_action(ActionAskProfileAnswer(), tracker)

    assert events[-1] == SlotSet(
        "profile", {"hukou": "shanghai", "_asked": ["hukou"], "_pending": events[0]["value"]}
    )
    assert sent_texts(messages) == [QUESTIONS[events[0]["value"]]]
    report_events, report = run_action(ActionReportEligibility(), tracker)
    assert report_events == [SlotSet("profile_answer", None), SlotSet("requested_profile_field", None)]
    assert sent_texts(report)[0].startswith(f"「{kb.get(POLICY).name}」")


# -- a verdict in the first reply, and yes/no questions about one condition (issues #20, #16) ----

PRE_STARTUP = "pre_startup_guaranteed_loan"


def test_start_with_facts_that_decide_gives_the_verdict_without_the_form(kb) -> None:
    text = "我38岁，上海户口大学毕业，还没注册公司，想申请创业前贷款"
    tracker = make_tracker(text, intent="check_eligibility", entities=[("policy", PRE_STARTUP)])

    events, messages = run_action(ActionStartEligibility(), tracker)

    profile = {"age": 38, "hukou": "shanghai", "business_type": "none", "groups": ["college_graduate"]}
    result = kb.check(PRE_STARTUP, kb.profile(profile), ON)
    assert result.status == NOT_ELIGIBLE
    others = kb.check_all(kb.profile(profile), ON)
    assert events == [
        SlotSet("eligibility_policy", PRE_STARTUP),
        SlotSet("profile", {**profile, "_asked": []}),
        SlotSet("requested_profile_field", None),
        SlotSet("profile_answer", None),
        FollowupAction("action_listen"),
    ]
    assert sent_texts(messages) == [decided_verdict(result, kb.get(PRE_STARTUP), others, kb.catalogue)]
    reply = messages[0]["text"]
    assert reply.startswith(f"「{kb.get(PRE_STARTUP).name}」{STATUS_LABELS[NOT_ELIGIBLE]}")
    assert "35岁" in reply and ALSO_FITS in reply and "记下了" not in reply


def test_inform_that_names_a_policy_gets_the_verdict_not_noted(kb) -> None:
    text = "我38岁，上海户口大学毕业，还没注册公司，想申请创业前贷款"
    tracker = make_tracker(text, intent="inform", entities=[("policy", PRE_STARTUP)])

    events, messages = run_action(ActionAnswerFollowup(), tracker)

    profile = {"age": 38, "hukou": "shanghai", "business_type": "none", "groups": ["college_graduate"]}
    assert events == [SlotSet("eligibility_policy", PRE_STARTUP), SlotSet("profile", profile)]
    assert messages[0]["text"].startswith(f"「{kb.get(PRE_STARTUP).name}」{STATUS_LABELS[NOT_ELIGIBLE]}")


def test_yes_no_question_about_one_condition_is_answered_from_its_rule(kb) -> None:
    text = "公司注册两年了还能申请首次创业补贴吗"
    tracker = make_tracker(text, intent="check_eligibility", entities=[("policy", POLICY)])

    events, messages = run_action(ActionStartEligibility(), tracker)

    facts = {"business_type": "micro_enterprise", "registration_date": "2024-11-28"}
    answer = condition_answer(kb.get(POLICY), kb.profile(facts), {"registration_date"}, ON, kb.catalogue)
    assert answer.verdict == "not_met"
    assert events[0] == SlotSet("eligibility_policy", POLICY)
    assert events[-1] == FollowupAction("action_listen")
    assert sent_texts(messages) == [condition_reply(answer)]
    assert messages[0]["text"].splitlines()[0].startswith("不可以")
    assert "沪人社规〔2023〕1号" in messages[0]["text"]
    assert messages[0]["buttons"] == full_check_button(POLICY)


def test_yes_no_question_about_hukou_for_loans_answers_for_each_loan(kb) -> None:
    events, messages = run_action(
        ActionStartEligibility(), make_tracker("外地户口能贷款吗", intent="check_eligibility")
    )

    reply = messages[0]["text"]
    assert reply.startswith("要看具体情况")
    assert f"「{kb.get(PRE_STARTUP).name}」" in reply and "居住证" in reply
    assert events[-1] == FollowupAction("action_listen")


def test_group_question_answered_with_a_graduation_date_is_answered(kb) -> None:
    profile = {"hukou": "shanghai", "_asked": ["hukou"], "_pending": "groups"}
    tracker = form_reply("2025年6月毕业的", "groups", profile)

    result, _ = run_method(ValidateEligibilityForm().validate_profile_answer, "2025年6月毕业的", tracker)

    stored = result["profile"]
    assert stored["groups"] == ["college_graduate"] and stored["graduation_date"] == "2025-06-01"
    assert "groups" in stored["_asked"] and "_pending" not in stored


def test_issue_conversation_ends_eligible_with_the_amount(kb) -> None:
    profile = dict(ELIGIBLE_FACTS)
    tracker = make_tracker("", slots={"eligibility_policy": POLICY, "profile": profile})

    _, messages = run_action(ActionReportEligibility(), tracker)

    result = kb.check(POLICY, kb.profile(profile), ON)
    assert result.status == ELIGIBLE
    assert sent_texts(messages) == [decided_verdict(result, kb.get(POLICY), [], kb.catalogue)]
    assert kb.get(POLICY).fact("amount").text in messages[0]["text"]


# -- dates given only to the year (issue #20) ------------------------------------------------------
COMPETITION = "china_chuangyi_competition"


def test_a_registration_year_that_decides_the_rule_completes_the_form(kb) -> None:
    facts = {"age": 30, "business_type": "micro_enterprise"}
    assert missing(kb, COMPETITION, facts) == ["registration_date"]
    profile = {**facts, "_asked": ["age"], "_pending": "registration_date"}
    tracker = form_reply("2019年注册的", "registration_date", profile, policy_id=COMPETITION)

    result, messages = run_method(ValidateEligibilityForm().validate_profile_answer, "2019年注册的", tracker)

    assert result["profile_answer"] == COMPLETE
    assert result["profile"]["date_bounds"] == {"registration_date": ["2019-01-01", "2019-12-31"]}
    applicant = kb.profile({k: v for k, v in result["profile"].items() if not k.startswith("_")})
    assert kb.check(COMPETITION, applicant, ON).status == NOT_ELIGIBLE
    assert messages == []


def test_a_registration_year_that_does_not_decide_asks_for_the_month(kb) -> None:
    year = ON.year - 5  # the year that straddles a 5-year rule
    facts = {"age": 30, "business_type": "micro_enterprise"}
    profile = {**facts, "_asked": ["age"], "_pending": "registration_date"}
    reply = f"{year}年注册的"
    tracker = form_reply(reply, "registration_date", profile, policy_id=COMPETITION)

    result, _ = run_method(ValidateEligibilityForm().validate_profile_answer, reply, tracker)

    assert result["profile_answer"] is None
    stored = result["profile"]
    assert stored["_pending"] == "registration_date" and "registration_date" not in stored["_asked"]
    events, messages = run_action(
        ActionAskProfileAnswer(),
        make_tracker("", slots={"eligibility_policy": COMPETITION, "profile": stored}),
    )
    assert SlotSet("requested_profile_field", "registration_date") in events
    assert f"{year}年几月" in sent_texts(messages)[0]


def test_a_first_message_with_a_registration_year_gets_the_verdict(kb) -> None:
    text = "我今年30周岁，公司2019年注册的，中国创翼的比赛能报名吗"
    tracker = make_tracker(text, intent="check_eligibility", entities=[("policy", COMPETITION)])

    events, messages = run_action(ActionStartEligibility(), tracker)

    assert messages[0]["text"].startswith(f"「{kb.get(COMPETITION).name}」{STATUS_LABELS[NOT_ELIGIBLE]}")
    assert events[-1] == FollowupAction("action_listen")


# -- replies the classifier sent elsewhere (issue #20) ----------------------------------------------


def refused_reply(text: str, field: str, intent: str, profile: dict):
    """The tracker of a reply the slot mapping refused (no profile_answer candidate)."""
    return make_tracker(
        text,
        intent=intent,
        active_loop=FORM,
        slots={
            "eligibility_policy": POLICY,
            "requested_slot": "profile_answer",
            "requested_profile_field": field,
            "profile": profile,
        },
    )


@pytest.mark.parametrize("intent", ["out_of_scope", "ask_policy"])
def test_a_fact_sentence_classified_elsewhere_is_still_the_reply(intent: str) -> None:
    text = "营业执照上的法人就是我"
    profile = {"_asked": [], "_pending": "legal_representative"}

    events, _ = run_action(
        ValidateEligibilityForm(), refused_reply(text, "legal_representative", intent, profile)
    )

    stored = next(e["value"] for e in events if e.get("name") == "profile")
    assert stored["legal_representative"] is True and stored["_asked"] == ["legal_representative"]


def test_a_dont_know_classified_out_of_scope_skips_the_question() -> None:
    text = "这个我真记不清了"
    profile = {"_asked": [], "_pending": "social_insurance_months"}

    events, _ = run_action(
        ValidateEligibilityForm(), refused_reply(text, "social_insurance_months", "out_of_scope", profile)
    )

    stored = next(e["value"] for e in events if e.get("name") == "profile")
    assert stored["_asked"] == ["social_insurance_months"] and "social_insurance_months" not in stored


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("首次创业补贴要准备哪些材料", "ask_policy"),
        ("今天天气怎么样", "out_of_scope"),
        ("/greet", "out_of_scope"),
    ],
)
def test_a_real_question_in_the_form_is_not_taken_as_the_reply(text: str, intent: str) -> None:
    profile = {"_asked": [], "_pending": "hukou"}

    events, _ = run_action(ValidateEligibilityForm(), refused_reply(text, "hukou", intent, profile))

    assert not any(e.get("name") == "profile_answer" and e.get("value") for e in events)


# -- two policy names in one message (issue #20) ----------------------------------------------------


def policy_mentions(text: str, *names: tuple[str, str]) -> list[dict]:
    """KB-extractor style entities for each (surface form, policy id), at the form's place in text."""
    return [
        {"entity": "policy", "value": pid, "start": text.index(form), "end": text.index(form) + len(form)}
        for form, pid in names
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("黄浦创卡零成本工位的申请条件", ["huangpu_chuangka_workspace"]),
        ("黄浦创卡的零成本工位有几个", ["huangpu_chuangka_workspace"]),
        ("黄浦创卡和零成本工位分别是什么", ["huangpu_chuangka", "huangpu_chuangka_workspace"]),
    ],
)
def test_a_name_that_qualifies_the_next_one_is_not_a_second_policy(kb, text: str, expected: list) -> None:
    entities = policy_mentions(
        text, ("黄浦创卡", "huangpu_chuangka"), ("零成本工位", "huangpu_chuangka_workspace")
    )
    tracker = make_tracker(text, intent="check_eligibility", entities=entities)

    assert named_policies(tracker, kb) == expected


def test_a_correction_of_another_fact_is_no_answer_to_the_question_asked() -> None:
    profile = {
        "graduation_date": "2025-06-01",
        "_asked": ["graduation_date"],
        "_pending": "social_insurance_months",
    }
    text = "不对，我是2023年7月毕业的"

    result, _ = run_method(
        ValidateEligibilityForm().validate_profile_answer,
        text,
        form_reply(text, "social_insurance_months", profile),
    )

    stored = result["profile"]
    assert stored["graduation_date"] == "2023-07-01"
    assert "social_insurance_months" not in stored and stored["_pending"] == "social_insurance_months"


def test_a_dont_know_about_another_fact_skips_that_one_and_keeps_the_question() -> None:
    profile = {"_asked": [], "_pending": "hukou"}
    text = "给职工缴社保的月数我记不清了"

    result, _ = run_method(
        ValidateEligibilityForm().validate_profile_answer, text, form_reply(text, "hukou", profile)
    )

    stored = result["profile"]
    assert stored["_asked"] == ["social_insurance_months"] and stored["_pending"] == "hukou"


def test_two_checkable_policies_decided_by_the_message_get_a_verdict_each(kb) -> None:
    text = "我45岁，外省户口也没有居住证，创业前创业担保贷款和个人创业担保贷款我能申请吗"
    entities = policy_mentions(
        text, ("创业前创业担保贷款", PRE_STARTUP), ("个人创业担保贷款", "individual_guaranteed_loan")
    )
    tracker = make_tracker(text, intent="check_eligibility", entities=entities)

    events, messages = run_action(ActionStartEligibility(), tracker)

    reply = messages[0]["text"]
    for policy_id in (PRE_STARTUP, "individual_guaranteed_loan"):
        assert f"「{kb.get(policy_id).name}」{STATUS_LABELS[NOT_ELIGIBLE]}" in reply
    assert events[-1] == FollowupAction("action_listen")


def test_asking_again_inside_the_same_check_keeps_the_skipped_questions(kb) -> None:
    profile = {"hukou": "shanghai", "_asked": ["hukou", "graduation_date"], "_pending": "groups"}
    tracker = make_tracker(
        "我是上海户口，这个能申请吗",
        intent="check_eligibility",
        active_loop=FORM,
        slots={"eligibility_policy": POLICY, "profile": profile},
    )

    events, messages = run_action(ActionStartEligibility(), tracker)

    assert SlotSet("profile", {"hukou": "shanghai", "_asked": ["hukou", "graduation_date"]}) in events
    assert messages == []  # no second introduction: the same check goes on


# -- facts stated outside the form (issue #20) ------------------------------------------------------


def test_facts_after_a_policy_card_start_the_check_of_that_policy(kb) -> None:
    from actions.eligibility_followup import ActionEligibilityFollowup

    tracker = make_tracker("我今年30周岁", intent="inform", slots={"policy": PRE_STARTUP})

    events, messages = run_action(ActionEligibilityFollowup(), tracker)

    assert SlotSet("eligibility_policy", PRE_STARTUP) in events
    assert events[-1] == FollowupAction("eligibility_form")
    assert spoken(messages) == [domain_text("utter_eligibility_intro", policy_name=kb.get(PRE_STARTUP).name)]
    stored = next(e["value"] for e in events if e.get("name") == "profile")
    assert stored["age"] == 30


def test_a_correction_after_the_verdict_is_judged_again_at_once(kb) -> None:
    from actions.eligibility_followup import RECHECKED, ActionEligibilityFollowup

    profile = {**ELIGIBLE_FACTS, "_asked": ["subsidies_received"]}
    assert (
        kb.check(POLICY, kb.profile({k: v for k, v in profile.items() if k != "_asked"}), ON).status
        == ELIGIBLE
    )
    text = "我搞错了，营业执照上的成立日期是2023年8月12日"
    tracker = make_tracker(text, intent="inform", slots={"eligibility_policy": POLICY, "profile": profile})

    events, messages = run_action(ActionEligibilityFollowup(), tracker)

    reply = messages[0]["text"]
    assert reply.startswith(RECHECKED + f"「{kb.get(POLICY).name}」{STATUS_LABELS[NOT_ELIGIBLE]}")
    assert "18个月" in reply
    assert events[-1] == FollowupAction("action_listen")


def test_a_district_after_a_policy_question_stays_a_follow_up(kb) -> None:
    from actions.eligibility_followup import ActionEligibilityFollowup

    tracker = make_tracker("公司在浦东", intent="inform", slots={"policy": "individual_guaranteed_loan"})

    events, _ = run_action(ActionEligibilityFollowup(), tracker)

    assert not any(e.get("event") == "followup" for e in events)  # no eligibility form started
    assert SlotSet("eligibility_policy", "individual_guaranteed_loan") not in events


# -- the reminder offered under a verdict ---------------------------------------------------------


def test_an_eligible_verdict_with_a_deadline_from_the_users_date_offers_a_reminder(kb) -> None:
    assert kb.check(POLICY, kb.profile(ELIGIBLE_FACTS), ON).status == ELIGIBLE
    tracker = make_tracker("", slots={"eligibility_policy": POLICY, "profile": dict(ELIGIBLE_FACTS)})

    _, messages = run_action(ActionReportEligibility(), tracker)

    assert messages[-1]["buttons"] == [
        {"title": domain_text("utter_reminder_offer"), "payload": f'/remind_deadline{{"policy": "{POLICY}"}}'}
    ]


def test_no_reminder_is_offered_when_not_eligible(kb) -> None:
    facts = {**ELIGIBLE_FACTS, "hukou": "other"}
    assert kb.check(POLICY, kb.profile(facts), ON).status != ELIGIBLE
    tracker = make_tracker("", slots={"eligibility_policy": POLICY, "profile": facts})

    _, messages = run_action(ActionReportEligibility(), tracker)

    assert messages[-1]["buttons"] == []
