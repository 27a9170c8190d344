"""Alembic environment of the consultations package (own version table, shared database)."""

from __future__ import annotations

from alembic import context

from consultations.db import VERSION_TABLE
from consultations.schema import metadata
from storage.database import run_package_migrations

run_package_migrations(context, metadata, VERSION_TABLE)
