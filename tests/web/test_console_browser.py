"""The agent console in headless Chromium: login, search, policy page, eligibility check, booking
for a caller, finding and cancelling it — at desktop and phone widths, with screenshots."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
WIDTHS = [pytest.param(DESKTOP, "desktop", id="desktop"), pytest.param(PHONE, "phone", id="phone")]


def log_in(page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/console")
    assert page.url.endswith("/console/login"), "the console must send a visitor to the login page"
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/console$"))
    page.wait_for_selector("#who:has-text('" + name + "')")


def test_wrong_password_is_rejected(web_server, browser, screenshot) -> None:
    page = browser.context(DESKTOP).new_page()
    page.goto(f"{web_server.url}/console")
    assert page.url.endswith("/console/login")
    screenshot(page, "login-desktop")
    page.fill("#login-name", web_server.agent[0])
    page.fill("#login-password", "not-the-password")
    page.click("#login-submit")
    error = page.locator("#login-error")
    assert "用户名或密码错误" in error.inner_text()
    assert page.url.endswith("/console/login")
    # Nothing of the console is reachable: the API still says 401 in this browser.
    response = page.request.get(f"{web_server.url}/api/me")
    assert response.status == 401
    screenshot(page, "login-wrong-password-desktop")

    phone = browser.context(PHONE).new_page()
    phone.goto(f"{web_server.url}/console/login")
    screenshot(phone, "login-phone")


@pytest.mark.parametrize(("viewport", "label"), WIDTHS)
def test_agent_searches_checks_books_finds_and_cancels(
    web_server, browser, screenshot, viewport, label
) -> None:
    context = browser.context(viewport)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, web_server.url, *web_server.agent)

    # Instant search: ranked policies with key figures.
    page.fill("#search-input", "大学生 贷款 浦东")
    first = page.locator("#search-results a.result").first
    first.wait_for()
    results = page.locator("#search-results a.result")
    assert results.count() >= 3
    assert "贷款" in first.inner_text()
    assert re.search(r"\d+万元", first.locator(".figures").inner_text())
    screenshot(page, f"console-search-{label}")

    # Policy page: rendered card, sources, verification status.
    policy_name = first.locator("strong").inner_text()
    first.click()
    page.wait_for_selector("#policy-card")
    assert policy_name in page.locator("h1").inner_text()
    card = page.locator("#policy-card").inner_text()
    assert "来源：" in card
    assert page.locator("#policy-sources li").count() >= 1
    assert "核实情况" in page.locator(".verification").inner_text()
    screenshot(page, f"console-policy-{label}")

    # Eligibility check for this policy, driven by the knowledge-base engine.
    page.click("#check-this")
    page.wait_for_selector("#check-form")
    page.select_option("#f-hukou", "shanghai")
    page.fill("#f-age", "25")
    page.check("#f-groups input[value='college_graduate']")
    page.click("#check-submit")
    answer = page.locator("#check-answer")
    answer.wait_for()
    text = answer.input_value()
    assert policy_name in text
    assert "以经办部门审核为准" in text
    screenshot(page, f"console-check-{label}")

    # Book a consultation for a caller, on the furthest slot so it can still be cancelled.
    phone_number = "13800138001" if label == "desktop" else "13900139002"
    page.click("#nav a[data-view='bookings']")
    page.wait_for_selector("#bk-find")
    page.select_option("#bk-topic", "融资")
    page.click("#bk-find button[type=submit]")
    record = page.locator("#bk-experts .expert-record").first
    record.wait_for()
    assert "星级：未评定" in record.inner_text() and "已完成咨询" in record.inner_text()
    page.locator("#bk-experts .choose-expert").first.click()
    slot = page.locator("#bk-slot")
    slot.wait_for()
    last_value = slot.locator("option").last.get_attribute("value")
    slot.select_option(last_value)
    page.fill("#bk-name", "张先生")
    page.fill("#bk-phone", phone_number)
    page.fill("#bk-stage", "初创期")
    screenshot(page, f"console-booking-form-{label}")
    page.click("#bk-submit")
    success = page.locator("#booking-message .alert.success")
    success.wait_for()
    code = re.search(r"预约码 (\S+?)：", success.inner_text()).group(1)

    # Find it by the caller's phone number, then cancel it.
    page.fill("#lk-value", phone_number)
    page.click("#lk-submit")
    row = page.locator(f"#lk-results tr[data-code='{code}']")
    row.wait_for()
    assert "张先生" in row.inner_text()
    assert phone_number not in row.inner_text(), "the phone number is shown masked"
    assert f"{phone_number[:3]}****{phone_number[-4:]}" in row.inner_text()
    screenshot(page, f"console-bookings-{label}")
    row.locator(".cancel-booking").click()
    page.wait_for_selector(f"#booking-message .alert.success:has-text('已取消预约 {code}')")
    page.wait_for_selector("#lk-results .alert.info:has-text('没有找到预约')")

    page.check("#lk-all")
    page.click("#lk-submit")
    assert "已取消" in page.locator(f"#lk-results tr[data-code='{code}']").inner_text()

    # The policy team's list of unanswered questions, grouped, without phone numbers.
    page.click("#nav a[data-view='unanswered']")
    table = page.locator("#ua-results table")
    table.wait_for()
    top = table.locator("tbody tr").first
    assert "社保补贴" in top.inner_text()
    assert top.locator("td.num").inner_text() == "3"
    assert "13812345678" not in page.content()
    screenshot(page, f"console-unanswered-{label}")

    # An agent does not see the admin pages.
    assert page.locator("#nav a[data-view='users']").is_hidden()


def test_admin_manages_accounts(web_server, browser, screenshot) -> None:
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = browser.context(viewport).new_page()
        log_in(page, web_server.url, *web_server.admin)
        page.click("#nav a[data-view='users']") if label == "desktop" else page.goto(
            f"{web_server.url}/console#/users"
        )
        page.wait_for_selector("#users-list table")
        if label == "desktop":
            page.fill("#nu-name", "li.agent")
            page.fill("#nu-password", "short")
            page.click("#nu-form button[type=submit]")
            page.wait_for_selector(".alert.error:has-text('密码长度')")
            page.fill("#nu-password", "password123")  # in agent_desk/data/common_passwords.txt
            page.click("#nu-form button[type=submit]")
            page.wait_for_selector(".alert.error:has-text('过于常见')")
            page.fill("#nu-password", "a-long-password-2")
            page.click("#nu-form button[type=submit]")
            page.wait_for_selector(".alert.success:has-text('li.agent')")
        assert "li.agent" in page.locator("#users-list").inner_text()
        screenshot(page, f"console-users-{label}")
        if label == "desktop":
            # Deactivating takes effect at once: li.agent can no longer log in.
            page.on("dialog", lambda dialog: dialog.accept())
            row = page.locator("#users-list tr", has_text="li.agent")
            row.locator("button[data-action='deactivate']").click()
            page.wait_for_selector(".alert.success:has-text('已停用账号 li.agent')")
            page.locator("#users-list tr", has_text="li.agent").locator("text=停用").first.wait_for()
            refused = page.request.post(
                f"{web_server.url}/api/auth/login", data={"name": "li.agent", "password": "a-long-password-2"}
            )
            assert refused.status == 401


def test_logout_ends_the_session_on_the_server(web_server, browser) -> None:
    context = browser.context(DESKTOP)
    page = context.new_page()
    log_in(page, web_server.url, *web_server.agent)
    cookie = next(c for c in context.cookies() if c["name"] == "haina_console")["value"]
    page.click("#logout")
    page.wait_for_url(re.compile(r"/console/login$"))
    assert not [c for c in context.cookies() if c["name"] == "haina_console"], "the cookie is gone"
    replayed = page.request.get(f"{web_server.url}/api/me", headers={"Cookie": f"haina_console={cookie}"})
    assert replayed.status == 401, "the old cookie no longer opens the console"
