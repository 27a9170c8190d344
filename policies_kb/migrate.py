"""Programmatic Alembic upgrade, independent of the current directory and of any alembic.ini.

The knowledge base keeps its own version table (kb_alembic_version) because the bookings package
runs its own migrations in the same database.
"""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

VERSION_TABLE = "kb_alembic_version"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x6B62_6D69  # "kbmi": an arbitrary constant shared by every process migrating this schema


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head", attempts: int = 3) -> None:
    """Bring the knowledge-base tables to `revision` (idempotent).

    Rasa and the action server may start together on a fresh database: an advisory lock
    (PostgreSQL) or an immediate write transaction (SQLite) serialises them, and a retry covers
    whatever race is left.
    """
    config = alembic_config()
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
                elif connection.dialect.name == "sqlite":
                    # pysqlite runs DDL outside any transaction; an explicit write transaction makes
                    # the migration atomic and makes a concurrent migrator wait instead of colliding.
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            return
        except DBAPIError:
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()
