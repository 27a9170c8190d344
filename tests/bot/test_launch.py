"""bot.launch: what it changes in the Rasa process besides logging, against real sockets."""

from __future__ import annotations

import asyncio

from tests.conftest import free_port


async def test_rasa_reuses_one_connection_per_endpoint(monkeypatch) -> None:
    """bot.launch makes Rasa's action calls share a connection (Rasa 3.6 opens one per call)."""
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from bot import launch

    peers: list[object] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    try:
        for _ in range(3):
            await endpoint.request(json={"next_action": "x"}, method="post")
        assert len(set(peers)) == 3  # Rasa as shipped: a new connection every call
        monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)  # restored afterwards
        launch._reuse_endpoint_connections()
        peers.clear()
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "x"}, method="post") == {
                "events": [],
                "responses": [],
            }
        assert len(peers) == 3 and len(set(peers)) == 1
        # An idle connection is dropped before the action server's 5 s keep-alive could close it
        # under our feet: after a pause the next call opens a new one.
        await asyncio.sleep(launch.POOL_KEEPALIVE_SECONDS + 0.5)
        await endpoint.request(json={"next_action": "x"}, method="post")
        assert len(set(peers)) == 2
    finally:
        await runner.cleanup()
