"""Operations: schema set-up for a deployment, backup and restore of a database, privacy scrub.

    python -m bot.ops migrate                      # app schema + policy data + Rasa tracker tables
    python -m bot.ops backup --out FILE [--database-url URL] [--format auto|sqlite|pg_dump|json]
    python -m bot.ops restore FILE [--database-url URL]
    python -m bot.ops scrub-conversations [--idle-hours 24]  # mask booking names/phones left in
                                                             # abandoned conversations (run daily)
    python -m bot.ops namespace-wechat-ids [--dry-run]       # one-off: raw openids -> wx:<openid>

The database is DATABASE_URL unless --database-url is given (use TRACKER_STORE_URL's value to back up
conversations). Formats:
- SQLite: a consistent copy through sqlite3's online backup API (safe while the servers run);
- PostgreSQL: `pg_dump --format=custom` / `pg_restore --clean --single-transaction` when they are on
  PATH, else a JSON dump of every table through SQLAlchemy (restored in one transaction into an
  existing schema: run `migrate` first on an empty database).
Restore detects the format from the file. Nothing here prints row contents or passwords.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import decimal
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, func, insert, select, text
from sqlalchemy.engine import Engine, make_url

JSON_FORMAT = "haina-json-backup"
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class OpsError(RuntimeError):
    """An operation failed; the message says what to do."""


def say(message: str) -> None:
    print(f"[ops] {message}", file=sys.stderr, flush=True)


def database_url(url: str | None = None) -> str:
    from policies_kb.db import resolve_database_url

    return resolve_database_url(url)


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# --- migrate --------------------------------------------------------------------------------


def migrate(tracker: bool = True) -> None:
    """What a deployment runs once before (re)starting servers: the same steps as `make run`."""
    from bot import runtime

    runtime.setup_database()
    from agent_desk import db as desk_db

    engine = desk_db.make_engine(database_url())
    try:
        desk_db.migrate(engine)
    finally:
        engine.dispose()
    if tracker:
        # Creating the tracker tables here keeps several Rasa replicas from racing to create them.
        from bot.stores import UrlSQLTrackerStore, tracker_store_url

        store = UrlSQLTrackerStore()
        store.engine.dispose()
        say(f"tracker store ready: {_redacted(tracker_store_url())}")


def scrub_conversations(idle_hours: float) -> tuple[int, int]:
    """Mask booking names and phones in conversations idle for `idle_hours` (abandoned forms).

    A finished booking releases them at once (bot/tracker_privacy.py); this catches the rest.
    Returns (conversations looked at, events rewritten)."""
    from bot.stores import configured_tracker_store, tracker_store_url

    store = configured_tracker_store()
    try:
        senders = store.idle_senders(idle_hours * 3600)
        rewritten = 0
        for done, sender in enumerate(senders, start=1):
            rewritten += store.release_personal_data(sender)
            if done % 500 == 0:
                say(f"scrubbed {done}/{len(senders)} conversations")
    finally:
        store.engine.dispose()
    say(
        f"{len(senders)} conversations idle for {idle_hours:g} h in {_redacted(tracker_store_url())}; "
        f"{rewritten} events rewritten"
    )
    return len(senders), rewritten


def namespace_wechat_ids(dry_run: bool = False) -> tuple[int, int]:
    """One-off on upgrading to channel-namespaced sender ids (consultations/identity.py): the
    conversations and bookings of WeChat users kept under a raw openid move to `wx:<openid>`.

    A conversation is WeChat's when one of its user messages came through the WeChat channel (Rasa
    records the channel on each); other ids are left alone. Run it with the servers stopped, or a
    turn in flight writes under the old id again. Idempotent. Returns (conversations, bookings)."""
    from sqlalchemy import update

    from bot.stores import configured_tracker_store, tracker_store_url
    from consultations import open_service
    from consultations.identity import WECHAT_CHANNEL, WECHAT_PREFIX, wechat_user

    store = configured_tracker_store()
    service = open_service(database_url(), auto_refresh=False)
    events = store.SQLEvent
    try:
        with store.session_scope() as session:
            rows = session.execute(
                select(events.sender_id, events.data).where(
                    events.type_name == "user", events.data.like(f"%{WECHAT_CHANNEL}%")
                )
            )
            openids = sorted(
                {
                    sender
                    for sender, data in rows
                    if not sender.startswith(WECHAT_PREFIX)
                    and json.loads(data).get("input_channel") == WECHAT_CHANNEL
                }
            )
            if not dry_run:
                for openid in openids:
                    session.execute(
                        update(events).where(events.sender_id == openid).values(sender_id=wechat_user(openid))
                    )
                session.commit()
        if dry_run:
            bookings = sum(
                len(service.bookings(o, include_past=True, include_cancelled=True)) for o in openids
            )
        else:
            bookings = sum(service.rename_user(o, wechat_user(o)) for o in openids)
    finally:
        store.engine.dispose()
        service.engine.dispose()
    verb = "would move" if dry_run else "moved"
    say(
        f"{verb} {len(openids)} WeChat conversations in {_redacted(tracker_store_url())} and "
        f"{bookings} bookings in {_redacted(database_url())} to wx:<openid>"
    )
    return len(openids), bookings


# --- backup ---------------------------------------------------------------------------------


def backup(url: str, out: Path, fmt: str = "auto") -> str:
    """Write a backup of the database at `url` to `out`; returns the format used."""
    backend = make_url(url).get_backend_name()
    if fmt == "auto":
        if backend == "sqlite":
            fmt = "sqlite"
        elif backend == "postgresql" and shutil.which("pg_dump"):
            fmt = "pg_dump"
        else:
            fmt = "json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    started = time.monotonic()
    if fmt == "sqlite":
        if backend != "sqlite":
            raise OpsError("--format sqlite only applies to a SQLite database")
        _sqlite_backup(_sqlite_path(url), tmp)
    elif fmt == "pg_dump":
        if backend != "postgresql":
            raise OpsError("--format pg_dump only applies to a PostgreSQL database")
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}", _libpq_url(url)]
        )
    elif fmt == "json":
        _json_backup(url, tmp)
    else:
        raise OpsError(f"unknown format {fmt!r}")
    os.replace(tmp, out)  # a half-written backup never carries the final name
    say(
        f"backup of {_redacted(url)} written to {out} ({fmt}, {out.stat().st_size} bytes, {time.monotonic() - started:.1f}s)"
    )
    return fmt


def detect_format(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(64)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pg_dump"
    if head.lstrip().startswith(b"{"):
        return "json"
    raise OpsError(f"{path} is not a backup written by `python -m bot.ops backup`")


def restore(url: str, path: Path) -> str:
    """Replace the contents of the database at `url` with the backup in `path`; returns its format."""
    fmt = detect_format(path)
    backend = make_url(url).get_backend_name()
    started = time.monotonic()
    if fmt == "sqlite":
        if backend != "sqlite":
            raise OpsError(
                "a SQLite backup restores into a SQLite database only (use --format json to move data)"
            )
        _sqlite_backup(path, _sqlite_path(url))
    elif fmt == "pg_dump":
        if backend != "postgresql":
            raise OpsError("a pg_dump backup restores into PostgreSQL only")
        if not shutil.which("pg_restore"):
            raise OpsError("pg_restore is not on PATH")
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={_libpq_url(url)}",
                str(path),
            ]
        )
    else:
        _json_restore(url, path)
    say(f"restored {path} ({fmt}) into {_redacted(url)} in {time.monotonic() - started:.1f}s")
    return fmt


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise OpsError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.exists():
        raise OpsError(f"{source} does not exist")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot page by page while writers continue,
        # and replaces the whole target database in one step.
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        # The connection string is an argument; show the tool's message, never the command line.
        raise OpsError(f"{command[0]} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


# --- JSON dump (no pg_dump, or moving data between database kinds) --------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):  # JSON columns
        return {"$json": value}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "$datetime":
            return dt.datetime.fromisoformat(raw)
        if tag == "$date":
            return dt.date.fromisoformat(raw)
        if tag == "$time":
            return dt.time.fromisoformat(raw)
        if tag == "$decimal":
            return decimal.Decimal(raw)
        if tag == "$bytes":
            return base64.b64decode(raw)
        if tag == "$json":
            return raw
    return value


def _reflect(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(bind=engine)
    return metadata


def _json_backup(url: str, out: Path) -> None:
    engine = create_engine(url, future=True)
    try:
        metadata = _reflect(engine)
        tables: dict[str, Any] = {}
        # REPEATABLE READ on PostgreSQL: every table from the same snapshot while writers continue.
        options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
        with engine.connect().execution_options(**options) as conn:
            for table in metadata.sorted_tables:
                columns = [c.name for c in table.columns]
                order = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(select(table).order_by(*order))
                tables[table.name] = {
                    "columns": columns,
                    "rows": [[_encode(v) for v in row] for row in rows],
                }
        document = {
            "format": JSON_FORMAT,
            "version": 1,
            "dialect": engine.dialect.name,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            "order": [t.name for t in metadata.sorted_tables],
            "tables": tables,
        }
    finally:
        engine.dispose()
    with out.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False)


def _json_restore(url: str, path: Path) -> None:
    with path.open(encoding="utf-8") as handle:
        document = json.load(handle)
    if document.get("format") != JSON_FORMAT:
        raise OpsError(f"{path} is not a {JSON_FORMAT} file")
    engine = create_engine(url, future=True)
    try:
        metadata = _reflect(engine)
        missing = [name for name in document["order"] if name not in metadata.tables]
        if missing:
            raise OpsError(
                f"the target database lacks tables {missing}; run `python -m bot.ops migrate` against it first"
            )
        for name in document["order"]:
            absent = set(document["tables"][name]["columns"]) - {
                c.name for c in metadata.tables[name].columns
            }
            if absent:
                raise OpsError(
                    f"table {name} in the target has no columns {sorted(absent)} (schema version differs)"
                )
        ordered = [metadata.tables[name] for name in document["order"]]
        with engine.begin() as conn:  # all or nothing
            for table in reversed(ordered):
                conn.execute(table.delete())
            for table in ordered:
                data = document["tables"][table.name]
                rows = [dict(zip(data["columns"], map(_decode, row), strict=True)) for row in data["rows"]]
                for start in range(0, len(rows), 500):
                    conn.execute(insert(table), rows[start : start + 500])
            if engine.dialect.name == "postgresql":
                _reset_sequences(conn, ordered)
    finally:
        engine.dispose()


def _reset_sequences(conn: Any, tables: list[Any]) -> None:
    """Rows were inserted with their ids; move each serial sequence past the largest one."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if sequence:
                largest = conn.execute(select(func.max(column))).scalar()
                if largest is None:
                    conn.execute(text("SELECT setval(:s, 1, false)"), {"s": sequence})
                else:
                    conn.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": largest})


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ops", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("migrate", help="create/migrate the schema, load policy data, create tracker tables")
    m.add_argument("--no-tracker", action="store_true", help="skip the Rasa tracker-store tables")
    b = sub.add_parser("backup", help="back up a database to a file")
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    b.add_argument("--format", default="auto", choices=["auto", "sqlite", "pg_dump", "json"])
    r = sub.add_parser("restore", help="replace a database's contents with a backup")
    r.add_argument("file", type=Path)
    r.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    s = sub.add_parser("scrub-conversations", help="mask booking names/phones in idle conversations")
    s.add_argument("--idle-hours", type=float, default=24.0)
    w = sub.add_parser("namespace-wechat-ids", help="one-off: WeChat conversations/bookings to wx:<openid>")
    w.add_argument("--dry-run", action="store_true", help="count, change nothing")
    args = parser.parse_args(argv)
    try:
        if args.command == "migrate":
            migrate(tracker=not args.no_tracker)
        elif args.command == "scrub-conversations":
            scrub_conversations(args.idle_hours)
        elif args.command == "namespace-wechat-ids":
            namespace_wechat_ids(args.dry_run)
        elif args.command == "backup":
            backup(database_url(args.database_url), args.out, args.format)
        else:
            if not args.file.exists():
                raise OpsError(f"{args.file} does not exist")
            restore(database_url(args.database_url), args.file)
    except OpsError as error:
        say(f"error: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
