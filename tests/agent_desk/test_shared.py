"""One way to share a domain object in a process, the same in the three domain packages:
`shared_desk`, `consultations.shared_service` and `policies_kb.kb.shared_kb` are cached per resolved
database URL (DATABASE_URL when none is given), and `.cache_clear()` forgets them. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_desk import AgentDesk, shared_desk
from consultations import BookingService, open_service, shared_service
from policies_kb import KnowledgeBase
from policies_kb.kb import shared_kb

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "kb" / "fixtures" / "data"


@pytest.fixture(autouse=True)
def forget_shared() -> Iterator[None]:
    for factory in (shared_desk, shared_service, shared_kb):
        factory.cache_clear()
    yield
    for factory in (shared_desk, shared_service, shared_kb):
        factory.cache_clear()


def dispose(obj: Any) -> None:
    engine = getattr(obj, "engine", None)
    if engine is not None:
        engine.dispose()


@pytest.mark.parametrize(
    "factory, kind",
    [(shared_desk, AgentDesk), (shared_service, BookingService), (shared_kb, KnowledgeBase)],
    ids=["agent_desk", "consultations", "policies_kb"],
)
def test_one_instance_per_resolved_url_until_cleared(
    factory: Callable[..., Any], kind: type, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if factory is shared_kb:
        KnowledgeBase.open(database_url, FIXTURE_DIR, reuse=False)  # the database holds a KB to serve
    monkeypatch.setenv("DATABASE_URL", database_url)
    first = factory()
    assert isinstance(first, kind)
    assert factory(database_url) is first, "the default URL and the same URL spelled out share one"
    factory.cache_clear()
    second = factory(database_url)
    assert second is not first
    assert factory() is second
    dispose(first)
    dispose(second)


def test_the_legacy_entry_points_share_the_same_instances(database_url: str) -> None:
    desk = AgentDesk.open(database_url)
    assert desk is shared_desk(database_url)
    own_desk = AgentDesk.open(database_url, reuse=False)
    own_service = open_service(database_url)
    assert own_desk is not desk and own_service is not shared_service(database_url)
    for obj in (desk, own_desk, own_service, shared_service(database_url)):
        dispose(obj)

    kb = KnowledgeBase.open(database_url, FIXTURE_DIR)
    assert KnowledgeBase.open(database_url, FIXTURE_DIR) is kb
    shared_kb.cache_clear()
    assert KnowledgeBase.open(database_url, FIXTURE_DIR) is not kb, "cache_clear forgets open()'s too"
