"""Fixtures for the WeChat channel tests: fake WeChat API, channel servers, store backends."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from sanic import Sanic

from bot.channels.wechat import WeChatInput
from bot.channels.wechat.store import MemoryStore, RedisStore
from tests.channels.wechat_harness import FakeBot, FakeWeChatApi, Harness, base_settings, free_port

StartChannel = Callable[..., Awaitable[Harness]]


@pytest.fixture(params=["memory", "redis"])
def store_factory(request: pytest.FixtureRequest) -> Callable[[], Any]:
    """Builds the store for a channel; the Redis variant shares one prefix per test, like replicas."""
    if request.param == "memory":
        shared = MemoryStore("haina:wechat:test:")
        return lambda: shared
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    return lambda: RedisStore(url, prefix)


@pytest.fixture()
async def start_channel(fake_api: FakeWeChatApi) -> AsyncIterator[StartChannel]:
    """Factory: a WeChat channel with `settings` overrides, served by Sanic on a free port."""
    started: list[tuple[Harness, Any]] = []
    http = aiohttp.ClientSession()

    async def start(store: Any = None, bot: FakeBot | None = None, **overrides: Any) -> Harness:
        settings = base_settings(**{"api_base_url": fake_api.base_url, **overrides})
        channel = WeChatInput(settings, store=store)
        bot = bot or FakeBot()
        # test_mode lets Sanic start several apps in one process (its TouchUp rewrites class methods).
        Sanic.test_mode = True
        app = Sanic(f"wechat_test_{uuid.uuid4().hex[:10]}")
        app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/wechat")
        port = free_port()
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.after_start()
        harness = Harness(channel, bot, f"http://127.0.0.1:{port}", http)
        started.append((harness, server))
        return harness

    yield start
    for _harness, server in started:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()  # closes the channel (store, HTTP session)
    await http.close()
