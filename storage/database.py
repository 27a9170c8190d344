"""Engines and migrations for the one application database (KB, bookings, agent desk).

SQLite is the laptop default, and the Rasa server, the action server and the web server all write
to the same file. Two things make concurrent writers wait instead of failing with "database is
locked": WAL mode with a busy timeout, and write transactions that take the write lock up front
(`BEGIN IMMEDIATE`, see `write_engine`). A deferred transaction that reads first and writes later
cannot wait for the lock — SQLite fails it at once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.exc import DBAPIError

import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/haina.db"
SQLITE_BUSY_TIMEOUT_S = 30
# Alembic's `context` is a module-level proxy: two threads migrating at once would trample it.
_ALEMBIC_LOCK = threading.Lock()


def resolve_database_url(url: str | None = None) -> str:
    """Explicit URL, else env DATABASE_URL, else sqlite:///var/haina.db. Relative SQLite paths are
    taken from the repository root so every process (Rasa, actions, web, CLI) opens the same file."""
    url = url or settings.current().database_url or DEFAULT_DATABASE_URL
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            path = REPO_ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        url = parsed.set(database=str(path)).render_as_string(hide_password=False)
    return url


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """A 2.0-style engine; for SQLite with WAL, foreign keys, a busy timeout and explicit BEGIN."""
    url_obj = make_url(resolve_database_url(url))
    if url_obj.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url_obj, future=True, **kwargs)

    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url_obj, future=True, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:  # pragma: no cover - driver callback
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling defers it and runs
        # DDL outside transactions).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine, with SQLite write transactions starting as BEGIN IMMEDIATE (no-op elsewhere)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def alembic_config(migrations_dir: Path, version_table: str) -> Config:
    """An Alembic config that works from any working directory and needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("version_table", version_table)
    return config


def upgrade(
    engine: Engine,
    migrations_dir: Path,
    version_table: str,
    lock_key: int,
    revision: str = "head",
    attempts: int = 3,
) -> None:
    """Bring one package's tables to `revision`; idempotent and safe when processes start together.

    Each package keeps its own version table in the shared database. Rasa, the action server and
    the web server may migrate a fresh database at the same moment: an advisory lock (PostgreSQL)
    or an immediate write transaction (SQLite) serialises them, and a retry covers what is left.
    """
    config = alembic_config(migrations_dir, version_table)
    for attempt in range(1, attempts + 1):
        try:
            with _ALEMBIC_LOCK, write_engine(engine).begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            return
        except DBAPIError:
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


def run_package_migrations(context: Any, metadata: Any, version_table: str) -> None:
    """Body of a package's Alembic env.py: migrate only that package's tables in the shared database.

    Driven by `upgrade`, which passes the connection; `alembic` on the command line also works and
    then connects to `sqlalchemy.url` or DATABASE_URL.
    """

    def include_object(_obj: Any, name: str, type_: str, _reflected: Any, _compare_to: Any) -> bool:
        return name in metadata.tables if type_ == "table" else True

    def run(connection: Any) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()

    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as conn:
            run(conn)
    finally:
        engine.dispose()
