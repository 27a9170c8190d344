"""The reminder scheduler against a real database and the fake WeChat API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

import policies_kb
from bot.channels.wechat.api import WeChatApi
from bot.channels.wechat.store import MemoryStore
from bot.scheduler import Scheduler, health_app
from consultations import FixedClock
from consultations.identity import web_user, wechat_user
from policies_kb import load_catalogue
from policies_kb.deadlines import Deadline
from reminders import FAILED, PENDING, SENT, ReminderService
from tests.channels.wechat_harness import APPID, SECRET

POLICY = "first_business_subsidy"


@pytest.fixture()
def clock() -> FixedClock:
    return FixedClock.shanghai(2026, 9, 1, 9)


@pytest.fixture()
def service(tmp_path: Path, clock: FixedClock):
    url = f"sqlite:///{tmp_path / 'haina.db'}"
    policies_kb.load(url, progress=None)
    svc = ReminderService.open(url, clock)
    yield svc
    svc.engine.dispose()


@pytest.fixture()
async def scheduler(service, fake_api) -> AsyncIterator[Scheduler]:
    api = WeChatApi(APPID, SECRET, fake_api.base_url, MemoryStore("test:"))
    yield Scheduler(service, api, interval=1.0)
    await api.close()


def remind(service: ReminderService, user_id: str, channel: str, due: date) -> None:
    deadline = Deadline(POLICY, "application_deadline", "registration_date", due, "测试期限", ())
    service.subscribe_deadline(user_id, channel, deadline, load_catalogue())


async def test_a_due_wechat_reminder_is_sent_once_to_the_openid(scheduler, service, fake_api, clock) -> None:
    remind(service, wechat_user("o_abc"), "wechat", date(2026, 9, 3))  # one notice, 09-02 10:00
    remind(service, web_user("w1"), "web", date(2026, 9, 3))

    await scheduler.tick()
    assert fake_api.sent == []  # not due yet
    clock.set_shanghai(2026, 9, 2, 10, 0)
    await scheduler.tick()
    await scheduler.tick()

    assert [(m["touser"], m["msgtype"]) for m in fake_api.sent] == [("o_abc", "text")]
    assert load_catalogue().policies[POLICY].name in fake_api.sent[0]["text"]["content"]
    assert [n.status for n in service.notices(wechat_user("o_abc"))] == [SENT]
    assert [n.status for n in service.notices(web_user("w1"))] == [PENDING]  # the widget's to show
    assert scheduler.healthy() and scheduler.sent == 1


async def test_with_a_template_the_reminder_is_a_template_message(
    scheduler, service, fake_api, clock
) -> None:
    scheduler.template_id = "TEMPLATE_1"
    remind(service, wechat_user("o_tpl"), "wechat", date(2026, 9, 3))
    clock.set_shanghai(2026, 9, 2, 10, 0)

    await scheduler.tick()

    assert [(m["touser"], m["template_id"]) for m in fake_api.sent] == [("o_tpl", "TEMPLATE_1")]
    assert "2026年9月3日" in fake_api.sent[0]["data"]["content"]["value"]


async def test_a_wechat_error_is_retried_later_and_an_unfollow_is_final(
    scheduler, service, fake_api, clock
) -> None:
    remind(service, wechat_user("o_busy"), "wechat", date(2026, 9, 3))
    remind(service, wechat_user("o_gone"), "wechat", date(2026, 9, 3))
    clock.set_shanghai(2026, 9, 2, 10, 0)
    fake_api.fail_next = [45047, 43004]  # too many messages (retry) / the user unfollowed (give up)

    await scheduler.tick()
    assert fake_api.sent == []
    statuses = {u: [n.status for n in service.notices(wechat_user(u))] for u in ("o_busy", "o_gone")}
    assert statuses == {"o_busy": [PENDING], "o_gone": [FAILED]}

    clock.advance(minutes=5)
    await scheduler.tick()
    assert [m["touser"] for m in fake_api.sent] == ["o_busy"]


async def test_a_kb_update_reaches_the_follower_through_the_scheduler(
    scheduler, service, fake_api, clock, tmp_path
) -> None:
    import shutil

    import yaml

    service.follow_policy(wechat_user("o_follow"), "wechat", POLICY)
    data = tmp_path / "data"
    shutil.copytree(Path(policies_kb.__file__).resolve().parent / "data", data)
    path = data / "policies" / f"{POLICY}.yaml"
    policy = yaml.safe_load(path.read_text(encoding="utf-8"))
    fact = next(f for f in policy["facts"] if f.get("value") is not None)
    fact["text"] = f"{fact['text']}（测试：已调整）"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert policies_kb.load(str(service.engine.url), data, progress=None).changed
    clock.now = datetime.now(timezone.utc) + timedelta(minutes=1)

    await scheduler.tick()
    await scheduler.tick()

    assert [m["touser"] for m in fake_api.sent] == ["o_follow"]
    assert fact["text"] in fake_api.sent[0]["text"]["content"]


async def test_health_is_503_until_a_tick_succeeded(scheduler) -> None:
    async with TestClient(TestServer(health_app(scheduler))) as client:
        assert (await client.get("/healthz")).status == 503
        await scheduler.tick()
        response = await client.get("/healthz")
        assert response.status == 200 and (await response.json())["status"] == "ok"


def test_once_from_the_command_line_exits_cleanly(tmp_path: Path) -> None:
    import subprocess
    import sys

    from bot import runtime

    env = runtime.child_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    result = subprocess.run(
        [sys.executable, "-m", "bot.scheduler", "--once"],
        cwd=runtime.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
