"""The take-home scripts in examples/ run, stay short and stand alone (LangChain and Streamlit only)."""

from __future__ import annotations

import re
import sys

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.browser import ROOT
from tests.test_layering import imports_of

EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
MAX_LINES = 50
"""About 40 lines of code, plus the blank lines PEP 8 asks for."""
ALLOWED = ("streamlit", "langchain_core", "langchain_openai")


def run(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "examples" / f"{name}.py"), default_timeout=30).run()
    assert not at.exception
    return at


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # the tiny model each script defines


def test_every_lesson_has_its_example() -> None:
    assert {p.stem for p in EXAMPLES} == {"live_typing", "callbacks", "throttling", "network_drops", "chat"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_an_example_is_short_and_imports_only_langchain_streamlit_and_the_stdlib(path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_LINES
    for imp in imports_of(path):
        for target in imp.targets:
            top = target.split(".")[0]
            assert top in ALLOWED or top in sys.stdlib_module_names, f"{imp}: not standalone"


def test_live_typing_example_shows_first_words_sooner_when_streamed() -> None:
    at = run("live_typing")
    at.button[0].click().run()
    streamed, blocking = (float(c.value.split("after ")[1].split(" s")[0]) for c in at.caption)
    assert streamed < blocking and at.markdown[-1].value.startswith("Streaming shows each word")


def test_callbacks_example_shows_text_early_only_with_the_handler() -> None:
    at = run("callbacks")
    at.button[0].click().run()
    with_handler = float(at.caption[0].value.split("after ")[1].split(" s")[0])
    at.toggle[0].set_value(False).run()
    at.button[0].click().run()
    without = float(at.caption[0].value.split("after ")[1].split(" s")[0])
    assert with_handler < without and at.markdown[0].value.startswith("A handler hears every token")


def test_throttling_example_draws_fewer_updates_than_tokens_and_loses_nothing() -> None:
    at = run("throttling")
    at.button[0].click().run()
    counts = re.match(r"(\d+) screen updates for (\d+) tokens", at.caption[0].value)
    updates, tokens = int(counts[1]), int(counts[2])
    assert updates < tokens
    assert [m.value for m in at.markdown][-1] == "Only the last one is redrawn while it types."
    assert len(at.markdown) == 4


def test_network_drops_example_keeps_the_partial_text_and_ends_whole() -> None:
    at = run("network_drops")
    at.button[0].click().run()
    assert "dropped mid-answer" in at.caption[0].value
    assert at.markdown[0].value.strip().endswith("only the missing end is added after it.")
    assert at.markdown[0].value.count("The text that reached the user") == 1


def test_chat_example_sends_the_history_with_each_question() -> None:
    at = run("chat")
    at.chat_input[0].set_value("Why stream?").run()
    at.chat_input[0].set_value("And the history?").run()
    replies = [m.markdown[0].value for m in at.chat_message if m.name == "assistant"]
    assert [r.split(")")[0] for r in replies] == ["(1 messages sent", "(3 messages sent"]
