"""The default renderer (the typing view) in a real Chromium: it types, ends with exactly the answer,
runs no script from model output, and survives hostile output on the bench page and in the chat."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest

from components.models.sample_texts import HOSTILE
from components.rendering.bounds import Bounds
from components.rendering.markdown_blocks import CURSOR, displayable
from tests.support.browser import ARTIFACTS, streamlit_app
from tests.support.chat_page import MESSAGES, send
from tests.support.openai_server import FakeOpenAIServer

VIEW = "[data-testid='stTypingView']"
DONE = ".st-key-bench_done"


def bench(page, url: str, answer: str, rate: int = 4000) -> None:
    page.goto(f"{url}/render_bench?strategy=typing&tokens=0&rate={rate}&answer={answer}")
    page.locator(DONE).wait_for(timeout=90_000)


def test_a_chat_reply_types_in_many_small_steps_and_ends_with_exactly_the_answer(page, app_url) -> None:
    page.goto(f"{app_url}/chat")
    send(page, "Why should a chat app stream its answers?")
    reply = page.locator(MESSAGES).nth(1).locator(VIEW)
    reply.wait_for(timeout=30_000)
    lengths: list[int] = []
    while not page.locator(MESSAGES).nth(1).get_by_text("tokens/s").count():
        lengths.append(len(reply.inner_text()))
        time.sleep(0.05)
    typed = reply.inner_text()
    page.screenshot(path=str(ARTIFACTS / "typing_chat_done.png"))
    assert len(set(lengths)) >= 30, f"the reply did not type in small steps: {sorted(set(lengths))}"
    assert CURSOR not in typed and typed.count("Streaming sends the answer") == 1

    page.reload()  # the same turn drawn natively from the conversation: the same text
    native = page.locator(MESSAGES).nth(1).locator("[data-testid='stMarkdownContainer']").first
    native.locator("[data-testid='stCode']").wait_for(timeout=30_000)  # drawn lazily
    assert typed.strip() == native.inner_text().strip()


@pytest.mark.parametrize("answer", ["markdown", "prose"])
def test_every_partial_state_draws_what_a_full_render_of_it_would(page, app_url, answer) -> None:
    """The view re-renders only when it must; at every paint in between, its DOM is checked against
    a full render of the same partial text (the browser-side check in typing.js)."""
    page.add_init_script("globalThis.__typingCheck = true")
    bench(page, app_url, answer, rate=60)
    stats = page.evaluate("globalThis.__typingStats")
    assert stats["checked"] > stats["paints"] / 5, stats  # the quick path really ran
    assert stats.get("mismatches", 0) == 0, stats.get("lastMismatch")


def test_model_output_runs_no_script(page, app_url) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    bench(page, app_url, "script", rate=200)
    view = page.locator(VIEW)
    view.get_by_text("click me").click()  # a javascript: link is drawn as text, not followed
    time.sleep(0.5)
    assert dialogs == []
    assert '<script>alert("script")</script>' in view.inner_text()
    assert view.locator("script, img, [onerror], a[href^='javascript']").count() == 0


@pytest.mark.parametrize("name", ["quotes", "dashes", "deep_list", "long_line"])
def test_hostile_output_is_drawn_bounded_without_freezing_the_page(page, app_url, name) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    bench(page, app_url, name)
    drawn = page.locator(VIEW).inner_text()
    assert errors == [] and not page.get_by_text("RangeError").count()
    assert 0 < len(drawn) <= Bounds().total
    assert page.evaluate("1 + 1") == 2  # the page still answers


def test_the_browser_closes_partial_markdown_as_the_server_does(page, app_url) -> None:
    rng = random.Random(12)
    samples = ["Compute 2 * 3 and", "an *", "an *idea", "call `foo", "this is **very", "- one\n-",
               "1. one\n2.", "Look:\n\n```python\nx = 1", "- item\n\n    ```\n    code", "snake_case and _it"]
    samples += ["".join(rng.choice("ab \n`~*_-#1.") for _ in range(rng.randint(0, 40))) for _ in range(400)]
    page.goto(app_url)
    browser_side = page.evaluate(
        "async (samples) => { const m = await import(new URL('app/static/typing/typing.js', "
        "document.baseURI)); return samples.map((s) => m.displayable(s)); }", samples)
    assert browser_side == [displayable(s) for s in samples]


@pytest.fixture(scope="module")
def hostile_chat() -> Iterator[tuple[str, FakeOpenAIServer]]:
    """The app on an OpenAI-compatible server whose answers each test sets (fast, in 5 KB chunks)."""
    server = FakeOpenAIServer().start()
    try:
        with streamlit_app(env=server.app_env) as app:
            yield app.url, server
    finally:
        server.stop()


def answers_with(server: FakeOpenAIServer, text: str) -> None:
    server.script.tokens = [text[i:i + 5000] for i in range(0, len(text), 5000)]


def test_deep_nesting_in_a_chat_reply_neither_crashes_the_reply_nor_its_reload(page, hostile_chat) -> None:
    url, server = hostile_chat
    answers_with(server, HOSTILE["quotes"])
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/chat")
    send(page, "quote me")
    page.locator(MESSAGES).nth(1).get_by_text("tokens/s").wait_for(timeout=60_000)
    page.reload()  # the finished turn, drawn natively from the conversation
    reply = page.locator(MESSAGES).nth(1)
    reply.get_by_text("Drawn shortened").wait_for(timeout=30_000)
    assert errors == [] and not page.get_by_text("Maximum call stack").count()


def test_a_one_megabyte_line_finishes_and_reloads_promptly_with_the_whole_text_kept(
        page, hostile_chat) -> None:
    url, server = hostile_chat
    answers_with(server, HOSTILE["long_line"])
    page.goto(f"{url}/chat")
    send(page, "hi")
    reply = page.locator(MESSAGES).nth(1)
    reply.get_by_text("tokens/s").wait_for(timeout=60_000)
    page.reload()
    reply = page.locator(MESSAGES).nth(1)
    reply.get_by_text("Drawn shortened").wait_for(timeout=30_000)
    reply.get_by_text("Download the whole reply").wait_for(timeout=10_000)  # drawn after the caption
    assert reply.get_by_text("Download the whole reply").count() == 1
    assert len(reply.inner_text()) < 2 * Bounds().line
