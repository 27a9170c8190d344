"""A date given only to the year ("公司2020年注册的"): a rule is decided when the whole year gives
the same truth, and stays a question when the year straddles the rule's boundary."""

from __future__ import annotations

from datetime import date

import pytest

from policies_kb import NOT_ELIGIBLE
from policies_kb.eligibility import check_policy
from policies_kb.errors import ProfileError
from policies_kb.model import Leaf
from policies_kb.profile import BOUNDS, ApplicantProfile
from policies_kb.rules import evaluate

ON = date(2026, 11, 28)
Y2020 = ("registration_date", date(2020, 1, 1), date(2020, 12, 31))
# 2021-11-28 is exactly 60 months before ON: the year 2021 straddles a 60-month rule.
Y2021 = ("registration_date", date(2021, 1, 1), date(2021, 12, 31))


def bounded(*spans: tuple[str, date, date], **values) -> ApplicantProfile:
    return ApplicantProfile(date_bounds=tuple(spans), **values)


@pytest.mark.parametrize(
    ("leaf", "profile", "expected"),
    [
        (Leaf("registration_date", "within_months_before", 60), bounded(Y2020), False),
        (Leaf("registration_date", "at_least_months_before", 60), bounded(Y2020), True),
        (Leaf("registration_date", "within_months_before", 120), bounded(Y2020), True),
        (Leaf("registration_date", "within_months_before", 60), bounded(Y2021), None),
        (Leaf("registration_date", "at_least_months_before", 60), bounded(Y2021), None),
        # A year inside which a short rule is true only for a few months is still undecided.
        (
            Leaf("registration_date", "within_months_before", 3),
            bounded(("registration_date", date(2026, 1, 1), ON)),
            None,
        ),
        # The ref side of a rule may be the bounded one (registered within 24 months of graduating).
        (
            Leaf("graduation_date", "within_months_before", 24, "registration_date"),
            bounded(Y2020, graduation_date=date(2016, 6, 1)),
            False,
        ),
        (
            Leaf("graduation_date", "within_months_before", 24, "registration_date"),
            bounded(Y2020, graduation_date=date(2019, 6, 1)),
            True,
        ),
        # An age from a birth year: 1980 is over 35 on either end of the year.
        (Leaf("age", "lte", 35), bounded(("birth_date", date(1980, 1, 1), date(1980, 12, 31))), False),
        (Leaf("age", "lte", 35), bounded(("birth_date", date(1990, 1, 1), date(1990, 12, 31))), None),
        (Leaf("age", "lte", 35), bounded(("birth_date", date(1991, 1, 1), date(1991, 12, 31))), True),
    ],
)
def test_a_year_decides_a_rule_only_when_the_whole_year_agrees(leaf: Leaf, profile, expected) -> None:
    truth, missing = evaluate(leaf, profile, ON)
    assert truth is expected
    assert bool(missing) is (expected is None)


def test_a_known_date_wins_over_its_bounds() -> None:
    profile = bounded(Y2020, registration_date=date(2025, 1, 1))
    assert evaluate(Leaf("registration_date", "within_months_before", 60), profile, ON) == (True, ())


def test_bounds_round_trip_and_are_validated() -> None:
    profile = ApplicantProfile.from_dict({BOUNDS: {"registration_date": ["2020-01-01", "2020-12-31"]}})
    assert profile.bounds("registration_date") == (date(2020, 1, 1), date(2020, 12, 31))
    assert ApplicantProfile.from_dict(profile.to_dict()) == profile
    for wrong in (
        {"hukou": ["2020-01-01", "2020-12-31"]},
        {"registration_date": ["2021-01-01", "2020-01-01"]},
    ):
        with pytest.raises(ProfileError):
            ApplicantProfile.from_dict({BOUNDS: wrong})


def test_a_policy_is_ruled_out_by_a_registration_year(real_catalogue) -> None:
    competition = real_catalogue.policies["china_chuangyi_competition"]
    profile = bounded(Y2020, age=30, business_type="micro_enterprise")
    result = check_policy(competition, profile, ON, real_catalogue)
    assert result.status == NOT_ELIGIBLE
    assert "registration_date" not in result.missing_fields
