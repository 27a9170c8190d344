"""Issue #23, item 2: internal services stay internal.

Against the real stack as `make run` starts it (tests/conftest.py `assistant`), and against the
deploy/ files, which cannot run here. On 2e069c6 Rasa (with `--cors *`) and the action server
listened on 0.0.0.0 and the action server ran any action for anyone who called it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot import runtime
from tests.security.test_identity import response_text

pytestmark = pytest.mark.rasa_server

DEPLOY = runtime.PROJECT_ROOT / "deploy"
LOOPBACK = {"127.0.0.1", "::1"}


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (/proc/net/tcp and tcp6, as `ss -ltn`)."""
    found: set[str] = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A = LISTEN
                continue
            raw = bytes.fromhex(address)
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, raw))
    return found


def request(url: str, method: str = "GET", body: object = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def action_call(sender: str) -> dict:
    """What Rasa posts to the action server to run action_list_bookings for `sender`."""
    return {
        "next_action": "action_list_bookings",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": {"text": "查看我的预约", "intent": {"name": "my_bookings"}, "entities": []},
            "events": [{"event": "user", "text": "查看我的预约", "input_channel": "rest", "parse_data": {}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_make_run_listens_on_loopback_only(assistant) -> None:
    """Rasa and the action server bind 127.0.0.1 (RASA_HOST / ACTION_HOST); so does the web server
    unless WEB_HOST says otherwise: nothing of `make run` is reachable from another host."""
    ports = {s.name: urllib.parse.urlsplit(s.ready_url).port for s in assistant.supervisor.specs}
    bound = {name: listening_addresses(port) for name, port in ports.items() if port}
    assert {"rasa", "actions", "web"} <= set(bound)
    print("listening:", bound)
    for name, addresses in bound.items():
        assert addresses, f"{name} is not listening"
        assert addresses <= LOOPBACK, f"{name} listens on {addresses - LOOPBACK}"


def test_the_action_server_answers_only_rasa(assistant) -> None:
    base = f"http://127.0.0.1:{assistant.ports.actions}"
    call = action_call("tel:13912345678")
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "not-a-bearer"}):
        status, _, body = request(
            base + "/webhook", "POST", call, {"Content-Type": "application/json", **headers}
        )
        assert status == 401, body
    assert request(base + "/actions")[0] == 401
    assert request(base + "/health")[0] == 200  # probes need no token and learn nothing
    # Rasa itself gets through: an action-driven answer for a new conversation.
    reply = assistant.say_text("internal-check-user", "查看我的预约")
    assert response_text("utter_booking_none") in reply


def test_rasa_grants_no_cross_origin_access(assistant) -> None:
    """No page talks to Rasa directly (the widget uses /api/chat): no `--cors *`."""
    url = f"http://127.0.0.1:{assistant.ports.rasa}/webhooks/rest/webhook"
    origin = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    _, preflight, _ = request(url, "OPTIONS", headers=origin)
    _, posted, _ = request(
        url,
        "POST",
        {"sender": "cors-check", "message": "你好"},
        {**origin, "Content-Type": "application/json"},
    )
    for headers in (preflight, posted):
        assert "Access-Control-Allow-Origin" not in {k.title() for k in headers}


def test_the_action_server_does_not_start_without_its_token() -> None:
    env = runtime.child_env()
    env.pop("ACTION_SERVER_TOKEN")
    command = [sys.executable, "-m", "bot.launch", "actions", "--actions", "actions", "--port", "1"]
    result = subprocess.run(
        command, cwd=runtime.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ACTION_SERVER_TOKEN" in result.stderr


def test_make_run_starts_rasa_without_cors_and_hands_both_servers_the_token() -> None:
    specs = {s.name: s for s in runtime.service_specs(runtime.Ports())}
    assert "--cors" not in specs["rasa"].command
    endpoints = yaml.safe_load((runtime.PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["headers"]["Authorization"] == "Bearer ${ACTION_SERVER_TOKEN}"
    env = runtime.child_env()
    assert (
        len(env["ACTION_SERVER_TOKEN"]) >= 32
        and runtime.child_env()["ACTION_SERVER_TOKEN"] == env["ACTION_SERVER_TOKEN"]
    ), "one token for every child of a run"
