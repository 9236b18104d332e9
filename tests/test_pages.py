"""Pages through streamlit.testing.v1.AppTest: the shell, the home page and Live typing end to end."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from components.answers import pick_answer
from components.prompts import CALLBACKS_PROMPT, DROPS_PROMPT, SAMPLE_PROMPT, SHORT_PROMPT

APP = "../app.py"  # AppTest resolves paths from this file
FAST = {"lab.ttft_ms": 20, "lab.tokens_per_second": 400.0}


@pytest.fixture(autouse=True)
def served_app_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Model a server that has run app.py once: AppTest resets Streamlit's legacy-pages flag
    before every run, as for a fresh process. The cold deep link itself is a browser test."""
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def app(**state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in {**FAST, **state}.items():
        at.session_state[key] = value
    return at


def test_home_links_every_built_page_and_names_the_model() -> None:
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Streaming Lab"
    assert any("simulated/simulated-1" in c.value for c in at.caption)
    assert at.sidebar.selectbox[0].value == "simulated"


def test_live_typing_renders_the_full_answer_in_both_columns() -> None:
    at = app().run()
    at.switch_page("pages/live_typing.py").run()
    at.button[0].click().run()
    assert not at.exception
    answer = pick_answer(SAMPLE_PROMPT).text
    last = at.session_state["live_typing.last"]
    assert last["blocked"].text == answer == last["streamed"].text
    assert last["streamed"].ok and last["blocked"].ok
    labels = [m.label for m in at.metric]
    assert labels.count("First visible text") == 2 and labels.count("Tokens/s") == 2
    assert all(m.value.endswith(" s") or m.value.isdigit() for m in at.metric)
    assert any("sooner" in s.value for s in at.success)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    # what was streamed is what the page shows after the run
    assert any(md.value.startswith("Streaming sends the answer") for md in at.markdown)


def test_short_answer_toggle_gives_the_not_worth_it_verdict() -> None:
    at = app().run()
    at.switch_page("pages/live_typing.py").run()
    at.toggle[0].set_value(True).run()
    assert at.text_area[0].value == SHORT_PROMPT
    at.button[0].click().run()
    assert any("saved only" in s.value for s in at.success)


@pytest.mark.parametrize(("prompt", "message"), [("   ", "empty prompt"),
                                                  ("x" * 9_000, "limit here is 8,000")])
def test_bad_prompts_get_a_message_and_no_request(prompt: str, message: str) -> None:
    at = app().run()
    at.switch_page("pages/live_typing.py").run()
    at.text_area[0].set_value(prompt).run()
    at.button[0].click().run()
    assert any(message in w.value for w in at.warning)
    assert "live_typing.last" not in at.session_state
    assert at.text_area[0].value == prompt


def test_missing_key_is_a_message_not_a_traceback() -> None:
    at = app(**{"lab.provider": "openai"}).run()
    at.switch_page("pages/live_typing.py").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("needs an API key" in e.value for e in at.error)


def test_unreachable_base_url_is_a_message_in_both_columns() -> None:
    at = app(**{"lab.provider": "openai", "lab.base_url": "http://127.0.0.1:9/v1"}).run()
    at.switch_page("pages/live_typing.py").run()
    at.button[0].click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert sum("Could not reach http://127.0.0.1:9/v1" in e for e in errors) == 2


def test_openai_compatible_server_streams_into_the_page(openai_server) -> None:
    at = app(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                "lab.model": "fake-model"}).run()
    at.switch_page("pages/live_typing.py").run()
    at.button[0].click().run()
    last = at.session_state["live_typing.last"]
    assert last["streamed"].text == "Hello, this is a real SSE stream." == last["blocked"].text
    assert last["streamed"].label == "openai/fake-model"
    assert {bool(r.payload.get("stream")) for r in openai_server.records} == {True, False}


def test_sidebar_settings_survive_a_page_change() -> None:
    at = app().run()
    at.sidebar.slider[1].set_value(120.0).run()
    at.switch_page("pages/live_typing.py").run()
    assert at.sidebar.slider[1].value == 120.0
    assert at.session_state["lab.settings"].tokens_per_second == 120.0


