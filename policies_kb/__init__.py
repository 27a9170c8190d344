"""海纳百创 policy knowledge base: sourced Shanghai entrepreneurship policies, search, entities,
eligibility and rendering. Framework-free: never imports rasa, rasa_sdk, sanic, bot or actions.

Typical use::

    from policies_kb import KnowledgeBase, reference_date
    kb = KnowledgeBase.open()
    kb.search("创业贷款")
    kb.check("first_business_subsidy", kb.profile({"hukou": "shanghai"}), reference_date())
"""

from __future__ import annotations

from .catalogue import load_catalogue
from .eligibility import BASIS_LAPSED, ELIGIBLE, NEED_MORE_INFO, NOT_ELIGIBLE, EligibilityResult
from .entities import EntityMatch, EntityRecognizer
from .errors import DataValidationError, KnowledgeBaseError, ProfileError, UnknownPolicyError
from .exports import export_lookups, export_userdict
from .freshness import Freshness, freshness
from .kb import KnowledgeBase, reference_date
from .loader import LoadResult, load
from .model import ApplyInfo, Catalogue, Fact, Note, Policy, Rule, Source, Term, Vocabulary
from .profile import QUESTIONS, ApplicantProfile
from .render import (
    CHECK_LABELS,
    ENUM_LABELS,
    POLICY_STATUS_LABELS,
    STATUS_LABELS,
    Rendered,
    check_all_summary,
    check_verdict,
    policy_answer,
    policy_card,
    render_answer,
    render_check_all,
    render_check_result,
    render_citation,
    render_fact,
    render_policy_card,
    source_statuses,
)
from .search import SearchIndex, SearchResult
from .text import normalize_doc_number

__all__ = [
    "BASIS_LAPSED",
    "CHECK_LABELS",
    "ELIGIBLE",
    "ENUM_LABELS",
    "NEED_MORE_INFO",
    "NOT_ELIGIBLE",
    "POLICY_STATUS_LABELS",
    "QUESTIONS",
    "ApplicantProfile",
    "ApplyInfo",
    "Catalogue",
    "DataValidationError",
    "EligibilityResult",
    "EntityMatch",
    "EntityRecognizer",
    "Fact",
    "Freshness",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LoadResult",
    "Note",
    "Policy",
    "ProfileError",
    "Rendered",
    "Rule",
    "SearchIndex",
    "STATUS_LABELS",
    "SearchResult",
    "Source",
    "Term",
    "UnknownPolicyError",
    "Vocabulary",
    "check_all_summary",
    "check_verdict",
    "export_lookups",
    "export_userdict",
    "freshness",
    "load",
    "load_catalogue",
    "normalize_doc_number",
    "policy_answer",
    "policy_card",
    "reference_date",
    "render_answer",
    "render_check_all",
    "render_check_result",
    "render_citation",
    "render_fact",
    "render_policy_card",
    "source_statuses",
]
