"""The pieces every rendering is made of: a fact line, a citation line, a notice, and `Rendered`.

The rules a user relies on live here, in one place: 待核实 always carries 【待核实】, an unpublished
figure says so and where to ask, and a fact of a policy that is not in force is labelled 旧口径.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from ..citations import document_name
from ..model import ApplyInfo, Catalogue, Fact, Policy, Source
from ..validity import dependent_lapses, group_subject, notice

UNPUBLISHED = "未公布，请咨询12333或区就业促进中心"
CAVEAT = "【待核实】"


@dataclass(frozen=True)
class Rendered:
    """An answer in parts, so that callers put answers together instead of cutting strings apart.

    head: the opening lines (the policy's name, a notice that it is not in force); body: what
    answers the question, one block each; sources: the citation lines that close it. As `text`
    every head line and body block is a paragraph of its own (a card), or a line of its own when
    `compact` (an aspect answer, short enough for a phone screen).
    """

    head: tuple[str, ...]
    body: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    compact: bool = False

    @property
    def text(self) -> str:
        blocks = [*self.head, *self.body]
        if self.sources:
            blocks.append("\n".join(self.sources))
        return ("\n" if self.compact else "\n\n").join(blocks)

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]

    def adding(self, *blocks: str) -> Rendered:
        """The same answer with `blocks` at the end of its body, before the sources."""
        return replace(self, body=(*self.body, *blocks))

    def __str__(self) -> str:
        return self.text


def caveat(verification: str | None) -> str:
    return CAVEAT if verification == "待核实" else ""


APPLY_LABELS = {"online": "线上", "offline": "线下", "deadline": "时限"}


def apply_lines(
    apply: ApplyInfo, order: tuple[str, ...] = ("online", "offline", "deadline"), mark: str = ""
) -> list[str]:
    """ "线上：…", "线下：…", "时限：…" for the parts of the apply section that are given, in `order`."""
    return [f"{APPLY_LABELS[part]}：{getattr(apply, part)}{mark}" for part in order if getattr(apply, part)]


def render_fact(fact: Fact, old: bool = False) -> str:
    """补贴标准：一次性8000元 — with 【待核实】 when uncertain and UNPUBLISHED when the value is null;
    a reference value names the period it holds for (2026年7月起)."""
    text = fact.text if fact.value is not None else UNPUBLISHED
    prefix = "（旧口径）" if old else ""
    return f"{prefix}{fact.label}{period(fact)}：{text}{caveat(fact.verification)}"


def period(fact: Fact) -> str:
    """（2026年7月起） or （2025年7月至2026年6月）: empty for a fact without a period."""
    start, end = fact.valid_from, fact.valid_until
    if start and end:
        return f"（{start.year}年{start.month}月至{end.year}年{end.month}月）"
    if start:
        return f"（{start.year}年{start.month}月起）"
    return f"（至{end.year}年{end.month}月）" if end else ""


def chinese_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


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
        line += f"，{chinese_date(source.date)}"
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


def citation_lines(
    catalogue: Catalogue, source_ids: Iterable[str], facts: Iterable[Fact] = (), limit: int = 2
) -> tuple[str, ...]:
    """Up to `limit` citation lines, once per source; a source backing one of `facts` also says
    原文 / 转述 / 待核实. Sources the catalogue does not hold are left out."""
    statuses = source_statuses(facts)
    lines = [
        render_citation(catalogue.sources[s], statuses.get(s))
        for s in dict.fromkeys(source_ids)
        if s in catalogue.sources
    ]
    return tuple(dict.fromkeys(lines))[:limit]  # two ids of one document are cited once
