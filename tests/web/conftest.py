"""Fixtures for the web tests: the web server on a free port against a fresh SQLite database,
the real Rasa + action + web servers for the widget, and headless Debian Chromium via Playwright.

The browser is the system Chromium (scripts/install_browser.sh installs it when missing), never
Playwright's bundled build. Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from agent_desk import AgentDesk, shared_desk
from bot import runtime
from bot.web.server import create_app
from consultations import open_service, shared_service
from policies_kb.kb import shared_kb

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = runtime.PROJECT_ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN = ("admin", "admin-password-1")
AGENT = ("wang", "agent-password-1")
POLICY = ("zhou", "policy-password-1")  # the policy team (政策组)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    script = runtime.PROJECT_ROOT / "scripts" / "install_browser.sh"
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True)
    if result.returncode != 0 or not Path(CHROMIUM).exists():
        _unavailable(f"Chromium unavailable: {result.stderr.strip()[-500:]}")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_driver(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@dataclass
class Browser:
    """Opens isolated browser contexts (a fresh user-data-dir each) and saves screenshots."""

    playwright: object
    executable: str
    _open: list

    def context(self, viewport: dict[str, int] = DESKTOP, **kwargs):
        profile = tempfile.mkdtemp(prefix="haina-chromium-")
        context = self.playwright.chromium.launch_persistent_context(
            profile,
            executable_path=self.executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=viewport["width"] < 600,
            has_touch=viewport["width"] < 600,
            **kwargs,
        )
        context.set_default_timeout(20_000)
        self._open.append((context, profile))
        return context

    def close(self) -> None:
        for context, profile in self._open:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
        self._open.clear()


@pytest.fixture()
def browser(playwright_driver, chromium: str) -> Iterator[Browser]:
    opened = Browser(playwright_driver, chromium, [])
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def screenshot() -> Callable[..., Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@dataclass
class WebServer:
    url: str
    database_url: str
    supervisor: runtime.Supervisor
    admin: tuple[str, str] = ADMIN
    agent: tuple[str, str] = AGENT
    policy: tuple[str, str] = POLICY


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """`python -m bot.web.server` on a free port, fresh SQLite database with slots and three accounts.
    RASA_URL points at a closed port: the console needs no Rasa."""
    from agent_desk import AgentDesk

    folder = tmp_path_factory.mktemp("web")
    database_url = f"sqlite:///{folder / 'haina.db'}"
    env = {"DATABASE_URL": database_url, "RASA_URL": f"http://127.0.0.1:{free_port()}"}
    runtime.setup_database(env)
    desk = AgentDesk.open(database_url)
    desk.create_user(ADMIN[0], "admin", ADMIN[1])
    desk.create_user(AGENT[0], "agent", AGENT[1])
    desk.create_user(POLICY[0], "policy", POLICY[1])
    for text, channel in [
        ("请问外籍人士能申请创业担保贷款吗？我的电话13812345678", "wechat"),
        ("灵活就业人员社保补贴可以退吗？", "rest"),
        ("灵活就业人员社保补贴可以退吗", "web"),
        ("灵活就业人员 社保补贴 可以退吗？", "wechat"),
        ("外籍人士能申请创业担保贷款吗", "web"),
    ]:
        desk.record_unanswered(text, channel)
    port = free_port()
    spec = runtime.ServiceSpec(
        name="web",
        command=[sys.executable, "-m", "bot.web.server", "--port", str(port)],
        ready_url=f"http://127.0.0.1:{port}/healthz",
        env=env,
    )
    supervisor = runtime.Supervisor([spec], ready_timeout=120, echo=False)
    try:
        supervisor.start()
        supervisor.wait_until_ready()
        yield WebServer(f"http://127.0.0.1:{port}", database_url, supervisor)
    finally:
        supervisor.stop()


@pytest.fixture(scope="session")
def assistant_web(assistant) -> str:
    """The web server of the shared real assistant (tests/conftest.py), its RASA_URL pointing at the
    real Rasa. Returns the web server's base URL."""
    assert any(s.name == "web" for s in assistant.supervisor.specs), "bot.runtime must start the web server"
    return assistant.web_url


# --- the console's JSON API in process (aiohttp test server) --------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
async def client(database_url: str) -> AsyncIterator[TestClient]:
    """The API on a fresh database (SQLite and PostgreSQL) with an admin, an agent, the policy team
    and one unanswered question; Rasa is a closed port."""
    async with api_client(database_url) as test_client:
        yield test_client


@contextlib.asynccontextmanager
async def api_client(database_url: str) -> AsyncIterator[TestClient]:
    """The `client` fixture's web app, for test folders outside tests/web (tests/security)."""
    open_service(database_url).refresh()
    desk = AgentDesk.open(database_url, reuse=False)
    desk.create_user(ADMIN[0], "admin", ADMIN[1])
    desk.create_user(AGENT[0], "agent", AGENT[1])
    desk.create_user(POLICY[0], "policy", POLICY[1])
    desk.record_unanswered("外籍人士能申请创业担保贷款吗？电话 138 0013 8000", "wechat")
    desk.engine.dispose()
    app = create_app(database_url, rasa_url=f"http://127.0.0.1:{closed_port()}")
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
    shared_desk.cache_clear()
    shared_service.cache_clear()
    shared_kb.cache_clear()


async def token(client: TestClient, who: tuple[str, str]) -> dict[str, str]:
    response = await client.post("/api/auth/login", json={"name": who[0], "password": who[1]})
    assert response.status == 200, await response.text()
    return {"Authorization": f"Bearer {(await response.json())['token']}"}
