"""Engines and migrations; the reminders keep their own Alembic version table in the shared database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

import storage

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "reminders_alembic_version"
_LOCK_KEY = 0x726D_6E64  # "rmnd": serialises processes migrating the reminder tables


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the reminder tables; safe to call on every start."""
    storage.upgrade(engine, MIGRATIONS_DIR, VERSION_TABLE, _LOCK_KEY, revision)
