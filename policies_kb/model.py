"""Framework-free domain model of the knowledge base.

Plain frozen dataclasses so the same objects come out of the YAML parser and out of the database,
compare equal, and can be shared across threads without copying. Nothing here knows about
SQLAlchemy, jieba, spaCy or Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Verification = Literal["原文", "转述", "待核实"]
VERIFICATIONS: tuple[str, ...] = ("原文", "转述", "待核实")
UNITS: tuple[str, ...] = (
    "yuan",
    "wan_yuan",
    "yuan_per_month",
    "yuan_per_year",
    "wan_yuan_per_year",
    "percent",
    "month",
    "year",
    "day",
    "person",
    "times",
    "bp",
)
POLICY_STATUSES: tuple[str, ...] = ("current", "superseded", "expired", "reference")
SCOPES: tuple[str, ...] = ("city", "district")
RELIABILITIES: tuple[str, ...] = ("A", "B", "C")


@dataclass(frozen=True)
class Source:
    """A document backing facts; cited to users as title + 文号 + date."""

    id: str
    title: str
    doc_number: str | None = None
    date: date | None = None
    url: str | None = None
    publisher: str | None = None
    reliability: str | None = None
    note: str | None = None
    # Validity of the document itself: what rests on it inherits valid_until (see validity.py).
    valid_until: date | None = None
    superseded_by: str | None = None  # source id of the successor document, once one is known
    successor_checked_on: date | None = None  # the last day someone looked for an extension or successor


@dataclass(frozen=True)
class Term:
    """A vocabulary entry (district or applicant group): canonical id, Chinese name, aliases."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    defined_by: tuple[
        str, ...
    ] = ()  # source ids that define who belongs (e.g. 就业困难人员 by 沪人社规〔2022〕8号)

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Every way users write it, the official name first."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Vocabulary:
    """Closed vocabularies referenced by policies and profiles."""

    districts: dict[str, Term] = field(default_factory=dict)
    applicant_groups: dict[str, Term] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)

    def district_id(self, text: str) -> str | None:
        """Map a district id, name or alias (e.g. 浦东, 卢湾) to the district id."""
        return _lookup(self.districts, text)

    def group_id(self, text: str) -> str | None:
        """Map an applicant-group id, name or alias (e.g. 海归) to the group id."""
        return _lookup(self.applicant_groups, text)


def _lookup(terms: dict[str, Term], text: str) -> str | None:
    text = text.strip()
    if text in terms:
        return text
    for term in terms.values():
        if text in term.surface_forms:
            return term.id
    return None


@dataclass(frozen=True)
class Fact:
    """A typed figure (amount, cap, rate, duration); value None means the sources do not publish it."""

    key: str
    label: str
    value: int | float | None
    unit: str | None
    text: str
    verification: str
    sources: tuple[str, ...] = ()
    # A reference value (缴费基数, 最低工资) holds for a period; answers name it, reviews flag its end.
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class Leaf:
    """A comparison of one profile field; see DATA_FORMAT.md "Rules" for the operators."""

    field: str
    op: str
    value: Any = None
    ref: str | None = None


@dataclass(frozen=True)
class AllOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    child: Condition


Condition = Leaf | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Rule:
    """One eligibility condition as the document states it; check None = needs a human to verify."""

    id: str
    text: str
    verification: str
    sources: tuple[str, ...] = ()
    check: Condition | None = None


@dataclass(frozen=True)
class ApplyInfo:
    """Where and by when to apply."""

    online: str | None = None
    offline: str | None = None
    deadline: str | None = None
    verification: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """A 特别提示 or caveat shown with the policy."""

    text: str
    verification: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """One policy item: current, historical (superseded / expired) or a "don't confuse" reference."""

    id: str
    name: str
    category: str
    status: str
    summary: str
    aliases: tuple[str, ...] = ()
    scope: str = "city"
    district: str | None = None
    superseded_by: str | None = None
    issuers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    effective_from: date | None = None
    expires_on: date | None = None
    last_reviewed: date | None = None
    partial: bool = False
    facts: tuple[Fact, ...] = ()
    eligibility: tuple[Rule, ...] = ()
    apply: ApplyInfo | None = None
    materials: tuple[str, ...] | None = None
    notes: tuple[Note, ...] = ()
    related: tuple[str, ...] = ()
    replacement_note: str | None = None

    @property
    def is_current(self) -> bool:
        """True unless the item is marked superseded or expired (dates are judged by freshness())."""
        return self.status in ("current", "reference")

    def fact(self, key: str) -> Fact | None:
        return next((f for f in self.facts if f.key == key), None)


@dataclass(frozen=True)
class Catalogue:
    """The whole validated knowledge base, in file order (policies sorted by id)."""

    sources: dict[str, Source]
    vocabulary: Vocabulary
    policies: dict[str, Policy]
    fingerprint: str = ""

    def policy(self, policy_id: str) -> Policy:
        try:
            return self.policies[policy_id]
        except KeyError:
            raise KeyError(f"unknown policy id {policy_id!r}") from None

    def alias_index(self) -> dict[str, tuple[str, ...]]:
        """Surface form (name or alias) -> the policy ids it names (several when ambiguous)."""
        index: dict[str, list[str]] = {}
        for policy in self.policies.values():
            for form in (policy.name, *policy.aliases):
                ids = index.setdefault(form, [])
                if policy.id not in ids:
                    ids.append(policy.id)
        return {form: tuple(ids) for form, ids in index.items()}
