"""Shared fixtures: real PostgreSQL and Redis services, one fresh database per test session.

Tests that need PostgreSQL or Redis must run when CI=true; elsewhere they skip with a reason
when the service is unreachable.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import runtime
from tests.channels import wechat_harness

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _require_service(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} at {host}:{port} is unreachable, and CI=true requires it")
    pytest.skip(f"{name} at {host}:{port} is unreachable (set CI=true to make this a failure)")


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database with a unique name; drop it on exit."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(PG_ADMIN_URL)
    _require_service("PostgreSQL", admin.host or "127.0.0.1", admin.port or 5432)
    name = f"haina_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database shared by the whole test session."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture()
def postgres_url_per_test() -> Iterator[str]:
    """A fresh PostgreSQL database for one test."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture()
def redis_url() -> Iterator[str]:
    """The local Redis; tests must namespace their keys with the `redis_prefix` fixture."""
    _require_service("Redis", "127.0.0.1", 6379)
    yield REDIS_URL


@pytest.fixture()
def redis_prefix(redis_url: str) -> Iterator[str]:
    import redis

    prefix = f"test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Runs a test once on a fresh SQLite file and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url_per_test")


# --- the real assistant -------------------------------------------------------------------------
# One set of servers (Rasa, action server, web server) for the whole test session, started exactly
# as `make run` starts them, against a fresh SQLite database in a temporary folder.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningAssistant:
    supervisor: runtime.Supervisor
    ports: runtime.Ports
    env: dict[str, str]

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.web}"

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}/webhooks/rest/webhook"

    def say(self, sender: str, message: str, timeout: float = 30.0) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            self.rest_url, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def say_text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))

    def tracker_events(self, sender: str) -> list[str]:
        """Event types stored for a conversation, read straight from the tracker store."""
        return [type_name for type_name, _ in self._stored_events(sender)]

    def stored_conversation(self, sender: str) -> str:
        """Everything the tracker store holds for a conversation, as readable JSON lines."""
        import json

        return "\n".join(
            json.dumps(json.loads(data), ensure_ascii=False) for _, data in self._stored_events(sender)
        )

    def _stored_events(self, sender: str) -> list[tuple[str, str]]:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.env["TRACKER_STORE_URL"], future=True)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
                )
                return [(row[0], row[1]) for row in rows]
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    return runtime.ensure_model()


@pytest.fixture()
async def fake_api() -> AsyncIterator[wechat_harness.FakeWeChatApi]:
    """The loopback stand-in for api.weixin.qq.com (tests/channels/wechat_harness.py), started."""
    api = wechat_harness.FakeWeChatApi()
    await api.start()
    yield api
    await api.stop()


# The WeChat channel in safe (AES) mode with the test credentials of tests/channels.
WECHAT_TEST_ENV = {
    "WECHAT_APPID": wechat_harness.APPID,
    "WECHAT_SECRET": wechat_harness.SECRET,
    "WECHAT_TOKEN": wechat_harness.TOKEN,
    "WECHAT_ENCODING_AES_KEY": wechat_harness.AES_KEY,
    "WECHAT_MODE": "safe",
}


def load_knowledge_base(env: dict[str, str], data_dir: Path) -> None:
    """Import the knowledge base from `data_dir` into env's DATABASE_URL, as a policy-team reload does."""
    command = [sys.executable, "-m", "policies_kb", "--data-dir", str(data_dir), "load"]
    result = subprocess.run(command, cwd=runtime.PROJECT_ROOT, env=runtime.child_env(env))
    assert result.returncode == 0, f"{' '.join(command[1:])} exited with {result.returncode}"


@contextlib.contextmanager
def start_assistant(
    folder: Path, env_overrides: dict[str, str] | None = None, data_dir: Path | None = None
) -> Iterator[RunningAssistant]:
    """Rasa, action server and web server started as `make run` starts them, on free ports.

    Fresh SQLite databases in `folder`, reference date 2026-11-28 and the test WeChat credentials
    unless `env_overrides` says otherwise; `data_dir` replaces the knowledge base loaded at set-up.
    """
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'haina.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
        "HAINA_REFERENCE_DATE": "2026-11-28",
        # Every test talks from 127.0.0.1: the per-address chat limit would count the whole session
        # as one citizen (it has its own test, tests/web/test_api_chat_limits.py).
        "HAINA_CHAT_LIMIT_PER_ADDRESS": "0",
        **WECHAT_TEST_ENV,
        **(env_overrides or {}),
    }
    runtime.setup_database(env)
    if data_dir is not None:
        load_knowledge_base(env, data_dir)
    ports = runtime.Ports(rasa=free_port(), actions=free_port(), web=free_port())
    supervisor = runtime.Supervisor(runtime.service_specs(ports, env), echo=False)
    try:
        supervisor.start()
        supervisor.wait_until_ready()
        yield RunningAssistant(supervisor, ports, env)
    finally:
        supervisor.stop()


@pytest.fixture(scope="session")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    with start_assistant(tmp_path_factory.mktemp("assistant")) as running:
        yield running
