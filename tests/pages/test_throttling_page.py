"""Throttled buffers: one answer through each policy, with its costs counted."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from components.rendering.strategies import DEFAULT_COMPARISON
from tests.support.apptest import assert_shows_its_code, open_page


def throttling_page(query: dict[str, str] | None = None, **state: object) -> AppTest:
    return open_page("pages/throttling.py", query, **state)


def test_throttling_streams_the_same_answer_through_each_policy_and_counts_the_cost() -> None:
    at = throttling_page()
    at.main.slider[0].set_value(300).run()  # tokens
    at.main.slider[1].set_value(1000).run()  # tokens per second
    at.button[0].click().run()
    assert not at.exception
    outcomes = at.session_state["throttling.last"]
    assert outcomes[0].label.startswith("Every token")
    assert len({o.text for o in outcomes}) == 1 and len(outcomes[0].text) > 900
    assert len({o.tokens for o in outcomes}) == 1 and 240 <= outcomes[0].tokens <= 300
    whole, block = outcomes[0], outcomes[-1]
    assert whole.stats.chars_pushed > 20 * block.stats.chars_pushed
    assert any("identical final text" in s.value for s in at.success)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(at.dataframe) == 1
    price = next(m.value for m in at.markdown if m.value.startswith("The price:"))
    assert f"drew {block.stats.updates:,} screen updates" in price


def test_throttling_says_on_the_page_that_it_paces_the_model_itself() -> None:
    at = throttling_page(**{"lab.tokens_per_second": 40.0})
    at.main.slider[1].set_value(300).run()
    note = " ".join(c.value for c in at.main.caption)
    assert "300 tokens/s on this page" in note and "sidebar's 40 tokens/s" in note


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


def test_the_url_sets_length_speed_and_columns_validated() -> None:
    at = throttling_page({"tokens": "5000", "speed": "7", "compare": "every_token,blocks_budget"})
    assert [s.value for s in at.main.slider] == [5000, 200]  # 7 tokens/s is out of range
    assert at.main.multiselect[0].value == ["every_token", "blocks_budget"]
    assert dict(at.query_params) == {"tokens": "5000", "compare": "every_token,blocks_budget"}
    at = throttling_page({"compare": "every_token,nope", "tokens": "1e9"})
    assert at.main.multiselect[0].value == list(DEFAULT_COMPARISON)
    assert at.main.slider[0].value == 1500 and not dict(at.query_params)


def test_the_code_section_shows_the_take_home_script() -> None:
    assert_shows_its_code(throttling_page(), "throttling")