def throttling_page(**state: object) -> AppTest:
    at = app(**state).run()
    at.switch_page("pages/throttling.py").run()
    assert not at.exception
    return at


def test_throttling_streams_the_same_answer_through_each_policy_and_counts_the_cost() -> None:
    at = throttling_page()
    at.main.slider[0].set_value(300).run()  # tokens
    at.main.slider[1].set_value(1000).run()  # tokens per second
    at.button[0].click().run()
    assert not at.exception
    outcomes = at.session_state["throttling.last"]
    assert outcomes[0].label.startswith("Every token")
    assert len({o.text for o in outcomes}) == 1 and len(outcomes[0].text) > 900
    assert all(o.tokens == 300 for o in outcomes)
    whole, block = outcomes[0], outcomes[-1]
    assert whole.stats.chars_pushed > 20 * block.stats.chars_pushed
    assert any("identical final text" in s.value for s in at.success)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(at.dataframe) == 1
    price = next(m.value for m in at.markdown if m.value.startswith("The price:"))
    assert f"drew {block.stats.updates:,} screen updates" in price


def test_throttling_needs_two_policies_to_compare() -> None:
    at = throttling_page()
    at.main.multiselect[0].set_value(["every_token"]).run()
    assert at.button[0].disabled


def test_throttling_with_an_openai_compatible_server(openai_server) -> None:
    at = throttling_page(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                            "lab.model": "fake-model"})
    assert at.main.slider[0].disabled  # the answer's length is the simulated model's knob
    at.button[0].click().run()
    assert not at.exception
    texts = {o.text for o in at.session_state["throttling.last"]}
    assert texts == {"Hello, this is a real SSE stream."}
    assert len([r for r in openai_server.records if r.payload.get("stream")]) == 3


def drops_page(**state: object) -> AppTest:
    at = app(**state).run()
    at.switch_page("pages/network_drops.py").run()
    assert not at.exception
    return at


def drops_answer() -> str:
    return pick_answer(DROPS_PROMPT).text


def test_network_drops_default_recovery_completes_the_answer() -> None:
    at = drops_page()
    at.button[0].click().run()
    assert not at.exception
    last = at.session_state["network_drops.last"]
    result = last["result"]
    assert result.ok and result.text == drops_answer()
    assert [a.kind for a in result.attempts] == ["stream", "retry"]
    assert {m.label: m.value for m in at.metric}["Extra requests"] == "1"
    assert any("once" in c.value for c in at.caption)


def test_network_drops_keep_partial_then_retry_adds_only_the_rest() -> None:
    at = drops_page()
    at.selectbox[1].set_value("keep_partial").run()
    at.button[0].click().run()
    partial = at.session_state["network_drops.last"]["result"]
    assert not partial.ok and 0 < len(partial.text) < len(drops_answer())
    assert drops_answer().startswith(partial.text)
    assert any(b.label == "Retry" for b in at.button)
    next(b for b in at.button if b.label == "Retry").click().run()
    assert not at.exception
    retried = at.session_state["network_drops.last"]["result"]
    assert retried.ok and retried.text == drops_answer()  # the fault healed; nothing doubled


def test_network_drops_chaos_compares_the_strategies() -> None:
    at = drops_page()
    next(b for b in at.button if b.label == "Run the chaos").click().run(timeout=60)
    assert not at.exception
    summaries = {s.strategy: s for s in at.session_state["network_drops.chaos"]}
    assert summaries["default"].complete == summaries["default"].answers == 20
    assert summaries["keep_partial"].complete < 20
    assert any("20/20" in s.value for s in at.success)


def test_network_drops_recovers_a_real_cut_connection(openai_server) -> None:
    openai_server.script.fault, openai_server.script.after = "cut", 4
    openai_server.script.faulty_requests = 1
    at = drops_page(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                       "lab.model": "fake-model"})
    at.selectbox[0].set_value("none").run()  # the fault is real this time: the server cuts TCP
    at.button[0].click().run()
    result = at.session_state["network_drops.last"]["result"]
    assert result.ok and result.text == "Hello, this is a real SSE stream."
    assert result.attempts[0].outcome == "connection dropped"


