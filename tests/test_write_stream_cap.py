"""The st.write_stream lesson stops redrawing at its stated limit, yet reads the whole answer."""

from __future__ import annotations

from components.lessons.write_stream_cap import CappedText


def test_tokens_flow_until_the_limit_then_the_rest_is_read_but_not_redrawn() -> None:
    tokens = ["word "] * 1_000  # 5,000 characters
    seen: list[CappedText] = []
    capped = CappedText(iter(tokens), limit=1_000, on_limit=seen.append)
    yielded = list(capped)
    assert "".join(yielded) == "word " * 200 and capped.stopped and seen == [capped]
    assert capped.text == "word " * 1_000  # the run was read to its end
    assert capped.resent == sum(5 * n for n in range(1, 201))  # the whole text again per token


def test_a_short_answer_is_streamed_whole_and_nothing_is_said() -> None:
    capped = CappedText(iter(["Hello", ", world"]), limit=1_000,
                        on_limit=lambda _: (_ for _ in ()).throw(AssertionError("no limit")))
    assert "".join(capped) == "Hello, world" and not capped.stopped


def test_the_naive_column_draws_hostile_output_within_the_bounds() -> None:
    capped = CappedText(iter(["> "] * 5000), limit=100_000)
    assert "\\>" in "".join(capped)  # nesting past the bound is escaped, as the typing view does
