"""The policy team's review page (政策核查) in headless Chromium: a policy-team account logs in, opens
the page, sees 沪人社规〔2022〕8号 with what rests on it; it sees no booking tab. Screenshots saved."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE
from .test_console_browser import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_policy_team_opens_the_review_page(web_server, browser, screenshot, viewport, label) -> None:
    page = browser.context(viewport).new_page()
    log_in(page, web_server.url, *web_server.policy)
    assert "政策组" in page.locator("#who").inner_text()
    # The policy team lands on the review page; the bookings tab is not theirs.
    page.wait_for_selector("#review-documents")
    assert page.locator("#nav-review").is_visible()
    assert not page.locator("#nav a[data-view=bookings]").is_visible()

    page.fill("#rv-on", "2026-12-03")
    page.dispatch_event("#rv-on", "change")
    page.wait_for_selector("#review-meta:has-text('2026-12-03')")
    documents = page.locator("#review-documents")
    assert "即将到期或已到期的文件" in documents.locator("h2").inner_text()
    row = documents.locator("tr[data-source=HRSS_2022_8]")
    assert "沪人社规〔2022〕8号" in row.inner_text()
    assert "2026-12-31" in row.inner_text()
    dependants = page.locator("#review-dependants-HRSS_2022_8").inner_text()
    assert "就业困难人员灵活就业社会保险费补贴" in dependants
    assert "首次创业一次性补贴" in dependants and "就业困难人员" in dependants
    assert page.locator("#review-unverified tbody tr").count() >= 1
    screenshot(page, f"console-review-{label}")

    # After the end date, with no successor recorded, it is listed as ended.
    page.fill("#rv-on", "2027-01-05")
    page.dispatch_event("#rv-on", "change")
    page.wait_for_selector("#review-meta:has-text('2027-01-05')")
    assert "已到期" in page.locator("tr[data-source=HRSS_2022_8]").inner_text()

    # A policy-link opens the policy page, as for agents.
    page.locator("#review-dependants-HRSS_2022_8 a").first.click()
    page.wait_for_selector("#policy-card")


def test_agent_has_no_review_tab(web_server, browser) -> None:
    page = browser.context(DESKTOP).new_page()
    log_in(page, web_server.url, *web_server.agent)
    assert not page.locator("#nav-review").is_visible()
    page.goto(f"{web_server.url}/console#/review")
    page.wait_for_selector("#review-output .alert.error")
    assert "政策组" in page.locator("#review-output").inner_text()
