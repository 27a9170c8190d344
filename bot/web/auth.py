"""Who is calling: bearer tokens for the JSON API, an HttpOnly session cookie for the console pages.

Both are agent-desk tokens (random, stored hashed, with expiry). A request authenticated by the
cookie must also carry the X-Requested-With header for anything but GET: a cross-site form cannot
set that header, so the cookie alone can never change data (on top of SameSite=Strict).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web

from agent_desk import Agent
from bot.web.http import ApiError
from bot.web.services import services

SESSION_COOKIE = "haina_console"
CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "haina-console"
_AGENT = "agent"

MAX_FAILURES, FAILURE_WINDOW_S = 5, 600


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def current_agent(request: web.Request) -> Agent | None:
    """The logged-in agent (bearer token first, then session cookie), cached on the request."""
    if _AGENT in request:
        return request[_AGENT]
    token = bearer_token(request)
    via_cookie = token is None
    if via_cookie:
        token = request.cookies.get(SESSION_COOKIE)
    agent = await asyncio.to_thread(services(request).desk.user_for_token, token) if token else None
    request[_AGENT] = agent
    request["auth_via_cookie"] = via_cookie and agent is not None
    return agent


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def login_required(handler: Handler) -> Handler:
    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        agent = await current_agent(request)
        if agent is None:
            raise ApiError(401, "请先登录（登录已过期或令牌无效）。", "unauthorized")
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        if request.get("auth_via_cookie") and unsafe and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
            raise ApiError(403, "请求来源无法验证，请刷新页面后重试。", "csrf")
        return await handler(request)

    return wrapper


def admin_required(handler: Handler) -> Handler:
    @login_required
    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        agent = request[_AGENT]
        if not agent.is_admin:
            raise ApiError(403, "没有权限：该操作仅限管理员。", "forbidden")
        return await handler(request)

    return wrapper


def caller_service_required(handler: Handler) -> Handler:
    """Agents and admins: routes that show or change callers' bookings (names, phone numbers)."""

    @login_required
    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        if not request[_AGENT].serves_callers:
            raise ApiError(403, "没有权限：预约与来电人信息仅限坐席和管理员。", "forbidden")
        return await handler(request)

    return wrapper


def policy_team_required(handler: Handler) -> Handler:
    """The policy team and admins: the knowledge-base review report."""

    @login_required
    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        if not request[_AGENT].reviews_policies:
            raise ApiError(403, "没有权限：政策核查仅限政策组和管理员。", "forbidden")
        return await handler(request)

    return wrapper


class LoginThrottle:
    """At most MAX_FAILURES failed logins per account name and per client address in the window."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _keys(self, name: str, address: str | None) -> list[str]:
        return [f"n:{name.strip().lower()}", f"a:{address or '-'}"]

    def blocked(self, name: str, address: str | None) -> bool:
        now = time.monotonic()
        for key in self._keys(name, address):
            failures = self._failures.get(key)
            if not failures:
                continue
            while failures and now - failures[0] > FAILURE_WINDOW_S:
                failures.popleft()
            if len(failures) >= MAX_FAILURES:
                return True
        return False

    def failed(self, name: str, address: str | None) -> None:
        for key in self._keys(name, address):
            self._failures[key].append(time.monotonic())

    def succeeded(self, name: str) -> None:
        self._failures.pop(f"n:{name.strip().lower()}", None)


THROTTLE = web.AppKey("login_throttle", LoginThrottle)
THROTTLED_MESSAGE = "登录失败次数过多，请 10 分钟后再试。"


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/",
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")
