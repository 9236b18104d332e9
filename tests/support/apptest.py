"""Building the app for streamlit.testing.v1.AppTest with fast simulated-model settings."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.browser import ROOT

FAST = {"lab.ttft_ms": 20, "lab.tokens_per_second": 400.0}


def app(**state: object) -> AppTest:
    """The whole app (shell, sidebar, navigation) with session state preset; `.run()` it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in {**FAST, **state}.items():
        at.session_state[key] = value
    return at


def open_page(file: str, query: dict[str, str] | None = None, **state: object) -> AppTest:
    """The app run once, then switched to one page (`pages/<name>.py`), opened with `query` as its
    URL's query parameters, with no exception."""
    at = app(**state).run()
    at.switch_page(file)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception
    return at


def assert_shows_its_code(at: AppTest, name: str) -> None:
    """The page's "The code" section shows examples/<name>.py exactly as the tests run it."""
    section = next(e for e in at.expander if e.label == "The code")
    script = (ROOT / "examples" / f"{name}.py").read_text(encoding="utf-8")
    assert section.code[0].value.strip() == script.strip()
    assert f"streamlit run examples/{name}.py" in section.caption[0].value


def say(at: AppTest, text: str) -> AppTest:
    """Send a chat message and wait for the run (and the reply it follows) to end."""
    at.chat_input[0].set_value(text).run()
    assert not at.exception
    return at


def shown(at: AppTest) -> list[tuple[str, str]]:
    """The chat as a plain rerun draws it from the store: (role, text) per message."""
    at.run()
    assert not at.exception
    return [(m.name, m.markdown[0].value) for m in at.chat_message]


def typed(block) -> tuple[str, int]:
    """What a typing view in this AppTest block was sent to show, and its last flag: its appends are
    hidden `st.text` elements (components/rendering/typing_sink.py), replayed as the browser would."""
    from components.rendering.typing_sink import replay

    return replay([t.value for t in block.text if t.value.startswith("[")])

