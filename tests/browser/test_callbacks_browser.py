"""Callback handlers in a real Chromium: the event log fills while the text streams, all handlers on."""

from __future__ import annotations

import itertools
import re
import time

from tests.support.browser import ARTIFACTS

ANSWER = ".st-key-layered_answer"


def test_the_event_log_fills_while_the_text_streams(page, app_url) -> None:
    page.goto(f"{app_url}/callbacks")
    page.get_by_role("tab", name="2 · Layered handlers").click()
    page.get_by_role("button", name="Run with these handlers").click()

    samples: list[tuple[int, int]] = []  # (events logged, characters of text on screen)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        counter = page.get_by_text(re.compile(r"Event log · \d+ events"))
        if counter.count():
            events = int(re.search(r"(\d+) events", counter.first.inner_text()).group(1))
            samples.append((events, len(page.locator(ANSWER).inner_text())))
            if len(samples) == 10:
                page.screenshot(path=str(ARTIFACTS / "callbacks_layers.png"), full_page=True)
        if page.get_by_text("tokens/s").count() and samples and samples[-1][0] > 200:
            break
        time.sleep(0.15)
    # The text grows a block at a time (byte budget) and the log every few events, so they rarely
    # step in the same sample; what must hold is that both keep growing while the text streams.
    steps = list(itertools.pairwise(samples))
    text_steps = [i for i, ((_, c0), (_, c)) in enumerate(steps) if c > c0]
    log_steps = [i for i, ((e0, _), (e, _)) in enumerate(steps) if e > e0]
    assert len(text_steps) >= 3, f"the text did not stream: {samples}"
    between = [i for i in log_steps if text_steps[0] <= i < text_steps[-1]]
    assert len(between) >= 3, f"the log did not fill while the text streamed: {samples}"
    assert page.get_by_text(re.compile(r"TTFT .* tokens so far")).count()


def test_each_step_of_a_chain_gets_its_own_section_marked_done(page, app_url) -> None:
    page.goto(f"{app_url}/callbacks")
    page.get_by_role("tab", name="4 · Inside LangChain").click()
    page.get_by_role("button", name="Run outline → answer").click()
    steps = page.locator(".st-key-steps [data-testid='stExpander'] summary")
    page.get_by_text("Step 2 · Answer: streaming").wait_for(timeout=30_000)
    assert "Step 1 · Outline: done" in steps.first.inner_text()  # closed before the answer starts
    page.get_by_text(re.compile(r"Step 2 · Answer: done")).wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "callbacks_steps.png"), full_page=True)
    assert steps.count() == 2
    text = page.locator("[data-testid='stMain']").inner_text()
    assert ":thinking_face:" not in text and ":material/" not in text  # no label shows its markup
