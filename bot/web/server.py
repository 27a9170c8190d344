"""The web server: chat-widget demo and /api/chat proxy, agent console, JSON API, /healthz.

    python -m bot.web.server --port 8000 [--host 127.0.0.1]

Environment: RASA_URL (default http://127.0.0.1:5005), DATABASE_URL, HAINA_REFERENCE_DATE.
The knowledge base, bookings and agent-desk tables are migrated on start, before /healthz answers.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

import settings
from agent_desk import shared_desk
from bot import logs
from bot.web import api, console, notices, widget
from bot.web.http import errors_middleware, headers_middleware, json_response
from bot.web.services import SERVICES, Services
from bot.web.widget_session import SessionSigner
from consultations import shared_service
from policies_kb.kb import shared_kb

log = logging.getLogger("bot.web")
STATIC_DIR = console.STATIC_DIR
MAX_BODY_BYTES = 64 * 1024


def create_app(database_url: str | None = None, rasa_url: str | None = None) -> web.Application:
    """Open (and migrate) everything the pages need, then build the application."""
    kb = shared_kb(database_url)
    svc = Services(
        kb=kb,
        bookings=shared_service(kb.database_url),
        desk=shared_desk(kb.database_url),
        rasa_url=rasa_url or settings.current().rasa_url,
    )
    app = web.Application(middlewares=[headers_middleware, errors_middleware], client_max_size=MAX_BODY_BYTES)
    app[SERVICES] = svc
    app[widget.SIGNER] = SessionSigner.from_settings()
    app.router.add_get("/healthz", healthz)
    widget.install(app)
    app.add_routes(notices.routes)
    app.add_routes(console.routes)
    app.add_routes(api.routes)
    app.router.add_static("/static", STATIC_DIR, show_index=False, append_version=False)
    app.cleanup_ctx.append(_http_client)
    app.on_startup.append(_warm_up)
    return app


async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    svc = app[SERVICES]
    svc.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=widget.RASA_TIMEOUT_S))
    yield
    await svc.http.close()


async def _warm_up(app: web.Application) -> None:
    # The first search loads spaCy (seconds); do it now in the background, not on an agent's click.
    kb = app[SERVICES].kb
    asyncio.get_running_loop().run_in_executor(None, kb.recognize, "浦东 大学生 创业贷款")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web.server", description=__doc__.splitlines()[0])
    config = settings.current()
    parser.add_argument("--port", type=int, default=config.web_port)
    parser.add_argument("--host", default=config.web_host)
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL")
    parser.add_argument("--rasa-url", default=None, help="default: $RASA_URL or http://127.0.0.1:5005")
    args = parser.parse_args(argv)
    logs.configure("web")
    app = create_app(args.database_url, args.rasa_url)
    print(f"[web] 网页服务：http://{args.host}:{args.port}/ （坐席工作台 /console）", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
