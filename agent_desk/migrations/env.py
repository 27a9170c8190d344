"""Alembic environment of the agent desk (own version table, shared database)."""

from __future__ import annotations

from alembic import context

from agent_desk.db import VERSION_TABLE, make_engine
from agent_desk.schema import metadata

config = context.config


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    # The database is shared with the knowledge base and the bookings: look only at our tables.
    if type_ == "table":
        return name in metadata.tables
    return True


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
