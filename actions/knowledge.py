"""The knowledge base as the actions see it: opened once per action-server process."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from policies_kb import KnowledgeBase, reference_date


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    # Reads DATABASE_URL; migrates and imports the data files when they changed (cheap otherwise).
    return KnowledgeBase.open()


def today() -> date:
    return reference_date()
