"""Issue #23: console sessions — logout that really ends the session, CSRF on every state-changing
route including /console/logout, an idle timeout, deactivation and "end all sessions", weak
passwords refused, Secure cookies behind a TLS proxy. The web app in process on SQLite and on a
fresh PostgreSQL database; the CLI as a subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from agent_desk import AgentDesk, InvalidInputError
from agent_desk.passwords import common_passwords
from agent_desk.schema import tokens
from bot import runtime
from bot.web.auth import SESSION_COOKIE
from bot.web.services import SERVICES
from tests.web.conftest import ADMIN, AGENT, api_client, token

CSRF = {"X-Requested-With": "haina-console"}


@pytest.fixture()
async def client(database_url: str) -> AsyncIterator[TestClient]:
    async with api_client(database_url) as test_client:
        yield test_client


async def console_login(client: TestClient, who: tuple[str, str] = AGENT, **headers: str) -> str:
    """Log in through the console form; the session cookie's value."""
    response = await client.post(
        "/console/login", data={"name": who[0], "password": who[1]}, headers=headers, allow_redirects=False
    )
    assert response.status == 302, await response.text()
    return response.cookies[SESSION_COOKIE].value


async def me(client: TestClient, cookie: str) -> int:
    """Status of /api/me with exactly this session cookie (whatever the test client's jar holds)."""
    client.session.cookie_jar.clear()
    return (await client.get("/api/me", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})).status


