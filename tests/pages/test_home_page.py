"""The shell and the home page; sidebar settings that outlive a page change."""

from __future__ import annotations

from tests.support.apptest import app


def test_home_links_every_built_page_and_names_the_model() -> None:
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Streaming Lab"
    assert any("simulated/simulated-1" in c.value for c in at.caption)
    assert at.sidebar.selectbox[0].value == "simulated"


def test_sidebar_settings_survive_a_page_change() -> None:
    at = app().run()
    at.sidebar.slider[1].set_value(120.0).run()
    at.switch_page("pages/live_typing.py").run()
    assert at.sidebar.slider[1].value == 120.0
    assert at.session_state["lab.settings"].tokens_per_second == 120.0
