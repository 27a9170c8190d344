"""Condition trees: parsing with validation, and three-valued evaluation against a profile.

Kept separate from eligibility.py so the catalogue validator can reject a rule over an unknown
field or operator without pulling in the reporting code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from .model import AllOf, AnyOf, Condition, Leaf, Not, Vocabulary
from .profile import ENUMS, FIELD_TYPES, ApplicantProfile

OPERATORS: tuple[str, ...] = (
    "eq",
    "ne",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "lt",
    "lte",
    "gt",
    "gte",
    "is_true",
    "is_false",
    "within_months_before",
    "at_least_months_before",
)
_NUMERIC_KINDS = ("int", "number")
_SET_KINDS = ("groups", "policies")


class RuleSyntaxError(ValueError):
    """A malformed condition; `path` locates it inside the rule's check (e.g. check.all[1].value)."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(message)


def parse_condition(
    raw: Any, path: str, vocabulary: Vocabulary, policy_ids: Iterable[str]
) -> tuple[Condition, list[RuleSyntaxError]]:
    """Build a condition tree from YAML data, collecting every problem rather than stopping at the first."""
    errors: list[RuleSyntaxError] = []
    node = _parse(raw, path, vocabulary, set(policy_ids), errors)
    return node, errors


def _parse(raw: Any, path: str, vocab: Vocabulary, policy_ids: set[str], errors: list) -> Condition:
    if not isinstance(raw, dict):
        errors.append(
            RuleSyntaxError(path, "a condition must be a mapping ({all|any|not} or {field, op, value})")
        )
        return AllOf(())
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        extra = set(raw) - {key}
        if extra:
            errors.append(RuleSyntaxError(path, f"unexpected keys next to '{key}': {sorted(extra)}"))
        children = raw[key]
        if not isinstance(children, list) or not children:
            errors.append(RuleSyntaxError(f"{path}.{key}", "must be a non-empty list of conditions"))
            return AllOf(())
        parsed = tuple(
            _parse(c, f"{path}.{key}[{i}]", vocab, policy_ids, errors) for i, c in enumerate(children)
        )
        return AllOf(parsed) if key == "all" else AnyOf(parsed)
    if "not" in raw:
        if set(raw) != {"not"}:
            errors.append(
                RuleSyntaxError(path, f"unexpected keys next to 'not': {sorted(set(raw) - {'not'})}")
            )
        return Not(_parse(raw["not"], f"{path}.not", vocab, policy_ids, errors))
    return _parse_leaf(raw, path, vocab, policy_ids, errors)


def _parse_leaf(raw: dict, path: str, vocab: Vocabulary, policy_ids: set[str], errors: list) -> Leaf:
    extra = set(raw) - {"field", "op", "value", "ref"}
    if extra:
        errors.append(
            RuleSyntaxError(path, f"unknown keys {sorted(extra)} (a leaf has field, op, value, ref)")
        )
    field_name, op, value, ref = raw.get("field"), raw.get("op"), raw.get("value"), raw.get("ref")
    leaf = Leaf(field=str(field_name), op=str(op), value=value, ref=ref)
    if field_name not in FIELD_TYPES:
        errors.append(
            RuleSyntaxError(f"{path}.field", f"unknown profile field {field_name!r} (see DATA_FORMAT.md)")
        )
        return leaf
    if op not in OPERATORS:
        errors.append(
            RuleSyntaxError(f"{path}.op", f"unknown operator {op!r}; allowed: {', '.join(OPERATORS)}")
        )
        return leaf
    kind = FIELD_TYPES[field_name]
    problem = _check_leaf(kind, op, value, ref, vocab, policy_ids)
    if problem:
        sub, message = problem
        errors.append(RuleSyntaxError(f"{path}.{sub}", f"{field_name} {op}: {message}"))
    if isinstance(value, list):
        leaf = Leaf(field=field_name, op=op, value=tuple(value), ref=ref)
    return leaf


