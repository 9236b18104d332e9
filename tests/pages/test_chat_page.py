"""The chat page: turns, cache, Regenerate, Retry, limits, real servers, ids in the URL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.models.answers import pick_answer
from tests.support.apptest import app, say, shown


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch, tmp_path) -> AppTest:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    monkeypatch.setenv("STREAMING_LAB_MAX_PROMPT_CHARS", "500")
    at = app().run()
    at.switch_page("pages/chat.py").run()
    assert not at.exception
    return at






def reply_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if " tokens · " in c.value]


def test_chat_multi_turn_conversation_with_captions(chat: AppTest) -> None:
    say(chat, "Why should a chat app stream its answers?")
    say(chat, "How do I keep the chat history?")
    assert shown(chat) == [
        ("user", "Why should a chat app stream its answers?"),
        ("assistant", pick_answer("Why should a chat app stream its answers?").text),
        ("user", "How do I keep the chat history?"),
        ("assistant", pick_answer("How do I keep the chat history?").text)]
    captions = reply_captions(chat)
    assert len(captions) == 2 and all("simulated/simulated-1" in c for c in captions)


def test_chat_a_repeat_after_clear_comes_from_the_cache(chat: AppTest) -> None:
    say(chat, "Why should a chat app stream its answers?")
    first = shown(chat)
    assert not any("from the cache" in c for c in reply_captions(chat))
    next(b for b in chat.button if b.label == "Clear").click().run()
    assert shown(chat) == []
    say(chat, "Why should a chat app stream its answers?")
    assert shown(chat) == first
    cached = [c for c in reply_captions(chat) if "from the cache" in c]
    assert cached and "tokens/s" not in cached[0]  # a replay is not a rate
    assert any("1 of 2 answers from the cache" in c.value for c in chat.sidebar.caption)


def test_chat_regenerate_asks_the_model_again_and_replaces_the_last_reply(openai_server, monkeypatch,
                                                                         tmp_path) -> None:
    """Fails if Regenerate does nothing: the server must get a second request, and the chat
    still holds one prompt and one (new, uncached) reply."""
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    at = app(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                "lab.model": "fake-model"}).run()
    at.switch_page("pages/chat.py").run()
    say(at, "hi")
    assert len(openai_server.records) == 1
    next(b for b in at.button if b.label == "Regenerate").click().run()
    assert not at.exception
    assert len(openai_server.records) == 2  # a new answer was asked for, not the cached one
    assert shown(at) == [("user", "hi"), ("assistant", "Hello, this is a real SSE stream.")]
    assert not any("from the cache" in c for c in reply_captions(at))


def test_chat_unreachable_server_keeps_history_and_offers_retry(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    at = app().run()
    at.switch_page("pages/chat.py").run()
    say(at, "Why should a chat app stream its answers?")
    at.session_state["lab.provider"] = "openai"
    at.session_state["lab.base_url"] = "http://127.0.0.1:9/v1"
    at.run()
    say(at, "And the history?")
    turns = shown(at)  # the next run shows the kept history and the one-click retry
    assert [role for role, _ in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[2] == ("user", "And the history?")  # the prompt is kept
    assert any("Could not reach http://127.0.0.1:9/v1" in e.value for e in at.chat_message[3].error)
    assert any(b.label == "Retry" and not b.disabled for b in at.button)
    assert any(b.label == "Regenerate" and not b.disabled for b in at.button)  # both, after a failure


def test_chat_input_limits_refuse_the_prompt_and_keep_its_text(chat: AppTest) -> None:
    say(chat, "   ")
    assert shown(chat) == []
    say(chat, "x" * 600)
    assert any("limit here is 500" in w.value for w in chat.warning)
    assert any(c.value == "x" * 600 for c in chat.code)  # given back to copy
    assert shown(chat) == []


def test_chat_with_an_openai_compatible_server(openai_server, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    at = app(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                "lab.model": "fake-model"}).run()
    at.switch_page("pages/chat.py").run()
    say(at, "hi")
    assert shown(at) == [("user", "hi"), ("assistant", "Hello, this is a real SSE stream.")]
    assert any("openai/fake-model" in c for c in reply_captions(at))
    assert openai_server.records[-1].payload["messages"] == [{"role": "user", "content": "hi"}]


def test_chat_wrong_key_is_a_message_in_the_chat(openai_server, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    openai_server.script.api_key = "the-right-key"
    at = app(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                "lab.model": "fake-model", "lab.api_key": "a-wrong-key"}).run()
    at.switch_page("pages/chat.py").run()
    say(at, "hi")
    assert shown(at)[0] == ("user", "hi")
    assert any("key was rejected" in e.value for e in at.chat_message[1].error)
    assert not any("a-wrong-key" in e.value for e in at.error)


def test_chat_id_lives_in_the_url_and_never_in_the_logs(chat: AppTest) -> None:
    """The id is the chat's only key: in the URL, 192 random bits, and in no log line, even at
    DEBUG, through a whole reply written by the background worker."""
    import logging

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep(logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("streamlit")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(keep)
        logger.setLevel(logging.DEBUG)
    try:
        say(chat, "Why should a chat app stream its answers?")
        chat.run()
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(keep)
            logger.setLevel(level)
    chat_id = chat.query_params["chat"]
    assert len(chat_id) == 32 and chat_id == chat.session_state["chat.id"]
    assert records, "nothing was logged at DEBUG: this test would prove nothing"
    assert not [r for r in records if chat_id in r.getMessage()]


def test_chat_a_new_session_with_the_same_url_sees_the_conversation(chat: AppTest) -> None:
    say(chat, "Why should a chat app stream its answers?")
    chat_id = chat.query_params["chat"]
    other = app()
    other.query_params["chat"] = chat_id
    other.run()
    other.switch_page("pages/chat.py").run()
    assert shown(other) == shown(chat) and len(shown(other)) == 2
    stranger = app()
    stranger.query_params["chat"] = "A" * 32
    stranger.run()
    stranger.switch_page("pages/chat.py").run()
    assert shown(stranger) == []
    assert stranger.query_params["chat"] != "A" * 32


def test_chat_regenerate_gives_another_answer_and_a_repeat_stays_reproducible(chat: AppTest) -> None:
    say(chat, "Why should a chat app stream its answers?")
    first = shown(chat)[1][1]
    next(b for b in chat.button if b.label == "Regenerate").click().run()
    regenerated = shown(chat)
    assert len(regenerated) == 2 and regenerated[1][1] != first  # not the same text re-typed
    assert any("regenerated" in c for c in reply_captions(chat))
    next(b for b in chat.button if b.label == "Clear").click().run()
    next(b for b in chat.sidebar.button if b.label == "Clear the answer cache").click().run()
    say(chat, "Why should a chat app stream its answers?")
    assert shown(chat)[1][1] == first  # a plain repeat: the same seeded answer


def test_chat_after_stop_offers_retry_and_regenerate_and_an_empty_chat_no_toolbar(chat: AppTest) -> None:
    assert not [b for b in chat.button if b.label in ("Retry", "Regenerate", "Clear")]
    assert any("Where replies live" in m.value for m in chat.markdown)  # named, not "on the right"
    assert not any("on the right" in m.value for m in chat.markdown)
