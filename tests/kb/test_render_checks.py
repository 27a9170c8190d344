"""Verdicts and the check-all summary (policies_kb.render.checks), and the labels
(policies_kb.render.labels), on the real catalogue.

The summary is one text for the chat (action_report_eligibility) and for the console's answer to a
caller (bot.web.presenters.check_all_answer); names and verdicts come from the eligibility engine.
"""

from __future__ import annotations

from datetime import date

import pytest

from policies_kb.eligibility import (
    BASIS_LAPSED,
    ELIGIBLE,
    NEED_MORE_INFO,
    NOT_ELIGIBLE,
    check_all,
    check_policy,
)
from policies_kb.freshness import freshness
from policies_kb.model import Catalogue
from policies_kb.profile import ENUMS, ApplicantProfile
from policies_kb.render import (
    ALL_HEAD_ELIGIBLE,
    ALL_HEAD_LAPSED,
    ALL_HEAD_MAYBE,
    ALL_NONE,
    ALL_TAIL,
    CHECK_LABELS,
    DISCLAIMER,
    ENUM_LABELS,
    LAPSED_LABEL,
    LAPSED_MARK,
    MAX_MAYBE,
    POLICY_STATUS_LABELS,
    STATUS_LABELS,
    check_all_summary,
    check_verdict,
    render_check_all,
    render_check_result,
    summarised,
)
from policies_kb.search import SearchIndex

ON = date(2026, 11, 28)
ENDED_ON = date(2027, 1, 5)  # 沪人社规〔2022〕8号 has ended, no successor recorded
HARD_TO_EMPLOY = "flexible_employment_si_subsidy_hard_to_employ"
FIRST_BUSINESS = "first_business_subsidy"
HARD_TO_EMPLOY_PROFILE = {
    "hukou": "shanghai",
    "groups": ["就业困难人员"],
    "flexible_employment_registered": True,
}
VERDICTS = (ELIGIBLE, NEED_MORE_INFO, BASIS_LAPSED, NOT_ELIGIBLE)


def profile(catalogue: Catalogue, data: dict) -> ApplicantProfile:
    return ApplicantProfile.from_dict(data, catalogue.vocabulary, set(catalogue.policies))


def listed(block: str, head: str) -> list[str]:
    """The policy names of a "head\\n· name\\n· name" block."""
    first, *lines = block.split("\n")
    assert first == head, block
    assert all(line.startswith("· ") for line in lines), block
    return [line[2:] for line in lines]


def block(summary_text: str, head: str) -> str | None:
    return next((b for b in summary_text.split("\n\n") if b.startswith(head)), None)


# -- one policy's verdict ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "on", "status"),
    [
        ({"hukou": "shanghai"}, ON, NEED_MORE_INFO),
        (HARD_TO_EMPLOY_PROFILE, ON, ELIGIBLE),
        (HARD_TO_EMPLOY_PROFILE, ENDED_ON, BASIS_LAPSED),
        ({"hukou": "shanghai", "groups": []}, ON, NOT_ELIGIBLE),
    ],
)
def test_verdict_opens_with_the_policy_and_its_label(real_catalogue: Catalogue, data, on, status) -> None:
    subsidy = real_catalogue.policies[HARD_TO_EMPLOY]
    result = check_policy(subsidy, profile(real_catalogue, data), on, real_catalogue)
    assert result.status == status

    verdict = check_verdict(result)

    assert verdict.head == (f"「{subsidy.name}」{STATUS_LABELS[status]}",)
    assert verdict.body[-1] == DISCLAIMER
    for reason in result.reasons:
        assert f"· {reason}" in verdict.body[0].split("\n")
    if result.missing_fields:
        asked = next(b for b in verdict.body if b.startswith("请告诉我：\n"))
        assert asked.split("\n")[1] == f"1. {next(iter(result.missing_fields.values()))}"
    assert render_check_result(result) == verdict.text


def test_verdict_on_a_policy_not_in_force(real_catalogue: Catalogue) -> None:
    old = real_catalogue.policies["opening_fee_subsidy"]
    result = check_policy(old, profile(real_catalogue, {"hukou": "shanghai"}), ON, real_catalogue)
    assert not result.current

    verdict = check_verdict(result)

    assert verdict.head == (f"「{old.name}」不是现行政策。",)
    assert STATUS_LABELS[result.status] not in verdict.text


# -- the summary of a check of all policies ------------------------------------------------------


def test_summary_lists_the_eligible_then_up_to_five_to_ask_about(real_catalogue: Catalogue) -> None:
    results = check_all(profile(real_catalogue, HARD_TO_EMPLOY_PROFILE), ON, real_catalogue)
    shown = summarised(results, real_catalogue)
    eligible = [r.policy_name for r in shown if r.status == ELIGIBLE]
    maybe = [r.policy_name for r in shown if r.status == NEED_MORE_INFO]
    assert real_catalogue.policies[HARD_TO_EMPLOY].name in eligible and maybe

    summary = check_all_summary(results, real_catalogue)

    assert listed(summary.head[0], ALL_HEAD_ELIGIBLE) == eligible
    assert listed(summary.body[0], ALL_HEAD_MAYBE) == maybe[:MAX_MAYBE]
    assert summary.body[-1] == ALL_TAIL and len(summary.body) == 2  # nothing lapsed on ON
    assert summary.first_line == ALL_HEAD_ELIGIBLE
    assert render_check_all(results, real_catalogue) == summary.text


