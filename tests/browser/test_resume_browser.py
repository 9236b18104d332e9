"""Replies that survive the user's side of the network in a real Chromium: a click mid-reply, a
reload mid-reply, chat URLs that stay apart, a made-up id."""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlparse

from tests.support.browser import ARTIFACTS
from tests.support.chat_page import (
    MESSAGES,
    answer_text,
    chat_id,
    finished_reply,
    send,
    stored_answer,
    wait_for_chat_id,
    wait_for_length,
)
from tests.support.tcp_proxy import CuttableProxy


def test_a_click_mid_reply_does_not_end_it(page, browser, app_url) -> None:
    question = "Why should a chat app stream its answers?"
    page.goto(f"{app_url}/chat")
    send(page, question)
    reply = page.locator(MESSAGES).nth(1)
    reply.get_by_text("Streaming sends the answer").wait_for()
    page.locator('[data-testid="stCheckbox"]').get_by_text("Where replies live").click()  # reruns
    page.get_by_text("Re-attached to the reply being written").wait_for(timeout=20_000)
    assert "Stop" in reply.inner_text()  # still streaming after the rerun
    text = finished_reply(page)
    page.screenshot(path=str(ARTIFACTS / "chat_click_mid_reply.png"), full_page=True)
    assert page.locator(MESSAGES).count() == 2
    assert text == stored_answer(browser, app_url, question)  # complete, and exactly once


def test_a_reload_mid_reply_resumes_the_same_reply(page, browser, app_url) -> None:
    question = "What happens when the network drops?"
    page.goto(f"{app_url}/chat")
    send(page, question)
    reply = page.locator(MESSAGES).nth(1)
    wait_for_length(reply, 150)
    url = page.url
    assert len(wait_for_chat_id(page)) == 32
    before = len(answer_text(reply.inner_text()))
    page.reload()
    page.get_by_text("Re-attached to the reply being written").wait_for(timeout=20_000)
    assert page.url == url  # the same chat
    assert page.locator(MESSAGES).nth(0).inner_text() == question
    # the caught-up text is one update; the typing view draws it as soon as its code has loaded
    caught_up, deadline = 0, time.monotonic() + 5
    while caught_up < before * 0.8 and time.monotonic() < deadline:
        caught_up = len(answer_text(page.locator(MESSAGES).nth(1).inner_text()))
        time.sleep(0.05)
    assert caught_up >= before * 0.8, "the reload did not catch up with the text already written"
    text = finished_reply(page)
    page.screenshot(path=str(ARTIFACTS / "chat_reload_mid_reply.png"), full_page=True)
    assert len(text) > caught_up  # it went on live after catching up
    assert page.locator(MESSAGES).count() == 2
    assert text == stored_answer(browser, app_url, question)

    page.reload()  # finished replies are persisted with the conversation
    assert finished_reply(page) == text


def test_stop_after_a_reload_still_stops(page, app_url) -> None:
    page.goto(f"{app_url}/chat")
    send(page, "Tell me about callback handlers")
    page.locator(MESSAGES).nth(1).get_by_role("button", name="Stop").wait_for()
    time.sleep(0.5)
    page.reload()
    reply = page.locator(MESSAGES).nth(1)
    reply.get_by_role("button", name="Stop").click()
    reply.get_by_text("stopped", exact=True).wait_for(timeout=10_000)
    text = answer_text(reply.inner_text())
    time.sleep(1.0)
    page.reload()  # the stopped reply was kept as it was, and nothing more was written
    page.locator(MESSAGES).nth(1).get_by_text("stopped", exact=True).wait_for()
    assert answer_text(page.locator(MESSAGES).nth(1).inner_text()) == text
    assert 0 < len(text) < 700


def test_two_chat_urls_never_show_each_others_text(browser, app_url) -> None:
    pages = [browser.new_context().new_page() for _ in range(3)]
    try:
        first, second, third = pages
        for page, question in ((first, "Tell me about callback handlers"),
                               (second, "How do I keep the chat history?")):
            page.goto(f"{app_url}/chat")
            send(page, question)
        for page in (first, second):
            finished_reply(page)
        assert wait_for_chat_id(first) != wait_for_chat_id(second)
        third.goto(first.url)
        third.locator(MESSAGES).nth(1).get_by_text("tokens/s").wait_for()
        shown = " ".join(third.locator(MESSAGES).all_inner_texts())
        assert "Tell me about callback handlers" in shown
        assert "How do I keep the chat history?" not in shown
        assert third.locator(MESSAGES).count() == 2
    finally:
        for page in pages:
            page.context.close()


def test_a_made_up_id_shows_an_empty_chat_under_a_new_id(page, app_url) -> None:
    for made_up in (secrets.token_urlsafe(24), "0" * 32, "not-an-id"):
        page.goto(f"{app_url}/chat?chat={made_up}")
        page.get_by_text("Ask anything").wait_for()
        assert page.locator(MESSAGES).count() == 0
        fresh = wait_for_chat_id(page)
        deadline = time.monotonic() + 5
        while fresh == made_up and time.monotonic() < deadline:
            time.sleep(0.05)
            fresh = chat_id(page)
        assert fresh != made_up and len(fresh) == 32


def test_a_dropped_connection_mid_reply_reconnects_to_the_same_reply(page, browser, app_url) -> None:
    """The TCP connections really go (a proxy closes them and refuses new ones for 1.5 s);
    Streamlit's page reconnects by itself, runs again, and finds the reply, which went on while it
    was away."""
    question = "Explain throttling"  # asked nowhere else here: not in the answer cache
    proxy = CuttableProxy(urlparse(app_url).port).start()
    sockets: list = []
    page.on("websocket", lambda socket: sockets.append(socket))
    try:
        page.goto(f"http://127.0.0.1:{proxy.port}/chat")
        send(page, question)
        reply = page.locator(MESSAGES).nth(1)
        wait_for_length(reply, 60)
        assert reply.get_by_role("button", name="Stop").count()  # still streaming
        proxy.cut(refuse_for=1.5)
        page.get_by_text("Re-attached to the reply being written").wait_for(timeout=20_000)
        text = finished_reply(page)
        page.screenshot(path=str(ARTIFACTS / "chat_reconnected.png"), full_page=True)
        assert sockets[0].is_closed() and len(sockets) >= 2, "the connection never dropped"
        assert page.locator(MESSAGES).count() == 2
        assert text == stored_answer(browser, app_url, question)
    finally:
        proxy.close()
