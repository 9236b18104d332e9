"""Driving the chat page in Chromium: send a message, read a reply without its timings, wait."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

INPUT = '[data-testid="stChatInputTextArea"]'
MESSAGES = '[data-testid="stChatMessageContent"]'
RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'


def send(page, text: str) -> None:
    page.locator(INPUT).fill(text)
    page.locator(INPUT).press("Enter")


def answer_text(message: str) -> str:
    """A reply without its caption (timings differ run to run; a cached reply has none)."""
    return message.split("TTFT")[0].split("from the cache")[0].strip()


def chat_id(page) -> str:
    return parse_qs(urlparse(page.url).query).get("chat", [""])[0]


def wait_for_chat_id(page) -> str:
    deadline = time.monotonic() + 10
    while not chat_id(page) and time.monotonic() < deadline:
        time.sleep(0.05)
    return chat_id(page)


def wait_for_length(reply, chars: int) -> None:
    deadline = time.monotonic() + 30
    while len(answer_text(reply.inner_text())) < chars and time.monotonic() < deadline:
        time.sleep(0.05)


def view_done(message) -> None:
    """Wait until a typing view in this message, if any, has shown everything it was sent."""
    message.locator("[data-testid='stTypingView']:not([data-state='done'])").wait_for(
        state="detached", timeout=30_000)


def finished_reply(page, index: int = 1) -> str:
    """The reply's text once finished and drawn (a code block's highlighter loads lazily)."""
    reply = page.locator(MESSAGES).nth(index)
    reply.get_by_text(re.compile(r"tokens/s|from the cache")).first.wait_for(timeout=30_000)
    view_done(reply)
    text, deadline = "", time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = answer_text(reply.inner_text())
        if now == text:
            break
        text = now
    return text


def stored_answer(browser, url: str, question: str) -> str:
    """The worker's own text for `question`, replayed from the answer cache in a fresh session:
    what the interrupted page must end up showing, exactly."""
    page = browser.new_context().new_page()
    try:
        page.goto(f"{url}/chat")
        send(page, question)
        page.locator(MESSAGES).nth(1).get_by_text("from the cache").wait_for(timeout=30_000)
        return finished_reply(page)
    finally:
        page.context.close()
