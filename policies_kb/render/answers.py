"""Answers to a question about one policy: the part asked about (an aspect), the district the user
named, or the card; and the one-line entry of an overview list.

An aspect answer is compact (one line each: the name, the lines that answer, the sources), because
it answers one question on a phone screen; anything else gets the card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from ..freshness import freshness
from ..model import Catalogue, Fact, Policy
from .cards import policy_card
from .labels import LAPSED_MARK
from .lines import Rendered, caveat, chinese_date, citation_lines, part_notices, render_fact

# Fact labels that answer each numeric aspect (labels are Chinese, from the data files).
ASPECT_LABEL_WORDS = {
    "amount": ("额度", "金额", "标准", "最高", "补贴", "资助", "奖励", "人数"),
    "interest": ("利率", "贴息", "利息"),
    "duration": ("期限", "时长", "年限", "期"),
}
MAX_RELATED = 5

NO_MATERIALS = "申请材料：官方未公布完整清单，请以自助经办系统页面或区就业促进中心的要求为准。"
NO_APPLY_INFO = "申请渠道：资料中未写明，请咨询12333或区就业促进中心。"
ASK_ELIGIBILITY_HINT = "想知道自己是否符合，可以说“帮我判断能不能申请”。"


def aspect_facts(policy: Policy, aspect: str) -> list[Fact]:
    """The facts that answer a numeric aspect; all the policy's facts when none is labelled for it."""
    words = ASPECT_LABEL_WORDS[aspect]
    return [f for f in policy.facts if any(w in f.label for w in words)] or list(policy.facts)


def aspect_head(policy: Policy, catalogue: Catalogue, on: date) -> tuple[str, ...]:
    """The name line of an aspect answer, with the notice when the policy is not simply in force."""
    fresh = freshness(policy, on, catalogue)
    if fresh.lapsed:
        return (f"{LAPSED_MARK}{policy.name}", f"⚠ {fresh.warning}")
    if not fresh.in_force:
        return (f"【{policy.name}】⚠ {fresh.warning} 以下为历史口径，请勿据此申请。",)
    if fresh.warning:
        return (f"【{policy.name}】", f"⚠ {fresh.warning}")
    return (f"【{policy.name}】",)


def aspect_answer(policy: Policy, aspect: str, catalogue: Catalogue, on: date) -> Rendered | None:
    """The part of the policy the user asked about, or None when the policy has nothing for it
    (or the aspect is unknown): the caller falls back to the whole card."""
    fresh = freshness(policy, on, catalogue)
    body: list[str] = []
    sources: list[str] = list(policy.sources)
    shown: list[Fact] = []
    if aspect in ASPECT_LABEL_WORDS:
        shown = aspect_facts(policy, aspect)
        if not shown:
            return None
        body += [f"· {render_fact(f, fresh.historical)}" for f in shown]
        sources = [s for f in shown for s in f.sources] or sources
    elif aspect == "eligibility":
        if not policy.eligibility:
            return None
        body.append("申请条件：")
        body += [f"· {r.text}{caveat(r.verification)}" for r in policy.eligibility]
        body += part_notices(policy, catalogue, on)
        body.append(ASK_ELIGIBILITY_HINT)
        sources = [s for r in policy.eligibility for s in r.sources] or sources
    elif aspect in ("how_to_apply", "deadline"):
        apply = policy.apply
        if apply is None or not (apply.online or apply.offline or apply.deadline):
            body.append(NO_APPLY_INFO)
        else:
            mark = caveat(apply.verification)
            if apply.online:
                body.append(f"线上：{apply.online}{mark}")
            if apply.offline:
                body.append(f"线下：{apply.offline}{mark}")
            if apply.deadline:
                body.append(f"时限：{apply.deadline}{mark}")
            sources = list(apply.sources) or sources
        if fresh.expires_on and fresh.in_force:
            body.append(f"政策有效期至{chinese_date(fresh.expires_on)}。")
    elif aspect == "materials":
        if policy.materials:
            body.append("申请材料：")
            body += [f"· {m}" for m in policy.materials]
        else:
            body.append(NO_MATERIALS)
    elif aspect != "source":
        return None
    limit = 3 if aspect == "source" else 2
    return Rendered(
        aspect_head(policy, catalogue, on),
        tuple(body),
        citation_lines(catalogue, sources, shown, limit),
        compact=True,
    )


