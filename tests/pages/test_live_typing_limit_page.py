"""Live typing with a long fast answer: the st.write_stream column stops redrawing at its stated
limit and says so, the page finishes, and the whole answer is on screen at the end."""

from __future__ import annotations

from components.lessons.write_stream_cap import REDRAW_LIMIT
from tests.support.apptest import open_page


def test_a_long_fast_answer_stops_the_naive_column_at_its_limit_and_still_ends_whole(openai_server) -> None:
    # ~30,000 characters in paragraphs of 50 words, sent as fast as the server can
    openai_server.script.tokens = [f"word{n}" + ("\n\n" if n % 50 == 49 else " ") for n in range(4_000)]
    at = open_page("pages/live_typing.py", **{"lab.provider": "openai", "lab.model": "fake-model",
                                             "lab.base_url": openai_server.base_url})
    at.button[0].click().run(timeout=120)
    assert not at.exception
    answer = "".join(openai_server.script.tokens)
    note = next(i.value for i in at.info if "stopped redrawing" in i.value)
    assert f"stopped redrawing at {REDRAW_LIMIT:,}" in note or "stopped redrawing at 8," in note, note
    assert "MB so far" in note
    assert sum(1 for m in at.markdown if m.value.strip() == answer.strip()) == 2  # both columns, whole
    assert at.session_state["live_typing.last"]["streamed"].text == answer
