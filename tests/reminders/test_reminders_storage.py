"""The reminder tables: own version table, schema parity with the migration."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from reminders.db import VERSION_TABLE, migrate
from reminders.schema import metadata
from storage import make_engine


def test_migration_creates_the_tables_with_their_own_version_table(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)  # idempotent
        assert set(metadata.tables) | {VERSION_TABLE} <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            versions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        assert versions == ["0001_initial"]
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_code(database_url: str) -> None:
    def ours(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
        return name in metadata.tables if type_ == "table" else True

    engine = make_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": ours, "compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
