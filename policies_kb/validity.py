"""Validity that follows the sources: what rests on a document ends with it, unless a successor is known.

A document (sources.yaml) may carry `valid_until`, the `superseded_by` source once an extension or
replacement is published, and `successor_checked_on`, the last day the policy team looked for one.
What rests on it inherits its end date:
- a whole item, through its `sources`;
- an eligibility rule, through its own `sources` or through an applicant group whose definition
  (`vocabulary.yaml` `defined_by`) the document gives, e.g. who counts as 就业困难人员;
- a fact, through its `sources`.
After the end date, with no successor, such an answer is neither "符合" nor "不符合": it says what
shared/policy_facts.md section 13 says and gives the rule as it stood.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .citations import document_name
from .model import AllOf, AnyOf, Catalogue, Condition, Fact, Leaf, Not, Policy, Rule, Source

EXPIRY_WARNING_DAYS = 60
ENDING, ENDED = "ending", "ended"


@dataclass(frozen=True)
class Lapse:
    """A document an answer rests on whose validity ends soon (ENDING) or has ended (ENDED)."""

    source: Source
    state: str
    ends_on: date
    days_left: int

    @property
    def ended(self) -> bool:
        return self.state == ENDED


def document_lapse(source_id: str, on: date, catalogue: Catalogue) -> Lapse | None:
    """The lapse of a document on `on`, following its successors; None while it (or a successor) holds."""
    source = in_force_version(source_id, catalogue)
    if source is None or source.valid_until is None:
        return None
    days_left = (source.valid_until - on).days
    if days_left < 0:
        return Lapse(source, ENDED, source.valid_until, days_left)
    if days_left <= EXPIRY_WARNING_DAYS:
        return Lapse(source, ENDING, source.valid_until, days_left)
    return None


def inherited_end(policy: Policy, catalogue: Catalogue) -> Source | None:
    """The document the item as a whole rests on that ends first (after following successors)."""
    ends = [in_force_version(s, catalogue) for s in policy.sources]
    dated = [s for s in ends if s is not None and s.valid_until is not None]
    return min(dated, key=lambda s: s.valid_until, default=None)  # type: ignore[arg-type, return-value]


def in_force_version(source_id: str, catalogue: Catalogue) -> Source | None:
    """The document that holds for this one: itself, or its successor (followed to the newest)."""
    seen: set[str] = set()
    source = catalogue.sources.get(source_id)
    while source is not None and source.superseded_by and source.superseded_by not in seen:
        seen.add(source.id)
        source = catalogue.sources.get(source.superseded_by)
    return source


def lapses(source_ids: Iterable[str], on: date, catalogue: Catalogue) -> tuple[Lapse, ...]:
    """The lapses among these documents, each once, in the order given."""
    found = (document_lapse(s, on, catalogue) for s in dict.fromkeys(source_ids))
    unique = {lapse.source.id: lapse for lapse in found if lapse is not None}
    return tuple(unique.values())


def policy_lapses(policy: Policy, on: date, catalogue: Catalogue) -> tuple[Lapse, ...]:
    """Documents the item as a whole rests on."""
    return lapses(policy.sources, on, catalogue)


def leaf_basis(leaf: Leaf, catalogue: Catalogue) -> tuple[str, ...]:
    """Documents a comparison rests on: the definition of the applicant group it names."""
    if leaf.field != "groups":
        return ()
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    groups = catalogue.vocabulary.applicant_groups
    return tuple(s for v in values if v in groups for s in groups[v].defined_by)


def condition_basis(node: Condition | None, catalogue: Catalogue) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, Leaf):
        return leaf_basis(node, catalogue)
    if isinstance(node, Not):
        return condition_basis(node.child, catalogue)
    assert isinstance(node, AllOf | AnyOf)
    return tuple(dict.fromkeys(s for child in node.children for s in condition_basis(child, catalogue)))


def rule_basis(rule: Rule, catalogue: Catalogue) -> tuple[str, ...]:
    """Documents a rule rests on: its own sources and the group definitions it uses."""
    return tuple(dict.fromkeys((*rule.sources, *condition_basis(rule.check, catalogue))))


def rule_lapses(rule: Rule, on: date, catalogue: Catalogue) -> tuple[Lapse, ...]:
    return lapses(rule_basis(rule, catalogue), on, catalogue)


def fact_lapses(fact: Fact, on: date, catalogue: Catalogue) -> tuple[Lapse, ...]:
    return lapses(fact.sources, on, catalogue)


def dependent_lapses(policy: Policy, on: date, catalogue: Catalogue) -> tuple[Lapse, ...]:
    """Lapses of documents that only part of the item rests on (a rule's group definition, a fact)."""
    own = {lapse.source.id for lapse in policy_lapses(policy, on, catalogue)}
    found = [
        *(lapse for rule in policy.eligibility for lapse in rule_lapses(rule, on, catalogue)),
        *(lapse for fact in policy.facts for lapse in fact_lapses(fact, on, catalogue)),
    ]
    unique = {lapse.source.id: lapse for lapse in found if lapse.source.id not in own}
    return tuple(unique.values())


def lapsed_groups(policy: Policy, lapse: Lapse, catalogue: Catalogue) -> tuple[str, ...]:
    """Chinese names of the applicant groups of the item's rules that this document defines."""
    names: list[str] = []
    for rule in policy.eligibility:
        for leaf in _leaves(rule.check):
            for group_id in leaf.value if isinstance(leaf.value, tuple) else (leaf.value,):
                term = catalogue.vocabulary.applicant_groups.get(group_id) if leaf.field == "groups" else None
                if term is not None and lapse.source.id in term.defined_by and term.name not in names:
                    names.append(term.name)
    return tuple(names)


def _leaves(node: Condition | None) -> Iterable[Leaf]:
    if node is None:
        return
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Not):
        yield from _leaves(node.child)
    else:
        for child in node.children:
            yield from _leaves(child)


