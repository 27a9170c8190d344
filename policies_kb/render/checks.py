"""Eligibility verdicts: one policy's verdict with its reasons, and the summary of a check of all
policies, the same words in the chat and in the console's answer for a caller."""

from __future__ import annotations

from collections.abc import Iterable

from ..eligibility import (
    BASIS_LAPSED,
    ELIGIBLE,
    NEED_MORE_INFO,
    NOT_ELIGIBLE,
    ConditionAnswer,
    EligibilityResult,
)
from ..model import Catalogue, Policy
from .labels import STATUS_LABELS
from .lines import Rendered

DISCLAIMER = "以上为根据公开政策的初步判断，以经办部门审核为准。"

# The check of all policies: who may apply, what is still to be learnt, what waits for confirmation.
ALL_HEAD_ELIGIBLE = "根据您提供的情况，初步判断可以申请："
ALL_NONE = "根据您提供的情况，暂时没有判断为符合的政策。"
ALL_HEAD_MAYBE = "还需要进一步了解才能判断："
ALL_HEAD_LAPSED = (
    f"以下政策{STATUS_LABELS[BASIS_LAPSED]}（依据文件已到期，尚未查到延续文件），"
    "是否还能申请请拨打12333或向所在区就业促进中心确认："
)
ALL_TAIL = "想看某项政策的详细条件，直接说政策名称即可。以上为初步判断，以经办部门审核为准。"
MAX_MAYBE = 5


def check_verdict(result: EligibilityResult, max_questions: int = 3) -> Rendered:
    """The verdict, the reasons, up to max_questions follow-up questions and the next step."""
    if not result.current and result.status != BASIS_LAPSED:
        body = tuple(x for x in (*result.reasons, result.next_step) if x)
        return Rendered((f"「{result.policy_name}」不是现行政策。",), body)
    body = ["\n".join(f"· {r}" for r in result.reasons)]
    if result.manual_checks:
        body.append("\n".join(f"· {m}" for m in result.manual_checks))
    if result.missing_fields:
        questions = list(result.missing_fields.values())[:max_questions]
        body.append("请告诉我：\n" + "\n".join(f"{i}. {q}" for i, q in enumerate(questions, 1)))
    if result.next_step:
        body.append(f"下一步：{result.next_step}")
    body.append(DISCLAIMER)
    return Rendered((f"「{result.policy_name}」{STATUS_LABELS[result.status]}",), tuple(body))


def render_check_result(result: EligibilityResult, max_questions: int = 3) -> str:
    """`check_verdict` as one text."""
    return check_verdict(result, max_questions).text


def summarised(results: Iterable[EligibilityResult], catalogue: Catalogue) -> list[EligibilityResult]:
    """The verdicts a check of all policies reports: the city-wide policies in force, and those
    whose document has lapsed (district policies are for the district's own answers)."""
    return [
        r
        for r in results
        if (r.current or r.status == BASIS_LAPSED)
        and (policy := catalogue.policies.get(r.policy_id)) is not None
        and policy.scope == "city"
    ]


def _listed(head: str, results: Iterable[EligibilityResult]) -> str:
    return head + "\n" + "\n".join(f"· {r.policy_name}" for r in results)


def check_all_summary(results: Iterable[EligibilityResult], catalogue: Catalogue) -> Rendered:
    """The answer to "what can I apply for": first whether anything fits, then (at most MAX_MAYBE)
    policies that need more information, then the lapsed ones with the way to confirm them."""
    shown = summarised(results, catalogue)
    eligible = [r for r in shown if r.status == ELIGIBLE]
    maybe = [r for r in shown if r.status == NEED_MORE_INFO]
    lapsed = [r for r in shown if r.status == BASIS_LAPSED]
    head = _listed(ALL_HEAD_ELIGIBLE, eligible) if eligible else ALL_NONE
    body = []
    if maybe:
        body.append(_listed(ALL_HEAD_MAYBE, maybe[:MAX_MAYBE]))
    if lapsed:
        body.append(_listed(ALL_HEAD_LAPSED, lapsed))
    body.append(ALL_TAIL)
    return Rendered((head,), tuple(body))


def render_check_all(results: Iterable[EligibilityResult], catalogue: Catalogue) -> str:
    """`check_all_summary` as one text."""
    return check_all_summary(results, catalogue).text


# -- a verdict decided by the facts of one message, and a yes/no question about one condition ----

ALSO_FITS = "您还可以看看："
ALSO_MAYBE = "可能适合您的其他政策（还需了解一些情况）："
FULL_CHECK = "想完整判断能否申请，请说“帮我判断{name}”。"
CONDITION_HEADS = {"met": "可以。", "not_met": "不可以。", "unknown": "要看具体情况。"}
CONDITION_LINE = {"met": "符合", "not_met": "不符合", "unknown": "需满足"}
MAX_ALTERNATIVES = 3


def benefit_line(policy: Policy) -> str | None:
    """The amount the policy gives, as the knowledge base states it."""
    facts = [f for f in policy.facts if "amount" in f.key and not f.key.startswith("old_")]
    if not facts:
        return None
    return "；".join(f"{f.label}：{f.text}" for f in facts)


def decided_verdict(
    result: EligibilityResult, policy: Policy, others: Iterable[EligibilityResult], catalogue: Catalogue
) -> str:
    """The verdict with the amount when eligible, and the other policies that may fit when not
    (the policy's related ones first)."""
    verdict = check_verdict(result)
    extra, lead = [], []
    if result.status == ELIGIBLE and (benefit := benefit_line(policy)):
        lead.append(benefit)  # right under the verdict: what the user gets, before the reasons
    if result.status == NOT_ELIGIBLE:
        related = {pid: i for i, pid in enumerate(policy.related)}
        shown = sorted(
            (r for r in summarised(others, catalogue) if r.policy_id != result.policy_id),
            key=lambda r: related.get(r.policy_id, len(related)),
        )
        fits = [r for r in shown if r.status == ELIGIBLE][:MAX_ALTERNATIVES]
        maybe = [r for r in shown if r.status == NEED_MORE_INFO][:MAX_ALTERNATIVES]
        if fits:
            extra.append(_listed(ALSO_FITS, fits))
        if maybe:
            extra.append(_listed(ALSO_MAYBE, maybe))
    body = list(verdict.body)
    return "\n\n".join([*verdict.head, *lead, *body[:-1], *extra, *body[-1:]])


def condition_reply(answer: ConditionAnswer) -> str:
    """First line 可以/不可以/要看具体情况, then each deciding condition with its 文号, then the full check."""
    verdict = answer.verdict or "unknown"
    lines = [f"{CONDITION_HEADS[verdict]}「{answer.policy_name}」的相关条件："]
    for result, text, cite in answer.lines:
        lines.append(f"· {CONDITION_LINE[result]}：{text}{cite}")
    if verdict == "met":
        lines.append("这一条符合，其他条件也需满足。")
    lines.append(FULL_CHECK.format(name=answer.policy_name))
    return "\n".join(lines)
