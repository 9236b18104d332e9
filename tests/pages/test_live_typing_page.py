"""Live typing: blocking and streamed side by side, bad prompts, bad settings, a real server."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from components.models.answers import pick_answer
from components.models.prompts import SAMPLE_PROMPT, SHORT_PROMPT
from tests.support.apptest import app, assert_shows_its_code, open_page

WORTH_IT = {"lab.ttft_ms": 20, "lab.tokens_per_second": 150.0}
"""Fast, but slow enough for the blocking call to keep users waiting over a second."""
DEFAULT_SPEED = {"lab.ttft_ms": 400, "lab.tokens_per_second": 40.0}


def chart_spec(at: AppTest) -> dict:
    chart = (at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"))[0]
    return json.loads(chart.proto.spec)


def test_live_typing_renders_the_full_answer_in_both_columns() -> None:
    at = app(**WORTH_IT).run()
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


def test_short_answer_at_the_default_speed_gets_the_verdict_the_lesson_promises() -> None:
    at = app(**DEFAULT_SPEED).run()
    at.switch_page("pages/live_typing.py").run()
    at.toggle[0].set_value(True).run()
    assert at.text_input[0].value == SHORT_PROMPT
    at.button[0].click().run()
    assert not at.success, [s.value for s in at.success]  # nothing green says streaming won
    assert any(i.value.startswith("Not worth it here") for i in at.info)
    lesson = at.expander[0].markdown[0].value
    assert "**Short answer**" in lesson and "The last run: **not worth it**" in lesson


def test_the_chart_shows_the_blocking_line_with_readable_ticks() -> None:
    at = app(**WORTH_IT).run()
    at.switch_page("pages/live_typing.py").run()
    at.button[0].click().run()
    layers = chart_spec(at)["layer"]
    x_axis = layers[0]["encoding"]["x"]["axis"]
    assert x_axis["tickMinStep"] >= 0.5 and x_axis["offset"] > 0  # no tick every 0.2 s, axis off zero
    dash = layers[0]["encoding"]["strokeDash"]
    assert dash["condition"]["test"] == "(datum.run === 'Blocking')" and dash["condition"]["value"] != [1, 0]


@pytest.mark.parametrize(("prompt", "message"), [("   ", "empty prompt"),
                                                  ("x" * 9_000, "limit here is 8,000")])
def test_bad_prompts_get_a_message_and_no_request(prompt: str, message: str) -> None:
    at = app().run()
    at.switch_page("pages/live_typing.py").run()
    at.text_input[0].set_value(prompt).run()
    at.button[0].click().run()
    assert any(message in w.value for w in at.warning)
    assert "live_typing.last" not in at.session_state
    assert at.text_input[0].value == prompt


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


def test_the_url_opens_the_short_answer() -> None:
    at = open_page("pages/live_typing.py", {"short": "1"})
    assert at.toggle[0].value and at.text_input[0].value == SHORT_PROMPT
    at = open_page("pages/live_typing.py", {"short": "maybe"})
    assert not at.toggle[0].value and not dict(at.query_params)


def test_the_code_section_shows_the_take_home_script() -> None:
    assert_shows_its_code(open_page("pages/live_typing.py"), "live_typing")
