"""Answers to a question about one policy: the part asked about (an aspect), the district the user
named, or the card; and the one-line entry of an overview list.

An aspect answer is compact (one line each: the name, the lines that answer, the sources), because
it answers one question on a phone screen; anything else gets the card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..freshness import freshness
from ..model import Catalogue, Fact, Note, Policy
from .cards import policy_card
from .labels import LAPSED_MARK
from .lines import Rendered, apply_lines, caveat, chinese_date, citation_lines, part_notices, render_fact

# Fact labels that answer each numeric aspect (labels are Chinese, from the data files).
ASPECT_LABEL_WORDS = {
    "amount": ("额度", "金额", "标准", "最高", "补贴", "资助", "奖励", "人数"),
    "interest": ("利率", "贴息", "利息"),
    "duration": ("期限", "时长", "年限", "期"),
}
MAX_RELATED = 5

NO_MATERIALS = "申请材料：官方未公布完整清单，请以自助经办系统页面或区就业促进中心的要求为准，也可咨询12333。"
NO_APPLY_INFO = "申请渠道：资料中未写明，请咨询12333或区就业促进中心。"
ASK_ELIGIBILITY_HINT = "想知道自己是否符合，可以说“帮我判断能不能申请”。"


@dataclass(frozen=True)
class Aspect:
    """What a question about one part of a policy looks like, and what in the knowledge base answers
    it. `asked`: words of a question that ask for it; `labels`: words of fact labels or keys that
    answer it; `texts`: words of eligibility rules and notes that answer it; `lead`: the line that
    opens the answer. No figures: those come from the facts, rules and notes matched."""

    asked: tuple[str, ...]
    labels: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    lead: str = ""
    related: bool = False  # also look in the related policies (the interest subsidy of a loan)


ASPECTS: dict[str, Aspect] = {
    "guarantor": Aspect(
        (
            "担保人",
            "要担保",
            "担保吗",
            "不要担保",
            "免担保",
            "找人担保",
            "个人担保",
            "反担保",
            "抵押",
            "担保费",
        ),
        ("担保费", "guarantee"),
        ("担保资金", "免担保", "提供担保", "反担保", "抵押", "担保费"),
        "担保：",
        related=True,
    ),
    "times": Aspect(
        ("几次", "次数", "多少次", "第二次", "再次申请", "再申请", "重复申请", "再拿", "还能再"),
        ("次数", "times"),
        ("累计", "次数", "只能享受", "限享受", "重复享受", "首次"),
        "次数：",
        related=True,
    ),
    "overdue": Aspect(
        ("逾期", "展期", "还不上", "延期", "续贷", "借新还旧", "提前还", "晚还", "没按时还"),
        (),
        ("逾期", "展期", "借新还旧", "续贷", "提前还款", "按期归还", "不良信用"),
        "逾期与展期：",
        related=True,
    ),
    "partnership": Aspect(
        ("合伙", "几个人一起", "一起创业", "团队创业"),
        ("合伙", "partnership"),
        ("合伙",),
        "合伙创业：",
    ),
    "non_hukou": Aspect(
        ("外地", "户口", "户籍", "非沪籍", "居住证", "外省", "外国人", "港澳台", "新上海人", "不是上海人"),
        ("户籍", "hukou"),
        ("户籍", "居住证", "非本市", "非沪籍", "港澳台", "外国人"),
        "户籍要求：",
    ),
    "before_registration": Aspect(
        (
            "注册前",
            "没注册",
            "未注册",
            "还没注册",
            "没有营业执照",
            "没营业执照",
            "还没开",
            "没开公司",
            "执照前",
            "还没办执照",
            "执照还没",
            "还没成立",
            "没成立",
            "成立前",
            "还没有注册",
        ),
        (),
        ("创业前", "注册前", "尚未", "未注册", "贷款期限内", "创办前", "登记前", "准备创业"),
        "注册前：",
    ),
    "compare": Aspect(("区别", "对比", "比较", "哪个好", "哪个更", "哪种", "哪一种", "有什么不同", "差别")),
    "combine": Aspect(
        (
            "同时",
            "叠加",
            "一起拿",
            "一起领",
            "一起享受",
            "兼得",
            "都能拿",
            "都能领",
            "都享受",
            "重复享受",
            "一起申请",
            "都申请",
            "两个都",
            "冲突",
        ),
        (),
        ("同时", "叠加", "重复享受", "不得重复", "兼得", "不属于", "不是"),
    ),
    "interest": Aspect(
        ("利率", "利息", "贴息", "息高", "付息"),
        ASPECT_LABEL_WORDS["interest"] + ("interest",),
        ("贴息", "利率", "免担保"),
        related=True,
    ),
    "duration": Aspect(
        ("期限", "多久", "几年", "多长时间", "几个月", "多长"),
        ASPECT_LABEL_WORDS["duration"] + ("term", "months", "duration"),
    ),
    "amount": Aspect(
        ("多少钱", "多少", "额度", "金额", "标准", "最高", "补多少", "贷多少", "给多少", "能拿多少"),
        ASPECT_LABEL_WORDS["amount"] + ("amount",),
    ),
    "materials": Aspect(
        ("材料", "资料", "要带什么", "准备什么", "准备哪些", "要交", "提交", "证明"),
        (),
        ("材料", "提交", "社会保障卡", "协议", "计划书", "证明", "金融功能", "推荐"),
    ),
    "eligibility": Aspect(("条件", "要求", "资格", "谁能申请", "哪些人", "什么人", "符合", "门槛")),
    "how_to_apply": Aspect(
        (
            "怎么申请",
            "如何申请",
            "怎么办理",
            "在哪里办",
            "去哪办",
            "哪里申请",
            "流程",
            "网上办",
            "网址",
            "在哪申请",
            "去哪申请",
            "去哪里申请",
            "哪儿申请",
            "去哪儿办",
            "找谁办",
        )
    ),
    "deadline": Aspect(("截止", "什么时候", "有效期", "几月", "到期")),
    "source": Aspect(("文件", "依据", "出处", "文号")),
}
ASPECT_TITLES = {
    "amount": "额度",
    "interest": "利率与贴息",
    "duration": "期限",
    "guarantor": "担保",
    "times": "次数",
    "overdue": "逾期与展期",
    "partnership": "合伙创业",
    "non_hukou": "户籍要求",
    "before_registration": "注册前",
    "eligibility": "申请条件",
    "how_to_apply": "申请渠道",
    "materials": "申请材料",
    "deadline": "时限",
}
# The aspects answered from the lines that match their words (facts, rules, notes).
MATCHED_ASPECTS = (
    "guarantor",
    "times",
    "overdue",
    "partnership",
    "non_hukou",
    "before_registration",
    "combine",
)
MAX_LINES = 4  # body lines of a compact answer: a phone screen
COMPARE_HINT = "想知道哪一项适合您，可以说“帮我判断能申请什么”。"
UNSTATED = "公开资料未说明，请咨询12333或所在区就业促进中心。"
NOT_COMBINABLE_UNKNOWN = "能否同时享受：" + UNSTATED


def detect_aspects(text: str) -> list[str]:
    """The aspects a question asks about, most specific first (担保 before 额度); a bare 多少 goes
    with the figure asked about (期限多少年 is a term, not an amount)."""
    found = [name for name, aspect in ASPECTS.items() if any(w in text for w in aspect.asked)]
    figure = {"duration", "interest", "times"} & set(found)
    if (
        "amount" in found
        and figure
        and not any(w in text for w in ("额度", "金额", "钱", "贷多少", "补多少"))
    ):
        found.remove("amount")
    return found


def _question_words(text: str, policy: Policy) -> set[str]:
    """Three-character pieces of the question, minus the policy's own name and aliases, so that a
    note is matched on what was asked (法定代表, 住房贷款), not on the policy it belongs to."""
    for form in sorted((policy.name, *policy.aliases), key=len, reverse=True):
        text = text.replace(form, " ")
    han = "".join(c if "\u4e00" <= c <= "\u9fff" else " " for c in text)
    return {han[i : i + 3] for i in range(len(han) - 2) if " " not in han[i : i + 3]}


def matching_notes(policy: Policy, text: str, words: Iterable[str] = ()) -> list[Note]:
    """The policy's notes that answer the question: those with one of `words` (an aspect's), or
    sharing a three-character piece with the question."""
    words = tuple(words)
    pieces = _question_words(text, policy) if text else set()
    # An alias that names a part of the item (汇创青春 of the 162号 plan) asks for the note about it.
    # Only the longest of nested matches: "社保补贴" inside "灵活就业社保补贴" names the item itself.
    named = [a for a in policy.aliases if len(a) >= 3 and a in text and a not in policy.name]
    parts = tuple(a for a in named if not any(a != b and a in b for b in named))
    return [
        n
        for n in policy.notes
        if any(w in n.text for w in (*words, *parts)) or any(p in n.text for p in pieces)
    ]


# Characters of how a question is asked, not of what it asks (能不能申请, 要什么): a piece of the question
# made mostly of them matches a rule by accident.
ASKING_CHARS = frozenset("的了吗呢吧么是有没不能可以要申请什么怎样哪里办还会就都")
# How people say what the rules write out in full: the rule's word is looked for too.
RULE_WORDS = {
    "个体户": "个体工商户",
    "法人": "法定代表人",
    "房贷": "住房贷款",
    "车贷": "车辆贷款",
    "征信": "信用记录",
    "民非": "民办非企业单位",
    "合作社": "农民合作社",
    "老赖": "失信被执行人",
}


def condition_lines(policy: Policy, catalogue: Catalogue, on: date, text: str) -> tuple[list[str], list[str]]:
    """(lines, sources) of the eligibility rules whose words the question uses (失信被执行人能贷吗):
    the policy's own, or for an umbrella without rules its products' (named). A yes/no question
    about one condition is answered by the rule that decides it."""
    pieces = {p for p in _question_words(text, policy) if sum(c in ASKING_CHARS for c in p) <= 1}
    pieces |= {full for said, full in RULE_WORDS.items() if said in text}
    if not pieces:
        return [], []
    owners = [policy] if policy.eligibility else umbrella_products(policy, catalogue, on)
    lines: list[str] = []
    sources: list[str] = []
    for owner in owners:
        prefix = "" if owner is policy else f"{owner.name}："
        for rule in owner.eligibility:
            if any(p in rule.text for p in pieces):
                lines.append(f"{prefix}{rule.text}{caveat(rule.verification)}")
                sources += rule.sources
    return lines, sources


def render_note(note: Note) -> str:
    return f"{note.text}{caveat(note.verification)}"


def _related_current(policy: Policy, catalogue: Catalogue, on: date) -> list[Policy]:
    return [
        catalogue.policies[i]
        for i in policy.related
        if i in catalogue.policies and freshness(catalogue.policies[i], on, catalogue).in_force
    ]


def matched_lines(
    policy: Policy, aspect: Aspect, catalogue: Catalogue, on: date, question: str = ""
) -> tuple[list[str], list[str], list[Fact]]:
    """(lines, their sources, the facts among them) answering `aspect`: the policy's known facts
    whose label or key has one of its words, its rules and notes with one of its words, then
    (for a related aspect) the same from the related policies, and unpublished facts last."""
    old = freshness(policy, on, catalogue).historical
    found: list[tuple[int, int, str, tuple[str, ...]]] = []  # (-score, order, line, sources)
    unknown: list[tuple[str, tuple[str, ...]]] = []
    facts: list[Fact] = []

    def take(item: Policy, prefix: str, order: int, keep: int) -> None:
        here: list[tuple[int, int, str, tuple[str, ...]]] = []
        for fact in item.facts:
            if any(w in fact.label or w in fact.key for w in aspect.labels):
                facts.append(fact)
                if fact.value is None:
                    unknown.append((prefix + render_fact(fact, old), fact.sources))
                else:
                    here.append((-3, order, prefix + render_fact(fact, old), fact.sources))
            elif fact.value is not None and any(w in fact.text for w in aspect.texts):
                facts.append(fact)
                here.append((-2, order, prefix + render_fact(fact, old), fact.sources))
        for rule in item.eligibility:
            score = sum(w in rule.text for w in aspect.texts)
            if score:
                here.append((-score, order, prefix + rule.text + caveat(rule.verification), rule.sources))
        for note in item.notes:
            score = sum(w in note.text for w in aspect.texts)
            if score:
                here.append((-score, order, prefix + render_note(note), note.sources))
        here.sort(key=lambda x: x[0])
        found.extend(here[:keep])

    take(policy, "", 0, MAX_LINES)
    if aspect.related:
        keys = {f.key for f in policy.facts}
        for other in _related_current(policy, catalogue, on):
            # the same kind of policy, not a sibling product (which has the same figures)
            if other.category == policy.category and not keys & {f.key for f in other.facts}:
                take(other, f"{other.name}：", 1, 2)
    found.sort(key=lambda x: (x[0], x[1]))
    room = MAX_LINES - min(1, len(unknown))  # what is unpublished is always said
    pairs = [(line, ids) for _, _, line, ids in found][:room] + unknown[:1]
    lines = list(dict.fromkeys(line for line, _ in pairs))
    sources = [s for _, ids in pairs for s in ids]
    return lines, sources, facts


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


def _leading(head: tuple[str, ...], body: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The answer on the first line: a plain name line takes the first body line after it."""
    if len(head) == 1 and body and head[0].endswith("】"):
        return (head[0] + body[0].removeprefix("· "),), tuple(body[1:])
    return head, tuple(body)


