"""Alembic environment of the agent_desk package (own version table, shared database)."""

from __future__ import annotations

from alembic import context

from agent_desk.db import VERSION_TABLE
from agent_desk.schema import metadata
from storage.database import run_package_migrations

run_package_migrations(context, metadata, VERSION_TABLE)
