"""The Rasa health channel on a real Sanic server with a real Rasa Agent and real stores.

Without a model the Agent is not ready, so /ready answers 503 while the store checks pass; a
lock store pointing at a closed port fails its check. The ready path with a loaded model is
covered by tests/scale/test_two_replicas.py against real Rasa servers.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from rasa.core.agent import Agent
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from sanic import Sanic

from bot.channels.health import HealthInput, readiness
from bot.stores import EnvLockStore, UrlSQLTrackerStore
from tests.channels.wechat_harness import free_port

StartServer = Callable[[Any], Awaitable[str]]


@pytest.fixture()
async def start_server() -> AsyncIterator[StartServer]:
    servers: list[Any] = []

    async def start(agent: Any) -> str:
        Sanic.test_mode = True
        app = Sanic(f"health_test_{uuid.uuid4().hex[:10]}")
        app.ctx.agent = agent
        channel = HealthInput.from_credentials(None)
        app.blueprint(channel.blueprint(lambda message: None), url_prefix="/webhooks/health")
        port = free_port()
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.after_start()
        servers.append(server)
        return f"http://127.0.0.1:{port}/webhooks/health"

    yield start
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


@pytest.fixture()
def tracker_store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> UrlSQLTrackerStore:
    monkeypatch.setenv("TRACKER_STORE_URL", database_url)
    return UrlSQLTrackerStore()


async def test_live_answers_without_a_model(start_server: StartServer) -> None:
    base = await start_server(None)
    status, body = await get(f"{base}/live")
    assert (status, body) == (200, {"status": "ok"})


async def test_ready_is_503_until_the_model_is_loaded(start_server: StartServer, tracker_store) -> None:
    base = await start_server(Agent(tracker_store=tracker_store, lock_store=InMemoryLockStore()))
    status, body = await get(f"{base}/ready")
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["model"] == {"ok": False}
    assert body["checks"]["tracker_store"]["ok"] is True
    assert body["checks"]["lock_store"]["ok"] is True


async def test_no_agent_at_all_is_not_ready(start_server: StartServer) -> None:
    base = await start_server(None)
    status, body = await get(f"{base}/ready")
    assert status == 503
    assert not body["checks"]["tracker_store"]["ok"]


async def test_redis_lock_store_is_checked(
    tracker_store, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    lock_store = EnvLockStore()
    assert isinstance(lock_store, RedisLockStore)
    _, checks = await readiness(Agent(tracker_store=tracker_store, lock_store=lock_store))
    assert checks["lock_store"]["ok"] is True
    assert checks["tracker_store"]["ok"] is True


async def test_unreachable_redis_fails_the_lock_store_check(tracker_store) -> None:
    closed = RedisLockStore(host="127.0.0.1", port=free_port(), socket_timeout=0.5)
    ok, checks = await readiness(Agent(tracker_store=tracker_store, lock_store=closed))
    assert not ok
    assert checks["lock_store"]["ok"] is False
    assert checks["lock_store"]["error"] == "ConnectionError"


async def test_unreachable_tracker_database_fails_its_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import create_engine

    # A real UrlSQLTrackerStore retries an unreachable database forever in __init__; the probe
    # only uses the engine, so build the store around an engine for a closed port.
    store = UrlSQLTrackerStore.__new__(UrlSQLTrackerStore)
    store.domain, store.event_broker = None, None
    store.engine = create_engine(
        f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/nowhere", connect_args={"connect_timeout": 1}
    )
    ok, checks = await readiness(Agent(tracker_store=store, lock_store=InMemoryLockStore()))
    assert not ok
    assert checks["tracker_store"]["ok"] is False
    assert checks["tracker_store"]["error"] == "OperationalError"
    assert "nowhere" not in str(checks)  # no connection strings in the answer
