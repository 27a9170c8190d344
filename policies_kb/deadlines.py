"""Application deadlines that follow from a user's facts: "注册登记之日起18个月内" and the like.

A rule leaf `{field: <date>, op: within_months_before, value: N}` without `ref` says the application
must be made within N months of that date; with the user's date it gives the last day to apply.
Read from the rules in the data files, so a changed period changes every reminder computed after
the update, and nothing here names a policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from .model import AllOf, AnyOf, Condition, Leaf, Not, Policy
from .profile import ApplicantProfile


@dataclass(frozen=True)
class Deadline:
    policy_id: str
    rule_id: str
    counted_from: str  # the profile field the period starts at (registration_date, graduation_date…)
    due_on: date  # the last day to apply
    text: str  # the rule as the document words it
    sources: tuple[str, ...]


def application_deadlines(policy: Policy, profile: ApplicantProfile, on: date) -> list[Deadline]:
    """The deadlines of `policy` that the profile's dates fix, earliest first."""
    found = []
    for rule in policy.eligibility:
        if rule.check is None:
            continue
        for leaf in _positive_leaves(rule.check):
            if leaf.op != "within_months_before" or leaf.ref is not None:
                continue
            start = profile.value(leaf.field, on)
            if not isinstance(start, date):
                continue
            due = start + relativedelta(months=leaf.value)
            found.append(
                Deadline(policy.id, rule.id, leaf.field, due, rule.text, rule.sources or policy.sources)
            )
    return sorted(found, key=lambda d: d.due_on)


def deadline_fields(policy: Policy) -> list[str]:
    """The profile dates a deadline of `policy` counts from (empty: it has no date-bound deadline)."""
    fields = []
    for rule in policy.eligibility:
        if rule.check is not None:
            fields += [
                leaf.field
                for leaf in _positive_leaves(rule.check)
                if leaf.op == "within_months_before" and leaf.ref is None
            ]
    return list(dict.fromkeys(fields))


def _positive_leaves(node: Condition) -> Iterator[Leaf]:
    # A leaf under Not is a condition that must *not* hold: no deadline follows from it.
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, (AllOf, AnyOf)):
        for child in node.children:
            yield from _positive_leaves(child)
    elif isinstance(node, Not):
        return
