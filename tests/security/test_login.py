"""Issue #23: login throttling that cannot be turned against agents — keyed on the account and the
real client address, a backoff rather than a lock, bounded, unlockable by an admin. The web app in
process (aiohttp test server) on SQLite and on a fresh PostgreSQL database; the desk on both."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from agent_desk import AgentDesk, AuthenticationError, LoginThrottledError
from agent_desk import desk as desk_module
from agent_desk.schema import login_failures
from bot import runtime
from bot.web.client import real_client_address
from bot.web.services import SERVICES
from settings import proxy_networks
from tests.web.conftest import ADMIN, AGENT, POLICY, api_client, token

WRONG = "definitely-not-it"


@pytest.fixture()
async def client(database_url: str) -> AsyncIterator[TestClient]:
    async with api_client(database_url) as test_client:
        yield test_client


async def api_login(client: TestClient, name: str, password: str, **headers: str):
    return await client.post("/api/auth/login", json={"name": name, "password": password}, headers=headers)


def move_failures_back(desk: AgentDesk, by: timedelta) -> None:
    """Time passing for the backoff: the failures happened `by` earlier than recorded."""
    t = login_failures
    with desk.engine.begin() as conn:
        for name, address, when in conn.execute(sa.select(t.c.name, t.c.address, t.c.last_failed_at)).all():
            conn.execute(
                sa.update(t).where(t.c.name == name, t.c.address == address).values(last_failed_at=when - by)
            )


async def test_failures_under_other_names_never_block_a_correct_password(client: TestClient) -> None:
    """The reproduction: 5 failed logins with random names from one address locked every agent of
    that address out (429 for a correct password) for 10 minutes."""
    for _ in range(12):
        failed = await api_login(client, f"x{secrets.token_hex(4)}", WRONG)
        assert failed.status == 401
    assert (await api_login(client, *AGENT)).status == 200
    page = await client.post(
        "/console/login", data={"name": ADMIN[0], "password": ADMIN[1]}, allow_redirects=False
    )
    assert page.status == 302 and "haina_console" in page.cookies


async def test_an_account_waits_after_repeated_failures_then_logs_in(client: TestClient) -> None:
    desk = client.server.app[SERVICES].desk
    for _ in range(desk_module.FREE_FAILURES):
        assert (await api_login(client, AGENT[0], WRONG)).status == 401
    waiting = await api_login(client, AGENT[0], AGENT[1])
    assert waiting.status == 429
    assert 0 < int(waiting.headers["Retry-After"]) <= 30
    message = (await waiting.json())["error"]["message"]
    assert "登录失败次数过多" in message and "秒后再试" in message and "管理员解锁" in message
    form = await client.post(
        "/console/login", data={"name": AGENT[0], "password": AGENT[1]}, allow_redirects=False
    )
    assert form.status == 429 and "登录失败次数过多" in await form.text()
    # Other accounts from the same address are not affected.
    assert (await api_login(client, *ADMIN)).status == 200

    move_failures_back(desk, timedelta(seconds=31))
    assert (await api_login(client, AGENT[0], WRONG)).status == 401, "a wrong password is still wrong"
    again = await api_login(client, AGENT[0], AGENT[1])
    assert again.status == 429 and 30 < int(again.headers["Retry-After"]) <= 60, "the wait doubles"
    move_failures_back(desk, timedelta(seconds=61))
    assert (await api_login(client, *AGENT)).status == 200, "a backoff, not a lock"
    assert (await api_login(client, AGENT[0], WRONG)).status == 401, "success started the count afresh"
    assert (await api_login(client, *AGENT)).status == 200


async def test_an_admin_unlocks_an_account(client: TestClient) -> None:
    for _ in range(desk_module.FREE_FAILURES):
        await api_login(client, AGENT[0], WRONG)
    assert (await api_login(client, *AGENT)).status == 429
    assert (await client.post(f"/api/users/{AGENT[0]}/unlock")).status == 401
    agent_only = await client.post(f"/api/users/{AGENT[0]}/unlock", headers=await token(client, POLICY))
    assert agent_only.status == 403
    unlocked = await client.post(f"/api/users/{AGENT[0]}/unlock", headers=await token(client, ADMIN))
    assert unlocked.status == 200 and (await unlocked.json())["count"] == 1
    assert (await api_login(client, *AGENT)).status == 200


async def test_the_real_client_address_behind_a_trusted_proxy(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind nginx every agent shared the proxy's address; X-Forwarded-For from the trusted proxy
    tells them apart, and from anyone else it is ignored."""
    monkeypatch.setenv("HAINA_TRUSTED_PROXIES", "127.0.0.1/32")
    attacker, agent = "203.0.113.7", "198.51.100.20"
    for _ in range(desk_module.FREE_FAILURES + 2):
        await api_login(client, AGENT[0], WRONG, **{"X-Forwarded-For": attacker})
    assert (await api_login(client, *AGENT, **{"X-Forwarded-For": attacker})).status == 429
    assert (await api_login(client, *AGENT, **{"X-Forwarded-For": agent})).status == 200
    # A client cannot escape its own entry by adding addresses to the left.
    spoofed = await api_login(client, *AGENT, **{"X-Forwarded-For": f"{agent}, {attacker}"})
    assert spoofed.status == 429

    # Untrusted peer: the header is ignored, every request counts for the peer address.
    monkeypatch.setenv("HAINA_TRUSTED_PROXIES", "")
    for n in range(desk_module.FREE_FAILURES):
        await api_login(client, ADMIN[0], WRONG, **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert (await api_login(client, *ADMIN, **{"X-Forwarded-For": "192.0.2.200"})).status == 429


def test_real_client_address_reads_from_the_right() -> None:
    proxies = proxy_networks("10.0.0.0/8, 127.0.0.1")
    assert real_client_address("10.1.2.3", "203.0.113.7", proxies) == "203.0.113.7"
    assert real_client_address("10.1.2.3", "1.1.1.1, 203.0.113.7, 10.9.9.9", proxies) == "203.0.113.7"
    assert real_client_address("10.1.2.3", "10.4.4.4, 10.9.9.9", proxies) == "10.4.4.4"
    assert real_client_address("10.1.2.3", "garbage, 203.0.113.7", proxies) == "203.0.113.7"
    assert real_client_address("10.1.2.3", "203.0.113.7:51234", proxies) == "203.0.113.7"
    assert real_client_address("198.51.100.1", "203.0.113.7", proxies) == "198.51.100.1", "untrusted peer"
    assert real_client_address("10.1.2.3", None, proxies) == "10.1.2.3"
    with pytest.raises(ValueError):
        proxy_networks("10.0.0.0/33")


def test_the_failure_table_is_bounded(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = AgentDesk.open(database_url, reuse=False)
    desk.create_user("wang", "agent", "agent-password-1")
    monkeypatch.setattr(desk_module, "MAX_FAILURE_ROWS", 10)
    for _ in range(3):  # a real attack on one account: kept while made-up names come and go
        with pytest.raises(AuthenticationError):
            desk.login("wang", WRONG, address="203.0.113.7")
    for n in range(25):
        with pytest.raises(AuthenticationError):
            desk.login(f"made-up-{n}", WRONG, address="203.0.113.8")
    with desk.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, failures FROM agent_desk_login_failures")).all()
    assert len(rows) <= 10
    assert ("wang", 3) in [tuple(r) for r in rows]
    # An hour after the last failure it is forgotten.
    move_failures_back(desk, timedelta(hours=1, seconds=1))
    with pytest.raises(AuthenticationError) as error:
        desk.login("made-up-new", WRONG, address="203.0.113.8")
    assert not isinstance(error.value, LoginThrottledError)
    with desk.engine.connect() as conn:
        left = conn.execute(sa.text("SELECT name FROM agent_desk_login_failures")).scalars().all()
    assert left == ["made-up-new"]
    desk.engine.dispose()


def test_cli_unlock(database_url: str) -> None:
    desk = AgentDesk.open(database_url, reuse=False)
    desk.create_user("li", "agent", "agent-password-2")
    for _ in range(desk_module.FREE_FAILURES):
        with pytest.raises(AuthenticationError):
            desk.login("li", WRONG, address="203.0.113.9")
    with pytest.raises(LoginThrottledError):
        desk.login("li", "agent-password-2", address="203.0.113.9")
    result = subprocess.run(
        [sys.executable, "-m", "agent_desk", "--database-url", database_url, "unlock", "li"],
        cwd=runtime.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "li" in result.stdout and "登录" in result.stdout
    assert desk.login("li", "agent-password-2", address="203.0.113.9").agent.name == "li"
    desk.engine.dispose()
