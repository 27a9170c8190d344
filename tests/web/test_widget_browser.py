"""The embeddable chat widget in headless Chromium against the real Rasa + action servers: a reply
to 你好, quick replies, source footnotes, the transcript across a reload, 重新开始, phone width."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.rasa_server]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def open_widget(page, base: str) -> None:
    page.goto(base + "/")
    page.click("#haina-widget .hw-launcher")
    page.wait_for_selector("#haina-widget .hw-panel", state="visible")


STORE_KEY = "haina-widget:v2:/api/chat"  # the widget's storage key for the demo page's endpoint


def stored_session(page) -> str | None:
    """The session token the server issued (None before the first answer and after 重新开始)."""
    return page.evaluate(f"() => JSON.parse(localStorage.getItem('{STORE_KEY}')).session")


def say(page, text: str) -> None:
    before = page.locator("#haina-widget .hw-row.hw-bot").count()
    page.fill("#haina-widget .hw-input", text)
    page.press("#haina-widget .hw-input", "Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#haina-widget .hw-row.hw-bot:not(.hw-typing)').length > n "
        "&& !document.querySelector('#haina-widget .hw-typing')",
        arg=before,
        timeout=60_000,
    )


def test_widget_replies_and_keeps_the_conversation_across_a_reload(
    assistant_web, browser, screenshot
) -> None:
    page = browser.context(DESKTOP).new_page()
    page.goto(assistant_web + "/")
    screenshot(page, "widget-closed-desktop")
    open_widget(page, assistant_web)
    say(page, "你好")
    assert page.locator("#haina-widget .hw-row.hw-user").last.inner_text() == "你好"
    assert "海纳百创" in page.locator("#haina-widget .hw-row.hw-bot").last.inner_text()
    screenshot(page, "widget-greeting-desktop")

    # A policy answer: its 来源 lines are shown as a source footnote, not as body text.
    say(page, "创业担保贷款有哪几种？")
    answer = page.locator("#haina-widget .hw-row.hw-bot").last
    assert answer.locator(".hw-sources .hw-source").count() >= 1
    assert answer.locator(".hw-sources").inner_text().startswith("来源")
    if answer.locator(".hw-text").count():
        assert "来源" not in answer.locator(".hw-text").inner_text()
    screenshot(page, "widget-policy-answer-desktop")

    transcript = page.locator("#haina-widget .hw-log").inner_text()
    session = stored_session(page)
    assert session, "the server's session token is kept"
    page.reload()
    page.wait_for_selector("#haina-widget .hw-panel", state="visible")
    assert page.locator("#haina-widget .hw-log").inner_text() == transcript
    say(page, "你好")
    assert stored_session(page) == session, "the reloaded page continues the same conversation"

    # 重新开始: empty transcript; the next message gets a new conversation from the server.
    page.click("#haina-widget .hw-restart")
    assert page.locator("#haina-widget .hw-row.hw-user").count() == 0
    assert stored_session(page) is None
    say(page, "你好")
    assert stored_session(page) not in (None, session)


def test_quick_reply_sends_the_payload_and_shows_the_title(assistant_web, browser, screenshot) -> None:
    page = browser.context(DESKTOP).new_page()
    page.goto(assistant_web + "/")
    # A stored conversation whose last bot message offers buttons (as Rasa sends them).
    key = STORE_KEY
    state = {
        "session": None,
        "open": True,
        "messages": [
            {"from": "user", "text": "想了解一下"},
            {"from": "bot", "text": "您想先做什么？", "buttons": [{"title": "打个招呼", "payload": "你好"}]},
        ],
    }
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, json.dumps(state, ensure_ascii=False)])
    page.reload()
    button = page.locator("#haina-widget .hw-quick-reply", has_text="打个招呼")
    assert button.is_enabled()
    button.click()
    page.wait_for_function(
        "() => document.querySelectorAll('#haina-widget .hw-row.hw-bot:not(.hw-typing)').length >= 3",
        timeout=60_000,
    )
    assert page.locator("#haina-widget .hw-row.hw-user").last.inner_text() == "打个招呼"
    assert "海纳百创" in page.locator("#haina-widget .hw-row.hw-bot").last.inner_text()
    assert page.locator("#haina-widget .hw-quick-reply").first.is_disabled(), "used buttons are disabled"


def test_widget_on_a_phone(assistant_web, browser, screenshot) -> None:
    page = browser.context(PHONE).new_page()
    page.goto(assistant_web + "/")
    screenshot(page, "widget-closed-phone")
    open_widget(page, assistant_web)
    box = page.locator("#haina-widget .hw-panel").bounding_box()
    assert box["width"] == pytest.approx(375, abs=1), "the open panel fills a phone screen"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    say(page, "你好")
    assert "海纳百创" in page.locator("#haina-widget .hw-row.hw-bot").last.inner_text()
    say(page, "首次创业一次性补贴是多少？")
    screenshot(page, "widget-conversation-phone", full_page=False)
    page.reload()
    assert page.locator("#haina-widget .hw-row.hw-user").count() == 2


def test_widget_embeds_with_one_script_tag_on_another_page(assistant_web, browser) -> None:
    """A third-party page: only the script tag, pointing at the assistant's web server."""
    page = browser.context(DESKTOP).new_page()
    page.goto(assistant_web + "/static/demo.css")  # any same-site URL, then replace the document
    page.set_content(
        f'<!doctype html><html lang="zh-CN"><body><h1>区就业促进中心</h1>'
        f'<script src="{assistant_web}/static/haina-widget.js" data-chat-url="{assistant_web}/api/chat"'
        f' data-open="true"></script></body></html>'
    )
    page.wait_for_selector("#haina-widget .hw-panel", state="visible")
    say(page, "你好")
    assert "海纳百创" in page.locator("#haina-widget .hw-row.hw-bot").last.inner_text()


