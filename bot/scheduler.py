"""The reminder scheduler, its own process (`make run`, the compose file, Kubernetes).

    python -m bot.scheduler [--interval 30] [--port 5077] [--once]

Every tick it (1) plans a notice for each knowledge-base update recorded in the last 30 days to the
subscribers of the changed policies (idempotent: a notice's key names the update), and (2) claims
the due WeChat notices and sends them through the channel's API client — a template message when
WECHAT_REMINDER_TEMPLATE_ID is set (it reaches followers outside the 48-hour window), else a
customer-service message. Notices of the web channel wait for the widget to fetch them.

A loop over due rows rather than APScheduler: the notices table already is the schedule (each row
has its time), rows are claimed in the database so any number of schedulers send each once and a
restart loses nothing, and a retry is a new time on the same row. APScheduler would add a second
job store to keep consistent with it. GET /healthz answers 200 while ticks succeed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

import settings
from bot import logs
from bot.channels.wechat.api import WeChatApi, WeChatApiError
from bot.channels.wechat.config import ConfigError, load_settings
from bot.channels.wechat.store import make_store
from consultations.identity import openid_of
from policies_kb.store import recorded_changes
from reminders import DeliveryError, Notice, ReminderService

log = logging.getLogger("bot.scheduler")
CREDENTIALS = Path(__file__).resolve().parent.parent / "credentials.yml"
WECHAT_SECTION = "bot.channels.wechat.WeChatInput"
CHANGES_LOOKBACK = timedelta(days=30)
# WeChat errors a retry cannot fix: the user unfollowed (43004), the openid is not ours (40003),
# outside the customer-service window (45015), template not allowed (40037).
FINAL_ERRCODES = frozenset({43004, 40003, 45015, 40037})


def wechat_api(credentials_file: Path = CREDENTIALS) -> WeChatApi | None:
    """The WeChat API client as the channel builds it (same settings, same shared token store)."""
    section = (yaml.safe_load(credentials_file.read_text(encoding="utf-8")) or {}).get(WECHAT_SECTION)
    try:
        config = load_settings(section)
    except ConfigError as error:
        log.warning("WeChat not configured (%s): WeChat notices wait", error)
        return None
    if not config.can_send:
        log.warning("WECHAT_APPID/WECHAT_SECRET not set: WeChat notices wait")
        return None
    return WeChatApi(
        config.appid, config.secret, config.api_base_url, make_store(config.redis_url, config.redis_prefix)
    )


class Scheduler:
    def __init__(
        self,
        service: ReminderService,
        api: WeChatApi | None,
        interval: float,
        template_id: str | None = None,
    ) -> None:
        self.service = service
        self.api = api
        self.interval = interval
        self.template_id = template_id
        self.last_ok: float | None = None
        self.last_error: str | None = None
        self.sent = 0

    async def tick(self) -> None:
        """One round: plan the notices of recent KB updates, then deliver what is due."""
        loop = asyncio.get_running_loop()
        try:
            await asyncio.to_thread(self._plan_change_notices)
            if self.api is not None:
                report = await asyncio.to_thread(
                    self.service.dispatch_due, lambda n: self._deliver(n, loop), ["wechat"]
                )
                self.sent += report.sent
                if report.sent or report.retried or report.failed:
                    log.info("reminders: %s", report)
        except Exception as error:  # noqa: BLE001 - the process keeps ticking; /healthz reports it
            self.last_error = type(error).__name__
            log.exception("scheduler tick failed")
            return
        self.last_ok, self.last_error = time.monotonic(), None

    def _plan_change_notices(self) -> None:
        # The knowledge base and the reminders share the database (DATABASE_URL).
        changes = recorded_changes(self.service.engine, since=datetime.now(timezone.utc) - CHANGES_LOOKBACK)
        if planned := self.service.notify_changes(changes):
            log.info("planned %d policy-change notice(s)", planned)

    def _deliver(self, notice: Notice, loop: asyncio.AbstractEventLoop) -> None:
        # Runs in a worker thread (the service's database calls block); the send runs on the loop.
        openid = openid_of(notice.user_id)
        if openid is None:
            raise DeliveryError("not a WeChat user id", retryable=False)
        assert self.api is not None
        if self.template_id:
            path = "/cgi-bin/message/template/send"
            payload: dict[str, Any] = {
                "touser": openid,
                "template_id": self.template_id,
                "data": {"content": {"value": notice.text}},
            }
        else:
            path = "/cgi-bin/message/custom/send"
            payload = {"touser": openid, "msgtype": "text", "text": {"content": notice.text}}
        try:
            asyncio.run_coroutine_threadsafe(self.api.send(path, payload), loop).result(timeout=30)
        except WeChatApiError as error:
            raise DeliveryError(
                f"errcode {error.errcode}", retryable=error.errcode not in FINAL_ERRCODES
            ) from None
        except Exception as error:  # noqa: BLE001 - network trouble: try again later
            raise DeliveryError(type(error).__name__) from None

    def healthy(self) -> bool:
        return self.last_ok is not None and time.monotonic() - self.last_ok < 3 * self.interval + 30

    async def run(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self.interval)


def health_app(scheduler: Scheduler) -> web.Application:
    async def healthz(request: web.Request) -> web.Response:
        body = {
            "status": "ok" if scheduler.healthy() else "unhealthy",
            "sent": scheduler.sent,
            "last_error": scheduler.last_error,
            "wechat": scheduler.api is not None,
        }
        return web.json_response(body, status=200 if scheduler.healthy() else 503)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    return app


async def serve(scheduler: Scheduler, host: str, port: int) -> None:
    runner = web.AppRunner(health_app(scheduler), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    print(f"[scheduler] 提醒服务已启动，健康检查 http://{host}:{port}/healthz", flush=True)
    try:
        await scheduler.run()
    finally:
        await runner.cleanup()
        if scheduler.api is not None:
            await scheduler.api.close()


def main(argv: list[str] | None = None) -> int:
    config = settings.current()
    parser = argparse.ArgumentParser(prog="python -m bot.scheduler", description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=config.scheduler_interval_s)
    parser.add_argument("--port", type=int, default=config.scheduler_port)
    parser.add_argument("--host", default=config.scheduler_host)
    parser.add_argument("--once", action="store_true", help="one tick, then exit (cron, tests)")
    args = parser.parse_args(argv)
    logs.configure("scheduler")
    template = config.wechat_reminder_template_id or None
    scheduler = Scheduler(ReminderService.open(), wechat_api(), args.interval, template)
    if args.once:

        async def once() -> None:
            await scheduler.tick()
            if scheduler.api is not None:
                await scheduler.api.close()

        asyncio.run(once())
        return 0 if scheduler.healthy() else 1
    asyncio.run(serve(scheduler, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