def _check_leaf(
    kind: str, op: str, value: Any, ref: Any, vocab: Vocabulary, policy_ids: set[str]
) -> tuple[str, str] | None:
    if ref is not None and op not in ("within_months_before", "at_least_months_before"):
        return "ref", "'ref' is only allowed with within_months_before / at_least_months_before"
    if op in ("is_true", "is_false"):
        if kind != "bool":
            return "op", f"{op} needs a boolean field"
        if value is not None:
            return "value", f"{op} takes no value"
        return None
    if op in ("within_months_before", "at_least_months_before"):
        if kind != "date":
            return "op", f"{op} needs a date field"
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return "value", "must be a positive whole number of months"
        if ref is not None and FIELD_TYPES.get(ref) != "date":
            return "ref", f"ref {ref!r} must be a date field of the profile"
        return None
    if op in ("contains", "not_contains"):
        if kind not in _SET_KINDS:
            return "op", f"{op} needs a set field (groups, subsidies_received)"
        return _check_scalar(kind, value, vocab, policy_ids)
    if op in ("lt", "lte", "gt", "gte"):
        if kind not in _NUMERIC_KINDS:
            return "op", f"{op} needs a numeric field"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "value", "must be a number"
        return None
    if kind in _SET_KINDS:
        return "op", f"{op} cannot be used on a set field; use contains / not_contains"
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return "value", f"{op} needs a non-empty list"
        for item in value:
            problem = _check_scalar(kind, item, vocab, policy_ids)
            if problem:
                return problem
        return None
    return _check_scalar(kind, value, vocab, policy_ids)  # eq, ne


def _check_scalar(kind: str, value: Any, vocab: Vocabulary, policy_ids: set[str]) -> tuple[str, str] | None:
    if kind.startswith("enum:"):
        allowed = ENUMS[kind[5:]]
        if value not in allowed:
            return "value", f"{value!r} is not one of {', '.join(allowed)}"
    elif kind == "bool":
        if not isinstance(value, bool):
            return "value", "must be true or false (or use is_true / is_false)"
    elif kind in _NUMERIC_KINDS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "value", "must be a number"
    elif kind == "date":
        return "value", "compare dates with within_months_before / at_least_months_before"
    elif kind == "district":
        if value not in vocab.districts:
            return "value", f"unknown district id {value!r}"
    elif kind == "groups":
        if value not in vocab.applicant_groups:
            return "value", f"unknown applicant group id {value!r}"
    elif kind == "policies" and value not in policy_ids:
        return "value", f"unknown policy id {value!r}"
    return None


# ---------------------------------------------------------------- evaluation

Truth = bool | None  # None = unknown


def evaluate(
    node: Condition, profile: ApplicantProfile, on: date, doubtful: Callable[[Leaf], bool] | None = None
) -> tuple[Truth, tuple[str, ...]]:
    """Three-valued evaluation; returns the truth and, when unknown, the fields that would decide it.

    A leaf for which `doubtful` is true cannot vouch for a "yes": its True counts as unknown (used
    when the definition it relies on has lapsed; a False, e.g. not in the group, stays False).
    """
    if isinstance(node, Leaf):
        truth, missing = _evaluate_leaf(node, profile, on)
        if truth is True and doubtful is not None and doubtful(node):
            return None, ()
        return truth, missing
    if isinstance(node, Not):
        truth, missing = evaluate(node.child, profile, on, doubtful)
        return (None if truth is None else not truth), missing
    results = [evaluate(child, profile, on, doubtful) for child in node.children]
    decisive = isinstance(node, AnyOf)  # any: one True decides; all: one False decides
    if any(truth is decisive for truth, _ in results):
        return decisive, ()
    unknown = [missing for truth, missing in results if truth is None]
    if unknown:
        return None, _union(unknown)
    return (not decisive), ()


