"""Engines and migrations for the consultation tables (shared plumbing in `storage`).

Bookings rely on `write_engine`: write transactions that start with BEGIN IMMEDIATE on SQLite, so
50 concurrent bookers queue for the write lock instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

import storage
from storage import make_engine, resolve_database_url, write_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "consultations_alembic_version"
_LOCK_KEY = 0x636F_6E73  # "cons": serialises processes migrating the consultation tables

__all__ = ["VERSION_TABLE", "database_url", "make_engine", "migrate", "write_engine"]


def database_url() -> str:
    return resolve_database_url()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the consultation tables to `revision`; safe to call on every start."""
    storage.upgrade(engine, MIGRATIONS_DIR, VERSION_TABLE, _LOCK_KEY, revision)
