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


async def test_turns_in_progress_share_the_event_loop(trained_model, monkeypatch) -> None:
    """With bot.launch, two conversations' turns interleave step by step on one event loop.

    Rasa as shipped runs a turn without giving the loop up unless it waits for I/O, so two greetings
    (no I/O with in-memory stores) run one after the other; a turn that calls the action server then
    waits behind every turn that arrived meanwhile (docs/reports/load, section 3).
    """
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor

    from bot import launch

    predictions: list[str] = []
    predict = MessageProcessor.predict_next_with_tracker_if_should

    def recording_predict(self: MessageProcessor, tracker: object) -> object:
        predictions.append(tracker.sender_id)  # type: ignore[attr-defined]
        return predict(self, tracker)

    monkeypatch.setattr(MessageProcessor, "predict_next_with_tracker_if_should", recording_predict)
    agent = Agent.load(str(trained_model))

    async def two_greetings() -> list[list[dict]]:
        return await asyncio.gather(
            agent.handle_text("你好", sender_id="first"), agent.handle_text("您好", sender_id="second")
        )

    await two_greetings()
    assert predictions == ["first", "first", "second", "second"]  # utter_greet, action_listen

    for name in launch.TURN_STEPS:
        monkeypatch.setattr(MessageProcessor, name, getattr(MessageProcessor, name))  # restored afterwards
    launch._share_the_loop_between_turns()
    predictions.clear()
    replies = await two_greetings()
    assert sorted(predictions) == ["first", "first", "second", "second"]
    assert predictions.index("second") < 2, predictions  # the second turn started before the first ended
    assert all(reply and "海纳百创" in reply[0]["text"] for reply in replies), replies


async def test_the_loaded_model_is_kept_out_of_full_collections(trained_model, monkeypatch) -> None:
    """After Rasa's start-up load, the agent sits in the permanent generation that gc skips."""
    import gc
    from types import SimpleNamespace

    from rasa.core import run
    from rasa.core.utils import AvailableEndpoints

    from bot import launch

    monkeypatch.setattr(run, "load_agent_on_start", run.load_agent_on_start)  # restored afterwards
    launch._freeze_the_loaded_model()
    app = SimpleNamespace(ctx=SimpleNamespace())
    try:
        agent = await run.load_agent_on_start(
            str(trained_model), AvailableEndpoints(), None, app, asyncio.get_running_loop()
        )
        assert agent.is_ready() and app.ctx.agent is agent
        assert gc.is_tracked(agent.processor)
        walked = gc.get_objects()  # what a full collection walks: generations 0-2, not the frozen
        assert not any(obj is agent.processor for obj in walked)
        assert gc.get_freeze_count() > len(walked)  # the model is most of the process's objects
        reply = await agent.handle_text("你好", sender_id="after-freeze")
        assert reply and "海纳百创" in reply[0]["text"]  # the frozen model still serves
    finally:
        gc.unfreeze()
