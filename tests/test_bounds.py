"""Bounds on what is drawn: hostile output is cut to a safe shape, ordinary answers are untouched."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from components.models.answers import ANSWERS
from components.models.sample_texts import HOSTILE, PROSE
from components.rendering.bounds import BoundedStream, Bounds, bounded


def max_nesting(html: str) -> int:
    """How deep blockquotes and lists nest in rendered HTML."""
    depth = best = 0
    for tag in re.finditer(r"<(/?)(blockquote|ul|ol)\b", html):
        depth += -1 if tag.group(1) else 1
        best = max(best, depth)
    return best


def render(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"maxNesting": 10_000}).render(text)


def test_real_answers_are_drawn_exactly_as_written() -> None:
    for text in [PROSE, *(a.text for a in ANSWERS)]:
        assert bounded(text) == (text, "")


def test_hostile_output_is_bounded_in_depth_line_length_and_size() -> None:
    limits = Bounds()
    for name in ("quotes", "dashes", "long_line"):
        drawn, why = bounded(HOSTILE[name])
        assert why, name
        assert max(map(len, drawn.split("\n"))) <= limits.line + 2  # the ellipsis, one escape
        assert max_nesting(render(drawn)) <= limits.depth, name
    drawn, why = bounded(HOSTILE["deep_list"])  # 5,000 levels of two-space indentation
    assert len(drawn) <= limits.total + 1 and "more than 200,000 characters" in why
    assert max_nesting(render(drawn)) <= limits.indent // 2 + 1


def test_rules_setext_underlines_and_numbers_are_not_nesting() -> None:
    for text in ["Title\n" + "-" * 40 + "\n", "*" * 30, "1.5 and -5 and +3", "- a\n  - b\n    - c\n"]:
        assert bounded(text) == (text, "")


def test_an_escaped_marker_shows_as_text() -> None:
    drawn, why = bounded("> " * 20 + "deep", Bounds(depth=3))
    assert drawn.startswith("> > > \\> > ") and why == "nesting deeper than 3 levels"
    assert max_nesting(render(drawn)) == 3


@given(text=st.text(alphabet=st.sampled_from(list(">-*+1. \t\nab")), max_size=400),
       cuts=st.lists(st.integers(0, 400), max_size=30))
@settings(max_examples=200, deadline=None)
def test_bounding_a_stream_equals_bounding_the_whole_text(text: str, cuts: list[int]) -> None:
    limits = Bounds(depth=3, indent=6, line=40, total=250)
    stream = BoundedStream(limits)
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    drawn = "".join(stream.feed(text[a:b]) for a, b in itertools.pairwise(points)) + stream.close()
    assert drawn == bounded(text, limits)[0]
    assert max_nesting(render(drawn)) <= 3 + 6 // 2 + 1
