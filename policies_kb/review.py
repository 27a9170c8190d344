"""The policy team's review report (issue #22): what needs looking at on a given day, most urgent first.

    review(catalogue, on) -> Review          # plain dataclasses; .to_dict() for JSON
    render_review_text(review) -> str        # Chinese text for the terminal

Five sections:
- documents (sources.yaml `valid_until`) that end within the horizon, or have ended with no
  successor recorded (`superseded_by`), with the last successor check and everything resting on
  them: whole items (their `sources`), rules (their sources, or an applicant group the document
  defines, vocabulary `defined_by`) and facts (their sources) — as policies_kb.validity decides;
- items whose own `expires_on` falls within the horizon or has passed (status current);
- reference values (facts with `valid_until`) whose period has passed or ends within the horizon;
- items never reviewed (`last_reviewed` null) or not reviewed for more than REVIEW_INTERVAL_DAYS;
- counts of 待核实 facts, rules and notes per item.

Only items in force by their status (current, reference) are reviewed: superseded and expired
items are history and are never presented as current anyway. Framework-free, like the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .citations import document_name
from .model import Catalogue, Condition, Leaf, Not, Policy, Rule, Source
from .validity import ENDED, ENDING, in_force_version, leaf_basis, rule_basis

DEFAULT_HORIZON_DAYS = 90
REVIEW_INTERVAL_DAYS = 180
UNVERIFIED = "待核实"
OPEN_STATUSES = ("current", "reference")
VIA_ITEM, VIA_RULE, VIA_FACT = "item", "rule", "fact"
VIA_LABELS = {VIA_ITEM: "整项政策", VIA_RULE: "申请条件", VIA_FACT: "数据项"}
STATE_LABELS = {ENDED: "已到期", ENDING: "即将到期"}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _d(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _state(days_left: int) -> str:
    return ENDED if days_left < 0 else ENDING


def _when(days_left: int) -> str:
    if days_left < 0:
        return f"已过期{-days_left}天"
    return "今天到期" if days_left == 0 else f"还剩{days_left}天"


# ---------------------------------------------------------------- report types


@dataclass(frozen=True)
class Dependant:
    """Something that rests on a document: a whole item, one of its rules or one of its facts."""

    policy_id: str
    policy_name: str
    via: str  # item | rule | fact
    part_id: str | None = None  # rule id or fact key
    part_text: str | None = None  # the rule's text or the fact's label
    groups: tuple[str, ...] = ()  # Chinese names of the applicant groups the document defines

    def describe(self) -> str:
        if self.via == VIA_ITEM:
            return f"「{self.policy_name}」整项政策"
        through = f"（经由{'、'.join(f'「{g}」' for g in self.groups)}的认定）" if self.groups else ""
        return f"「{self.policy_name}」{VIA_LABELS[self.via]}：{self.part_text}{through}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "policy_name": self.policy_name,
            "via": self.via,
            "via_label": VIA_LABELS[self.via],
            "part_id": self.part_id,
            "part_text": self.part_text,
            "groups": list(self.groups),
            "text": self.describe(),
        }


@dataclass(frozen=True)
class DocumentDue:
    source_id: str
    title: str
    doc_number: str | None
    valid_until: date
    days_left: int
    successor_checked_on: date | None
    dependants: tuple[Dependant, ...]

    @property
    def state(self) -> str:
        return _state(self.days_left)

    @property
    def name(self) -> str:
        return self.doc_number or self.title

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "title": self.title,
            "doc_number": self.doc_number,
            "valid_until": _iso(self.valid_until),
            "days_left": self.days_left,
            "state": self.state,
            "state_label": STATE_LABELS[self.state],
            "when": _when(self.days_left),
            "successor_checked_on": _iso(self.successor_checked_on),
            "dependants": [d.to_dict() for d in self.dependants],
        }


@dataclass(frozen=True)
class ItemExpiry:
    policy_id: str
    policy_name: str
    expires_on: date
    days_left: int

    @property
    def state(self) -> str:
        return _state(self.days_left)

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "policy_name": self.policy_name,
            "expires_on": _iso(self.expires_on),
            "days_left": self.days_left,
            "state": self.state,
            "state_label": STATE_LABELS[self.state],
            "when": _when(self.days_left),
        }


@dataclass(frozen=True)
class ReferenceValueDue:
    policy_id: str
    policy_name: str
    key: str
    label: str
    text: str
    verification: str
    valid_from: date | None
    valid_until: date
    days_left: int

    @property
    def state(self) -> str:
        return _state(self.days_left)

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "policy_name": self.policy_name,
            "key": self.key,
            "label": self.label,
            "text": self.text,
            "verification": self.verification,
            "valid_from": _iso(self.valid_from),
            "valid_until": _iso(self.valid_until),
            "days_left": self.days_left,
            "state": self.state,
            "state_label": "期限已过" if self.state == ENDED else "期限将到",
            "when": _when(self.days_left),
        }


@dataclass(frozen=True)
class ReviewDue:
    policy_id: str
    policy_name: str
    last_reviewed: date | None
    days_since: int | None  # None: never reviewed

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "policy_name": self.policy_name,
            "last_reviewed": _iso(self.last_reviewed),
            "days_since": self.days_since,
            "when": "从未核对" if self.days_since is None else f"{self.days_since}天未核对",
        }


@dataclass(frozen=True)
class UnverifiedCount:
    policy_id: str
    policy_name: str
    facts: int
    rules: int
    notes: int

    @property
    def total(self) -> int:
        return self.facts + self.rules + self.notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "policy_name": self.policy_name,
            "facts": self.facts,
            "rules": self.rules,
            "notes": self.notes,
            "total": self.total,
        }


@dataclass(frozen=True)
class Review:
    on: date
    horizon_days: int
    review_interval_days: int
    documents: tuple[DocumentDue, ...]
    expiring_items: tuple[ItemExpiry, ...]
    reference_values: tuple[ReferenceValueDue, ...]
    unreviewed: tuple[ReviewDue, ...]
    unverified: tuple[UnverifiedCount, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "horizon_days": self.horizon_days,
            "review_interval_days": self.review_interval_days,
            "documents": [d.to_dict() for d in self.documents],
            "expiring_items": [i.to_dict() for i in self.expiring_items],
            "reference_values": [v.to_dict() for v in self.reference_values],
            "unreviewed": [u.to_dict() for u in self.unreviewed],
            "unverified": [u.to_dict() for u in self.unverified],
        }


# ---------------------------------------------------------------- building the report


def review(catalogue: Catalogue, on: date, horizon_days: int = DEFAULT_HORIZON_DAYS) -> Review:
    """What the policy team should look at on `on`; every section sorted most urgent first."""
    if horizon_days < 0:
        raise ValueError("horizon_days must not be negative")
    policies = [p for p in catalogue.policies.values() if p.status in OPEN_STATUSES]
    return Review(
        on=on,
        horizon_days=horizon_days,
        review_interval_days=REVIEW_INTERVAL_DAYS,
        documents=_documents(catalogue, policies, on, horizon_days),
        expiring_items=_expiring_items(policies, on, horizon_days),
        reference_values=_reference_values(policies, on, horizon_days),
        unreviewed=_unreviewed(policies, on),
        unverified=_unverified(policies),
    )


def _documents(
    catalogue: Catalogue, policies: list[Policy], on: date, horizon_days: int
) -> tuple[DocumentDue, ...]:
    due: list[DocumentDue] = []
    for source in catalogue.sources.values():
        if source.valid_until is None or source.superseded_by:
            continue  # open-ended, or a successor is recorded (listed itself if it ends)
        days_left = (source.valid_until - on).days
        if days_left > horizon_days:
            continue
        due.append(
            DocumentDue(
                source_id=source.id,
                title=source.title,
                doc_number=source.doc_number,
                valid_until=source.valid_until,
                days_left=days_left,
                successor_checked_on=source.successor_checked_on,
                dependants=_dependants(source.id, catalogue, policies),
            )
        )
    return tuple(sorted(due, key=lambda d: (d.days_left, d.source_id)))


def _rests_on(source_ids: tuple[str, ...], document_id: str, catalogue: Catalogue) -> bool:
    for source_id in source_ids:
        held = in_force_version(source_id, catalogue)
        if held is not None and held.id == document_id:
            return True
    return False


def _dependants(document_id: str, catalogue: Catalogue, policies: list[Policy]) -> tuple[Dependant, ...]:
    whole: list[Dependant] = []
    parts: list[Dependant] = []
    for policy in policies:
        if _rests_on(policy.sources, document_id, catalogue):
            whole.append(Dependant(policy.id, policy.name, VIA_ITEM))
            continue  # its rules and facts rest on the document with it
        for rule in policy.eligibility:
            if _rests_on(rule_basis(rule, catalogue), document_id, catalogue):
                groups = _groups_defined_by(rule, document_id, catalogue)
                parts.append(Dependant(policy.id, policy.name, VIA_RULE, rule.id, rule.text, groups))
        for fact in policy.facts:
            if _rests_on(fact.sources, document_id, catalogue):
                parts.append(Dependant(policy.id, policy.name, VIA_FACT, fact.key, fact.label))
    order = {VIA_RULE: 0, VIA_FACT: 1}
    parts.sort(key=lambda d: (order[d.via], d.policy_id))
    return (*whole, *parts)


def _groups_defined_by(rule: Rule, document_id: str, catalogue: Catalogue) -> tuple[str, ...]:
    """Names of the applicant groups in the rule whose definition rests on the document."""
    groups = catalogue.vocabulary.applicant_groups
    names: list[str] = []
    for leaf in _leaves(rule.check):
        if not _rests_on(leaf_basis(leaf, catalogue), document_id, catalogue):
            continue
        for group_id in leaf.value if isinstance(leaf.value, tuple) else (leaf.value,):
            term = groups.get(group_id)
            if (
                term is not None
                and _rests_on(term.defined_by, document_id, catalogue)
                and term.name not in names
            ):
                names.append(term.name)
    return tuple(names)


def _leaves(node: Condition | None) -> list[Leaf]:
    if node is None:
        return []
    if isinstance(node, Leaf):
        return [node]
    children = (node.child,) if isinstance(node, Not) else node.children
    return [leaf for child in children for leaf in _leaves(child)]


def _expiring_items(policies: list[Policy], on: date, horizon_days: int) -> tuple[ItemExpiry, ...]:
    due = [
        ItemExpiry(p.id, p.name, p.expires_on, (p.expires_on - on).days)
        for p in policies
        if p.status == "current" and p.expires_on is not None and (p.expires_on - on).days <= horizon_days
    ]
    return tuple(sorted(due, key=lambda i: (i.days_left, i.policy_id)))


def _reference_values(policies: list[Policy], on: date, horizon_days: int) -> tuple[ReferenceValueDue, ...]:
    due = [
        ReferenceValueDue(
            p.id,
            p.name,
            f.key,
            f.label,
            f.text,
            f.verification,
            f.valid_from,
            f.valid_until,
            (f.valid_until - on).days,
        )
        for p in policies
        for f in p.facts
        if f.valid_until is not None and (f.valid_until - on).days <= horizon_days
    ]
    return tuple(sorted(due, key=lambda v: (v.days_left, v.policy_id, v.key)))


def _unreviewed(policies: list[Policy], on: date) -> tuple[ReviewDue, ...]:
    due: list[ReviewDue] = []
    for p in policies:
        if p.last_reviewed is None:
            due.append(ReviewDue(p.id, p.name, None, None))
        elif (on - p.last_reviewed).days > REVIEW_INTERVAL_DAYS:
            due.append(ReviewDue(p.id, p.name, p.last_reviewed, (on - p.last_reviewed).days))
    # Never reviewed first, then the longest unreviewed.
    return tuple(sorted(due, key=lambda r: (r.days_since is not None, -(r.days_since or 0), r.policy_id)))


def _unverified(policies: list[Policy]) -> tuple[UnverifiedCount, ...]:
    counts = [
        UnverifiedCount(
            p.id,
            p.name,
            sum(f.verification == UNVERIFIED for f in p.facts),
            sum(r.verification == UNVERIFIED for r in p.eligibility),
            sum(n.verification == UNVERIFIED for n in p.notes),
        )
        for p in policies
    ]
    return tuple(sorted((c for c in counts if c.total), key=lambda c: (-c.total, c.policy_id)))


# ---------------------------------------------------------------- text


def render_review_text(report: Review) -> str:
    """The report as Chinese text for the policy team, one section per heading."""
    lines = [
        f"政策核查报告（核查日期：{_d(report.on)}；提前{report.horizon_days}天提示；"
        f"超过{report.review_interval_days}天未核对视为待复核）",
        "",
        f"一、即将到期或已到期的文件（{len(report.documents)}份）",
    ]
    if not report.documents:
        lines.append("  无")
    for doc in report.documents:
        lines.append(f"  {document_name(_as_source(doc))}")
        checked = _d(doc.successor_checked_on) if doc.successor_checked_on else "从未核对"
        lines.append(
            f"    有效期至{_d(doc.valid_until)}（{STATE_LABELS[doc.state]}，{_when(doc.days_left)}）；"
            f"后续文件：未录入；最近一次查找后续文件：{checked}"
        )
        lines.append(f"    依赖该文件的内容（{len(doc.dependants)}项）：")
        lines.extend(f"    - {d.describe()}" for d in doc.dependants)
        if not doc.dependants:
            lines.append("    - 无")
    lines += ["", f"二、本身有效期将到或已过的政策（{len(report.expiring_items)}项）"]
    lines += [
        f"  - 「{i.policy_name}」有效期至{_d(i.expires_on)}（{_when(i.days_left)}）"
        for i in report.expiring_items
    ]
    if not report.expiring_items:
        lines.append("  无")
    lines += ["", f"三、期限将到或已过的参考数值（{len(report.reference_values)}项）"]
    for v in report.reference_values:
        period = f"{_d(v.valid_from)}至{_d(v.valid_until)}" if v.valid_from else f"至{_d(v.valid_until)}"
        lines.append(f"  - 「{v.policy_name}」{v.label}：{v.text}（适用期{period}，{_when(v.days_left)}）")
    if not report.reference_values:
        lines.append("  无")
    lines += [
        "",
        f"四、从未核对或超过{report.review_interval_days}天未核对的政策（{len(report.unreviewed)}项）",
    ]
    for r in report.unreviewed:
        when = (
            "从未核对" if r.last_reviewed is None else f"最近核对{_d(r.last_reviewed)}（{r.days_since}天前）"
        )
        lines.append(f"  - 「{r.policy_name}」{when}")
    if not report.unreviewed:
        lines.append("  无")
    lines += ["", f"五、待核实内容统计（{len(report.unverified)}项政策）"]
    for c in report.unverified:
        lines.append(
            f"  - 「{c.policy_name}」数据{c.facts}项、条件{c.rules}项、提示{c.notes}项，共{c.total}项"
        )
    if not report.unverified:
        lines.append("  无")
    return "\n".join(lines) + "\n"


def _as_source(doc: DocumentDue) -> Source:
    return Source(id=doc.source_id, title=doc.title, doc_number=doc.doc_number)
