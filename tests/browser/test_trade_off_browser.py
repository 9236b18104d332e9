"""The throttling page's trade-off picture in Chromium: the browser's own eye reports each column's
visible updates, and the page redraws the picture and its verdict from those numbers."""

from __future__ import annotations

from tests.support.browser import ARTIFACTS


def test_the_trade_off_is_measured_in_the_browser_on_that_run(page, app_url) -> None:
    page.goto(f"{app_url}/throttling")
    page.get_by_role("button", name="Stream side by side").click()
    verdict = page.locator("p", has_text="This run (seen in this browser)")
    verdict.wait_for(timeout=120_000)
    page.get_by_text("The trade-off: smooth against cheap").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "throttling_trade_off.png"))
    text = verdict.inner_text()
    assert "updates/s" in text and "the answer" in text
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 2  # the trade-off, bytes over time
