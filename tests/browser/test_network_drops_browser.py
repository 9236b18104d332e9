"""Network drops in a real Chromium: the partial text stays on screen while recovery fetches the rest."""

from __future__ import annotations

import time

from components.models.answers import pick_answer
from components.models.prompts import DROPS_PROMPT
from tests.support.browser import ARTIFACTS

ANSWER = ".st-key-drops_answer"
STATUS = '[data-testid="stExpander"] summary'


def test_a_dropped_stream_falls_back_and_ends_complete(page, app_url) -> None:
    page.goto(f"{app_url}/network_drops")
    page.get_by_role("combobox", name="Recovery").click()
    page.get_by_role("option").filter(has_text="Fall back to the full").first.click()
    page.get_by_role("button", name="Run with this fault").click()

    answer = pick_answer(DROPS_PROMPT).text
    seen_partial_while_fetching = False
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        status = page.locator(STATUS).first.inner_text() if page.locator(STATUS).count() else ""
        text = page.locator(ANSWER).inner_text().replace("▌", "").strip()
        if "Fetching the full response" in status and 20 < len(text) < len(answer) / 2:
            if not seen_partial_while_fetching:
                page.screenshot(path=str(ARTIFACTS / "network_drops_fallback.png"), full_page=True)
            seen_partial_while_fetching = True
        if "Complete answer" in status:
            break
        time.sleep(0.1)
    page.screenshot(path=str(ARTIFACTS / "network_drops_done.png"), full_page=True)
    assert seen_partial_while_fetching, "the partial text was not on screen during the fallback"
    assert "Complete answer after 2 requests" in page.locator(STATUS).first.inner_text()
    final = page.locator(ANSWER).inner_text()
    assert "ends early without saying so" in final and final.count("In production, streams break") == 1
    assert "recovery has to be stream-aware" in final  # the end of the answer arrived