def aspect_answer(
    policy: Policy, aspect: str, catalogue: Catalogue, on: date, question: str = ""
) -> Rendered | None:
    """The part of the policy the user asked about, the answer on the first line, or None when the
    policy has nothing for it (or the aspect is unknown): the caller falls back to the whole card."""
    fresh = freshness(policy, on, catalogue)
    body: list[str] = []
    sources: list[str] = list(policy.sources)
    shown: list[Fact] = []
    spec = ASPECTS.get(aspect)
    if aspect in MATCHED_ASPECTS or aspect == "interest":
        assert spec is not None
        lines, found, shown = matched_lines(policy, spec, catalogue, on, question)
        if not lines:
            return None
        body += [f"{spec.lead}{lines[0]}", *(f"· {line}" for line in lines[1:MAX_LINES])]
        sources = found or sources
    elif aspect in ASPECT_LABEL_WORDS:
        shown = aspect_facts(policy, aspect)
        if not shown:
            return None
        body += [f"· {render_fact(f, fresh.historical)}" for f in shown]
        sources = [s for f in shown for s in f.sources] or sources
    elif aspect == "eligibility":
        if not policy.eligibility:
            return None
        rules = [f"{r.text}{caveat(r.verification)}" for r in policy.eligibility]
        body.append("申请条件：" + rules[0])
        body += [f"· {r}" for r in rules[1:]]
        body += part_notices(policy, catalogue, on)
        body.append(ASK_ELIGIBILITY_HINT)
        sources = [s for r in policy.eligibility for s in r.sources] or sources
    elif aspect in ("how_to_apply", "deadline"):
        apply = policy.apply
        if apply is None or not (apply.online or apply.offline or apply.deadline):
            body.append(NO_APPLY_INFO)
        else:
            # "where to apply" leads with the channels, "by when" with the deadline.
            order = (
                ("online", "offline", "deadline")
                if aspect == "how_to_apply"
                else ("deadline", "online", "offline")
            )
            body += apply_lines(apply, order, caveat(apply.verification))
            sources = list(apply.sources) or sources
        if fresh.expires_on and fresh.in_force:
            line = f"政策有效期至{chinese_date(fresh.expires_on)}。"
            body.insert(0, line) if aspect == "deadline" and not (apply and apply.deadline) else body.append(
                line
            )
    elif aspect == "materials":
        assert spec is not None
        if policy.materials:
            body.append("申请材料：" + "、".join(policy.materials))
        lines, found, _ = matched_lines(policy, spec, catalogue, on, question)
        if not policy.materials:
            body.append(NO_MATERIALS)
        body += [f"· {line}" for line in lines[: MAX_LINES - 1]]
        sources = found + list(policy.sources)
    elif aspect != "source":
        return None
    if question and aspect not in MATCHED_ASPECTS:
        asked_notes = [render_note(n) for n in matching_notes(policy, question)]
        body += [f"· {n}" for n in asked_notes if all(n not in line for line in body)][:2]
    limit = 3 if aspect == "source" else 2
    head, rest = _leading(aspect_head(policy, catalogue, on), body)
    return Rendered(head, rest, citation_lines(catalogue, sources, shown, limit), compact=True)


