"""Engines and migrations; the agent desk keeps its own Alembic version table in the shared database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

import storage
from storage import make_engine, resolve_database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "agent_desk_alembic_version"
_LOCK_KEY = 0x6164_6B73  # "adks": serialises processes migrating the agent-desk tables

__all__ = ["VERSION_TABLE", "make_engine", "migrate", "resolve_database_url"]


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the agent-desk tables; safe to call on every start."""
    storage.upgrade(engine, MIGRATIONS_DIR, VERSION_TABLE, _LOCK_KEY, revision)
