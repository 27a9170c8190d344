"""Console pages: the login form and the console shell (a static single-page app under
/static/console that talks to /api with the session cookie). No page carries data itself."""

from __future__ import annotations

import html
from pathlib import Path

from aiohttp import web

from agent_desk import AgentDeskError, LoginThrottledError
from agent_desk.desk import SESSION_HOURS
from bot.web.auth import (
    CSRF_MESSAGE,
    cross_site,
    csrf_ok,
    current_agent,
    end_session,
    log_in,
    set_session_cookie,
)

routes = web.RouteTableDef()
STATIC_DIR = Path(__file__).resolve().parent / "static"
SHELL = (STATIC_DIR / "console" / "console.html").read_text(encoding="utf-8")

LOGIN_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · 海纳百创 12333 坐席工作台</title>
<link rel="stylesheet" href="/static/console/console.css">
</head>
<body class="login-body">
<main class="login-card">
  <h1>海纳百创 · 坐席工作台</h1>
  <p class="muted">12333 创业政策咨询坐席专用，请使用本人账号登录。</p>
  {error}
  <form method="post" action="/console/login" class="stack" autocomplete="on">
    <label>用户名<input name="name" id="login-name" autocomplete="username" required maxlength="64" value="{name}"></label>
    <label>密码<input name="password" id="login-password" type="password" autocomplete="current-password" required maxlength="256"></label>
    <button type="submit" class="primary" id="login-submit">登录</button>
  </form>
  <p class="muted small">账号由管理员开通。忘记密码请联系管理员重置。</p>
</main>
</body>
</html>
"""


def _login_page(error: str = "", name: str = "", status: int = 200) -> web.Response:
    block = f'<p class="alert error" role="alert" id="login-error">{html.escape(error)}</p>' if error else ""
    body = LOGIN_PAGE.format(error=block, name=html.escape(name))
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


@routes.get("/console/login")
async def login_form(request: web.Request) -> web.StreamResponse:
    if await current_agent(request) is not None:
        raise web.HTTPFound("/console")
    return _login_page()


@routes.post("/console/login")
async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name = str(form.get("name", ""))[:64].strip()
    password = str(form.get("password", ""))
    if not name or not password:
        return _login_page("请输入用户名和密码。", name, 400)
    if cross_site(request):  # another site's form must not log a browser into an account
        return _login_page(CSRF_MESSAGE, name, 403)
    try:
        issued = await log_in(request, name, password, "session")
    except LoginThrottledError as error:
        page = _login_page(error.user_message, name, 429)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    except AgentDeskError as error:
        return _login_page(error.user_message, name, 401)
    response = web.HTTPFound("/console")
    set_session_cookie(request, response, issued.token, int(SESSION_HOURS * 3600))
    raise response


@routes.post("/console/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    if not csrf_ok(request):  # else any site could log an agent out mid-call
        return web.Response(status=403, text=CSRF_MESSAGE, content_type="text/plain", charset="utf-8")
    response = web.HTTPFound("/console/login")
    await end_session(request, response)
    raise response


@routes.get("/console")
@routes.get("/console/")
async def console_shell(request: web.Request) -> web.StreamResponse:
    if await current_agent(request) is None:
        raise web.HTTPFound("/console/login")
    return web.Response(text=SHELL, content_type="text/html", charset="utf-8")
