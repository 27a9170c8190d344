"""Liveness and readiness of a Rasa server, as a tiny input channel (Rasa OSS has no /ready of its own).

    GET /webhooks/health/live   200 while the process serves HTTP (restart it when this fails)
    GET /webhooks/health/ready  200 when the model is loaded, the tracker store answers and the
                                lock store answers; 503 with the failing checks otherwise
                                (take the replica out of the load balancer, do not restart it)

Registered in credentials.yml as `bot.channels.health.HealthInput:` (no settings). The answers carry
no personal data and no connection strings: only check names, ok flags, timings and error classes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# A load balancer probes every few seconds; a hung database must not hang the probe.
CHECK_TIMEOUT = 2.0


def _unwrap(store: Any) -> Any:
    """Rasa wraps tracker stores (AwaitableTrackerStore, FailSafeTrackerStore); the wrappers would
    hide a broken database behind an in-memory fallback, so probe the innermost store."""
    seen = 0
    while hasattr(store, "_tracker_store") and seen < 5:
        store = store._tracker_store
        seen += 1
    return store


def _sql_ping(engine: Any) -> None:
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


async def check_tracker_store(store: Any) -> None:
    inner = _unwrap(store)
    if inner is None:
        raise RuntimeError("no tracker store")
    engine = getattr(inner, "engine", None)
    if engine is not None:  # SQLTrackerStore: one round trip, no tracker read
        await asyncio.get_running_loop().run_in_executor(None, _sql_ping, engine)
        return
    red = getattr(inner, "red", None)
    if red is not None:  # RedisTrackerStore
        await asyncio.get_running_loop().run_in_executor(None, red.ping)
        return
    result = inner.exists("__health_probe__") if hasattr(inner, "exists") else None
    if asyncio.iscoroutine(result):
        await result


async def check_lock_store(store: Any) -> None:
    if store is None:
        raise RuntimeError("no lock store")
    red = getattr(store, "red", None)
    if red is not None:  # RedisLockStore
        await asyncio.get_running_loop().run_in_executor(None, red.ping)
        return
    # InMemoryLockStore (single replica) lives in this process: reachable by definition.
    store.get_lock("__health_probe__")


async def _timed(name: str, check: Callable[[], Awaitable[None]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), timeout=CHECK_TIMEOUT)
        result: dict[str, Any] = {"ok": True}
    except asyncio.TimeoutError:
        result = {"ok": False, "error": f"timeout after {CHECK_TIMEOUT:.0f}s"}
    except Exception as exc:  # any failure means "not ready"; the class name is enough to act on
        result = {"ok": False, "error": type(exc).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    if not result["ok"]:
        logger.warning("readiness check %s failed: %s", name, result["error"])
    return result


async def readiness(agent: Any) -> tuple[bool, dict[str, Any]]:
    """The readiness verdict and its checks for a Rasa Agent (or None before the model is loaded)."""
    model_loaded = bool(agent is not None and agent.is_ready())
    checks: dict[str, Any] = {"model": {"ok": model_loaded}}
    if model_loaded:
        checks["model"]["model_id"] = getattr(agent, "model_id", None)
    tracker_store = getattr(agent, "tracker_store", None)
    lock_store = getattr(agent, "lock_store", None)
    tracker, lock = await asyncio.gather(
        _timed("tracker_store", lambda: check_tracker_store(tracker_store)),
        _timed("lock_store", lambda: check_lock_store(lock_store)),
    )
    checks["tracker_store"] = tracker
    checks["lock_store"] = lock
    return all(c["ok"] for c in checks.values()), checks


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "health"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("health_probes", __name__)

        @bp.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/live", methods=["GET"])
        async def live(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ok, checks = await readiness(agent)
            return response.json(
                {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
            )

        return bp