def _stored_events(assistant, page) -> list[tuple[str, dict]]:
    sender = "web:" + stored_session(page).split(".", 1)[0]
    return [(kind, json.loads(data)) for kind, data in assistant._stored_events(sender)]


def test_a_button_an_action_built_acts_and_typing_its_payload_does_not(
    assistant, assistant_web, browser, screenshot
) -> None:
    """A click sends the payload the assistant offered (here the eligibility check an action built
    for a condition question); the same payload typed is only text (bot/channels/input_gate.py)."""
    page = browser.context(DESKTOP).new_page()
    open_widget(page, assistant_web)
    say(page, "公司注册两年了还能申请首次创业补贴吗")
    button = page.locator("#haina-widget .hw-row.hw-bot").last.locator(".hw-quick-reply", has_text="完整判断")
    assert button.is_enabled()
    state = json.loads(page.evaluate(f"() => localStorage.getItem('{STORE_KEY}')"))
    [payload] = [b["payload"] for b in state["messages"][-1]["buttons"] if b["title"] == "完整判断"]
    assert payload.startswith("/check_eligibility")

    before = page.locator("#haina-widget .hw-row.hw-bot").count()
    button.click()
    page.wait_for_function(
        "n => document.querySelectorAll('#haina-widget .hw-row.hw-bot:not(.hw-typing)').length > n "
        "&& !document.querySelector('#haina-widget .hw-typing')",
        arg=before,
        timeout=60_000,
    )
    assert page.locator("#haina-widget .hw-row.hw-user").last.inner_text() == "完整判断"
    screenshot(page, "widget-button-payload-desktop")
    opened = [d.get("name") for kind, d in _stored_events(assistant, page) if kind == "active_loop"]
    assert "eligibility_form" in opened, "the clicked payload started the full check"

    # A new conversation, the payload typed into the text box: read as text, no form, no intent.
    page.click("#haina-widget .hw-restart")
    say(page, payload)
    stored = _stored_events(assistant, page)
    typed = [d["text"] for kind, d in stored if kind == "user"]
    assert typed and not [t for t in typed if t.startswith("/")]
    assert not [d for kind, d in stored if kind == "active_loop" and d.get("name")]
    assert page.locator("#haina-widget .hw-row.hw-bot").last.inner_text().strip()