def umbrella_products(policy: Policy, catalogue: Catalogue, on: date) -> list[Policy]:
    """The current products of an umbrella item (创业担保贷款: its three loans), same category."""
    return [
        p
        for p in _related_current(policy, catalogue, on)
        if p.category == policy.category and p.scope == policy.scope and p.facts
    ][:MAX_RELATED]


def expanded(policies: Iterable[Policy], catalogue: Catalogue, on: date) -> list[Policy]:
    """The policies a cross-policy answer covers: an umbrella without figures stands for its products."""
    out: list[Policy] = []
    for policy in policies:
        products = umbrella_products(policy, catalogue, on) if not policy.facts else []
        for p in products or [policy]:
            if p not in out:
                out.append(p)
    return out


def combine_answer(policies: Sequence[Policy], catalogue: Catalogue, on: date) -> Rendered:
    """Whether the policies can be had together: what their notes and rules say about one another
    or about combining, else that the sources do not say (never a guess)."""
    names = "」和「".join(p.name for p in policies)
    spec = ASPECTS["combine"]
    lines: list[str] = []
    sources: list[str] = []
    for policy in policies:
        others = [f for o in policies if o is not policy for f in (o.name, *o.aliases)]
        items = [(n.text + caveat(n.verification), n.sources) for n in policy.notes]
        items += [(r.text + caveat(r.verification), r.sources) for r in policy.eligibility]
        for text, ids in items:
            if any(o in text for o in others) or any(w in text for w in spec.texts[:5]):
                lines.append(f"{policy.name}：{text}")
                sources += ids
    if not lines:
        return Rendered((f"「{names}」能否同时享受：{UNSTATED}",), (), (), compact=True)
    lines = list(dict.fromkeys(lines))
    body = tuple(f"· {line}" for line in lines[:MAX_LINES])
    return Rendered(
        (f"「{names}」能否同时享受，资料中的相关规定：",),
        body,
        citation_lines(catalogue, sources),
        compact=True,
    )


