"""Reminders in the chat widget (headless Chromium, real stack): a due notice for the widget's
conversation is shown when the page opens, once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from consultations.identity import web_user
from policies_kb.changes import FIGURE_CHANGED, RecordedChange
from reminders import SENT, ReminderService
from tests.web.test_widget_browser import DESKTOP, open_widget, say, stored_session

pytestmark = [pytest.mark.browser, pytest.mark.rasa_server]

POLICY = "first_business_subsidy"


def test_a_due_reminder_is_shown_when_the_widget_opens_and_only_once(
    assistant, assistant_web, browser
) -> None:
    page = browser.context(DESKTOP).new_page()
    open_widget(page, assistant_web)
    say(page, "你好")
    sender = web_user(stored_session(page).split(".", 1)[0])
    text = f"测试通知 {uuid.uuid4().hex[:6]}：您关注的政策有调整。"
    service = ReminderService.open(assistant.env["DATABASE_URL"])
    try:
        service.follow_policy(sender, "web", POLICY)
        change = RecordedChange(
            0,
            datetime.now(timezone.utc) + timedelta(seconds=1),
            uuid.uuid4().hex,
            POLICY,
            FIGURE_CHANGED,
            text,
        )
        service.notify_changes([change])  # other tests' followers of the policy get theirs too
        assert [n.text for n in service.notices(sender)] == [text]

        page.reload()
        page.wait_for_function(
            "t => [...document.querySelectorAll('#haina-widget .hw-row.hw-bot')].some(r => r.innerText.includes(t))",
            arg=text,
            timeout=15_000,
        )
        page.reload()
        page.wait_for_selector("#haina-widget .hw-panel", state="visible")
        page.wait_for_timeout(1000)  # the page asks for notices again; nothing new may come
        shown = page.locator("#haina-widget .hw-row.hw-bot", has_text=text)
        assert shown.count() == 1
        assert [n.status for n in service.notices(sender)] == [SENT]
    finally:
        service.engine.dispose()


def test_without_a_session_there_are_no_notices(assistant_web) -> None:
    import requests

    response = requests.get(assistant_web + "/api/notices", timeout=10)
    assert response.status_code == 200 and response.json() == []
    forged = requests.get(assistant_web + "/api/notices", headers={"X-Haina-Session": "abc.def"}, timeout=10)
    assert forged.status_code == 200 and forged.json() == []
