"""Who is calling: bearer tokens for the JSON API, an HttpOnly session cookie for the console pages.

Both are agent-desk tokens (random, stored hashed, with expiry; a console session also ends after
HAINA_SESSION_IDLE_MINUTES without use). A request authenticated by the cookie must also pass
`csrf_ok` for anything but GET (the X-Requested-With header, which a cross-site form cannot set),
so the cookie alone can never change data (on top of SameSite=Strict). Logins wait after repeated
failures per account and real client address (agent_desk.desk, bot/web/client.py). The cookie is
Secure whenever the client reached us over https, directly or through a trusted proxy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web

import settings
from agent_desk import Agent, IssuedToken
from bot.web.client import client_address, is_https
from bot.web.http import ApiError
from bot.web.services import services

SESSION_COOKIE = "haina_console"
CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "haina-console"
CSRF_MESSAGE = "请求来源无法验证，请刷新页面后重试。"
_AGENT = "agent"


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
        if request.get("auth_via_cookie") and unsafe and not csrf_ok(request):
            raise ApiError(403, CSRF_MESSAGE, "csrf")
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


def csrf_ok(request: web.Request) -> bool:
    """A state-changing request a cross-site page cannot have made: the console's own header (a
    cross-site form cannot set it), or a browser's Sec-Fetch-Site: same-origin (which no page can
    forge), so the console's plain logout form works too."""
    return (
        request.headers.get(CSRF_HEADER) == CSRF_VALUE
        or request.headers.get("Sec-Fetch-Site", "").lower() == "same-origin"
    )


def cross_site(request: web.Request) -> bool:
    """A browser says another site sent this request (a login form posted from elsewhere)."""
    return request.headers.get("Sec-Fetch-Site", "").lower() in ("cross-site", "same-site")


async def log_in(request: web.Request, name: str, password: str, kind: str) -> IssuedToken:
    """The desk's login for the request's real client address (backoff per name and address)."""
    desk, address = services(request).desk, client_address(request)
    return await asyncio.to_thread(lambda: desk.login(name, password, kind=kind, address=address))


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    """Log out: the bearer token and the session cookie stop working at once, the cookie is dropped."""
    desk = services(request).desk
    for token in {bearer_token(request), request.cookies.get(SESSION_COOKIE)} - {None, ""}:
        await asyncio.to_thread(desk.logout, token)
    clear_session_cookie(response)


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="Strict",
        secure=settings.current().secure_cookies or is_https(request),
        path="/",
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")
