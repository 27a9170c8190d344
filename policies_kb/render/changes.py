"""Notices about the knowledge base: a change to a policy a user follows, an approaching deadline."""

from __future__ import annotations

from datetime import date

from ..changes import (
    END_DATE,
    FIGURE_ADDED,
    FIGURE_CHANGED,
    FIGURE_DROPPED,
    SUPERSEDED,
    WITHDRAWN,
    PolicyChange,
)
from ..deadlines import Deadline
from ..model import Catalogue, Fact
from .lines import caveat, chinese_date, render_citation

HUMAN_HELP = "如有疑问请拨打12333或咨询创业组织注册所在区的就业促进中心。"


def render_change(change: PolicyChange, old: Catalogue, new: Catalogue) -> str:
    """One notice: what changed in the policy, then the sources of the new version."""
    policy = new.policies.get(change.policy_id) or old.policies[change.policy_id]
    name = f"「{policy.name}」"
    if change.kind == SUPERSEDED:
        successor = new.policies.get(change.successor_id or "")
        line = f"您关注的{name}已被替代" + (f"，现行政策为「{successor.name}」。" if successor else "。")
    elif change.kind == WITHDRAWN:
        line = f"您关注的{name}已不在政策资料中（可能已调整或停止执行）。{HUMAN_HELP}"
    elif change.kind == END_DATE:
        line = f"您关注的{name}有效期调整：{_end(change.before)} → {_end(change.after)}。"
    elif change.kind == FIGURE_CHANGED:
        assert isinstance(change.before, Fact) and isinstance(change.after, Fact)
        line = f"您关注的{name}{change.after.label}调整：{change.before.text} → {_figure(change.after)}。"
    elif change.kind == FIGURE_ADDED:
        assert isinstance(change.after, Fact)
        line = f"您关注的{name}新增{change.after.label}：{_figure(change.after)}。"
    elif change.kind == FIGURE_DROPPED:
        assert isinstance(change.before, Fact)
        line = f"您关注的{name}不再列出{change.before.label}（原为{change.before.text}）。{HUMAN_HELP}"
    else:
        raise ValueError(f"unknown change kind {change.kind!r}")
    catalogue = old if change.kind == WITHDRAWN else new
    sources = [render_citation(catalogue.sources[s]) for s in change.sources if s in catalogue.sources]
    return "\n".join([line, *sources])


def deadline_line(deadline: Deadline, catalogue: Catalogue) -> str:
    """「X」须在Y前提出申请 (the last day a rule allows, from the user's date)."""
    return f"「{catalogue.policies[deadline.policy_id].name}」须在{chinese_date(deadline.due_on)}前提出申请"


def render_deadline_reminder(deadline: Deadline, catalogue: Catalogue, on: date) -> str:
    """The reminder sent on `on`: the deadline, the days left, the rule that sets it, its source."""
    days = (deadline.due_on - on).days
    left = f"（还剩{days}天）" if days > 0 else "（今天是最后一天）" if days == 0 else "（已过期限）"
    lines = [
        f"提醒：{deadline_line(deadline, catalogue)}{left}。",
        f"依据的条件：{deadline.text.rstrip('。')}。",
    ]
    lines += [render_citation(catalogue.sources[s]) for s in deadline.sources if s in catalogue.sources]
    return "\n".join(lines)


def _end(value: object) -> str:
    return chinese_date(value) if isinstance(value, date) else "未设截止日期"


def _figure(fact: Fact) -> str:
    return fact.text + caveat(fact.verification)