def test_network_drops_unreachable_server_is_a_message_not_a_traceback() -> None:
    at = drops_page(**{"lab.provider": "openai", "lab.base_url": "http://127.0.0.1:9/v1"})
    at.button[0].click().run()
    assert not at.exception
    result = at.session_state["network_drops.last"]["result"]
    assert not result.ok and len(result.attempts) == 3
    assert any(b.label == "Retry" for b in at.button)


def callbacks_page(**state: object) -> AppTest:
    at = app(**state).run()
    at.switch_page("pages/callbacks.py").run()
    assert not at.exception
    return at


def test_callbacks_pitfall_no_handler_shows_text_only_at_the_end() -> None:
    at = callbacks_page()
    at.button(key="pitfall_run").click().run()
    at.toggle(key="callbacks.attach").set_value(True).run()
    at.button(key="pitfall_run").click().run()
    assert not at.exception
    without, with_ = (at.session_state[f"callbacks.pitfall.{on}"] for on in (False, True))
    assert without.text == with_.text == pick_answer(CALLBACKS_PROMPT).text
    assert without.token_times and with_.token_times  # both runs streamed from the model…
    assert without.first_visible >= without.token_times[-1]  # …but without a handler, seen at the end
    assert with_.first_visible < with_.token_times[-1]
    assert any("without a handler" in s.value for s in at.success)


def test_callbacks_layers_compose_and_the_middleware_redacts() -> None:
    at = callbacks_page()
    at.checkbox[0].uncheck().run()  # no UI handler
    at.checkbox[3].uncheck().run()  # no timing handler
    next(b for b in at.button if b.label == "Run with these handlers").click().run()
    layers = at.session_state["callbacks.layers"]
    assert layers["timing"] is None and layers["metrics"].tokens > 100
    tokens = [e for e in layers["log"].events if e.event == "on_llm_new_token" and e.detail != "''"]
    assert len(tokens) == layers["metrics"].tokens
    assert layers["result"].text == pick_answer(SAMPLE_PROMPT).text  # delivered at the end

    next(b for b in at.button if b.label == "Stream through the transform").click().run()
    assert not at.exception
    middleware = at.session_state["callbacks.middleware"]
    assert "alice.martin@example.com" in middleware["raw"]
    assert "@" not in middleware["clean"] and "[e-mail]" in middleware["clean"]
    assert 0 < middleware["max_held"] < 40
    assert any("**True**" in i.value for i in at.info)


def test_callbacks_inside_langchain_events_and_steps() -> None:
    at = callbacks_page()
    next(b for b in at.button if b.label == "Show the events").click().run()
    events = at.session_state["callbacks.timeline"]
    assert {e.name for e in events} >= {"ChatPromptTemplate", "SimulatedChatModel", "StrOutputParser"}
    next(b for b in at.button if b.label == "Run outline → answer").click().run()
    assert not at.exception
    assert at.session_state["callbacks.steps"].startswith("Streaming sends the answer")


def test_callbacks_middleware_with_an_openai_compatible_server(openai_server) -> None:
    at = callbacks_page(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                           "lab.model": "fake-model"})
    at.selectbox[0].set_value("upper").run()
    next(b for b in at.button if b.label == "Stream through the transform").click().run()
    middleware = at.session_state["callbacks.middleware"]
    assert middleware["clean"] == middleware["raw"].upper() == "HELLO, THIS IS A REAL SSE STREAM."


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch, tmp_path) -> AppTest:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    monkeypatch.setenv("STREAMING_LAB_MAX_PROMPT_CHARS", "500")
    at = app().run()
    at.switch_page("pages/chat.py").run()
    assert not at.exception
    return at


def say(at: AppTest, text: str) -> AppTest:
    at.chat_input[0].set_value(text).run()
    assert not at.exception
    return at


