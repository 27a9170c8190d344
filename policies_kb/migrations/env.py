"""Alembic environment for the knowledge base; driven only from policies_kb.migrate.upgrade()."""

from __future__ import annotations

from alembic import context

from policies_kb.migrate import VERSION_TABLE
from policies_kb.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=lambda name, type_, _parent: type_ != "table" or name.startswith("kb_"),
)
with context.begin_transaction():
    context.run_migrations()
