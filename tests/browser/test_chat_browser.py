"""The chat in a real Chromium: stream, Stop mid-reply, regenerate; two sessions stay apart."""

from __future__ import annotations

import time

from tests.support.browser import ARTIFACTS
from tests.support.chat_page import MESSAGES, RUNNING, answer_text, send

QUESTION = "Why should a chat app stream its answers?"


def test_stream_stop_mid_reply_then_regenerate(page, app_url) -> None:
    page.goto(f"{app_url}/chat")
    send(page, QUESTION)
    reply = page.locator(MESSAGES).nth(1)
    reply.get_by_text("Streaming sends the answer").wait_for()
    time.sleep(1.0)
    shown = reply.inner_text()
    page.get_by_role("button", name="Stop").click()
    reply.get_by_text("stopped").wait_for(timeout=10_000)  # kept, and marked at once
    partial = reply.inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat_stopped.png"), full_page=True)
    assert 20 < len(partial) < 700, "the reply was not stopped mid-way"
    assert shown.replace("▌", "").split("\n")[0][:60] in partial
    assert page.get_by_role("button", name="Retry").is_enabled()
    assert page.get_by_role("button", name="Regenerate").is_enabled()  # after Stop, both

    send(page, "How do I keep the chat history?")
    page.locator(MESSAGES).nth(3).get_by_text("tokens/s").wait_for(timeout=30_000)
    assert "stopped" in page.locator(MESSAGES).nth(1).inner_text()

    before = page.locator(MESSAGES).nth(3).inner_text()
    page.get_by_role("button", name="Regenerate").click()
    page.locator(RUNNING).wait_for(state="visible", timeout=5_000)
    lengths = []  # the old reply goes, the new one types in its place
    while page.locator(RUNNING).count():
        if page.locator(MESSAGES).count() >= 4:
            lengths.append(len(page.locator(MESSAGES).nth(3).inner_text()))
        time.sleep(0.1)
    page.screenshot(path=str(ARTIFACTS / "chat_regenerated.png"), full_page=True)
    assert page.locator(MESSAGES).count() == 4  # replaced, not appended
    assert any(n < len(before) / 2 for n in lengths), f"no new reply streamed: {lengths}"
    again = page.locator(MESSAGES).nth(3).inner_text()
    assert answer_text(again) != answer_text(before)  # another wording, not the same text re-typed
    assert answer_text(before) in answer_text(again) and "regenerated" in again


def test_two_sessions_keep_separate_histories(browser, app_url) -> None:
    first, second = (browser.new_context().new_page() for _ in range(2))
    try:
        for page in (first, second):
            page.goto(f"{app_url}/chat")
        send(first, "Tell me about callback handlers")
        send(second, "What happens when the network drops?")
        for page in (first, second):
            page.locator(MESSAGES).nth(1).get_by_text("tokens/s").wait_for(timeout=30_000)
        one, two = first.locator(MESSAGES).all_inner_texts(), second.locator(MESSAGES).all_inner_texts()
        assert len(one) == len(two) == 2
        assert "callback" in one[0] and "network" in two[0]
        assert not set(one) & set(two)
    finally:
        first.context.close()
        second.context.close()
