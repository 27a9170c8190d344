"""Eligibility engine: pure functions from (policy, profile, reference date) to a reported verdict.

Rules are ANDed. A definite False anywhere makes the verdict not_eligible even if other rules are
unknown or need a person (check: null), because the user deserves a clear "no" as early as
possible; otherwise unknown rules turn into questions. Non-current policies are never eligible.

A verdict that rests on a document whose validity has ended, with no successor known (validity.py),
is basis_lapsed: neither "符合" nor "不符合", with the reason. A verdict that holds through another
condition (a graduate within two years, where 就业困难人员 would also do) stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .citations import documents
from .freshness import Freshness, freshness
from .model import Catalogue, Policy, Rule
from .profile import QUESTIONS, ApplicantProfile
from .rules import evaluate
from .validity import Lapse, group_subject, leaf_basis, notice, rule_lapses

ELIGIBLE, NOT_ELIGIBLE, NEED_MORE_INFO = "eligible", "not_eligible", "need_more_info"
BASIS_LAPSED = "basis_lapsed"
_ORDER = {ELIGIBLE: 0, NEED_MORE_INFO: 1, BASIS_LAPSED: 2, NOT_ELIGIBLE: 3}


@dataclass(frozen=True)
class RuleOutcome:
    """result: met | not_met | unknown | manual (check: null, a person must verify)."""

    rule_id: str
    text: str
    verification: str
    result: str
    missing_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class EligibilityResult:
    policy_id: str
    policy_name: str
    status: str
    current: bool
    reasons: tuple[str, ...]
    missing_fields: dict[str, str] = field(default_factory=dict)  # field -> Chinese question
    manual_checks: tuple[str, ...] = ()
    next_step: str | None = None
    superseded_by: str | None = None
    freshness: Freshness | None = None
    outcomes: tuple[RuleOutcome, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "policy_name": self.policy_name,
            "status": self.status,
            "current": self.current,
            "reasons": list(self.reasons),
            "missing_fields": dict(self.missing_fields),
            "manual_checks": list(self.manual_checks),
            "next_step": self.next_step,
            "superseded_by": self.superseded_by,
            "freshness": self.freshness.to_dict() if self.freshness else None,
            "rules": [
                {"id": o.rule_id, "result": o.result, "missing_fields": list(o.missing_fields)}
                for o in self.outcomes
            ],
        }


def _caveat(rule: Rule) -> str:
    return "【待核实】" if rule.verification == "待核实" else ""


def _cite(rule: Rule, policy: Policy, catalogue: Catalogue) -> str:
    """The 文号 when the documents have one (short enough for a phone screen), else their titles."""
    fallback = policy.sources if rule.verification != "待核实" else ()
    ids = rule.sources or fallback
    numbers = [catalogue.sources[s].doc_number for s in ids if s in catalogue.sources]
    docs = "、".join(dict.fromkeys(n for n in numbers if n)) or documents(ids, catalogue)
    return f"（依据：{docs}）" if docs else ""


def next_step(policy: Policy) -> str | None:
    """Where and by when to apply, from the policy's apply section."""
    from .render.lines import apply_lines  # render imports this module: imported when first used

    if policy.apply is None:
        return None
    parts = apply_lines(policy.apply)
    if not parts:
        return None
    caveat = "【待核实】" if policy.apply.verification == "待核实" else ""
    return "；".join(parts) + caveat


def check_policy(
    policy: Policy, profile: ApplicantProfile, on: date, catalogue: Catalogue
) -> EligibilityResult:
    """Evaluate every rule of one policy and explain the verdict in Chinese."""
    fresh = freshness(policy, on, catalogue)
    if fresh.lapsed:
        return _check_lapsed_policy(policy, profile, on, catalogue, fresh)
    if not fresh.in_force:
        replacement = catalogue.policies.get(policy.superseded_by or "")
        step = (
            f"请查询现行政策「{replacement.name}」的申请条件。"
            if replacement
            else "请咨询12333或区就业促进中心了解现行政策。"
        )
        return EligibilityResult(
            policy.id,
            policy.name,
            NOT_ELIGIBLE,
            False,
            (f"不是现行政策：{fresh.warning}",),
            next_step=step,
            superseded_by=policy.superseded_by,
            freshness=fresh,
        )

    outcomes: list[RuleOutcome] = []
    failed, unknown, met, manual = [], [], [], []
    lapsed_met, lapsed_failed = [], []
    relied_on: dict[str, Lapse] = {}  # documents the verdict rests on that end soon or have ended
    for rule in policy.eligibility:
        cite = _cite(rule, policy, catalogue)
        if rule.check is None:
            outcomes.append(RuleOutcome(rule.id, rule.text, rule.verification, "manual"))
            manual.append(f"需人工核实：{rule.text}{_caveat(rule)}{cite}")
            continue
        truth, missing = evaluate(rule.check, profile, on)
        line = f"{rule.text}{_caveat(rule)}{cite}"
        basis = _rests_on(rule, truth, profile, on, catalogue)
        relied_on.update((lapse.source.id, lapse) for lapse in basis)
        ended = any(lapse.ended for lapse in basis)
        result = {True: "met", False: "not_met", None: "unknown"}[truth]
        if ended:
            result = "basis_lapsed"
        outcomes.append(RuleOutcome(rule.id, rule.text, rule.verification, result, missing))
        if truth is False:
            (lapsed_failed if ended else failed).append(f"不符合：{line}")
        elif truth is None:
            unknown.append((f"待确认：{line}", missing))
        else:
            (lapsed_met if ended else met).append(f"符合：{line}")

    own = fresh.lapse.source.id if fresh.lapse else None  # already said by fresh.warning
    notices = [
        notice(lapse, group_subject(policy, lapse, catalogue))
        for lapse in relied_on.values()
        if lapse.source.id != own
    ]
    missing_fields: dict[str, str] = {}
    if failed:
        status, reasons = NOT_ELIGIBLE, failed
        notices = []
    elif unknown:
        status, reasons = NEED_MORE_INFO, [text for text, _ in unknown] + lapsed_met + met
        for _, fields_ in unknown:
            for name in fields_:
                missing_fields.setdefault(name, QUESTIONS[name])
    elif lapsed_met or lapsed_failed:
        status, reasons = BASIS_LAPSED, [f"按原规定{line}" for line in lapsed_failed + lapsed_met] + met
    elif not met:
        # No rule could be decided from the profile (none, or only check: null): never a "yes".
        status, reasons = (
            NEED_MORE_INFO,
            ["公开资料中没有可以自动判断的申请条件，请咨询12333或区就业促进中心。"],
        )
    else:
        status, reasons = ELIGIBLE, met
    reasons = [*notices, *reasons] if status == BASIS_LAPSED else [*reasons, *notices]
    if fresh.warning:
        reasons = [*reasons, fresh.warning]
    return EligibilityResult(
        policy_id=policy.id,
        policy_name=policy.name,
        status=status,
        current=True,
        reasons=tuple(reasons),
        missing_fields=missing_fields,
        manual_checks=tuple(manual),
        next_step=next_step(policy) if status in (ELIGIBLE, NEED_MORE_INFO) else None,
        freshness=fresh,
        outcomes=tuple(outcomes),
    )


