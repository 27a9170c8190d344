"""Channel-agnostic Chinese plain text for a phone screen: facts with caveats, citations, cards.

The rules a user relies on live here, in one place: 待核实 always carries 【待核实】, an unpublished
figure says so and where to ask, and a policy that is not in force is announced as such before any
of its figures (which are then labelled 旧口径).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .citations import document_name
from .eligibility import BASIS_LAPSED, ELIGIBLE, NEED_MORE_INFO, NOT_ELIGIBLE, EligibilityResult
from .freshness import freshness
from .model import Catalogue, Fact, Policy, Source
from .validity import dependent_lapses, group_subject, notice

UNPUBLISHED = "未公布，请咨询12333或区就业促进中心"
CAVEAT = "【待核实】"
STATUS_LABELS = {
    ELIGIBLE: "初步判断：符合条件",
    NEED_MORE_INFO: "还需要了解一些情况",
    BASIS_LAPSED: "有效期已过、待确认",
    NOT_ELIGIBLE: "初步判断：暂不符合条件",
}
LAPSED_MARK = "【有效期已过、待确认】"


def _caveat(verification: str | None) -> str:
    return CAVEAT if verification == "待核实" else ""


def render_fact(fact: Fact, old: bool = False) -> str:
    """补贴标准：一次性8000元 — with 【待核实】 when uncertain and UNPUBLISHED when the value is null;
    a reference value names the period it holds for (2026年7月起)."""
    text = fact.text if fact.value is not None else UNPUBLISHED
    prefix = "（旧口径）" if old else ""
    return f"{prefix}{fact.label}{period(fact)}：{text}{_caveat(fact.verification)}"


def period(fact: Fact) -> str:
    """（2026年7月起） or （2025年7月至2026年6月）: empty for a fact without a period."""
    start, end = fact.valid_from, fact.valid_until
    if start and end:
        return f"（{start.year}年{start.month}月至{end.year}年{end.month}月）"
    if start:
        return f"（{start.year}年{start.month}月起）"
    return f"（至{end.year}年{end.month}月）" if end else ""


def part_notices(policy: Policy, catalogue: Catalogue, on: date) -> list[str]:
    """Notices for documents only part of the item rests on (e.g. who counts as 就业困难人员)."""
    return [
        f"⚠ {notice(lapse, group_subject(policy, lapse, catalogue))}"
        for lapse in dependent_lapses(policy, on, catalogue)
    ]


def render_citation(source: Source, verification: str | None = None) -> str:
    """来源：《标题》（文号），2023年1月1日发布｜原文."""
    line = f"来源：{document_name(source)}"
    if source.date:
        line += f"，{source.date.year}年{source.date.month}月{source.date.day}日"
    if verification:
        line += f"｜{verification}" + ("，请以官方最新口径为准" if verification == "待核实" else "")
    return line


_STRENGTH = {"原文": 0, "转述": 1, "待核实": 2}


def source_statuses(facts: Iterable[Fact]) -> dict[str, str]:
    """For each source the facts cite, the weakest verification of what it backs (原文 < 转述 < 待核实),
    so a citation says whether the figure above it is quoted, reported or unverified."""
    statuses: dict[str, str] = {}
    for fact in facts:
        for source_id in fact.sources:
            known = statuses.get(source_id)
            if known is None or _STRENGTH.get(fact.verification, 2) > _STRENGTH.get(known, 2):
                statuses[source_id] = fact.verification
    return statuses


def _citations(policy: Policy, catalogue: Catalogue, shown: Iterable[Fact] = ()) -> list[str]:
    statuses = source_statuses(shown)
    ordered = [*policy.sources, *statuses]
    return [
        render_citation(catalogue.sources[s], statuses.get(s))
        for s in dict.fromkeys(ordered)
        if s in catalogue.sources
    ]


def render_policy_card(policy: Policy, catalogue: Catalogue, on: date, max_facts: int = 4) -> str:
    """Name, notice if not in force, summary, key figures, how to apply, sources, freshness warning."""
    fresh = freshness(policy, on, catalogue)
    district = catalogue.vocabulary.districts.get(policy.district or "")
    scope = f"（{district.name}区级政策，仅适用于{district.name}）" if district else ""
    parts: list[str] = []
    old = fresh.historical
    if fresh.lapsed:
        parts.append(f"{LAPSED_MARK}{policy.name}{scope}")
        parts.append(f"⚠ {fresh.warning}")
    elif old:
        parts.append(f"【{'已被替代' if fresh.status == 'superseded' else '已失效'}】{policy.name}{scope}")
        parts.append(f"⚠ {fresh.warning}以下为历史口径，仅供参考，请勿据此申请。")
    else:
        parts.append(f"【{policy.name}】{scope}")
    parts.append(policy.summary + (CAVEAT if policy.partial else ""))
    if policy.facts:
        parts.append("\n".join(f"· {render_fact(f, old)}" for f in policy.facts[:max_facts]))
    if old:
        replacement = catalogue.policies.get(policy.superseded_by or "")
        if replacement is not None:
            parts.append(f"现行政策请看「{replacement.name}」。")
    elif policy.apply is not None:
        lines = []
        if policy.apply.online:
            lines.append(f"线上：{policy.apply.online}")
        if policy.apply.offline:
            lines.append(f"线下：{policy.apply.offline}")
        if policy.apply.deadline:
            lines.append(f"时限：{policy.apply.deadline}")
        if lines:
            parts.append("怎么申请" + _caveat(policy.apply.verification) + "：\n" + "\n".join(lines))
    if fresh.in_force and fresh.warning:
        parts.append(f"⚠ {fresh.warning}")
    if not old:
        parts += part_notices(policy, catalogue, on)
    citations = _citations(policy, catalogue, policy.facts[:max_facts])
    if citations:
        parts.append("\n".join(citations[:3]))
    return "\n\n".join(parts)


def render_check_result(result: EligibilityResult, max_questions: int = 3) -> str:
    """The verdict, the reasons, up to max_questions follow-up questions and the next step."""
    if not result.current and result.status != BASIS_LAPSED:
        head = f"「{result.policy_name}」不是现行政策。"
        return "\n\n".join(x for x in (head, *result.reasons, result.next_step) if x)
    parts = [f"「{result.policy_name}」{STATUS_LABELS[result.status]}"]
    parts.append("\n".join(f"· {r}" for r in result.reasons))
    if result.manual_checks:
        parts.append("\n".join(f"· {m}" for m in result.manual_checks))
    if result.missing_fields:
        questions = list(result.missing_fields.values())[:max_questions]
        parts.append("请告诉我：\n" + "\n".join(f"{i}. {q}" for i, q in enumerate(questions, 1)))
    if result.next_step:
        parts.append(f"下一步：{result.next_step}")
    parts.append("以上为根据公开政策的初步判断，以经办部门审核为准。")
    return "\n\n".join(parts)
