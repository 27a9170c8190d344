"""Database URL resolution and engine creation shared by the loader, the facade and the CLI."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/haina.db"


def resolve_database_url(url: str | None = None) -> str:
    """Explicit URL, else env DATABASE_URL, else sqlite:///var/haina.db; relative SQLite paths are
    taken relative to the repository root so every process (Rasa, actions, CLI) opens the same file."""
    url = url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            path = REPO_ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        url = parsed.set(database=str(path)).render_as_string(hide_password=False)
    return url


def create_kb_engine(url: str | None = None) -> Engine:
    return create_engine(resolve_database_url(url), future=True, pool_pre_ping=True)
