"""Eligibility of real and fixture policies, with boundary dates around every deadline."""

from __future__ import annotations

from dataclasses import replace
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
from policies_kb.model import Catalogue
from policies_kb.profile import QUESTIONS, ApplicantProfile

ON = date(2026, 11, 28)
FULL = ApplicantProfile(
    hukou="shanghai",
    groups=frozenset({"college_graduate"}),
    graduation_date=date(2024, 6, 30),
    registration_date=date(2025, 5, 28),
    registration_district="pudong",
    registered_in_shanghai=True,
    first_business=True,
    business_type="micro_enterprise",
    legal_representative=True,
    social_insurance_months=8,
    subsidies_received=frozenset(),
)


def first_business(catalogue: Catalogue, profile: ApplicantProfile, on: date = ON):  # noqa: ANN201
    return check_policy(catalogue.policy("first_business_subsidy"), profile, on, catalogue)


def test_full_profile_is_eligible(any_catalogue: Catalogue) -> None:
    result = first_business(any_catalogue, FULL)
    assert result.status == ELIGIBLE, result.reasons
    assert result.current and not result.missing_fields
    assert all(r.startswith("符合：") for r in result.reasons)
    assert any("沪人社规〔2023〕1号" in r for r in result.reasons)  # cites the document
    assert result.manual_checks and all(m.startswith("需人工核实：") for m in result.manual_checks)
    assert result.next_step and "一网通办" in result.next_step


@pytest.mark.parametrize(
    ("registration", "graduation", "expected", "failing"),
    [
        # 18 months from registration: 2025-05-28 + 18 months = 2026-11-28 = ON
        (date(2025, 5, 27), date(2024, 6, 30), NOT_ELIGIBLE, "18个月"),
        (date(2025, 5, 28), date(2024, 6, 30), ELIGIBLE, None),
        (date(2025, 5, 29), date(2024, 6, 30), ELIGIBLE, None),
        # operated a full year: 2025-11-28 + 12 months = ON
        (date(2025, 11, 28), date(2024, 6, 30), ELIGIBLE, None),
        (date(2025, 11, 29), date(2024, 6, 30), NOT_ELIGIBLE, "经营满一年"),
        # graduated within 2 years before registration: 2023-06-01 + 24 months = 2025-06-01
        (date(2025, 6, 1), date(2023, 5, 31), NOT_ELIGIBLE, "毕业两年之内"),
        (date(2025, 6, 1), date(2023, 6, 1), ELIGIBLE, None),
        (date(2025, 6, 1), date(2023, 6, 2), ELIGIBLE, None),
    ],
)
def test_first_business_subsidy_boundaries(
    any_catalogue: Catalogue, registration: date, graduation: date, expected: str, failing: str | None
) -> None:
    result = first_business(
        any_catalogue, replace(FULL, registration_date=registration, graduation_date=graduation)
    )
    assert result.status == expected, result.reasons
    if failing:
        assert result.reasons and all(r.startswith("不符合：") for r in result.reasons)
        assert any(failing in r for r in result.reasons), result.reasons


def test_hard_to_employ_without_graduation(any_catalogue: Catalogue) -> None:
    profile = replace(FULL, groups=frozenset({"hard_to_employ"}), graduation_date=None)
    assert first_business(any_catalogue, profile).status == ELIGIBLE


def test_non_shanghai_hukou_is_not_eligible_despite_unknowns(any_catalogue: Catalogue) -> None:
    profile = ApplicantProfile(hukou="residence_permit")
    result = first_business(any_catalogue, profile)
    assert result.status == NOT_ELIGIBLE
    assert not result.missing_fields
    assert result.manual_checks  # check: null rules are reported but do not block a definite no


def test_missing_fields_become_questions(any_catalogue: Catalogue) -> None:
    result = first_business(
        any_catalogue, replace(FULL, social_insurance_months=None, registration_date=None)
    )
    assert result.status == NEED_MORE_INFO
    assert result.missing_fields["registration_date"] == "您的创业组织是哪天注册登记的？"
    assert result.missing_fields["social_insurance_months"] == QUESTIONS["social_insurance_months"]
    assert any(r.startswith("待确认：") for r in result.reasons)


