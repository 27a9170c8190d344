"""`python -m bot.ops backup/restore` on SQLite and on a fresh PostgreSQL database.

Each test fills a real application database (policy KB, expert catalogue, agent accounts), backs it
up, damages it, restores it and compares every table row by row with the original.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, delete, func, select, text

from bot import ops, runtime
from tests.conftest import fresh_postgres_database

ROOT = runtime.PROJECT_ROOT


def fill(url: str) -> None:
    """The tables a deployment has after `bot.ops migrate`, with data in them."""
    from agent_desk import AgentDesk
    from consultations import open_service
    from policies_kb import KnowledgeBase

    KnowledgeBase.open(url, reuse=False)
    open_service(url)
    desk = AgentDesk.open(url, reuse=False)
    desk.create_user("ops-test", "agent", "a-long-enough-test-password-123")
    desk.record_unanswered("这个问题没有答案", "rest")


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url, future=True)
    try:
        metadata = MetaData()
        metadata.reflect(bind=engine)
        with engine.connect() as conn:
            return {
                t.name: [
                    tuple(r) for r in conn.execute(select(t).order_by(*(t.primary_key.columns or t.columns)))
                ]
                for t in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def damage(url: str) -> None:
    engine = create_engine(url, future=True)
    try:
        metadata = MetaData()
        metadata.reflect(bind=engine)
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                if table.name != "alembic_version" and not table.name.endswith("alembic_version"):
                    conn.execute(delete(table))
    finally:
        engine.dispose()


def non_empty_tables(state: dict[str, list]) -> int:
    return sum(1 for rows in state.values() if rows)


@pytest.mark.parametrize("fmt", ["auto", "json"])
def test_backup_damage_restore_gives_back_every_row(database_url: str, tmp_path: Path, fmt: str) -> None:
    fill(database_url)
    before = snapshot(database_url)
    assert non_empty_tables(before) >= 5
    out = tmp_path / "backup.bin"
    used = ops.backup(database_url, out, fmt)
    if fmt == "auto":
        assert used == ("sqlite" if database_url.startswith("sqlite") else "pg_dump")
    damage(database_url)
    assert snapshot(database_url) != before
    assert ops.restore(database_url, out) == used
    assert snapshot(database_url) == before


@pytest.mark.postgres
def test_without_pg_dump_postgresql_falls_back_to_json(
    postgres_url_per_test: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(postgres_url_per_test)
    before = snapshot(postgres_url_per_test)
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere
    out = tmp_path / "backup.json"
    assert ops.backup(postgres_url_per_test, out) == "json"
    damage(postgres_url_per_test)
    assert ops.restore(postgres_url_per_test, out) == "json"
    assert snapshot(postgres_url_per_test) == before


@pytest.mark.postgres
def test_json_restore_into_another_database_keeps_sequences_usable(
    postgres_url_per_test: str, tmp_path: Path
) -> None:
    fill(postgres_url_per_test)
    out = tmp_path / "backup.json"
    ops.backup(postgres_url_per_test, out, "json")
    with fresh_postgres_database() as target:
        fill(target)  # the schema must exist: `bot.ops migrate` on a real deployment
        ops.restore(target, out)
        assert snapshot(target) == snapshot(postgres_url_per_test)
        engine = create_engine(target, future=True)
        try:
            metadata = MetaData()
            metadata.reflect(bind=engine)
            with engine.connect() as conn:
                for table in metadata.sorted_tables:
                    for column in table.primary_key.columns:
                        sequence = conn.execute(
                            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
                        ).scalar()
                        largest = conn.execute(select(func.max(column))).scalar()
                        if sequence and largest is not None:
                            following = conn.execute(text("SELECT nextval(:s)"), {"s": sequence}).scalar()
                            assert following > largest, table.name
        finally:
            engine.dispose()


def test_json_restore_into_an_empty_database_says_to_migrate_first(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    fill(source)
    ops.backup(source, tmp_path / "b.json", "json")
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    create_engine(empty).connect().close()
    with pytest.raises(ops.OpsError, match="bot.ops migrate"):
        ops.restore(empty, tmp_path / "b.json")


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup")
    with pytest.raises(ops.OpsError):
        ops.restore(f"sqlite:///{tmp_path / 'x.db'}", junk)


def test_command_line_round_trip_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    fill(url)
    before = snapshot(url)
    env = runtime.child_env({"DATABASE_URL": url})
    run = [sys.executable, "-m", "bot.ops"]
    backup = subprocess.run(
        [*run, "backup", "--out", str(tmp_path / "app.backup")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert backup.returncode == 0, backup.stderr
    damage(url)
    restored = subprocess.run(
        [*run, "restore", str(tmp_path / "app.backup")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert restored.returncode == 0, restored.stderr
    assert snapshot(url) == before
    missing = subprocess.run(
        [*run, "restore", str(tmp_path / "nope")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert missing.returncode == 1
    assert os.fspath(tmp_path / "nope") in missing.stderr
