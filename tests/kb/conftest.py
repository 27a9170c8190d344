"""Fixtures for the knowledge-base tests: a small fixture data set, and the real data once it exists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policies_kb.catalogue import DEFAULT_DATA_DIR, load_catalogue
from policies_kb.model import Catalogue

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "data"


def real_data_present() -> bool:
    return any((DEFAULT_DATA_DIR / "policies").glob("*.yaml"))


@pytest.fixture(scope="session")
def fixture_catalogue() -> Catalogue:
    return load_catalogue(FIXTURE_DIR)


@pytest.fixture(scope="session")
def real_catalogue() -> Catalogue:
    if not real_data_present():
        pytest.skip("no real data under policies_kb/data/policies yet")
    return load_catalogue(DEFAULT_DATA_DIR)


@pytest.fixture(scope="session", params=["fixture", "real"])
def any_catalogue(request: pytest.FixtureRequest) -> Catalogue:
    """Catalogue-driven tests run on the fixture data and on the real data."""
    if request.param == "fixture":
        return request.getfixturevalue("fixture_catalogue")
    return request.getfixturevalue("real_catalogue")


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture data, for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DIR, target)
    return target
