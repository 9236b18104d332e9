"""Two app processes behind one Redis: a reply started on one replica is resumed, and stopped,
from the other, as a load balancer would route a reload."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from tests.support.browser import ARTIFACTS, streamlit_app
from tests.support.chat_page import (
    MESSAGES,
    RUNNING,
    answer_text,
    finished_reply,
    send,
    wait_for_chat_id,
    wait_for_length,
)


@pytest.fixture(scope="module")
def replicas(redis_url: str) -> Iterator[tuple[str, str]]:
    redis.Redis.from_url(redis_url).flushdb()
    env = {"STREAMING_LAB_REDIS_URL": redis_url}
    with streamlit_app(env) as first, streamlit_app(env) as second:
        yield first.url, second.url


def reply_started_on(page, url: str, question: str, chars: int) -> str:
    """Ask on one replica and wait for some of the reply; returns the chat's id."""
    page.goto(f"{url}/chat")
    send(page, question)
    wait_for_length(page.locator(MESSAGES).nth(1), chars)
    return wait_for_chat_id(page)


def test_a_reply_started_on_one_replica_resumes_on_the_other(page, replicas) -> None:
    first, second = replicas
    page.goto(f"{second}/chat")  # a replica's first page load compiles the app: not timed below
    page.locator('[data-testid="stChatInputTextArea"]').wait_for()
    chat = reply_started_on(page, first, "Why should a chat app stream its answers?", 100)
    page.goto(f"{second}/chat?chat={chat}")  # the reload lands on the other replica
    page.get_by_text("Re-attached to the reply being written").wait_for(timeout=10_000)
    assert page.locator(MESSAGES).nth(0).inner_text() == "Why should a chat app stream its answers?"
    # the caught-up text is one update; the typing view draws it as soon as its code has loaded
    caught_up, deadline = 0, time.monotonic() + 5
    while caught_up < 100 and time.monotonic() < deadline:
        caught_up = len(answer_text(page.locator(MESSAGES).nth(1).inner_text()))
        time.sleep(0.05)
    text = finished_reply(page)
    page.screenshot(path=str(ARTIFACTS / "chat_other_replica.png"), full_page=True)
    assert 100 <= caught_up < len(text) and page.locator(MESSAGES).count() == 2
    page.goto(f"{first}/chat?chat={chat}")  # and the first replica has the finished reply too
    assert finished_reply(page) == text and page.locator(MESSAGES).count() == 2


def test_stop_on_one_replica_stops_the_worker_on_the_other(page, replicas) -> None:
    first, second = replicas
    chat = reply_started_on(page, first, "Tell me about callback handlers", 60)
    page.goto(f"{second}/chat?chat={chat}")
    reply = page.locator(MESSAGES).nth(1)
    reply.get_by_role("button", name="Stop").click()
    reply.get_by_text("stopped", exact=True).wait_for(timeout=10_000)
    page.locator(RUNNING).wait_for(state="detached", timeout=10_000)  # the rerun has drawn it all
    stopped = answer_text(page.locator(MESSAGES).nth(1).inner_text())
    time.sleep(1.0)
    page.goto(f"{first}/chat?chat={chat}")
    page.locator(MESSAGES).nth(1).get_by_text("stopped", exact=True).wait_for()
    assert answer_text(page.locator(MESSAGES).nth(1).inner_text()) == stopped
    assert 0 < len(stopped) < 700
