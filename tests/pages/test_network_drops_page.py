"""Network drops: faults on purpose, recovery, Retry, chaos, a real cut connection."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.models.answers import pick_answer
from components.models.prompts import DROPS_PROMPT
from tests.support.apptest import assert_shows_its_code, open_page


def drops_page(query: dict[str, str] | None = None, **state: object) -> AppTest:
    return open_page("pages/network_drops.py", query, **state)


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


def status_label(at: AppTest) -> str:
    return at.status[0].label if at.get("status") else at.expander[0].label


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


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


def test_an_injected_fault_is_named_as_such_not_blamed_on_the_provider() -> None:
    at = drops_page()
    at.selectbox[1].set_value("keep_partial").run()
    at.button[0].click().run()
    label = status_label(at)
    assert "Could not reach" not in label and "base URL" not in label
    assert "injected on purpose (connection drops after 40 tokens, once)" in label


def test_after_retry_the_numbers_count_both_runs_as_the_user_saw_them() -> None:
    at = drops_page()
    at.selectbox[1].set_value("keep_partial").run()
    at.button[0].click().run()
    first = metrics(at)["First visible text"]
    next(b for b in at.button if b.label == "Retry").click().run()
    after = metrics(at)
    assert after["Extra requests"] == "1" and after["First visible text"] == first
    assert int(after["Tokens wasted"]) > 0  # the retry re-generated the text that was on screen
    label = status_label(at)
    assert "no fault hit" not in label and "after your Retry" in label and "connection dropped" in label


def test_network_drops_chaos_compares_the_strategies() -> None:
    at = drops_page()
    next(b for b in at.button if b.label == "Run the chaos").click().run(timeout=60)
    assert not at.exception
    summaries = {s.strategy: s for s in at.session_state["network_drops.chaos"]}
    assert summaries["default"].complete == summaries["default"].answers == 20
    assert summaries["keep_partial"].complete < 20
    assert any("20/20" in s.value for s in at.success)
    # resume looks best on this model: the page says why the default is still the default
    assert summaries["resume"].median_extra_s < summaries["default"].median_extra_s
    assert summaries["resume"].resent_input_tokens > summaries["default"].resent_input_tokens
    why = next(m.value for m in at.markdown if m.value.startswith("**Resume**"))
    assert f"{summaries['resume'].resent_input_tokens:,} input tokens again" in why
    assert "safer default" in why


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


def test_a_bookmarked_scenario_opens_ready_and_bad_values_fall_back() -> None:
    at = drops_page({"fault": "stall", "after": "150", "recovery": "retry", "p": "abc",
                     "watchdog": "99", "seed": "-3", "prompt": "x" * 600})
    assert at.selectbox[0].value == "stall" and at.selectbox[1].value == "retry"
    assert [s.value for s in at.main.slider] == [150, 30.0, 3.0]  # after, stall length, watchdog
    assert at.text_input[0].value == DROPS_PROMPT and at.number_input[0].value == 0
    assert dict(at.query_params) == {"fault": "stall", "after": "150", "recovery": "retry"}
    at.main.slider[0].set_value(120).run()  # a change goes back into the URL
    assert at.query_params["after"] == "120" and at.main.slider[0].value == 120


def test_the_code_section_shows_the_take_home_script() -> None:
    assert_shows_its_code(drops_page(), "network_drops")