# ---------------------------------------------------------------- wording (shared/policy_facts.md §13)


def _d(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def ended_notice(lapse: Lapse, subject: str = "") -> str:
    """The four things to say once a document's validity has ended and no successor is known.

    subject names the part of an item that rests on the document (「就业困难人员」的认定); without
    it the whole item does.
    """
    doc = document_name(lapse.source)
    checked = lapse.source.successor_checked_on
    when = f"截至知识库最近一次核对（{_d(checked)}）" if checked else "知识库中"
    lead = f"{subject}依据{doc}，该文件" if subject else doc
    tail = (
        "经由这一条件的资格，按该文件有效期内的规定判断，仅供参考。"
        if subject
        else "下面是该文件有效期内的规定，仅供参考。"
    )
    return (
        f"{lead}有效期到{_d(lapse.ends_on)}，已经到期；{when}还没有查到延续或替代文件。"
        f"{lapse.ends_on.year + 1}年以后还能不能申请、标准有没有变，以市人社局最新公布为准：请拨打12333，"
        f"或咨询所在区就业促进中心；已经在享受期内的，请向经办机构确认是否继续发放。{tail}"
    )


def ending_notice(lapse: Lapse, subject: str = "") -> str:
    doc = document_name(lapse.source)
    lead = f"{subject}依据{doc}，该文件" if subject else f"本政策依据的{doc}"
    return (
        f"注意：{lead}有效期至{_d(lapse.ends_on)}（还剩{lapse.days_left}天），"
        f"到期后是否延续尚未公布，请尽早申请并留意最新通知。"
    )


def notice(lapse: Lapse, subject: str = "") -> str:
    return ended_notice(lapse, subject) if lapse.ended else ending_notice(lapse, subject)


def group_subject(policy: Policy, lapse: Lapse, catalogue: Catalogue) -> str:
    """「就业困难人员」的认定 — the part of an item that rests on a group definition."""
    groups = lapsed_groups(policy, lapse, catalogue)
    return "、".join(f"「{g}」" for g in groups) + "的认定" if groups else "本政策的部分内容"
