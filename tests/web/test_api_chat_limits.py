"""The widget API's per-address limit, in process against the real Rasa of the shared assistant:
new conversations from one address count together, and the polite 429 says when to come back."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.rate_limit import REPLY_TOO_MANY
from bot.web.server import create_app

pytestmark = pytest.mark.rasa_server


async def test_one_address_is_limited_across_new_conversations(assistant, monkeypatch) -> None:
    monkeypatch.setenv("HAINA_CHAT_LIMIT_PER_ADDRESS", "3")
    app = create_app(assistant.env["DATABASE_URL"], rasa_url=f"http://127.0.0.1:{assistant.ports.rasa}")
    async with TestClient(TestServer(app)) as client:
        responses = []
        for _ in range(5):
            # No session header: each message would start a new conversation, so only the address
            # can tell that one client sends them all.
            responses.append(await client.post("/api/chat", json={"message": "你好"}))
        assert [r.status for r in responses] == [200, 200, 200, 429, 429]
        assert "海纳百创" in (await responses[0].json())[0]["text"]
        refused = responses[-1]
        assert (await refused.json())["error"]["message"] == REPLY_TOO_MANY
        assert refused.headers["Retry-After"] == "60"
        assert refused.headers["X-Haina-Session"]  # the conversation can go on after the wait
