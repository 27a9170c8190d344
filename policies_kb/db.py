"""Database URL resolution and engine creation for the knowledge base (shared plumbing in `storage`)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage import DEFAULT_DATABASE_URL, REPO_ROOT, make_engine, resolve_database_url

__all__ = ["DEFAULT_DATABASE_URL", "REPO_ROOT", "create_kb_engine", "resolve_database_url"]


def create_kb_engine(url: str | None = None) -> Engine:
    return make_engine(url)
