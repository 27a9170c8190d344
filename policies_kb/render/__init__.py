"""Every rendering of the knowledge base as channel-agnostic Chinese plain text for a phone screen.

- lines: a fact, a citation, a notice, and `Rendered` (an answer in parts: head, body, sources)
- cards: a policy's card
- answers: the answer about one policy (an aspect, a district, the card), an overview line
- checks: one policy's verdict, the summary of a check of all policies
- labels: Chinese labels for verdicts, policy statuses and profile enum values

Renderers return `Rendered` so that callers put answers together from parts; the `render_*`
functions give the same answer as one text.
"""

from __future__ import annotations

from .answers import (
    ASK_ELIGIBILITY_HINT,
    ASPECT_LABEL_WORDS,
    NO_APPLY_INFO,
    NO_MATERIALS,
    aspect_answer,
    aspect_facts,
    district_note,
    joined,
    overview_line,
    policy_answer,
    related_products,
    render_answer,
)
from .cards import policy_card, render_policy_card
from .checks import (
    ALL_HEAD_ELIGIBLE,
    ALL_HEAD_LAPSED,
    ALL_HEAD_MAYBE,
    ALL_NONE,
    ALL_TAIL,
    DISCLAIMER,
    MAX_MAYBE,
    check_all_summary,
    check_verdict,
    render_check_all,
    render_check_result,
    summarised,
)
from .labels import (
    CHECK_LABELS,
    ENUM_LABELS,
    LAPSED_LABEL,
    LAPSED_MARK,
    POLICY_STATUS_LABELS,
    STATUS_LABELS,
)
from .lines import (
    CAVEAT,
    UNPUBLISHED,
    Rendered,
    citation_lines,
    part_notices,
    period,
    render_citation,
    render_fact,
    source_statuses,
)

__all__ = [
    "ALL_HEAD_ELIGIBLE",
    "ALL_HEAD_LAPSED",
    "ALL_HEAD_MAYBE",
    "ALL_NONE",
    "ALL_TAIL",
    "ASK_ELIGIBILITY_HINT",
    "ASPECT_LABEL_WORDS",
    "CAVEAT",
    "CHECK_LABELS",
    "DISCLAIMER",
    "ENUM_LABELS",
    "LAPSED_LABEL",
    "LAPSED_MARK",
    "MAX_MAYBE",
    "NO_APPLY_INFO",
    "NO_MATERIALS",
    "POLICY_STATUS_LABELS",
    "STATUS_LABELS",
    "UNPUBLISHED",
    "Rendered",
    "aspect_answer",
    "aspect_facts",
    "check_all_summary",
    "check_verdict",
    "citation_lines",
    "district_note",
    "joined",
    "overview_line",
    "part_notices",
    "period",
    "policy_answer",
    "policy_card",
    "related_products",
    "render_answer",
    "render_check_all",
    "render_check_result",
    "render_citation",
    "render_fact",
    "render_policy_card",
    "source_statuses",
    "summarised",
]
