"""Freshness flags and the user-facing text: caveats, unpublished values, superseded notices."""

from __future__ import annotations

from datetime import date

import pytest

from policies_kb.freshness import freshness
from policies_kb.model import Catalogue, Fact
from policies_kb.render import (
    CAVEAT,
    UNPUBLISHED,
    period,
    policy_card,
    render_citation,
    render_fact,
    render_policy_card,
)

ON = date(2026, 11, 28)
FLEX = ("flexible_employment_si_subsidy", "flexible_employment_si_subsidy_hard_to_employ")


def flex(catalogue: Catalogue):  # noqa: ANN201
    return next(catalogue.policies[p] for p in FLEX if p in catalogue.policies)


@pytest.mark.parametrize(
    ("on", "status", "days_left"),
    [
        (date(2026, 10, 31), "current", 61),
        (date(2026, 11, 1), "expiring_soon", 60),
        (date(2026, 12, 31), "expiring_soon", 0),
        (date(2027, 1, 1), "expired", -1),
    ],
)
def test_sixty_day_window_and_expiry(any_catalogue: Catalogue, on: date, status: str, days_left: int) -> None:
    policy = flex(any_catalogue)
    result = freshness(policy, on, any_catalogue)
    if status == "expired" and policy.expires_on is None:
        status = "lapsed"  # the real item inherits the end of 沪人社规〔2022〕8号, no successor recorded yet
    assert (result.status, result.days_left) == (status, days_left)
    if status == "current":
        assert result.warning is None and not result.flagged
    else:
        assert "2026年12月31日" in result.warning and result.flagged
    assert result.in_force == (status not in ("expired", "lapsed"))


def test_superseded_and_open_ended(any_catalogue: Catalogue) -> None:
    for policy in any_catalogue.policies.values():
        result = freshness(policy, ON, any_catalogue)
        if policy.status == "superseded":
            assert result.status == "superseded" and not result.in_force
            assert any_catalogue.policies[policy.superseded_by].name in result.warning
        elif policy.status == "current" and policy.expires_on is None and policy.effective_from in (None,):
            assert result.status == "current"


def test_render_fact_caveats() -> None:
    assert (
        render_fact(Fact("amount", "补贴标准", 8000, "yuan", "一次性8000元", "原文"))
        == "补贴标准：一次性8000元"
    )
    assert (
        render_fact(Fact("a", "额度", 50, "wan_yuan", "最高50万元", "待核实")) == f"额度：最高50万元{CAVEAT}"
    )
    unpublished = render_fact(Fact("cap", "利率上限", None, None, "未见公开原文", "待核实"))
    assert unpublished == f"利率上限：{UNPUBLISHED}{CAVEAT}"
    assert UNPUBLISHED == "未公布，请咨询12333或区就业促进中心"


def test_every_fact_of_every_policy_renders_with_its_caveat(any_catalogue: Catalogue) -> None:
    for policy in any_catalogue.policies.values():
        for fact in policy.facts:
            text = render_fact(fact)
            assert text.startswith(fact.label + period(fact) + "：")  # a reference value names its period
            assert (CAVEAT in text) == (fact.verification == "待核实" or CAVEAT in fact.text)
            if fact.value is None:
                assert UNPUBLISHED in text


def test_citation_line(fixture_catalogue: Catalogue) -> None:
    line = render_citation(fixture_catalogue.sources["S2"], "原文")
    assert line.startswith("来源：《上海市人力资源和社会保障局")
    assert "（沪人社规〔2023〕1号）" in line and "2023年1月1日" in line and line.endswith("｜原文")
    assert "请以官方最新口径为准" in render_citation(fixture_catalogue.sources["S25"], "待核实")


def test_policy_cards(any_catalogue: Catalogue) -> None:
    for policy in any_catalogue.policies.values():
        card = render_policy_card(policy, any_catalogue, ON)
        first_line = card.splitlines()[0]
        fresh = freshness(policy, ON, any_catalogue)
        if fresh.in_force:
            assert first_line.startswith(f"【{policy.name}】")
        else:
            # Never presented as current: the notice comes first, figures are marked as old.
            assert first_line.startswith(("【已被替代】", "【已失效】"))
            assert "请勿据此申请" in card and "怎么申请" not in card
            for fact in policy.facts[:4]:
                assert f"（旧口径）{fact.label}" in card
        if policy.district:
            assert any_catalogue.vocabulary.districts[policy.district].name in first_line
        for fact in policy.facts[:4]:
            assert render_fact(fact, old=not fresh.in_force) in card
        if fresh.status == "expiring_soon":
            assert fresh.warning in card


def test_card_is_phone_sized(fixture_catalogue: Catalogue) -> None:
    card = render_policy_card(fixture_catalogue.policy("first_business_subsidy"), fixture_catalogue, ON)
    paragraphs = card.split("\n\n")
    assert 3 <= len(paragraphs) <= 8
    assert "一次性8000元" in card and "一网通办" in card and "沪人社规〔2023〕1号" in card


def test_citations_say_how_sure_the_figures_above_them_are(any_catalogue: Catalogue) -> None:
    from policies_kb.render import source_statuses

    on = date(2026, 11, 28)
    checked = 0
    for policy in any_catalogue.policies.values():
        shown = policy.facts[:4]
        statuses = source_statuses(shown)
        card = render_policy_card(policy, any_catalogue, on)
        for source_id, status in statuses.items():
            if source_id not in any_catalogue.sources:
                continue
            line = render_citation(any_catalogue.sources[source_id], status)
            # A cited source backing a 转述 or 待核实 figure never appears as if it were the original text.
            if line.split("｜")[0] in card:
                assert line in card, (policy.id, line)
                checked += 1
        # The weakest wins: a source backing one 原文 and one 待核实 figure is cited as 待核实.
        for fact in shown:
            for source_id in fact.sources:
                rank = {"原文": 0, "转述": 1, "待核实": 2}
                assert rank[statuses[source_id]] >= rank[fact.verification]
    assert checked > 0


def test_card_parts_are_the_card(any_catalogue: Catalogue) -> None:
    """policy_card gives the card in parts: the name first, the 来源 lines last, nothing cut apart."""
    for policy in any_catalogue.policies.values():
        parts = policy_card(policy, any_catalogue, ON)
        card = render_policy_card(policy, any_catalogue, ON)
        assert parts.text == card and not parts.compact
        assert card.splitlines()[0] == parts.first_line == parts.head[0]
        assert 1 <= len(parts.sources) <= 3 or not policy.sources
        assert all(line.startswith("来源：") for line in parts.sources)
        if parts.sources:
            assert card.endswith("\n\n" + "\n".join(parts.sources))
        assert not any("来源：" in block for block in (*parts.head, *parts.body))
