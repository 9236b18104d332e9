"""A public deploy in a real Chromium: a visitor's own key, the owner's key and a visitor's URL, two
tabs of one chat sending at once, and what a stranger sees when a limit or the store says no."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser import ARTIFACTS, AppServer, free_port, streamlit_app
from tests.support.chat_page import MESSAGES, RUNNING, answer_text, send, view_done, wait_for_chat_id
from tests.support.openai_server import DEFAULT_TOKENS, FakeOpenAIServer
from tests.support.redis_server import kill_when_streamed, start_redis

OWNER_KEY = "owner-test-key-not-real"
VISITOR_KEY = "visitor-test-key-not-real"
ANSWER = "".join(DEFAULT_TOKENS)
VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FakeOpenAIServer]]:
    """A: the owner's configured server; B: a server a visitor types; C: one that wants the
    visitor's key (401 for any other)."""
    started = {name: FakeOpenAIServer().start() for name in "ABC"}
    started["C"].script.api_key = VISITOR_KEY
    started["C"].script.models = ("gpt-4o-mini",)  # the default model: the visitor types none
    try:
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture(scope="module")
def owner_app(servers: dict[str, FakeOpenAIServer]) -> Iterator[AppServer]:
    """Deployed as an owner would: their key for server A and fake-model, 1 request a minute."""
    with streamlit_app(env={"OPENAI_API_KEY": OWNER_KEY, "STREAMING_LAB_PROVIDER": "openai",
                            "OPENAI_BASE_URL": servers["A"].base_url, "STREAMING_LAB_MODEL": "fake-model",
                            "STREAMING_LAB_REQUESTS_PER_MINUTE": "1"}) as server:
        yield server


@pytest.fixture(scope="module")
def simulated_app() -> Iterator[AppServer]:
    with streamlit_app(env={"STREAMING_LAB_PROVIDER": "simulated"}) as server:
        yield server


@pytest.fixture
def context(browser) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    yield context
    context.close()


def idle(page) -> None:
    """Let a rerun that a widget just asked for start, then wait for it to end."""
    page.wait_for_timeout(300)
    page.locator(RUNNING).wait_for(state="detached", timeout=20_000)


def fill_sidebar(page, label: str, value: str) -> None:
    field = page.locator('[data-testid="stSidebar"]').get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")
    idle(page)


def finished(page, index: int) -> str:
    """Message `index` once its reply's caption is there, without the caption."""
    message = page.locator(MESSAGES).nth(index)
    message.get_by_text("tokens", exact=False).last.wait_for(timeout=20_000)
    idle(page)
    view_done(message)
    return answer_text(message.inner_text())


# --- 7. a visitor's own key is used, and never sent back -------------------------------------------
def test_a_visitors_key_is_used_and_never_sent_back(context, simulated_app, servers) -> None:
    server = servers["C"]
    server.records.clear()
    page = context.new_page()
    received: list[bytes] = []

    def listen(ws) -> None:
        ws.on("framereceived", lambda frame: received.append(
            frame if isinstance(frame, bytes) else frame.encode()))

    page.on("websocket", listen)
    page.goto(f"{simulated_app.url}/chat")
    page.locator('[data-testid="stChatInputTextArea"]').wait_for()
    page.get_by_role("combobox", name="Provider").click()
    page.get_by_role("option", name="OpenAI or compatible").click()
    idle(page)
    fill_sidebar(page, "Base URL", server.base_url)
    fill_sidebar(page, "API key", VISITOR_KEY)

    send(page, "hi")
    assert finished(page, 1) == ANSWER  # the key was used: server C answers no other
    assert server.records[-1].authorization == f"Bearer {VISITOR_KEY}"
    assert received, "no websocket frame was seen: this test would prove nothing"
    assert not [f for f in received if VISITOR_KEY.encode() in f], "the key came back to the browser"
    values = page.locator("input, textarea").evaluate_all(
        "els => els.map(e => [e.value, e.getAttribute('value') || ''])")
    assert not [v for v in values if VISITOR_KEY in v[0] or VISITOR_KEY in v[1]], values
    assert VISITOR_KEY not in page.content()

    page.get_by_role("button", name="Forget my key").click()
    page.locator('[data-testid="stSidebar"]').get_by_label("API key", exact=True).wait_for()
    idle(page)
    send(page, "and now?")
    page.locator(MESSAGES).nth(3).get_by_text("key was rejected").wait_for()
    assert server.records[-1].authorization != f"Bearer {VISITOR_KEY}"  # forgotten
    assert not [f for f in received if VISITOR_KEY.encode() in f]
    assert VISITOR_KEY not in page.content()