async def test_api_logout_with_the_cookie_ends_the_session(client: TestClient) -> None:
    """The reproduction: POST /api/auth/logout with the cookie answered ok, the session stayed valid."""
    cookie = await console_login(client)
    assert await me(client, cookie) == 200
    without_csrf = await client.post("/api/auth/logout", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    assert without_csrf.status == 403
    assert await me(client, cookie) == 200, "a cross-site request ends nothing"
    out = await client.post("/api/auth/logout", headers={"Cookie": f"{SESSION_COOKIE}={cookie}", **CSRF})
    assert out.status == 200
    assert out.cookies[SESSION_COOKIE].value == "", "the cookie is dropped"
    assert await me(client, cookie) == 401, "the session ended on the server"


async def test_console_logout_needs_the_csrf_check_and_ends_the_session(client: TestClient) -> None:
    """The reproduction: /console/logout skipped the CSRF header check."""
    cookie = await console_login(client)
    jar = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    for headers in ({}, {"Sec-Fetch-Site": "cross-site"}, {"X-Requested-With": "XMLHttpRequest"}):
        refused = await client.post("/console/logout", headers={**jar, **headers}, allow_redirects=False)
        assert refused.status == 403, headers
        assert "请求来源无法验证" in await refused.text()
        assert await me(client, cookie) == 200
    done = await client.post("/console/logout", headers={**jar, **CSRF}, allow_redirects=False)
    assert done.status == 302 and done.headers["Location"] == "/console/login"
    assert await me(client, cookie) == 401
    # The plain form of the console page: a browser marks it same-origin, which no page can forge.
    second = await console_login(client)
    form = await client.post(
        "/console/logout",
        headers={"Cookie": f"{SESSION_COOKIE}={second}", "Sec-Fetch-Site": "same-origin"},
        allow_redirects=False,
    )
    assert form.status == 302 and await me(client, second) == 401


async def test_a_login_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    response = await client.post(
        "/console/login",
        data={"name": AGENT[0], "password": AGENT[1]},
        headers={"Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
    )
    assert response.status == 403 and SESSION_COOKIE not in response.cookies


async def test_every_state_changing_api_route_checks_csrf_for_the_cookie(client: TestClient) -> None:
    """Every POST route that needs a login refuses the session cookie without the CSRF check."""
    cookie = await console_login(client, ADMIN)
    values = {"code": "ABC123", "name": AGENT[0], "action": "end-sessions"}
    paths = sorted(
        re.sub(r"\{(\w+)[^}]*\}", lambda m: values.get(m.group(1), "x"), route.resource.canonical)
        for route in client.server.app.router.routes()
        if route.method == "POST"
        and route.resource is not None
        and route.resource.canonical.startswith("/api/")
    )
    checked = []
    for path in paths:
        client.session.cookie_jar.clear()
        if (await client.post(path, json={})).status != 401:
            continue  # public (the widget's chat, the login itself): no session to abuse
        response = await client.post(path, json={}, headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
        assert response.status == 403, path
        assert (await response.json())["error"]["code"] == "csrf", path
        checked.append(path)
    assert "/api/auth/logout" in checked and f"/api/users/{AGENT[0]}/end-sessions" in checked
    assert len(checked) >= 8
    assert await me(client, cookie) == 200, "nothing was ended or changed"


async def test_an_idle_session_ends(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAINA_SESSION_IDLE_MINUTES", "30")
    cookie = await console_login(client)
    desk = client.server.app[SERVICES].desk

    def idle_for(minutes: int) -> None:
        with desk.engine.begin() as conn:
            for token_hash, created, last in conn.execute(
                sa.select(tokens.c.token_hash, tokens.c.created_at, tokens.c.last_used_at)
            ).all():
                when = (last or created) - timedelta(minutes=minutes)
                conn.execute(
                    sa.update(tokens)
                    .where(tokens.c.token_hash == token_hash)
                    .values(created_at=when, last_used_at=when)
                )

    idle_for(29)
    assert await me(client, cookie) == 200, "used within 30 minutes"
    idle_for(29)
    assert await me(client, cookie) == 200, "each use restarts the idle clock"
    idle_for(31)
    assert await me(client, cookie) == 401
    # An API token (scripts) has its 12 hours whatever the idle time.
    headers = await token(client, AGENT)
    idle_for(120)
    assert (await client.get("/api/me", headers=headers)).status == 200


async def test_deactivate_and_end_sessions_take_effect_at_once(client: TestClient) -> None:
    admin = await token(client, ADMIN)
    agent_cookie = await console_login(client)
    agent_token = await token(client, AGENT)
    ended = await client.post(f"/api/users/{AGENT[0]}/end-sessions", headers=admin)
    assert ended.status == 200 and (await ended.json())["count"] == 2
    assert await me(client, agent_cookie) == 401
    assert (await client.get("/api/me", headers=agent_token)).status == 401

    agent_cookie = await console_login(client)
    off = await client.post(f"/api/users/{AGENT[0]}/deactivate", headers=admin)
    assert off.status == 200
    assert await me(client, agent_cookie) == 401
    refused = await client.post("/api/auth/login", json={"name": AGENT[0], "password": AGENT[1]})
    assert refused.status == 401 and (await refused.json())["error"]["message"] == "用户名或密码错误。"
    listed = await (await client.get("/api/users", headers=admin)).json()
    assert next(u for u in listed["users"] if u["name"] == AGENT[0])["active"] is False
    assert (await client.post(f"/api/users/{AGENT[0]}/activate", headers=admin)).status == 200
    assert (await client.post("/api/auth/login", json={"name": AGENT[0], "password": AGENT[1]})).status == 200
    assert (await client.post(f"/api/users/{ADMIN[0]}/deactivate", headers=admin)).status == 400, (
        "not oneself"
    )
    assert (await client.post("/api/users/nobody/deactivate", headers=admin)).status == 404
    agent = await token(client, AGENT)
    assert (await client.post(f"/api/users/{ADMIN[0]}/end-sessions", headers=agent)).status == 403


def test_cli_deactivate_user_and_end_sessions(database_url: str) -> None:
    desk = AgentDesk.open(database_url, reuse=False)
    desk.create_user("zhao", "agent", "a-good-password")
    desk.create_user("qian", "agent", "another-good-one")
    sessions = [desk.login("zhao", "a-good-password"), desk.login("qian", "another-good-one")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "agent_desk", "--database-url", database_url, *args]
        return subprocess.run(command, cwd=runtime.PROJECT_ROOT, capture_output=True, text=True)

    ended = run("end-sessions", "--all")
    assert ended.returncode == 0 and "2 个登录会话" in ended.stdout, ended.stderr
    assert all(desk.user_for_token(s.token) is None for s in sessions)
    session = desk.login("zhao", "a-good-password")
    off = run("deactivate-user", "zhao")
    assert off.returncode == 0 and "已停用账号 zhao" in off.stdout, off.stderr
    assert desk.user_for_token(session.token) is None
    assert run("deactivate-user", "nobody").returncode == 1
    assert run("activate-user", "zhao").returncode == 0
    assert desk.login("zhao", "a-good-password").agent.active
    desk.engine.dispose()


@pytest.mark.parametrize("weak", ["a" * 10, "1234567890", "password123", "Qwertyuiop", "1212121212"])
def test_weak_passwords_are_refused(database_url: str, weak: str) -> None:
    """The reproduction: a password of ten "a" was accepted."""
    desk = AgentDesk.open(database_url, reuse=False)
    with pytest.raises(InvalidInputError) as error:
        desk.create_user("sun", "agent", weak)
    assert "请换一个" in error.value.user_message
    desk.create_user("sun", "agent", "sun-strong-pass-1")
    with pytest.raises(InvalidInputError):
        desk.set_password("sun", weak)
    desk.engine.dispose()


def test_the_common_passwords_are_data() -> None:
    listed = common_passwords()
    assert len(listed) > 100 and all(len(p) >= 10 for p in listed), "shorter ones fail the length rule"
    assert "woaini1314" in listed and "1qaz2wsx3edc" in listed


async def test_weak_password_through_the_api(client: TestClient) -> None:
    admin = await token(client, ADMIN)
    response = await client.post(
        "/api/users", json={"name": "li", "role": "agent", "password": "a" * 10}, headers=admin
    )
    assert response.status == 400 and "请换一个" in (await response.json())["error"]["message"]


async def test_the_cookie_is_secure_behind_a_tls_proxy(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reproduction: behind a TLS-terminating proxy the cookie was never Secure."""
    login = {"name": AGENT[0], "password": AGENT[1]}
    forwarded = {"X-Forwarded-Proto": "https"}
    plain = await client.post("/console/login", data=login, headers=forwarded, allow_redirects=False)
    assert not plain.cookies[SESSION_COOKIE]["secure"], "X-Forwarded-Proto from an untrusted peer"
    monkeypatch.setenv("HAINA_TRUSTED_PROXIES", "127.0.0.1")
    proxied = await client.post("/console/login", data=login, headers=forwarded, allow_redirects=False)
    assert proxied.cookies[SESSION_COOKIE]["secure"]
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    monkeypatch.setenv("HAINA_TRUSTED_PROXIES", "")
    monkeypatch.setenv("HAINA_SECURE_COOKIES", "1")
    forced = await client.post("/console/login", data=login, allow_redirects=False)
    assert forced.cookies[SESSION_COOKIE]["secure"]
