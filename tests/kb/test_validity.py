"""The engine's verdict once a document an answer rests on ends: 沪人社规〔2022〕8号 on the real catalogue.

Dates are read from the catalogue (the document's `valid_until`), so an extension entered in the data
moves the tests with it; the successor case adds a source in memory, as the policy team would in
sources.yaml.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from policies_kb.eligibility import BASIS_LAPSED, ELIGIBLE, NOT_ELIGIBLE, check_policy
from policies_kb.freshness import freshness
from policies_kb.model import Catalogue, Source
from policies_kb.profile import ApplicantProfile
from policies_kb.render import LAPSED_MARK, render_policy_card
from policies_kb.validity import ENDED, ENDING, document_lapse, group_subject, notice

DOCUMENT = "HRSS_2022_8"
FLEXIBLE = "flexible_employment_si_subsidy_hard_to_employ"
FIRST_BUSINESS = "first_business_subsidy"


@pytest.fixture(scope="module")
def catalogue(real_catalogue: Catalogue) -> Catalogue:
    source = real_catalogue.sources[DOCUMENT]
    if source.valid_until is None or source.superseded_by:
        pytest.skip(f"{DOCUMENT} has no end date or has a successor in the data; these tests pin its lapse")
    return real_catalogue


def ends_on(catalogue: Catalogue) -> date:
    end = catalogue.sources[DOCUMENT].valid_until
    assert end is not None
    return end


def with_successor(catalogue: Catalogue) -> Catalogue:
    """The catalogue after the policy team records an extension of the document (no end date)."""
    old = catalogue.sources[DOCUMENT]
    successor = Source(
        id="TEST_SUCCESSOR",
        title="关于延续就业援助政策的通知（测试用）",
        doc_number="沪人社规〔2027〕99号",
        date=ends_on(catalogue) + timedelta(days=20),
        url=None,
        publisher=old.publisher,
        reliability="A",
        note="test fixture",
    )
    sources = {
        **catalogue.sources,
        DOCUMENT: replace(old, superseded_by=successor.id),
        successor.id: successor,
    }
    return replace(catalogue, sources=sources)


def hard_to_employ_founder(on: date) -> ApplicantProfile:
    """A Shanghai-hukou 就业困难人员 who meets every other rule of 首次创业一次性补贴 on `on`."""
    return ApplicantProfile(
        hukou="shanghai",
        groups=frozenset({"hard_to_employ"}),
        registration_date=on - timedelta(days=400),
        registered_in_shanghai=True,
        first_business=True,
        business_type="micro_enterprise",
        legal_representative=True,
        social_insurance_months=8,
        subsidies_received=frozenset(),
        flexible_employment_registered=True,
    )


def graduate_founder(on: date) -> ApplicantProfile:
    return replace(
        hard_to_employ_founder(on),
        groups=frozenset({"college_graduate"}),
        graduation_date=on - timedelta(days=500),
    )


def test_document_lapse_states(catalogue: Catalogue) -> None:
    end = ends_on(catalogue)
    assert document_lapse(DOCUMENT, end - timedelta(days=61), catalogue) is None
    ending = document_lapse(DOCUMENT, end - timedelta(days=1), catalogue)
    assert ending is not None and (ending.state, ending.days_left) == (ENDING, 1)
    ended = document_lapse(DOCUMENT, end + timedelta(days=1), catalogue)
    assert ended is not None and ended.state == ENDED and ended.ends_on == end
    assert document_lapse(DOCUMENT, end + timedelta(days=181), with_successor(catalogue)) is None


def test_ended_notice_says_the_four_things(catalogue: Catalogue) -> None:
    end = ends_on(catalogue)
    lapse = document_lapse(DOCUMENT, end + timedelta(days=1), catalogue)
    assert lapse is not None
    text = notice(lapse)
    checked = catalogue.sources[DOCUMENT].successor_checked_on
    assert checked is not None
    for part in (
        catalogue.sources[DOCUMENT].doc_number,
        f"{end.year}年{end.month}月{end.day}日",
        f"{checked.year}年{checked.month}月{checked.day}日",
        "12333",
        "就业促进中心",
    ):
        assert part in text, part


def test_item_resting_on_the_document_goes_expiring_lapsed_and_back(catalogue: Catalogue) -> None:
    policy = catalogue.policy(FLEXIBLE)
    end = ends_on(catalogue)
    before = freshness(policy, end - timedelta(days=1), catalogue)
    assert before.status == "expiring_soon" and before.in_force and before.expires_on == end
    after = freshness(policy, end + timedelta(days=1), catalogue)
    assert after.lapsed and not after.in_force and not after.historical
    card = render_policy_card(policy, catalogue, end + timedelta(days=1))
    assert card.startswith(LAPSED_MARK) and "12333" in card
    renewed = with_successor(catalogue)
    assert freshness(renewed.policy(FLEXIBLE), end + timedelta(days=181), renewed).status == "current"


def test_whole_item_lapsed_is_neither_yes_nor_no(catalogue: Catalogue) -> None:
    on = ends_on(catalogue) + timedelta(days=1)
    result = check_policy(catalogue.policy(FLEXIBLE), hard_to_employ_founder(on), on, catalogue)
    assert result.status == BASIS_LAPSED, result.reasons
    assert catalogue.sources[DOCUMENT].doc_number in result.reasons[0]
    assert any(r.startswith("按原规定符合") for r in result.reasons)
    assert result.next_step is None  # no "how to apply" for something that may not exist any more


def test_first_business_via_hard_to_employ_depends_on_the_date(catalogue: Catalogue) -> None:
    policy = catalogue.policy(FIRST_BUSINESS)
    end = ends_on(catalogue)

    ending_day = end - timedelta(days=1)
    ending = check_policy(policy, hard_to_employ_founder(ending_day), ending_day, catalogue)
    assert ending.status == ELIGIBLE and any("就业困难人员" in r and "还剩1天" in r for r in ending.reasons)

    ended_day = end + timedelta(days=1)
    ended = check_policy(policy, hard_to_employ_founder(ended_day), ended_day, catalogue)
    assert ended.status == BASIS_LAPSED, ended.reasons
    lapse = document_lapse(DOCUMENT, ended_day, catalogue)
    assert lapse is not None
    assert ended.reasons[0] == notice(lapse, group_subject(policy, lapse, catalogue))
    assert "「就业困难人员」的认定" in ended.reasons[0]
    assert any(r.startswith("按原规定符合") for r in ended.reasons)

    later = end + timedelta(days=181)
    renewed = with_successor(catalogue)
    back = check_policy(renewed.policy(FIRST_BUSINESS), hard_to_employ_founder(later), later, renewed)
    assert back.status == ELIGIBLE and not any("有效期" in r for r in back.reasons), back.reasons


def test_graduate_path_is_unaffected(catalogue: Catalogue) -> None:
    on = ends_on(catalogue) + timedelta(days=1)
    result = check_policy(catalogue.policy(FIRST_BUSINESS), graduate_founder(on), on, catalogue)
    assert result.status == ELIGIBLE, result.reasons
    assert not any(catalogue.sources[DOCUMENT].doc_number in r for r in result.reasons)


def test_a_firm_failure_stays_not_eligible(catalogue: Catalogue) -> None:
    on = ends_on(catalogue) + timedelta(days=1)
    profile = replace(hard_to_employ_founder(on), social_insurance_months=2)
    result = check_policy(catalogue.policy(FIRST_BUSINESS), profile, on, catalogue)
    assert result.status == NOT_ELIGIBLE, result.reasons
    assert any("6个月" in r for r in result.reasons)
