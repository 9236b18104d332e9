"""Live typing in a real Chromium: the streamed text grows in visible steps while the blocking side waits."""

from __future__ import annotations

import itertools
import time

from components.models.answers import pick_answer
from components.models.prompts import SAMPLE_PROMPT
from tests.support.browser import ARTIFACTS, streamlit_app

SIDEBAR_NAV = '[data-testid="stSidebarNav"]'
BLOCKED, STREAMED = ".st-key-blocked_answer", ".st-key-streamed_answer"
VERDICT = ".st-key-verdict [data-testid='stAlert']"


def test_a_cold_deep_link_opens_inside_the_app_shell(page) -> None:
    with streamlit_app() as server:  # a fresh server: this is the very first request it sees
        page.goto(f"{server.url}/live_typing")
        page.get_by_role("heading", name="Live typing").wait_for()
        page.get_by_text("Provider", exact=True).wait_for()
        nav = page.locator(SIDEBAR_NAV).inner_text()
        assert "Home" in nav and "Live typing" in nav
        assert "app" not in nav.split()  # Streamlit's legacy file-name navigation


def test_streamed_text_grows_in_steps_while_blocking_waits(page, app_url) -> None:
    page.goto(f"{app_url}/live_typing")
    page.get_by_role("button", name="Run both side by side").click()
    blocked, streamed = page.locator(BLOCKED), page.locator(STREAMED)
    answer_start = pick_answer(SAMPLE_PROMPT).text[:40]
    page.get_by_text(answer_start[:25]).first.wait_for()

    lengths: list[int] = []
    saw_waiting_beside_text = False
    during = [blocked.bounding_box(), streamed.bounding_box()]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = streamed.inner_text()
        lengths.append(len(text))
        if "Waiting for the complete answer" in blocked.inner_text() and answer_start[:25] in text:
            saw_waiting_beside_text = True
        if page.locator(VERDICT).count():  # the verdict appears when both runs are over
            break
        if len(lengths) == 40:
            page.screenshot(path=str(ARTIFACTS / "live_typing_streaming.png"))
        time.sleep(0.1)
    page.screenshot(path=str(ARTIFACTS / "live_typing_done.png"), full_page=True)

    after = [blocked.bounding_box(), streamed.bounding_box()]
    assert [b["y"] for b in during] == [b["y"] for b in after], f"the answers moved: {during} -> {after}"
    assert after[0]["y"] == after[1]["y"], f"the two answers start at different heights: {after}"

    growing = [b for a, b in itertools.pairwise(lengths) if b > a]
    assert len(growing) >= 5, f"the streamed text grew in only {len(growing)} steps: {lengths}"
    assert saw_waiting_beside_text, "the blocking side never showed its wait beside streamed text"
    assert "sooner" in page.locator(VERDICT).first.inner_text()
    last_line = pick_answer(SAMPLE_PROMPT).text.splitlines()[-1].replace("*", "")[-30:]
    assert last_line in streamed.inner_text() and last_line in blocked.inner_text()


def test_on_a_phone_the_streamed_answer_is_in_view_during_the_race_and_no_code_is_cut(browser,
                                                                                      app_url) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/live_typing")
        page.get_by_role("button", name="Run both side by side").click()
        page.locator(STREAMED).get_by_text(pick_answer(SAMPLE_PROMPT).text[:25]).wait_for(timeout=30_000)
        page.locator(BLOCKED).get_by_text("Waiting for the complete answer").wait_for()
        page.screenshot(path=str(ARTIFACTS / "live_typing_phone_race.png"))
        top = page.locator(STREAMED).bounding_box()["y"]
        assert 0 <= top <= 844 - 200, f"the streamed answer starts at {top:.0f} px: no room to watch it type"
        page.locator(VERDICT).wait_for(timeout=30_000)
        cut = page.evaluate("""() => [...document.querySelectorAll(
                '.st-key-blocked_answer pre, .st-key-streamed_answer pre')]
            .filter(pre => pre.scrollWidth > pre.clientWidth + 1).map(pre => pre.innerText)""")
        assert not cut, f"code cut off at 390 px: {cut}"
    finally:
        context.close()
