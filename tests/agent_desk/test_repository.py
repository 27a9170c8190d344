"""agent_desk.repository on SQLite and PostgreSQL: each statement on its own, the unit of work
(commit on success, nothing on error), and the rule that the rest of the package holds no SQL."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import agent_desk
from agent_desk import AgentDesk, shared_desk
from agent_desk.db import make_engine, migrate
from agent_desk.repository import UnitOfWork

NOW = datetime(2026, 11, 28, 12, 0)  # naive UTC, as stored
PACKAGE_DIR = Path(agent_desk.__file__).resolve().parent


@pytest.fixture()
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def add_user(engine: Engine, name: str, *, role: str = "agent") -> int:
    with UnitOfWork(engine, write=True) as repo:
        return repo.insert_user(name, role, f"hash-of-{name}", NOW)


def test_users(engine: Engine) -> None:
    wang = add_user(engine, "wang")
    admin = add_user(engine, "admin", role="admin")
    assert wang != admin
    with UnitOfWork(engine) as repo:
        assert [(a.name, a.role, a.active, a.created_at) for a in repo.users()] == [
            ("admin", "admin", True, NOW),
            ("wang", "agent", True, NOW),
        ]
        stored = repo.user_by_name("wang")
        assert stored is not None
        assert (stored.agent.id, stored.password_hash) == (wang, "hash-of-wang")
        assert repo.user_by_name("nobody") is None
        assert repo.user_id("admin") == admin and repo.user_id("nobody") is None
        repo.set_password_hash(wang, "new-hash")
    with UnitOfWork(engine) as repo:
        assert repo.user_by_name("wang").password_hash == "new-hash"


def test_a_taken_name_raises_and_writes_nothing(engine: Engine) -> None:
    add_user(engine, "wang")
    with pytest.raises(IntegrityError), UnitOfWork(engine, write=True) as repo:
        repo.insert_user("li", "agent", "hash", NOW)
        repo.insert_user("wang", "agent", "hash", NOW)
    with UnitOfWork(engine) as repo:
        assert [a.name for a in repo.users()] == ["wang"], "the whole unit of work is rolled back"


def test_unit_of_work_commits_on_success_and_rolls_back_on_error(engine: Engine) -> None:
    with pytest.raises(RuntimeError), UnitOfWork(engine, write=True) as repo:
        repo.insert_user("li", "agent", "hash", NOW)
        raise RuntimeError("the use case failed after its first write")
    with UnitOfWork(engine) as repo:
        assert repo.users() == []
    add_user(engine, "li")
    with UnitOfWork(engine) as repo:
        assert [a.name for a in repo.users()] == ["li"]


def test_tokens(engine: Engine) -> None:
    wang, li = add_user(engine, "wang"), add_user(engine, "li")
    with UnitOfWork(engine, write=True) as repo:
        repo.insert_token("a" * 64, wang, "session", NOW, NOW + timedelta(hours=12))
        repo.insert_token("b" * 64, wang, "api", NOW, NOW + timedelta(hours=1))
        repo.insert_token("c" * 64, li, "session", NOW - timedelta(hours=13), NOW - timedelta(hours=1))
    with UnitOfWork(engine) as repo:
        assert repo.user_for_token("a" * 64, NOW).name == "wang"
        assert repo.user_for_token("b" * 64, NOW + timedelta(hours=1)) is None, "expiry is exclusive"
        assert repo.user_for_token("c" * 64, NOW) is None, "expired"
        assert repo.user_for_token("d" * 64, NOW) is None, "unknown"
    with UnitOfWork(engine, write=True) as repo:
        assert repo.delete_expired_tokens(NOW) == 1
        repo.delete_token("b" * 64)
    with UnitOfWork(engine) as repo:
        assert repo.user_for_token("a" * 64, NOW).id == wang
        assert repo.user_for_token("b" * 64, NOW) is None
    with UnitOfWork(engine, write=True) as repo:
        assert repo.delete_user_tokens(wang) == 1
    with UnitOfWork(engine) as repo:
        assert repo.user_for_token("a" * 64, NOW) is None


def test_unanswered_groups_and_counts(engine: Engine) -> None:
    asked = [
        ("请问灵活就业补贴怎么退？", "灵活就业补贴怎么退", "wechat", NOW - timedelta(days=40)),
        ("灵活就业补贴 怎么退", "灵活就业补贴怎么退", "web", NOW - timedelta(days=1)),
        ("灵活就业补贴怎么退呀", "灵活就业补贴怎么退", "wechat", NOW - timedelta(hours=1)),
        ("外籍人士能申请吗", "外籍人士能申请", "web", NOW - timedelta(hours=2)),
        ("100%能批吗", "100%能批", "rest", NOW - timedelta(days=2)),
    ]
    with UnitOfWork(engine, write=True) as repo:
        ids = [repo.insert_unanswered(*row) for row in asked]
    assert len(set(ids)) == 5

    with UnitOfWork(engine) as repo:
        groups = repo.unanswered_groups(since=None, limit=100, containing=None)
        assert [(g.normalised, g.count) for g in groups] == [
            ("灵活就业补贴怎么退", 3),
            ("外籍人士能申请", 1),
            ("100%能批", 1),
        ], "most asked first, then most recent"
        top = groups[0]
        assert top.example == "灵活就业补贴怎么退呀", "the most recent wording"
        assert top.channels == ("web", "wechat")
        assert (top.first_asked, top.last_asked) == (NOW - timedelta(days=40), NOW - timedelta(hours=1))

        recent = repo.unanswered_groups(since=NOW - timedelta(days=7), limit=100, containing=None)
        assert (recent[0].count, recent[0].first_asked) == (2, NOW - timedelta(days=1))
        first = repo.unanswered_groups(since=None, limit=1, containing=None)
        assert [g.normalised for g in first] == ["灵活就业补贴怎么退"]

        assert [g.normalised for g in repo.unanswered_groups(since=None, limit=10, containing="外籍")] == [
            "外籍人士能申请"
        ]
        assert [g.normalised for g in repo.unanswered_groups(since=None, limit=10, containing="%")] == [
            "100%能批"
        ], "LIKE wildcards in a search are literal"
        assert repo.unanswered_groups(since=None, limit=10, containing="不存在") == []

        assert repo.count_unanswered() == 5
        assert repo.count_unanswered(NOW - timedelta(days=7)) == 4


def test_the_desk_and_its_helpers_hold_no_sql() -> None:
    for name in ("desk.py", "accounts.py", "unanswered.py", "__main__.py"):
        tree = ast.parse((PACKAGE_DIR / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("sqlalchemy") for a in node.names), name
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                # Types and exception classes only: no statements, no text().
                assert node.module in ("sqlalchemy.engine", "sqlalchemy.exc"), (name, node.module)
                assert {a.name for a in node.names} <= {"Engine", "IntegrityError", "SQLAlchemyError"}, name
            if isinstance(node, ast.ImportFrom) and node.module == "agent_desk.schema":
                pytest.fail(f"{name} imports the tables; only repository.py may")


def test_shared_desk_is_one_per_resolved_url(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    shared_desk.cache_clear()
    monkeypatch.setenv("DATABASE_URL", database_url)
    desk = shared_desk()
    try:
        assert shared_desk(database_url) is desk is AgentDesk.open(database_url)
        own = AgentDesk.open(database_url, reuse=False)
        assert own is not desk
        own.engine.dispose()
        shared_desk.cache_clear()
        assert shared_desk(database_url) is not desk
    finally:
        shared_desk(database_url).engine.dispose()
        desk.engine.dispose()
        shared_desk.cache_clear()