def related_products(policy: Policy, catalogue: Catalogue, on: date) -> str | None:
    """For an umbrella item (e.g. 创业担保贷款), its current products of the same category with
    their first figures: 包括：· 个人创业担保贷款：…; None when it has none."""
    products = [
        catalogue.policies[i]
        for i in policy.related
        if i in catalogue.policies
        and catalogue.policies[i].category == policy.category
        and freshness(catalogue.policies[i], on, catalogue).in_force
    ][:MAX_RELATED]
    if not products:
        return None
    lines = ["包括："]
    for product in products:
        figures = "；".join(render_fact(f) for f in product.facts[:2])
        lines.append(f"· {product.name}" + (f"：{figures}" if figures else ""))
    return "\n".join(lines)


def district_note(policy: Policy, district_id: str, catalogue: Catalogue, on: date) -> Rendered | None:
    """Whether the policy applies in the district the user named, and that district's own policies
    of the same kind; None for an unknown district."""
    district = catalogue.vocabulary.districts.get(district_id)
    if district is None:
        return None
    local = [
        p
        for p in catalogue.policies.values()
        if p.scope == "district"
        and p.district == district_id
        and freshness(p, on, catalogue).in_force
        and (p.category == policy.category or policy.id in p.related or p.id in policy.related)
    ]
    if policy.scope == "district" and policy.district != district_id:
        own = catalogue.vocabulary.districts.get(policy.district or "")
        note = f"「{policy.name}」是{own.name if own else '其他区'}的区级政策，{district.name}不适用。"
    else:
        note = (
            f"「{policy.name}」是全市政策，在{district.name}同样适用；"
            f"线下可到{district.name}就业促进中心创业指导服务部门办理。"
        )
    body = ()
    if local:
        names = "、".join(f"「{p.name}」" for p in local)
        body = (f"{district.name}另有区级政策：{names}，可以接着问。",)
    return Rendered((note,), body, compact=True)


def policy_answer(
    policy: Policy,
    catalogue: Catalogue,
    on: date,
    aspects: Sequence[str] = (),
    districts: Sequence[str] = (),
) -> tuple[Rendered, ...]:
    """The answer about one policy, in parts: one per aspect asked about that the policy has; else,
    when a district was named, whether it applies there; else the card (for an umbrella item
    without figures of its own, with its products before the sources)."""
    parts = tuple(part for aspect in aspects if (part := aspect_answer(policy, aspect, catalogue, on)))
    if parts:
        return parts
    if districts and (note := district_note(policy, districts[0], catalogue, on)):
        return (note,)
    card = policy_card(policy, catalogue, on)
    related = related_products(policy, catalogue, on) if not policy.facts else None
    return (card.adding(related) if related else card,)


def joined(parts: Iterable[Rendered]) -> str:
    """Several answers as one message, a blank line between them."""
    return "\n\n".join(part.text for part in parts)


def render_answer(
    policy: Policy,
    catalogue: Catalogue,
    on: date,
    aspects: Sequence[str] = (),
    districts: Sequence[str] = (),
) -> str:
    """`policy_answer` as one message."""
    return joined(policy_answer(policy, catalogue, on, aspects, districts))


def overview_line(policy: Policy) -> str:
    """· name（its first published figure）：summary — one entry of an overview list."""
    figure = next((render_fact(f) for f in policy.facts if f.value is not None), None)
    return f"· {policy.name}" + (f"（{figure}）" if figure else "") + f"：{policy.summary}"