def test_chat_multi_turn_conversation_with_captions(chat: AppTest) -> None:
    say(chat, "Why should a chat app stream its answers?")
    say(chat, "How do I keep the chat history?")
    turns = chat.session_state["chat.conversation"].turns
    assert [t.role for t in turns] == ["user", "assistant"] * 2
    assert turns[1].content == pick_answer("Why should a chat app stream its answers?").text
    assert turns[3].content == pick_answer("How do I keep the chat history?").text
    captions = [c.value for c in chat.caption if "tokens/s" in c.value]
    assert len(captions) == 2 and all("simulated/simulated-1" in c for c in captions)


def test_chat_a_repeat_after_clear_comes_from_the_cache(chat: AppTest) -> None:
    say(chat, "Why should a chat app stream its answers?")
    first = chat.session_state["chat.conversation"].turns[1]
    next(b for b in chat.button if b.label == "Clear").click().run()
    assert chat.session_state["chat.conversation"].turns == []
    say(chat, "Why should a chat app stream its answers?")
    again = chat.session_state["chat.conversation"].turns[1]
    assert again.cached and not first.cached and again.content == first.content
    assert any("cached" in c.value for c in chat.caption)
    assert chat.session_state["chat.cache_stats"].hits == 1
    assert any("1 of 2 answers from the cache" in c.value for c in chat.sidebar.caption)


def test_chat_regenerate_replaces_the_last_reply(chat: AppTest) -> None:
    say(chat, "Why should a chat app stream its answers?")
    next(b for b in chat.button if b.label == "Regenerate").click().run()
    assert not chat.exception
    turns = chat.session_state["chat.conversation"].turns
    assert len(turns) == 2 and not turns[1].cached  # a new answer, not the stored one
    assert chat.session_state["chat.cache_stats"].lookups == 1  # regenerate skips the cache


def test_chat_unreachable_server_keeps_history_and_offers_retry(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    at = app().run()
    at.switch_page("pages/chat.py").run()
    say(at, "Why should a chat app stream its answers?")
    at.session_state["lab.provider"] = "openai"
    at.session_state["lab.base_url"] = "http://127.0.0.1:9/v1"
    at.run()
    say(at, "And the history?")
    turns = at.session_state["chat.conversation"].turns
    assert [t.role for t in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[2].content == "And the history?"  # the prompt is kept
    assert "Could not reach http://127.0.0.1:9/v1" in turns[3].error
    at.run()  # the next run shows the kept history and the one-click retry
    assert any("Could not reach" in e.value for e in at.error)
    assert any(b.label == "Retry" for b in at.button)


def test_chat_input_limits(chat: AppTest) -> None:
    say(chat, "   ")
    assert chat.session_state["chat.conversation"].turns == []
    say(chat, "x" * 600)
    assert chat.session_state["chat.conversation"].turns == []
    assert any("limit is 500" in w.value for w in chat.warning)


def test_chat_with_an_openai_compatible_server(openai_server, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    at = app(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                "lab.model": "fake-model"}).run()
    at.switch_page("pages/chat.py").run()
    say(at, "hi")
    turns = at.session_state["chat.conversation"].turns
    assert turns[1].content == "Hello, this is a real SSE stream." and turns[1].label == "openai/fake-model"
    assert openai_server.records[-1].payload["messages"] == [{"role": "user", "content": "hi"}]


def test_chat_wrong_key_is_a_message_in_the_chat(openai_server, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STREAMING_LAB_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    openai_server.script.api_key = "the-right-key"
    at = app(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                "lab.model": "fake-model", "lab.api_key": "a-wrong-key"}).run()
    at.switch_page("pages/chat.py").run()
    say(at, "hi")
    turns = at.session_state["chat.conversation"].turns
    assert turns[0].content == "hi" and "key was rejected" in turns[1].error
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
    turns = other.session_state["chat.conversation"].turns
    assert [t.content for t in turns] == [t.content for t in chat.session_state["chat.conversation"].turns]
    stranger = app()
    stranger.query_params["chat"] = "A" * 32
    stranger.run()
    stranger.switch_page("pages/chat.py").run()
    assert stranger.session_state["chat.conversation"].turns == []
    assert stranger.query_params["chat"] != "A" * 32