def _rests_on(
    rule: Rule, truth: bool | None, profile: ApplicantProfile, on: date, catalogue: Catalogue
) -> tuple[Lapse, ...]:
    """The lapsing documents this rule's outcome depends on: without them it would not be decided."""
    found = rule_lapses(rule, on, catalogue)
    if truth is None or not found or rule.check is None:
        return ()
    ids = {lapse.source.id for lapse in found}
    if ids & set(rule.sources):
        return found
    strict, _ = evaluate(
        rule.check, profile, on, doubtful=lambda leaf: bool(ids & set(leaf_basis(leaf, catalogue)))
    )
    return found if strict is not truth else ()


def _check_lapsed_policy(
    policy: Policy, profile: ApplicantProfile, on: date, catalogue: Catalogue, fresh: Freshness
) -> EligibilityResult:
    """The whole item rests on an ended document: say so, then how the rules stood, without a verdict."""
    outcomes, lines = [], []
    for rule in policy.eligibility:
        if rule.check is None:
            outcomes.append(RuleOutcome(rule.id, rule.text, rule.verification, "manual"))
            continue
        truth, missing = evaluate(rule.check, profile, on)
        outcomes.append(RuleOutcome(rule.id, rule.text, rule.verification, "basis_lapsed", missing))
        verdict = {True: "符合", False: "不符合", None: "待确认"}[truth]
        lines.append(f"按原规定{verdict}：{rule.text}{_caveat(rule)}{_cite(rule, policy, catalogue)}")
    return EligibilityResult(
        policy.id,
        policy.name,
        BASIS_LAPSED,
        False,
        (fresh.warning or "", *lines),
        freshness=fresh,
        outcomes=tuple(outcomes),
    )


def check_all(profile: ApplicantProfile, on: date, catalogue: Catalogue) -> list[EligibilityResult]:
    """Check every current policy that has rules: eligible, need_more_info, basis_lapsed, not_eligible."""
    results = [
        check_policy(p, profile, on, catalogue)
        for p in catalogue.policies.values()
        if p.status == "current" and p.eligibility
    ]
    return sorted(results, key=lambda r: _ORDER[r.status])


def rule_citation(rule: Rule, policy: Policy, catalogue: Catalogue) -> str:
    """The rule's "（依据：文号）", as the verdicts cite it."""
    return _cite(rule, policy, catalogue)


def rule_fields(rule: Rule) -> tuple[str, ...]:
    """The profile fields a rule reads (none for a manual check)."""
    if rule.check is None:
        return ()
    _, missing = evaluate(rule.check, ApplicantProfile(), date.today())
    return missing


@dataclass(frozen=True)
class ConditionAnswer:
    """How the rules of one policy that read `fields` stand on a partial profile.

    result: met | not_met | unknown for each (rule, citation)."""

    policy_id: str
    policy_name: str
    lines: tuple[tuple[str, str, str], ...]  # (result, rule text, citation)

    @property
    def verdict(self) -> str | None:
        results = {r for r, _, _ in self.lines}
        if not results:
            return None
        if "not_met" in results:
            return "not_met"
        return "met" if results == {"met"} else "unknown"


def condition_answer(
    policy: Policy, profile: ApplicantProfile, fields: set[str], on: date, catalogue: Catalogue
) -> ConditionAnswer:
    """The rules of `policy` about the asked `fields`, evaluated on what the user said."""
    lines = []
    for rule in policy.eligibility:
        if rule.check is None or not set(rule_fields(rule)) & fields:
            continue
        truth, _ = evaluate(rule.check, profile, on)
        result = {True: "met", False: "not_met", None: "unknown"}[truth]
        lines.append((result, f"{rule.text}{_caveat(rule)}", _cite(rule, policy, catalogue)))
    return ConditionAnswer(policy.id, policy.name, tuple(lines))
