"""What changed for users between two versions of the knowledge base.

Computed from the data, never written by hand: a policy superseded or withdrawn, its end date moved,
a figure changed, added or dropped. Each change names the sources of the new version, so a notice can
cite them (`render.changes.render_change`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .freshness import freshness
from .model import Catalogue, Fact, Policy

SUPERSEDED = "superseded"
WITHDRAWN = "withdrawn"  # no longer in the knowledge base
END_DATE = "end_date"
FIGURE_CHANGED = "figure_changed"
FIGURE_ADDED = "figure_added"
FIGURE_DROPPED = "figure_dropped"


@dataclass(frozen=True)
class PolicyChange:
    policy_id: str
    kind: str
    before: Fact | date | None = None  # the figure, or the end date, of the old version
    after: Fact | date | None = None
    successor_id: str | None = None
    sources: tuple[str, ...] = ()  # of the new version


@dataclass(frozen=True)
class RecordedChange:
    """A change as the loader recorded it (kb_changes), with the notice text rendered then."""

    id: int
    recorded_at: datetime  # aware UTC
    fingerprint: str
    policy_id: str
    kind: str
    text: str


def changes_between(old: Catalogue, new: Catalogue, on: date) -> list[PolicyChange]:
    """Every change a subscriber of a policy of `old` should hear of, policy by policy."""
    found: list[PolicyChange] = []
    for policy_id, before in old.policies.items():
        after = new.policies.get(policy_id)
        if after is None:
            found.append(PolicyChange(policy_id, WITHDRAWN, sources=before.sources))
            continue
        found += _policy_changes(before, after, old, new, on)
    return found


def _policy_changes(
    before: Policy, after: Policy, old: Catalogue, new: Catalogue, on: date
) -> list[PolicyChange]:
    found = []
    if after.status == "superseded" and before.status != "superseded":
        found.append(
            PolicyChange(after.id, SUPERSEDED, successor_id=after.superseded_by, sources=after.sources)
        )
    ends = freshness(before, on, old).expires_on, freshness(after, on, new).expires_on
    if ends[0] != ends[1]:
        found.append(PolicyChange(after.id, END_DATE, before=ends[0], after=ends[1], sources=after.sources))
    old_facts = {f.key: f for f in before.facts}
    new_facts = {f.key: f for f in after.facts}
    for key, fact in new_facts.items():
        previous = old_facts.get(key)
        if previous is None:
            found.append(PolicyChange(after.id, FIGURE_ADDED, after=fact, sources=_of(fact, after)))
        elif _figure(previous) != _figure(fact):
            found.append(
                PolicyChange(after.id, FIGURE_CHANGED, before=previous, after=fact, sources=_of(fact, after))
            )
    for key, fact in old_facts.items():
        if key not in new_facts:
            found.append(PolicyChange(after.id, FIGURE_DROPPED, before=fact, sources=after.sources))
    return found


def _figure(fact: Fact) -> tuple:
    # What users read of a figure; a new source or wording of the same figure is no change for them.
    return fact.value, fact.unit, fact.text, fact.valid_from, fact.valid_until


def _of(fact: Fact, policy: Policy) -> tuple[str, ...]:
    return fact.sources or policy.sources