# --- 8. the owner's key never follows a URL a visitor typed ----------------------------------------
def test_owner_key_never_reaches_a_url_typed_in_the_sidebar(context, owner_app, servers) -> None:
    a, b = servers["A"], servers["B"]
    a.records.clear()
    b.records.clear()
    page = context.new_page()
    page.goto(f"{owner_app.url}/chat")
    page.locator('[data-testid="stChatInputTextArea"]').wait_for()
    fill_sidebar(page, "Base URL", b.base_url)
    send(page, "hi")
    assert finished(page, 1) == ANSWER
    assert b.records, "the visitor's server was never asked: this test would prove nothing"
    assert not [r.authorization for r in b.records if OWNER_KEY in r.authorization]
    assert not a.records


# --- 9. two tabs of one chat send at the same moment -----------------------------------------------
OPENING = "Give me an outline of the steps"
ASKED = {"Answer briefly, yes or no": "instead of all at the end",
         "What is the plan? Outline the points": "the wait just feels shorter"}


def test_two_tabs_sending_at_once_get_two_replies_in_order(context, simulated_app) -> None:
    first = context.new_page()
    first.goto(f"{simulated_app.url}/chat")
    send(first, OPENING)  # a chat exists in the store once it has a message (an empty one is not shared)
    finished(first, 1)
    chat_url = f"{simulated_app.url}/chat?chat={wait_for_chat_id(first)}"
    second = context.new_page()
    second.goto(chat_url)
    second.locator(MESSAGES).nth(1).wait_for()
    inputs = [p.locator('[data-testid="stChatInputTextArea"]') for p in (first, second)]
    for box, prompt in zip(inputs, ASKED, strict=True):
        box.fill(prompt)
    for box in inputs:
        box.press("Enter")
    for page in (first, second):
        idle(page)
    first.reload()
    first.locator(MESSAGES).nth(5).wait_for()
    texts = [finished(first, 3), finished(first, 5)]
    messages = first.locator(MESSAGES).all_inner_texts()
    first.screenshot(path=str(ARTIFACTS / "public_two_tabs.png"), full_page=True)
    assert len(messages) == 6, messages
    prompts = [messages[2].strip(), messages[4].strip()]
    assert sorted(prompts) == sorted(ASKED), prompts
    for prompt, reply in zip(prompts, texts, strict=True):
        assert ASKED[prompt] in reply, (prompt, reply)


# --- 10. what a stranger sees ----------------------------------------------------------------------
def test_screenshot_a_refused_model(context, owner_app, servers) -> None:
    servers["A"].records.clear()
    page = context.new_page()
    page.goto(f"{owner_app.url}/live_typing")
    page.get_by_role("button", name="Run both side by side").wait_for()
    fill_sidebar(page, "Model", "some-other-model")
    page.get_by_role("button", name="Run both side by side").click()
    message = page.get_by_text("visitors may use")
    message.wait_for()
    page.screenshot(path=str(ARTIFACTS / "public_refused_model.png"))
    assert "fake-model" in message.inner_text()
    assert not servers["A"].records


def test_screenshot_the_request_limit(context, owner_app, servers) -> None:
    page = context.new_page()
    page.goto(f"{owner_app.url}/chat")
    send(page, "first question")
    assert finished(page, 1) == ANSWER
    send(page, "second question")
    page.get_by_text("at most 1 request a minute").wait_for()
    idle(page)
    page.screenshot(path=str(ARTIFACTS / "public_request_limit.png"), full_page=True)
    assert "second question" in page.locator(MESSAGES).nth(2).inner_text()  # the prompt is kept






def test_screenshot_redis_going_away_mid_reply(context) -> None:
    port = free_port()
    process = start_redis(port)
    try:
        with streamlit_app(env={"STREAMING_LAB_PROVIDER": "simulated",
                                "STREAMING_LAB_REDIS_URL": f"redis://127.0.0.1:{port}/0"}) as app:
            page = context.new_page()
            page.goto(f"{app.url}/chat")
            killer = kill_when_streamed(process, port, events=50)
            send(page, "Why should a chat app stream its answers?")
            page.get_by_text("Lost contact with the chat's store").wait_for()
            killer.join()
            idle(page)
            page.screenshot(path=str(ARTIFACTS / "public_redis_down.png"), full_page=True)
            assert "Streaming sends the answer" in page.locator(MESSAGES).nth(1).inner_text()
            send(page, "sent while Redis is down")
            page.get_by_text("store is unreachable").wait_for()
            idle(page)
            page.screenshot(path=str(ARTIFACTS / "public_redis_down_send.png"), full_page=True)
            assert page.locator("code").filter(has_text="sent while Redis is down").count()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
