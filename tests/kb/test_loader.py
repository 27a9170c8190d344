"""Loader, migrations and the database round trip, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select

from policies_kb import schema
from policies_kb.catalogue import load_catalogue
from policies_kb.errors import DataValidationError
from policies_kb.loader import load
from policies_kb.migrate import VERSION_TABLE, current_revision, upgrade
from policies_kb.store import loaded_fingerprint, read_catalogue

from .conftest import FIXTURE_DIR, real_data_present
from .test_catalogue import FBS, edit


@pytest.fixture()
def engine(database_url: str):  # noqa: ANN201
    engine = create_engine(database_url, future=True)
    yield engine
    engine.dispose()


def test_migrations_match_schema(engine) -> None:  # noqa: ANN001
    upgrade(engine)
    upgrade(engine)  # idempotent
    assert current_revision(engine) == "kb0003"
    assert VERSION_TABLE in inspect(engine).get_table_names()
    assert "alembic_version" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, schema.metadata) == []


def test_load_round_trip_and_idempotent(engine, capsys) -> None:  # noqa: ANN001
    first = load(engine, FIXTURE_DIR)
    assert first.changed and first.counts["policies"] == 5
    err = capsys.readouterr().err
    assert "validating data files" in err and "kb_policies: 5" in err and "imported 5 policies" in err
    assert read_catalogue(engine) == load_catalogue(FIXTURE_DIR)
    second = load(engine, FIXTURE_DIR)
    assert not second.changed
    assert "data unchanged" in capsys.readouterr().err
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.policies)).scalar_one() == 5
        assert conn.execute(select(schema.data_fingerprint.c.load_count)).scalar_one() == 1


def test_bad_data_leaves_database_unchanged(engine, data_copy: Path) -> None:  # noqa: ANN001
    load(engine, data_copy, progress=None)
    before = read_catalogue(engine)
    edit(data_copy, FBS, "unit: yuan", "unit: rmb")
    edit(data_copy, FBS, "一次性8000元", "一次性9000元")
    with pytest.raises(DataValidationError, match="unknown unit 'rmb'"):
        load(engine, data_copy, progress=None)
    assert read_catalogue(engine) == before


def test_failed_import_rolls_back(engine, data_copy: Path, monkeypatch) -> None:  # noqa: ANN001
    """A failure half-way through the import (here: forced in the notes stage) keeps the old rows."""
    load(engine, data_copy, progress=None)
    before = read_catalogue(engine)
    edit(data_copy, FBS, "一次性8000元", "一次性9000元")

    def explode(message: str) -> None:
        if message.startswith("  kb_facts"):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        load(engine, data_copy, progress=explode)
    assert read_catalogue(engine) == before
    assert loaded_fingerprint(engine) == before.fingerprint


def test_changed_data_is_reimported(engine, data_copy: Path) -> None:  # noqa: ANN001
    load(engine, data_copy, progress=None)
    edit(data_copy, FBS, "text: 一次性8000元", "text: 一次性8000元（原文）")
    result = load(engine, data_copy, progress=None)
    assert result.changed
    stored = read_catalogue(engine)
    assert stored.policy("first_business_subsidy").fact("amount").text == "一次性8000元（原文）"
    assert stored.fingerprint == result.fingerprint


def test_read_before_load(engine) -> None:  # noqa: ANN001
    assert read_catalogue(engine) is None
    upgrade(engine)
    assert read_catalogue(engine) is None


@pytest.mark.skipif(not real_data_present(), reason="no real data yet")
def test_real_data_round_trip(engine, real_catalogue) -> None:  # noqa: ANN001
    result = load(engine, progress=None, catalogue=real_catalogue)
    assert result.changed
    assert read_catalogue(engine) == real_catalogue


def test_concurrent_loaders_import_once(database_url: str) -> None:
    """Processes starting together on a fresh database (Rasa + action server) must not fail."""
    from concurrent.futures import ThreadPoolExecutor

    def run(_: int):  # noqa: ANN202
        engine = create_engine(database_url, future=True)
        try:
            return load(engine, FIXTURE_DIR, progress=None)
        finally:
            engine.dispose()

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(run, range(3)))
    assert sum(r.changed for r in results) == 1
