"""Callback handlers: the pitfall, layered handlers, middleware, inside LangChain."""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

from components.models.answers import pick_answer
from components.models.prompts import CALLBACKS_PROMPT, SAMPLE_PROMPT
from tests.support.apptest import assert_shows_its_code, open_page


def callbacks_page(query: dict[str, str] | None = None, **state: object) -> AppTest:
    return open_page("pages/callbacks.py", query, **state)


def test_callbacks_pitfall_no_handler_shows_text_only_at_the_end() -> None:
    at = callbacks_page()
    at.button(key="pitfall_run").click().run()
    at.toggle(key="callbacks.url.attach").set_value(True).run()
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
    metrics = next(m.value for m in at.markdown if m.value.startswith("TTFT"))
    assert "tokens so far" not in metrics  # the run is over


def test_the_mask_verdict_counts_the_words_it_masked() -> None:
    at = callbacks_page()
    at.selectbox[0].set_value("mask").run()
    next(b for b in at.button if b.label == "Stream through the transform").click().run()
    clean = at.session_state["callbacks.middleware"]["clean"]
    masked = len(re.findall(r"\*{5,}", clean))
    verdict = next(i.value for i in at.info if "look-ahead" in i.value)
    assert masked > 0 and f"**{masked}** masked words" in verdict
    assert "nothing" not in verdict


def test_callbacks_inside_langchain_events_and_steps() -> None:
    at = callbacks_page()
    next(b for b in at.button if b.label == "Show the events").click().run()
    events = at.session_state["callbacks.timeline"]
    assert {e.name for e in events} >= {"ChatPromptTemplate", "SimulatedChatModel", "StrOutputParser"}
    chart = (at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"))[0]
    spec = json.loads(chart.proto.spec)
    assert spec["height"]["step"] >= 40  # every runnable gets a readable lane
    assert spec["encoding"]["color"]["field"] == "phase"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["start", "stream", "end"]
    next(b for b in at.button if b.label == "Run outline → answer").click().run()
    assert not at.exception
    assert at.session_state["callbacks.steps"].startswith("Streaming sends the answer")
    labels = [e.label for e in at.expander if "Step" in e.label or "Thinking" in e.label]
    assert labels == [":material/check_circle: Step 1 · Outline: done, 59 tokens",
                      ":material/check_circle: Step 2 · Answer: done, 232 tokens"], labels


def test_callbacks_middleware_with_an_openai_compatible_server(openai_server) -> None:
    at = callbacks_page(**{"lab.provider": "openai", "lab.base_url": openai_server.base_url,
                           "lab.model": "fake-model"})
    at.selectbox[0].set_value("upper").run()
    next(b for b in at.button if b.label == "Stream through the transform").click().run()
    middleware = at.session_state["callbacks.middleware"]
    assert middleware["clean"] == middleware["raw"].upper() == "HELLO, THIS IS A REAL SSE STREAM."


def test_the_url_opens_a_tab_with_its_settings_validated() -> None:
    at = callbacks_page({"tab": "middleware", "transform": "mask", "ui": "0", "attach": "1"})
    assert at.selectbox[0].value == "mask" and not at.checkbox[0].value and at.toggle[0].value
    assert dict(at.query_params) == {"tab": "middleware", "transform": "mask", "ui": "0", "attach": "1"}
    at = callbacks_page({"tab": "evil", "transform": "rm -rf", "prompt": ""})
    assert at.selectbox[0].value == "redact" and not dict(at.query_params)


def test_the_code_section_shows_the_take_home_script() -> None:
    assert_shows_its_code(callbacks_page(), "callbacks")