def test_empty_profile_asks_questions_for_every_current_policy(any_catalogue: Catalogue) -> None:
    results = check_all(ApplicantProfile(), ON, any_catalogue)
    assert results
    for result in results:
        assert result.current
        assert result.status in (NEED_MORE_INFO, ELIGIBLE)  # nothing is known, so nothing can fail
        for field_name, question in result.missing_fields.items():
            assert question == QUESTIONS[field_name]


def test_already_received_only_once(any_catalogue: Catalogue) -> None:
    profile = replace(FULL, subsidies_received=frozenset({"first_business_subsidy"}))
    assert first_business(any_catalogue, profile).status == NOT_ELIGIBLE


PRE_STARTUP = {"fixture": "pre_startup_loan", "real": "pre_startup_guaranteed_loan"}


@pytest.mark.parametrize(
    ("birth", "expected"),
    [(date(1991, 11, 28), "met"), (date(1990, 11, 29), "met"), (date(1990, 11, 28), "not_met")],
)
def test_pre_startup_loan_age_35_and_under(any_catalogue: Catalogue, birth: date, expected: str) -> None:
    policy = next(any_catalogue.policies[p] for p in PRE_STARTUP.values() if p in any_catalogue.policies)
    result = check_policy(policy, ApplicantProfile(birth_date=birth), ON, any_catalogue)
    age_rules = [o for o in result.outcomes if o.rule_id == "age"]
    assert [o.result for o in age_rules] == [expected]
    if expected == "not_met":
        assert result.status == NOT_ELIGIBLE


def test_superseded_policy_is_never_eligible(any_catalogue: Catalogue) -> None:
    superseded = [p for p in any_catalogue.policies.values() if p.status in ("superseded", "expired")]
    assert superseded
    for policy in superseded:
        result = check_policy(policy, FULL, ON, any_catalogue)
        assert result.status == NOT_ELIGIBLE and not result.current
        assert result.reasons[0].startswith("不是现行政策")
        assert result.superseded_by == policy.superseded_by
        if policy.superseded_by:
            assert any_catalogue.policies[policy.superseded_by].name in result.next_step


FLEX = {"fixture": "flexible_employment_si_subsidy", "real": "flexible_employment_si_subsidy_hard_to_employ"}


@pytest.mark.parametrize(
    ("on", "status", "current"),
    [(date(2026, 12, 31), ELIGIBLE, True), (date(2027, 1, 1), NOT_ELIGIBLE, False)],
)
def test_expiry_2026_12_31(any_catalogue: Catalogue, on: date, status: str, current: bool) -> None:
    policy = next(any_catalogue.policies[p] for p in FLEX.values() if p in any_catalogue.policies)
    profile = ApplicantProfile(
        groups=frozenset({"hard_to_employ"}),
        flexible_employment_registered=True,
        hukou="shanghai",
        employees=0,
    )
    result = check_policy(policy, profile, on, any_catalogue)
    if not current and policy.expires_on is None:
        # The real item inherits the end of 沪人社规〔2022〕8号, whose successor may still be published:
        # neither 符合 nor 不符合 (tests/kb/test_validity.py). The fixture's own end date is final.
        status = BASIS_LAPSED
    assert (result.status, result.current) == (status, current), result.reasons
    if current:
        assert any(
            "2026年12月31日" in r for r in result.reasons
        )  # the expiry warning travels with the verdict


def test_check_all_orders_by_status(fixture_catalogue: Catalogue) -> None:
    order = [r.status for r in check_all(FULL, ON, fixture_catalogue)]
    rank = {ELIGIBLE: 0, NEED_MORE_INFO: 1, BASIS_LAPSED: 2, NOT_ELIGIBLE: 3}
    assert order == sorted(order, key=rank.get)
    assert order[0] == ELIGIBLE


def test_only_manual_rules_is_never_eligible(fixture_catalogue: Catalogue) -> None:
    policy = fixture_catalogue.policy("first_business_subsidy")
    manual_only = replace(policy, eligibility=tuple(r for r in policy.eligibility if r.check is None))
    result = check_policy(manual_only, FULL, ON, fixture_catalogue)
    assert result.status == NEED_MORE_INFO and result.manual_checks and not result.missing_fields
    no_rules = replace(policy, eligibility=())
    assert check_policy(no_rules, FULL, ON, fixture_catalogue).status == NEED_MORE_INFO
