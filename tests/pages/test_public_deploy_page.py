"""A public deploy, tried as a stranger would: the owner's key, the owner's limits, hostile input and
a store that goes away. Each test fails if the protection it names is removed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from components.models.answers import pick_answer
from components.rendering.typing_sink import CUT_SHORT
from tests.support.apptest import open_page, say, shown, typed
from tests.support.browser import free_port
from tests.support.openai_server import DEFAULT_TOKENS, FakeOpenAIServer
from tests.support.redis_server import kill_when_streamed, start_redis, stop_redis

OWNER_KEY = "owner-test-key-not-real"
ANSWER = "".join(DEFAULT_TOKENS)
RUN_BOTH = "Run both side by side"
LIVE_TYPING, CHAT = "pages/live_typing.py", "pages/chat.py"


@pytest.fixture
def servers() -> Iterator[tuple[FakeOpenAIServer, FakeOpenAIServer]]:
    """Server A, the one the owner configured with their key, and server B, a visitor's."""
    a, b = FakeOpenAIServer().start(), FakeOpenAIServer().start()
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def owner(monkeypatch: pytest.MonkeyPatch, tmp_path,
          servers: tuple[FakeOpenAIServer, FakeOpenAIServer]) -> tuple[FakeOpenAIServer, FakeOpenAIServer]:
    """The app as its owner deploys it: their key in the environment, for server A and fake-model."""
    a, _ = servers
    monkeypatch.setenv("OPENAI_API_KEY", OWNER_KEY)
    monkeypatch.setenv("STREAMING_LAB_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", a.base_url)
    monkeypatch.setenv("STREAMING_LAB_MODEL", "fake-model")
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    for name in ("STREAMING_LAB_ALLOWED_MODELS", "STREAMING_LAB_REQUESTS_PER_MINUTE",
                 "STREAMING_LAB_SESSION_TOKENS", "STREAMING_LAB_GLOBAL_TOKENS", "STREAMING_LAB_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    return servers


def run_both(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == RUN_BOTH).click().run()
    assert not at.exception
    return at






def errors_in(at: AppTest, index: int) -> str:
    return " ".join(e.value for e in at.chat_message[index].error)


# --- 1. the owner's key goes only where the owner configured it ------------------------------------
def test_owner_key_never_reaches_a_url_a_visitor_typed(owner) -> None:
    a, b = owner
    at = run_both(open_page(LIVE_TYPING, **{"lab.base_url": b.base_url}))
    assert b.records, "the visitor's server was never asked: this test would prove nothing"
    assert [r.authorization for r in b.records if OWNER_KEY in r.authorization] == []
    assert not a.records
    assert at.session_state["live_typing.last"]["streamed"].text == ANSWER
    assert not at.error


def test_owner_key_goes_to_the_configured_url(owner) -> None:
    """The control: with no visitor base URL, server A gets the owner's key."""
    a, b = owner
    at = run_both(open_page(LIVE_TYPING))
    assert a.records and all(r.authorization == f"Bearer {OWNER_KEY}" for r in a.records)
    assert not b.records
    assert at.session_state["live_typing.last"]["streamed"].text == ANSWER


# --- 2. only the models the owner allows, on the owner's key ---------------------------------------
def test_a_model_not_allowed_is_a_message_and_no_request(owner) -> None:
    a, _ = owner
    a.script.models = ("fake-model", "some-other-model")  # the server would answer: the app must not ask
    at = run_both(open_page(LIVE_TYPING, **{"lab.model": "some-other-model"}))
    message = " ".join(e.value for e in [*at.error, *at.warning])
    assert "`fake-model`" in message and "your own API key" in message, message
    assert not a.records
    assert "live_typing.last" not in at.session_state


def test_an_allow_list_lets_the_owner_allow_other_models(owner, monkeypatch) -> None:
    a, _ = owner
    monkeypatch.setenv("STREAMING_LAB_ALLOWED_MODELS", "fake-model,other-model")
    a.script.models = ("fake-model", "other-model", "some-other-model")
    at = run_both(open_page(LIVE_TYPING, **{"lab.model": "other-model"}))
    assert not at.error
    assert a.records and {r.payload["model"] for r in a.records} == {"other-model"}
    assert at.session_state["live_typing.last"]["streamed"].text == ANSWER
    refused = run_both(open_page(LIVE_TYPING, **{"lab.model": "some-other-model"}))
    message = " ".join(e.value for e in [*refused.error, *refused.warning])
    assert "`fake-model`" in message and "`other-model`" in message, message
    assert {r.payload["model"] for r in a.records} == {"other-model"}


# --- 3. what a visitor may spend on the owner's key -------------------------------------------------
@pytest.mark.parametrize(("setting", "value", "said"), [
    ("STREAMING_LAB_REQUESTS_PER_MINUTE", "1", "at most 1 request a minute"),
    ("STREAMING_LAB_SESSION_TOKENS", "5", "used its 5 tokens"),
])
def test_limits_are_a_message_in_the_chat_and_keep_the_prompt(owner, monkeypatch, setting, value,
                                                              said) -> None:
    a, _ = owner
    monkeypatch.setenv(setting, value)
    at = say(open_page(CHAT), "first question")
    say(at, "second question")
    turns = shown(at)
    assert turns[:3] == [("user", "first question"), ("assistant", ANSWER), ("user", "second question")]
    assert len(turns) == 4 and turns[3][0] == "assistant"
    error = errors_in(at, 3)
    assert said in error, error
    assert len(a.records) == 1  # the refused question never left


# --- 4. a malformed base URL ------------------------------------------------------------------------
@pytest.mark.parametrize("with_owner_key", [False, True])
def test_a_malformed_base_url_is_a_message_on_this_run_and_the_next(owner, monkeypatch,
                                                                     with_owner_key) -> None:
    if not with_owner_key:
        monkeypatch.delenv("OPENAI_API_KEY")
    bad = {"lab.provider": "openai", "lab.base_url": "http://[::1"}
    live = run_both(open_page(LIVE_TYPING, **bad))
    assert any("not a valid URL" in e.value for e in live.error), [e.value for e in live.error]
    live.run()
    assert not live.exception
    run_both(live)

    chat = say(open_page(CHAT, **bad), "hi")
    assert shown(chat)[0] == ("user", "hi")
    error = errors_in(chat, 1)
    assert "not a valid URL" in error, error
    say(chat, "and again")
    assert [role for role, _ in shown(chat)] == ["user", "assistant", "user", "assistant"]


# --- 5. a web page where the API should be ----------------------------------------------------------
def test_a_web_page_answer_is_explained_once_without_a_cursor(openai_server, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    openai_server.script.fault = "html"
    at = say(open_page(CHAT, **{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                                "lab.model": "fake-model"}), "hi")
    turns = shown(at)
    assert turns[0] == ("user", "hi") and turns[1][0] == "assistant"
    assert "▌" not in turns[1][1], turns[1][1]
    time.sleep(0.3)  # an abandoned retry would show up here
    assert len(openai_server.records) == 1
    error = errors_in(at, 1)
    assert "answered with a web page" in error, error


# --- 6. Redis goes away mid-reply, and comes back ---------------------------------------------------






def test_redis_down_mid_reply_keeps_the_text_and_recovers(monkeypatch, tmp_path) -> None:
    port = free_port()
    monkeypatch.setenv("STREAMING_LAB_REDIS_URL", f"redis://127.0.0.1:{port}/0")
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    monkeypatch.setenv("STREAMING_LAB_PROVIDER", "simulated")
    processes = [start_redis(port)]
    try:
        at = open_page(CHAT, **{"lab.tokens_per_second": 20.0})
        question = "Why should a chat app stream its answers?"
        answer = pick_answer(question).text
        # ~1.5 s in: the typing view has been sent some words
        killer = kill_when_streamed(processes[0], port, events=30)
        say(at, question)
        killer.join()
        assert any("Lost contact with the chat's store" in w.value for w in at.warning), \
            [w.value for w in at.warning]
        kept, flag = typed(at.chat_message[1])  # what the reply's typing view was sent
        assert answer.startswith(kept), kept  # what reached the page stays...
        assert "Streaming sends the answer" in kept, kept  # ...some of the answer's words
        assert len(kept) < len(answer)  # it really was mid-reply

        say(at, "a message sent while Redis is down")
        assert any("store is unreachable" in w.value for w in at.warning), [w.value for w in at.warning]
        assert any(c.value == "a message sent while Redis is down" for c in at.code)

        processes.append(start_redis(port))  # back, empty, on the same address
        at.session_state["lab.tokens_per_second"] = 400.0
        again = "How do I keep the chat history?"
        say(at, again)
        assert shown(at)[-2:] == [("user", again), ("assistant", pick_answer(again).text)]
        assert not at.warning
        # the reply stopped when the store went away: its view was told so (no typing cursor left)
        assert flag == CUT_SHORT
    finally:
        for process in processes:
            stop_redis(process)
