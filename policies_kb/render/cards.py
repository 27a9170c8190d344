"""A policy's card: what the assistant shows when asked about a policy without a narrower question.

A policy that is not in force is announced as such before any of its figures (which are then
labelled 旧口径); a lapsed one carries LAPSED_MARK and the notice of the ended document.
"""

from __future__ import annotations

from datetime import date

from ..freshness import freshness
from ..model import Catalogue, Policy
from .labels import LAPSED_MARK
from .lines import CAVEAT, Rendered, apply_lines, caveat, citation_lines, part_notices, render_fact


def policy_card(policy: Policy, catalogue: Catalogue, on: date, max_facts: int = 4) -> Rendered:
    """Name, notice if not in force, summary, key figures, how to apply, sources, freshness warning."""
    fresh = freshness(policy, on, catalogue)
    district = catalogue.vocabulary.districts.get(policy.district or "")
    scope = f"（{district.name}区级政策，仅适用于{district.name}）" if district else ""
    old = fresh.historical
    if fresh.lapsed:
        head = (f"{LAPSED_MARK}{policy.name}{scope}", f"⚠ {fresh.warning}")
    elif old:
        head = (
            f"【{'已被替代' if fresh.status == 'superseded' else '已失效'}】{policy.name}{scope}",
            f"⚠ {fresh.warning}以下为历史口径，仅供参考，请勿据此申请。",
        )
    else:
        head = (f"【{policy.name}】{scope}",)
    body = [policy.summary + (CAVEAT if policy.partial else "")]
    shown = policy.facts[:max_facts]
    if shown:
        body.append("\n".join(f"· {render_fact(f, old)}" for f in shown))
    if old:
        replacement = catalogue.policies.get(policy.superseded_by or "")
        if replacement is not None:
            body.append(f"现行政策请看「{replacement.name}」。")
    elif policy.apply is not None:
        lines = apply_lines(policy.apply)
        if lines:
            body.append("怎么申请" + caveat(policy.apply.verification) + "：\n" + "\n".join(lines))
    if fresh.in_force and fresh.warning:
        body.append(f"⚠ {fresh.warning}")
    if not old:
        body += part_notices(policy, catalogue, on)
    sources = [*policy.sources, *(s for f in shown for s in f.sources)]
    return Rendered(head, tuple(body), citation_lines(catalogue, sources, shown, limit=3))


def render_policy_card(policy: Policy, catalogue: Catalogue, on: date, max_facts: int = 4) -> str:
    """The card as one text (`policy_card` gives its parts)."""
    return policy_card(policy, catalogue, on, max_facts).text
