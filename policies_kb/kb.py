"""The facade other packages use: one object that owns the catalogue, search index and recogniser.

open() makes sure the database schema is migrated and holds the current data, then keeps the
catalogue in memory: answering never touches the database. The spaCy recogniser is built on first
use because importing spaCy takes seconds and many processes only search.
"""

from __future__ import annotations

import functools
import threading
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

import settings

from .catalogue import load_catalogue
from .db import create_kb_engine, resolve_database_url
from .eligibility import EligibilityResult, check_all, check_policy
from .entities import EntityMatch, EntityRecognizer
from .errors import KnowledgeBaseError, UnknownPolicyError
from .freshness import Freshness, freshness
from .loader import Progress, load
from .model import Catalogue, Fact, Policy, Source
from .profile import ApplicantProfile
from .render import render_check_result, render_citation, render_fact, render_policy_card
from .search import SearchIndex, SearchResult
from .store import read_catalogue

SHANGHAI = ZoneInfo("Asia/Shanghai")


def reference_date() -> date:
    """HAINA_REFERENCE_DATE (YYYY-MM-DD) when set, so demos and tests are reproducible; else today in Shanghai."""
    try:
        configured = settings.current().reference_date
    except settings.SettingsError as error:
        raise KnowledgeBaseError(f"{error}（应为 YYYY-MM-DD / expected YYYY-MM-DD）") from None
    return configured or datetime.now(SHANGHAI).date()


