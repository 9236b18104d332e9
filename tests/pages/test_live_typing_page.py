"""Live typing: blocking and streamed side by side, bad prompts, bad settings, a real server."""

from __future__ import annotations

import pytest

from components.models.answers import pick_answer
from components.models.prompts import SAMPLE_PROMPT, SHORT_PROMPT
from tests.support.apptest import app


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
