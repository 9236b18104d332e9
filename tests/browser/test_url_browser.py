"""Bookmarked scenarios in a real Chromium: a URL opens its page ready to run, bad values fall back."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.support.browser import streamlit_app


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def combobox(page, name: str) -> str:
    """What a selectbox shows (its text is the value of an input, not page text)."""
    return page.get_by_role("combobox", name=name).first.input_value()


def test_a_bookmark_opened_first_on_a_fresh_server_sets_the_page(page) -> None:
    with streamlit_app() as server:  # a presenter's first click after a deploy
        page.goto(f"{server.url}/network_drops?fault=stall&after=150&recovery=retry&p=abc&watchdog=99")
        page.get_by_role("heading", name="Network drops and fallback").wait_for()
        page.get_by_role("slider", name="Stall length (s)").wait_for()  # shown for a stall only
        assert combobox(page, "Fault") == "Server stalls after N tokens"
        assert combobox(page, "Recovery").startswith("Retry the stream, up to 3 times")
        assert page.get_by_role("slider", name="After how many tokens").input_value() == "150"
        page.wait_for_function("!location.search.includes('p=abc')")  # bad values leave the URL
        assert query(page) == {"fault": ["stall"], "after": ["150"], "recovery": ["retry"]}

        page.get_by_role("combobox", name="Fault").click()
        page.get_by_role("option", name="Slow first token").click()  # the URL follows the widget
        page.wait_for_function("location.search.includes('fault=slow_first')"
                               " && !location.search.includes('after=')")  # after is hidden now
        assert query(page) == {"fault": ["slow_first"], "recovery": ["retry"]}


def test_a_bookmark_opens_the_tab_it_names(page, app_url) -> None:
    page.goto(f"{app_url}/callbacks?tab=middleware&transform=mask")
    page.get_by_role("tab", name="3 · Middleware", selected=True).wait_for()
    assert combobox(page, "Transform") == "Mask a word list (stream, streaming, token, tokens)"
    page.goto(f"{app_url}/render_bench?strategy=../../etc&tokens=abc&rate=-1")
    page.locator(".st-key-bench_done").wait_for()
    assert not page.locator("[data-testid='stException']").count()
