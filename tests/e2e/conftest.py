"""Start the real Rasa server and action server, on free ports, with the trained model.

The servers are started exactly as `python -m bot.cli serve` starts them, against a fresh SQLite
knowledge base and tracker store in a temporary folder.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import runtime
from tests.channels import wechat_harness


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
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}/webhooks/rest/webhook"

    def say(self, sender: str, message: str, timeout: float = 30.0) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(self.rest_url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def say_text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))

    def tracker_events(self, sender: str) -> list[str]:
        """Event types stored for a conversation, read straight from the tracker store."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.env["TRACKER_STORE_URL"], future=True)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT type_name FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
                )
                return [row[0] for row in rows]
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    return runtime.ensure_model()


@pytest.fixture(scope="session")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    folder = tmp_path_factory.mktemp("assistant")
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'haina.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
        "HAINA_REFERENCE_DATE": "2026-11-28",
        # The WeChat channel in safe (AES) mode with the test credentials of tests/channels.
        "WECHAT_APPID": wechat_harness.APPID,
        "WECHAT_SECRET": wechat_harness.SECRET,
        "WECHAT_TOKEN": wechat_harness.TOKEN,
        "WECHAT_ENCODING_AES_KEY": wechat_harness.AES_KEY,
        "WECHAT_MODE": "safe",
    }
    runtime.setup_database(env)
    ports = runtime.Ports(rasa=free_port(), actions=free_port(), web=free_port())
    supervisor = runtime.Supervisor(runtime.service_specs(ports, env), echo=False)
    try:
        supervisor.start()
        supervisor.wait_until_ready()
        yield RunningAssistant(supervisor, ports, env)
    finally:
        supervisor.stop()