class KnowledgeBase:
    """Read-only access to the policy knowledge base; safe to share between threads."""

    def __init__(self, catalogue: Catalogue, database_url: str | None = None):
        self.catalogue = catalogue
        self.database_url = database_url
        self._recognizer: EntityRecognizer | None = None
        self._recognizer_lock = threading.Lock()
        self._index = SearchIndex(catalogue, recognizer=self.recognize)

    # ------------------------------------------------------------ construction

    @classmethod
    def open(
        cls,
        database_url: str | None = None,
        data_dir: str | Path | None = None,
        progress: Progress | None = None,
        reuse: bool = True,
    ) -> KnowledgeBase:
        """Migrate the database, import the data files when they changed, and return the KB:
        the process's one for this URL and data folder, or with `reuse=False` a new one.

        database_url defaults to env DATABASE_URL, then sqlite:///var/haina.db under the repo root.
        """
        url = resolve_database_url(database_url)
        if not reuse:
            return cls._load(url, data_dir, progress)
        with _shared_lock:
            return _opened(url, str(data_dir or ""), progress)

    @classmethod
    def _load(cls, url: str, data_dir: str | Path | None, progress: Progress | None) -> KnowledgeBase:
        catalogue = load_catalogue(data_dir)
        engine = create_kb_engine(url)
        try:
            load(engine, catalogue=catalogue, progress=progress)
            stored = read_catalogue(engine)
        finally:
            engine.dispose()
        return cls(stored or catalogue, url)

    @classmethod
    def from_database(cls, database_url: str | None = None) -> KnowledgeBase:
        """Serve whatever the database holds, without reading the data files."""
        url = resolve_database_url(database_url)
        engine = create_kb_engine(url)
        try:
            catalogue = read_catalogue(engine)
        finally:
            engine.dispose()
        if catalogue is None:
            raise KnowledgeBaseError(
                f"数据库中没有政策数据 / no knowledge base loaded in {url}; run `python -m policies_kb load`"
            )
        return cls(catalogue, url)

    @classmethod
    def for_serving(cls, database_url: str | None = None) -> KnowledgeBase:
        """What a serving process (action server, web server) should use: the database's data.

        Serving processes never overwrite the database with their own copy of the data files, or an
        old replica restarting during a rolling update would put older policy data back. Only an
        empty database is loaded (a laptop's first start); updates go through `python -m
        policies_kb load` (or `python -m bot.ops migrate`) and a restart.
        """
        try:
            return cls.from_database(database_url)
        except (KnowledgeBaseError, SQLAlchemyError):
            return cls.open(database_url)

    @classmethod
    def from_files(cls, data_dir: str | Path | None = None) -> KnowledgeBase:
        """No database at all: for tests, validation and tools."""
        return cls(load_catalogue(data_dir))

    # ------------------------------------------------------------ lookups

    def get(self, policy_id: str) -> Policy:
        try:
            return self.catalogue.policies[policy_id]
        except KeyError:
            raise UnknownPolicyError(policy_id) from None

    def all(self) -> list[Policy]:
        return list(self.catalogue.policies.values())

    def source(self, source_id: str) -> Source:
        return self.catalogue.sources[source_id]

    def search(self, query: str, limit: int = 5, on: date | None = None) -> list[SearchResult]:
        return self._index.search(query, limit=limit, on=on or reference_date())

    def recognize(self, text: str) -> list[EntityMatch]:
        if self._recognizer is None:
            with self._recognizer_lock:
                if self._recognizer is None:
                    self._recognizer = EntityRecognizer(self.catalogue)
        return self._recognizer.recognize(text)

    # ------------------------------------------------------------ reasoning

    def profile(self, data: dict) -> ApplicantProfile:
        """Validate user data against this catalogue's vocabulary (ProfileError in Chinese)."""
        return ApplicantProfile.from_dict(data, self.catalogue.vocabulary, set(self.catalogue.policies))

    def check(self, policy_id: str, profile: ApplicantProfile, on: date | None = None) -> EligibilityResult:
        return check_policy(self.get(policy_id), profile, on or reference_date(), self.catalogue)

    def check_all(self, profile: ApplicantProfile, on: date | None = None) -> list[EligibilityResult]:
        return check_all(profile, on or reference_date(), self.catalogue)

    def freshness(self, policy_id: str, on: date | None = None) -> Freshness:
        return freshness(self.get(policy_id), on or reference_date(), self.catalogue)

    # ------------------------------------------------------------ rendering

    def render_fact(self, policy_id: str, key: str) -> str:
        policy = self.get(policy_id)
        fact: Fact | None = policy.fact(key)
        if fact is None:
            raise KnowledgeBaseError(f"政策“{policy_id}”没有“{key}”这一项 / no fact {key!r}")
        return render_fact(fact, old=self.freshness(policy_id).historical)

    def render_citation(self, source_id: str, verification: str | None = None) -> str:
        return render_citation(self.source(source_id), verification)

    def render_card(self, policy_id: str, on: date | None = None) -> str:
        return render_policy_card(self.get(policy_id), self.catalogue, on or reference_date())

    def render_check(self, result: EligibilityResult) -> str:
        return render_check_result(result)


# -- one knowledge base per database URL and process ---------------------------------------------
# The house style of the three domain packages (agent_desk.shared_desk, consultations.shared_service):
# a `shared_xxx(url)` factory cached with functools.cache on the resolved URL, behind a lock so two
# threads asking first open it once, and `shared_xxx.cache_clear()` for tests.

_shared_lock = threading.RLock()  # re-entered: for_serving falls back to open() on an empty database


def shared_kb(database_url: str | None = None) -> KnowledgeBase:
    """The serving process's knowledge base for `database_url` (default DATABASE_URL): what the
    database holds (`KnowledgeBase.for_serving`), read once and kept for the life of the process.
    `shared_kb.cache_clear()` forgets every cached knowledge base, those of `KnowledgeBase.open` too."""
    url = resolve_database_url(database_url)
    with _shared_lock:
        return _served(url)


@functools.cache
def _served(url: str) -> KnowledgeBase:
    return KnowledgeBase.for_serving(url)


@functools.cache
def _opened(url: str, data_dir: str, progress: Progress | None) -> KnowledgeBase:
    return KnowledgeBase._load(url, data_dir or None, progress)


def _clear_shared() -> None:
    _served.cache_clear()
    _opened.cache_clear()


shared_kb.cache_clear = _clear_shared  # type: ignore[attr-defined]
