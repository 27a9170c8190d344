"""Every operator, three-valued logic, and calendar-exact date boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from policies_kb.model import AllOf, AnyOf, Leaf, Not, Vocabulary
from policies_kb.profile import ApplicantProfile
from policies_kb.rules import OPERATORS, condition_from_data, condition_to_data, evaluate, parse_condition

ON = date(2026, 11, 28)
P = ApplicantProfile(
    hukou="shanghai",
    groups=frozenset({"college_graduate"}),
    employees=20,
    shanghai_employees_ratio=15.0,
    good_credit=True,
    dishonest_debtor=False,
    registration_date=date(2025, 5, 28),
    graduation_date=date(2023, 5, 28),
)
EMPTY = ApplicantProfile()

CASES = [
    # (leaf, profile, expected)
    (Leaf("hukou", "eq", "shanghai"), P, True),
    (Leaf("hukou", "eq", "other"), P, False),
    (Leaf("hukou", "ne", "other"), P, True),
    (Leaf("hukou", "ne", "shanghai"), P, False),
    (Leaf("hukou", "in", ("shanghai", "residence_permit")), P, True),
    (Leaf("hukou", "in", ("residence_permit",)), P, False),
    (Leaf("hukou", "not_in", ("residence_permit",)), P, True),
    (Leaf("hukou", "not_in", ("shanghai",)), P, False),
    (Leaf("groups", "contains", "college_graduate"), P, True),
    (Leaf("groups", "contains", "veteran"), P, False),
    (Leaf("groups", "not_contains", "veteran"), P, True),
    (Leaf("groups", "not_contains", "college_graduate"), P, False),
    (Leaf("employees", "lt", 21), P, True),
    (Leaf("employees", "lt", 20), P, False),
    (Leaf("employees", "lte", 20), P, True),
    (Leaf("employees", "lte", 19), P, False),
    (Leaf("employees", "gt", 19), P, True),
    (Leaf("employees", "gt", 20), P, False),
    (Leaf("shanghai_employees_ratio", "gte", 15), P, True),
    (Leaf("shanghai_employees_ratio", "gte", 15.1), P, False),
    (Leaf("good_credit", "is_true"), P, True),
    (Leaf("dishonest_debtor", "is_true"), P, False),
    (Leaf("dishonest_debtor", "is_false"), P, True),
    (Leaf("good_credit", "is_false"), P, False),
    (Leaf("registration_date", "within_months_before", 18), P, True),
    (Leaf("registration_date", "within_months_before", 17), P, False),
    (Leaf("registration_date", "at_least_months_before", 18), P, True),
    (Leaf("registration_date", "at_least_months_before", 19), P, False),
    (Leaf("graduation_date", "within_months_before", 24, "registration_date"), P, True),
    (Leaf("graduation_date", "within_months_before", 23, "registration_date"), P, False),
]


def test_cases_cover_every_operator() -> None:
    assert {leaf.op for leaf, _, _ in CASES} == set(OPERATORS)


@pytest.mark.parametrize(("leaf", "profile", "expected"), CASES, ids=lambda x: getattr(x, "op", None))
def test_operator(leaf: Leaf, profile: ApplicantProfile, expected: bool) -> None:
    assert evaluate(leaf, profile, ON) == (expected, ())


@pytest.mark.parametrize("leaf", [leaf for leaf, _, _ in CASES], ids=lambda x: x.op)
def test_missing_field_is_unknown(leaf: Leaf) -> None:
    truth, missing = evaluate(leaf, EMPTY, ON)
    assert truth is None
    assert missing[0] == leaf.field


def test_missing_ref_field_is_reported() -> None:
    profile = ApplicantProfile(graduation_date=date(2024, 1, 1))
    assert evaluate(
        Leaf("graduation_date", "within_months_before", 24, "registration_date"), profile, ON
    ) == (
        None,
        ("registration_date",),
    )


T, F, U = Leaf("good_credit", "is_true"), Leaf("dishonest_debtor", "is_true"), Leaf("age", "lte", 35)


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (AllOf((T, T)), True),
        (AllOf((T, F)), False),
        (AllOf((T, U)), None),
        (AllOf((F, U)), False),  # a definite False decides even with unknowns
        (AnyOf((F, F)), False),
        (AnyOf((F, T)), True),
        (AnyOf((U, T)), True),  # a definite True decides even with unknowns
        (AnyOf((F, U)), None),
        (Not(T), False),
        (Not(F), True),
        (Not(U), None),
    ],
)
def test_three_valued_logic(node, expected) -> None:  # noqa: ANN001
    truth, missing = evaluate(node, P, ON)
    assert truth is expected
    assert missing == (("age",) if expected is None else ())


@pytest.mark.parametrize(
    ("registration", "on", "within_18", "full_year"),
    [
        # 18 months from 2023-05-10 is 2024-11-10
        (date(2023, 5, 10), date(2024, 11, 9), True, True),
        (date(2023, 5, 10), date(2024, 11, 10), True, True),
        (date(2023, 5, 10), date(2024, 11, 11), False, True),
        # one full year from 2024-03-15 is 2025-03-15
        (date(2024, 3, 15), date(2025, 3, 14), True, False),
        (date(2024, 3, 15), date(2025, 3, 15), True, True),
        (date(2024, 3, 15), date(2025, 3, 16), True, True),
        # month ends are calendar-exact: 2023-08-31 + 18 months = 2025-02-28
        (date(2023, 8, 31), date(2025, 2, 28), True, True),
        (date(2023, 8, 31), date(2025, 3, 1), False, True),
        # leap day: 2024-02-29 + 12 months = 2025-02-28
        (date(2024, 2, 29), date(2025, 2, 27), True, False),
        (date(2024, 2, 29), date(2025, 2, 28), True, True),
        # registration after the reference date is never "within"
        (date(2026, 12, 1), date(2026, 11, 28), False, False),
    ],
)
def test_month_boundaries(registration: date, on: date, within_18: bool, full_year: bool) -> None:
    profile = ApplicantProfile(registration_date=registration)
    assert evaluate(Leaf("registration_date", "within_months_before", 18), profile, on)[0] is within_18
    assert evaluate(Leaf("registration_date", "at_least_months_before", 12), profile, on)[0] is full_year


@pytest.mark.parametrize(
    ("graduation", "expected"),
    [
        (date(2022, 6, 29), False),
        (date(2022, 6, 30), True),
        (date(2022, 7, 1), True),
        (date(2024, 6, 30), True),
        (date(2024, 7, 1), False),
    ],
)
def test_graduated_within_24_months_of_registration(graduation: date, expected: bool) -> None:
    profile = ApplicantProfile(graduation_date=graduation, registration_date=date(2024, 6, 30))
    assert (
        evaluate(Leaf("graduation_date", "within_months_before", 24, "registration_date"), profile, ON)[0]
        is expected
    )


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (date(1990, 11, 29), True),  # turns 36 tomorrow: still 35
        (date(1990, 11, 28), False),  # 36th birthday today
        (date(1991, 11, 28), True),  # 35th birthday today
    ],
)
def test_age_35_and_under_from_birth_date(birth: date, expected: bool) -> None:
    profile = ApplicantProfile(birth_date=birth, age=20)  # birth_date wins over a stale age
    assert evaluate(Leaf("age", "lte", 35), profile, ON)[0] is expected


@pytest.mark.parametrize(("age", "expected"), [(35, True), (36, False)])
def test_age_35_and_under_from_age(age: int, expected: bool) -> None:
    assert evaluate(Leaf("age", "lte", 35), ApplicantProfile(age=age), ON)[0] is expected


VOCAB = Vocabulary(districts={}, applicant_groups={"student": None}, categories={})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("raw", "path", "fragment"),
    [
        ({"field": "salary", "op": "gt", "value": 1}, "check.field", "unknown profile field 'salary'"),
        ({"field": "age", "op": "between", "value": 1}, "check.op", "unknown operator 'between'"),
        ({"field": "age", "op": "is_true"}, "check.op", "needs a boolean field"),
        ({"field": "hukou", "op": "eq", "value": "beijing"}, "check.value", "'beijing' is not one of"),
        (
            {"field": "groups", "op": "contains", "value": "alien"},
            "check.value",
            "unknown applicant group id",
        ),
        ({"field": "groups", "op": "eq", "value": "student"}, "check.op", "set field"),
        ({"field": "registration_date", "op": "within_months_before", "value": 0}, "check.value", "positive"),
        (
            {"field": "registration_date", "op": "within_months_before", "value": 3, "ref": "age"},
            "check.ref",
            "date field",
        ),
        ({"all": []}, "check.all", "non-empty list"),
        ({"any": [{"field": "age", "op": "lte", "value": "35"}]}, "check.any[0].value", "must be a number"),
    ],
)
def test_parse_rejects(raw: dict, path: str, fragment: str) -> None:
    _, errors = parse_condition(raw, "check", VOCAB, ["a"])
    assert errors, raw
    assert errors[0].path == path
    assert fragment in str(errors[0])


def test_json_round_trip() -> None:
    raw = {
        "all": [
            {"field": "hukou", "op": "in", "value": ["shanghai"]},
            {"not": {"field": "good_credit", "op": "is_false"}},
            {
                "any": [
                    {
                        "field": "graduation_date",
                        "op": "within_months_before",
                        "value": 24,
                        "ref": "registration_date",
                    }
                ]
            },
        ]
    }
    node, errors = parse_condition(raw, "check", VOCAB, [])
    assert not errors
    assert condition_to_data(node) == raw
    assert condition_from_data(condition_to_data(node)) == node
