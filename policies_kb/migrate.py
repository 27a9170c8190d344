"""Programmatic Alembic upgrade, independent of the current directory and of any alembic.ini.

The knowledge base keeps its own version table (kb_alembic_version) because the bookings package
runs its own migrations in the same database.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

import storage

VERSION_TABLE = "kb_alembic_version"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x6B62_6D69  # "kbmi": an arbitrary constant shared by every process migrating this schema


def upgrade(engine: Engine, revision: str = "head", attempts: int = 3) -> None:
    """Bring the knowledge-base tables to `revision` (idempotent, safe for concurrent starts)."""
    storage.upgrade(engine, MIGRATIONS_DIR, VERSION_TABLE, _LOCK_KEY, revision, attempts)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()
