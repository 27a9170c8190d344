"""Alembic environment of the reminders package (own version table, shared database)."""

from __future__ import annotations

from alembic import context

from reminders.db import VERSION_TABLE
from reminders.schema import metadata
from storage.database import run_package_migrations

run_package_migrations(context, metadata, VERSION_TABLE)