def test_summary_reports_city_policies_only(real_catalogue: Catalogue) -> None:
    results = check_all(profile(real_catalogue, {"hukou": "shanghai"}), ON, real_catalogue)
    district = [r for r in results if real_catalogue.policies[r.policy_id].scope == "district"]
    assert district, "no district policy is checked any more"

    text = render_check_all(results, real_catalogue)

    lines = text.split("\n")
    assert any(line.startswith("· ") for line in lines)
    assert all(f"· {r.policy_name}" not in lines for r in district)


def test_summary_without_an_eligible_policy_says_so_first(real_catalogue: Catalogue) -> None:
    results = check_all(profile(real_catalogue, {"hukou": "shanghai"}), ON, real_catalogue)
    assert not any(r.status == ELIGIBLE for r in summarised(results, real_catalogue))

    summary = check_all_summary(results, real_catalogue)

    assert summary.head == (ALL_NONE,)
    assert summary.body[0].startswith(ALL_HEAD_MAYBE + "\n")
    assert check_all_summary([], real_catalogue).text == f"{ALL_NONE}\n\n{ALL_TAIL}"


def test_lapsed_policies_have_their_own_group_with_the_way_to_confirm(real_catalogue: Catalogue) -> None:
    results = check_all(profile(real_catalogue, HARD_TO_EMPLOY_PROFILE), ENDED_ON, real_catalogue)
    lapsed = [r.policy_name for r in summarised(results, real_catalogue) if r.status == BASIS_LAPSED]
    name = real_catalogue.policies[HARD_TO_EMPLOY].name
    assert name in lapsed

    text = render_check_all(results, real_catalogue)

    assert listed(block(text, ALL_HEAD_LAPSED), ALL_HEAD_LAPSED) == lapsed
    assert (
        LAPSED_LABEL in ALL_HEAD_LAPSED and "12333" in ALL_HEAD_LAPSED and "区就业促进中心" in ALL_HEAD_LAPSED
    )
    eligible = block(text, ALL_HEAD_ELIGIBLE)
    assert eligible is None or name not in listed(eligible, ALL_HEAD_ELIGIBLE)
    assert text.index(ALL_HEAD_LAPSED) < text.index(ALL_TAIL)


def test_the_console_answers_a_caller_with_the_chat_summary(real_catalogue: Catalogue) -> None:
    from bot.web.presenters import check_all_answer
    from policies_kb import KnowledgeBase

    kb = KnowledgeBase(real_catalogue)
    results = check_all(profile(real_catalogue, HARD_TO_EMPLOY_PROFILE), ENDED_ON, real_catalogue)
    assert check_all_answer(kb, results) == render_check_all(results, real_catalogue)


# -- labels --------------------------------------------------------------------------------------


def test_every_verdict_has_its_labels() -> None:
    assert set(STATUS_LABELS) == set(CHECK_LABELS) == set(VERDICTS)
    assert STATUS_LABELS[BASIS_LAPSED] == CHECK_LABELS[BASIS_LAPSED] == LAPSED_LABEL
    assert LAPSED_MARK.removeprefix("【").removesuffix("】") == LAPSED_LABEL
    assert "符合" not in LAPSED_LABEL  # neither 符合 nor 不符合


def test_every_policy_status_on_the_reference_dates_has_a_label(real_catalogue: Catalogue) -> None:
    seen = {p.status for p in real_catalogue.policies.values()}
    for on in (ON, ENDED_ON):
        seen |= {freshness(p, on, real_catalogue).status for p in real_catalogue.policies.values()}
    assert {"current", "superseded", "expired", "expiring_soon", "lapsed"} <= seen
    assert seen <= set(POLICY_STATUS_LABELS)
    assert POLICY_STATUS_LABELS["lapsed"] == LAPSED_LABEL


def test_lapsed_search_hits_carry_the_same_mark(real_catalogue: Catalogue) -> None:
    name = real_catalogue.policies[HARD_TO_EMPLOY].name
    hit = next(
        h for h in SearchIndex(real_catalogue).search(name, on=ENDED_ON) if h.policy_id == HARD_TO_EMPLOY
    )
    assert hit.status == "lapsed" and hit.marker == LAPSED_MARK
    assert POLICY_STATUS_LABELS[hit.status] == LAPSED_LABEL


@pytest.mark.parametrize("enum", sorted(ENUMS))
def test_every_enum_value_has_a_label(enum: str) -> None:
    assert set(ENUM_LABELS[enum]) == set(ENUMS[enum])
    assert len(set(ENUM_LABELS[enum].values())) == len(ENUMS[enum])  # no two values read the same


def test_labels_are_what_a_verdict_says(real_catalogue: Catalogue) -> None:
    result = check_policy(
        real_catalogue.policies[FIRST_BUSINESS],
        profile(real_catalogue, {"hukou": "shanghai"}),
        ON,
        real_catalogue,
    )
    assert render_check_result(result).startswith(f"「{result.policy_name}」{STATUS_LABELS[result.status]}")