def _union(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        for name in group:
            if name not in out:
                out.append(name)
    return tuple(out)


def _evaluate_leaf(leaf: Leaf, profile: ApplicantProfile, on: date) -> tuple[Truth, tuple[str, ...]]:
    actual = profile.value(leaf.field, on)
    missing: list[str] = []
    if actual is None:
        missing.append(leaf.field)
    ref_date = on
    if leaf.ref is not None:
        ref_date = profile.value(leaf.ref, on)
        if ref_date is None:
            missing.append(leaf.ref)
    if missing:
        truth = _within_bounds(leaf, profile, on)
        return truth, (() if truth is not None else tuple(missing))
    return _compare(leaf, actual, ref_date), ()


# Month arithmetic moves a boundary by up to 3 days (Jan 31 + 1 month = Feb 28): points this close
# to a critical date are tried on both sides of it.
_BOUNDARY_SLACK = 3


def _within_bounds(leaf: Leaf, profile: ApplicantProfile, on: date) -> Truth:
    """The leaf's truth when every date in the ranges of its unknown fields gives the same one, else None.

    A date rule's truth changes only at its critical dates (the reference date, N months before or
    after it), so the range's ends and the days around the critical dates inside it are enough.
    An age is read from a birth date given to the year as every whole age that range allows.
    """
    if leaf.field == "age" and profile.value("age", on) is None:
        birth = profile.bounds("birth_date")
        if birth is None:
            return None
        youngest, oldest = relativedelta(on, birth[1]).years, relativedelta(on, birth[0]).years
        truths = {_compare(leaf, age, on) for age in range(youngest, oldest + 1)}
        return truths.pop() if len(truths) == 1 else None
    actual, ref = profile.value(leaf.field, on), on
    if leaf.ref is not None:
        ref = profile.value(leaf.ref, on)
    field_range = profile.bounds(leaf.field) if actual is None else None
    ref_range = profile.bounds(leaf.ref) if leaf.ref is not None and ref is None else None
    if (actual is None and field_range is None) or (ref is None and ref_range is None):
        return None
    months = relativedelta(months=leaf.value) if isinstance(leaf.value, int) else relativedelta()
    refs = [ref] if ref is not None else _points(ref_range, [])
    actuals = (
        [actual] if actual is not None else _points(field_range, [c for r in refs for c in (r - months, r)])
    )
    if ref is None:  # a ref date only in a range: its critical dates depend on the field's value
        refs = _points(ref_range, [c for a in actuals for c in (a, a + months)])
    truths = {_compare(leaf, a, r) for a in actuals for r in refs}
    return truths.pop() if len(truths) == 1 else None


def _points(span: tuple[date, date] | None, critical: list[date]) -> list[date]:
    assert span is not None
    lo, hi = span
    near = (c + timedelta(days=k) for c in critical for k in range(-_BOUNDARY_SLACK, _BOUNDARY_SLACK + 1))
    return sorted({lo, hi, *(d for d in near if lo <= d <= hi)})


def _compare(leaf: Leaf, actual: Any, ref_date: date) -> bool:
    op, value = leaf.op, leaf.value
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    if op == "contains":
        return value in actual
    if op == "not_contains":
        return value not in actual
    if op == "lt":
        return actual < value
    if op == "lte":
        return actual <= value
    if op == "gt":
        return actual > value
    if op == "gte":
        return actual >= value
    if op == "is_true":
        return actual is True
    if op == "is_false":
        return actual is False
    if op == "within_months_before":
        # Counted forward from the field's date, as documents word it ("注册登记之日起18个月内").
        return actual <= ref_date <= actual + relativedelta(months=value)
    if op == "at_least_months_before":
        return actual + relativedelta(months=value) <= ref_date
    raise ValueError(f"unknown operator {op!r}")


# ---------------------------------------------------------------- JSON form (database storage)


def condition_to_data(node: Condition) -> dict[str, Any]:
    """The YAML/JSON shape of a condition tree, as written in the data files."""
    if isinstance(node, AllOf):
        return {"all": [condition_to_data(c) for c in node.children]}
    if isinstance(node, AnyOf):
        return {"any": [condition_to_data(c) for c in node.children]}
    if isinstance(node, Not):
        return {"not": condition_to_data(node.child)}
    data: dict[str, Any] = {"field": node.field, "op": node.op}
    if node.value is not None:
        data["value"] = list(node.value) if isinstance(node.value, tuple) else node.value
    if node.ref is not None:
        data["ref"] = node.ref
    return data


def condition_from_data(data: dict[str, Any]) -> Condition:
    """Rebuild a tree that was validated when it was loaded (no checks: the database is trusted)."""
    if "all" in data:
        return AllOf(tuple(condition_from_data(c) for c in data["all"]))
    if "any" in data:
        return AnyOf(tuple(condition_from_data(c) for c in data["any"]))
    if "not" in data:
        return Not(condition_from_data(data["not"]))
    value = data.get("value")
    return Leaf(
        data["field"], data["op"], tuple(value) if isinstance(value, list) else value, data.get("ref")
    )
