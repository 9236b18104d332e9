"""The shell and the home page; sidebar settings that outlive a page change."""

from __future__ import annotations

from urllib.parse import urlencode

from components.catalog import DEMO_PATH
from tests.support.apptest import app
from tests.support.browser import ROOT


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


def test_home_shows_the_five_minute_demo_path_with_its_scenarios() -> None:
    at = app().run()
    links = [link for link in at.get("page_link")]
    assert [link.proto.label for link in links] == [
        f"**{n}. {step.page.title}**" for n, step in enumerate(DEMO_PATH, start=1)]
    assert [link.proto.query_string for link in links] == [urlencode(s.query) for s in DEMO_PATH]
    steps = [m.value for m in at.markdown if m.value.startswith("Click") or m.value.startswith("Ask")]
    assert len(steps) == len(DEMO_PATH) and all("Point at:" in s for s in steps)
    assert any("seeded" in c.value and "no network" in c.value for c in at.caption)


def test_the_readme_walks_the_same_demo_path() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    demo = readme[readme.index("## A five-minute demo"):]
    positions = [demo.index(f"`{step.link}`") for step in DEMO_PATH]
    assert positions == sorted(positions), "the README's demo steps are out of order"


def test_the_readme_gets_a_newcomer_running() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run_it = readme[readme.index("## Run it"):readme.index("## A five-minute demo")]
    assert run_it.index("python3 -m venv .venv") < run_it.index("pip install -r requirements.txt")
    assert "http://localhost:8501" in run_it
    intro = readme[:readme.index("## Run it")]
    assert "seeded" in intro and "simulated" in intro
    assert "runs a real model call" not in readme  # it reads against the simulated default
