"""Migrations (own version table, any working directory), schema parity, package boundaries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from consultations.db import VERSION_TABLE, make_engine, migrate
from consultations.schema import metadata

PACKAGE = Path(__file__).resolve().parents[2] / "consultations"


def test_migrations_create_the_tables_with_their_own_version_table(engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert set(metadata.tables) | {VERSION_TABLE} <= names
    assert "alembic_version" not in names  # the knowledge base's Alembic keeps its own table
    migrate(engine)  # idempotent
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all() == [
            "0001_initial"
        ]


def test_migrated_schema_matches_the_code(engine) -> None:
    def ours(obj, name, type_, reflected, compare_to) -> bool:
        return name in metadata.tables if type_ == "table" else True

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": ours, "compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_migrate_runs_from_any_working_directory(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.db"
    code = (
        "from consultations.db import make_engine, migrate; "
        f"e = make_engine('sqlite:///{db}'); migrate(e); print('ok')"
    )
    env = {"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(f"sqlite:///{db}")
    assert "consultation_bookings" in inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_package_does_not_import_the_chat_framework() -> None:
    forbidden = {"rasa", "rasa_sdk", "sanic", "bot", "actions"}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & forbidden, f"{path} imports {roots & forbidden}"