def compare_answer(policies: Sequence[Policy], catalogue: Catalogue, on: date) -> Rendered | None:
    """The policies side by side: each with its first two figures (or its summary), one line each."""
    if len(policies) < 2:
        return None
    lines = []
    for policy in policies[:MAX_RELATED]:
        old = freshness(policy, on, catalogue).historical
        figures = "；".join(render_fact(f, old) for f in policy.facts[:2]) or policy.summary
        lines.append(f"· {policy.name}：{figures}")
    sources = [s for p in policies[:MAX_RELATED] for s in p.sources[:1]]
    return Rendered(
        ("各项政策对比：",),
        (*lines, COMPARE_HINT),
        citation_lines(catalogue, sources, limit=3),
        compact=True,
    )


def cross_policy_answer(
    policies: Sequence[Policy], aspects: Sequence[str], catalogue: Catalogue, on: date, question: str = ""
) -> Rendered | None:
    """One answer covering each policy (compare, the same aspect of the three loan products, combine);
    the one policy's answer when only one has the aspect asked; None when none has it (the caller
    then asks which one)."""
    policies = expanded(policies, catalogue, on)
    if "combine" in aspects and len(policies) >= 2:
        return combine_answer(policies[:3], catalogue, on)
    if "compare" in aspects and all(a == "compare" for a in aspects):
        return compare_answer(policies, catalogue, on)
    aspect = next((a for a in aspects if a not in ("combine", "compare")), None)
    lines: list[str] = []
    sources: list[str] = []
    answered: list[Rendered] = []
    for policy in policies[:MAX_RELATED]:
        labelled = aspect not in ASPECT_LABEL_WORDS or any(
            w in f.label for f in policy.facts for w in ASPECT_LABEL_WORDS[aspect]
        )
        part = aspect_answer(policy, aspect, catalogue, on, question) if aspect and labelled else None
        if part is None:
            continue
        answered.append(part)
        first = part.first_line.removeprefix(f"【{policy.name}】")
        lines.append(f"· {policy.name}：{first}" if not first.startswith(LAPSED_MARK) else f"· {first}")
        sources += [s for s in policy.sources[:1]]
    if len(answered) == 1 and len(policies) >= 2:
        return answered[0]  # only one of several has what was asked: that is the answer
    if aspect is None or len(lines) < 2:
        return None
    label = ASPECT_TITLES.get(aspect, "")
    head = f"各项政策的{label}对比：" if label else "各项政策对比："
    return Rendered((head,), tuple(lines), citation_lines(catalogue, sources, limit=3), compact=True)


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
    question: str = "",
) -> tuple[Rendered, ...]:
    """The answer about one policy, in parts: one per aspect asked about that the policy has; else,
    when a district was named, whether it applies there; else the card (for an umbrella item
    without figures of its own, with its products before the sources)."""
    asked = aspects[:1] if aspects and aspects[0] in MATCHED_ASPECTS else aspects[:2]
    parts = tuple(
        part for aspect in asked if (part := aspect_answer(policy, aspect, catalogue, on, question))
    )
    if parts and districts and "how_to_apply" in asked:
        # Where to apply, asked for a district: the channels, then that district's office.
        note = district_note(policy, districts[0], catalogue, on)
        return (*parts, note) if note else parts
    if parts:
        return parts
    if districts and (note := district_note(policy, districts[0], catalogue, on)):
        return (note,)
    lines, sources = condition_lines(policy, catalogue, on, question) if question else ([], [])
    if lines:
        body = [f"相关条件：{lines[0]}", *(f"· {line}" for line in lines[1:MAX_LINES]), ASK_ELIGIBILITY_HINT]
        head, rest = _leading(aspect_head(policy, catalogue, on), body)
        return (Rendered(head, rest, citation_lines(catalogue, sources, (), 2), compact=True),)
    card = policy_card(policy, catalogue, on)
    related = related_products(policy, catalogue, on) if not policy.facts else None
    card = card.adding(related) if related else card
    notes = [f"· {render_note(n)}" for n in matching_notes(policy, question)][:2] if question else []
    return (card.adding(*notes) if notes else card,)


def joined(parts: Iterable[Rendered]) -> str:
    """Several answers as one message, a blank line between them."""
    return "\n\n".join(part.text for part in parts)


def render_answer(
    policy: Policy,
    catalogue: Catalogue,
    on: date,
    aspects: Sequence[str] = (),
    districts: Sequence[str] = (),
    question: str = "",
) -> str:
    """`policy_answer` as one message."""
    return joined(policy_answer(policy, catalogue, on, aspects, districts, question))


def overview_line(policy: Policy) -> str:
    """· name（its first published figure）：summary — one entry of an overview list."""
    figure = next((render_fact(f) for f in policy.facts if f.value is not None), None)
    return f"· {policy.name}" + (f"（{figure}）" if figure else "") + f"：{policy.summary}"
