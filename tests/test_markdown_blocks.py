"""Streaming markdown: finished blocks are found wherever the chunks split, partial text renders safely."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from components.rendering.markdown_blocks import CURSOR, BlockSplitter, displayable
from components.rendering.sinks import BlockSink, WholeTextSink
from tests.support.recording_target import RecordingTarget

DOC = ("Intro paragraph with *emphasis*.\n\n- one\n- two\n\n```python\nx = 1\n\ny = 2\n```\n"
       "Closing words.\n")
markdownish = st.text(alphabet=st.sampled_from(list("ab \n`~*_-#1.")), max_size=300)


def split_at(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(points)]


def test_paragraphs_lists_and_fences_become_blocks() -> None:
    splitter = BlockSplitter()
    blocks = splitter.feed(DOC)
    assert blocks == ["Intro paragraph with *emphasis*.\n\n", "- one\n- two\n\n",
                      "```python\nx = 1\n\ny = 2\n```\n"]  # a blank line inside a fence does not end it
    assert splitter.tail == "Closing words.\n"
    assert splitter.close() == "Closing words.\n"


@given(text=markdownish, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=30))
@settings(max_examples=200, deadline=None)
def test_blocks_do_not_depend_on_how_the_text_was_chunked(text: str, cuts: list[int]) -> None:
    def blocks(pieces: list[str]) -> list[str]:
        splitter = BlockSplitter()
        found = [block for piece in pieces for block in splitter.feed(piece)]
        return [*found, rest] if (rest := splitter.close()) else found

    chunked = blocks(split_at(text, cuts))
    assert chunked == blocks([text])
    assert "".join(chunked).strip() == text.strip() or not text.strip()


@given(text=markdownish, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=30))
@settings(max_examples=150, deadline=None)
def test_a_block_sink_ends_showing_exactly_the_text(text: str, cuts: list[int]) -> None:
    target = RecordingTarget()
    sink = BlockSink(target)
    pieces = split_at(text, cuts)
    for piece in pieces[:-1]:
        sink.write(piece)
    sink.finish(pieces[-1] if pieces else "")
    screen = "".join(target.screen())
    assert screen.strip() == text.strip()
    assert CURSOR not in screen
    assert sink.text == text


def test_a_whole_text_sink_pushes_quadratically_and_a_block_sink_linearly() -> None:
    text = DOC * 40
    pieces = [text[i:i + 4] for i in range(0, len(text), 4)]
    whole, blocks = WholeTextSink(RecordingTarget()), BlockSink(RecordingTarget())
    for piece in pieces:
        whole.write(piece)
        blocks.write(piece)
    ratio_whole = whole.stats.chars_pushed / len(text)
    ratio_blocks = blocks.stats.chars_pushed / len(text)
    assert ratio_whole > len(pieces) / 3  # about half the number of updates
    assert ratio_blocks < 30  # bounded by the longest block, whatever the length


def test_an_open_code_fence_is_closed_for_display_after_the_cursor() -> None:
    shown = displayable("Look:\n\n```python\nx = 1")
    assert shown == f"Look:\n\n```python\nx = 1{CURSOR}\n```"


def test_unclosed_code_span_and_emphasis_are_closed() -> None:
    assert displayable("call `foo") == f"call `foo{CURSOR}`"
    assert displayable("this is **very") == f"this is **very{CURSOR}**"
    assert displayable("an *idea") == f"an *idea{CURSOR}*"
    assert displayable("a finished `span` and **bold**") == f"a finished `span` and **bold**{CURSOR}"


def test_a_star_between_spaces_is_arithmetic_not_emphasis() -> None:
    assert displayable("Compute 2 * 3 and") == f"Compute 2 * 3 and{CURSOR}"
    assert displayable("2 * 3 is *six") == f"2 * 3 is *six{CURSOR}*"


def test_a_just_opened_marker_is_held_back_until_its_text_arrives() -> None:
    assert displayable("this is **") == f"this is {CURSOR}"
    assert displayable("call `") == f"call {CURSOR}"


def test_list_bullets_are_not_mistaken_for_emphasis() -> None:
    assert displayable("* one\n* two") == f"* one\n* two{CURSOR}"


def test_a_list_split_mid_item_renders_as_a_list_so_far() -> None:
    assert displayable("- one\n- tw") == f"- one\n- tw{CURSOR}"
    assert displayable("- one\n- **bo") == f"- one\n- **bo{CURSOR}**"
    assert displayable("- one\n-") == f"- one\n{CURSOR}"  # the next bullet has not started yet
    assert displayable("1. one\n2.") == f"1. one\n{CURSOR}"
    assert displayable("3 - 2") == f"3 - 2{CURSOR}"  # a dash inside a line is just a dash


# ---- rendering block by block gives the same HTML as rendering the whole text ----

WORDS = st.sampled_from(["stream", "tokens", "the", "answer", "fast", "2", "a.b", "x_y", "3 * 4", "—"])


@st.composite
def inline(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORDS, min_size=1, max_size=6))
    styled = [draw(st.sampled_from(["{}", "**{}**", "*{}*", "`{}`"])).format(w) for w in words]
    return " ".join(styled) + draw(st.sampled_from(["", ".", ":", "!"]))


@st.composite
def fence(draw: st.DrawFn, indent: str = "") -> str:
    mark = draw(st.sampled_from(["```", "~~~", "````"]))
    lines = draw(st.lists(st.sampled_from(["x = 1", "", "    y = 2", "- not a list", "# not a heading"]),
                          min_size=1, max_size=5))
    body = "".join(f"{indent}{line}\n" if line else "\n" for line in lines)
    return f"{indent}{mark}{draw(st.sampled_from(['', 'python']))}\n{body}{indent}{mark}\n"


@st.composite
def a_list(draw: st.DrawFn, depth: int = 0) -> str:
    ordered = draw(st.booleans())
    loose = draw(st.booleans())
    indent = "   " * depth if ordered else "  " * depth
    items = []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        marker = f"{n}." if ordered else "-"
        content = indent + " " * (len(marker) + 1)  # the item's content column
        item = f"{indent}{marker} {draw(inline())}\n"
        extra = draw(st.sampled_from(["", "para", "code", "sub"] if depth < 2 else ["", "para", "code"]))
        if extra == "para":
            item += f"\n{content}{draw(inline())}\n"
        elif extra == "code":
            item += "\n" + draw(fence(content))
        elif extra == "sub":
            item += draw(a_list(depth + 1)).replace(indent + ("   " if ordered else "  "), content, 0)
        items.append(item)
    return ("\n" if loose else "").join(items)


@st.composite
def markdown_doc(draw: st.DrawFn) -> str:
    kinds = {
        "paragraph": lambda: "\n".join(draw(st.lists(inline(), min_size=1, max_size=3))) + "\n",
        "heading": lambda: f"{'#' * draw(st.integers(1, 3))} {draw(inline())}\n",
        "list": lambda: draw(a_list()),
        "fence": lambda: draw(fence()),
        "quote": lambda: "".join(f"> {draw(inline())}\n" for _ in range(draw(st.integers(1, 2)))),
        "table": lambda: "| a | b |\n|---|---|\n" + f"| {draw(inline())} | 1 |\n",
        "rule": lambda: "---\n",
    }
    blocks = [kinds[k]() for k in draw(st.lists(st.sampled_from(list(kinds)), min_size=1, max_size=6))]
    return "".join(b + draw(st.sampled_from(["\n", "\n\n"])) for b in blocks)


def rendered_in_blocks(text: str, cuts: list[int]) -> tuple[str, str]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    splitter = BlockSplitter()
    blocks = [block for piece in split_at(text, cuts) for block in splitter.feed(piece)]
    blocks.append(splitter.close())
    return "".join(md.render(b) for b in blocks), md.render(text)


@given(text=markdown_doc(), cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=20))
@settings(max_examples=300, deadline=None)
def test_rendering_block_by_block_equals_rendering_the_whole_text(text: str, cuts: list[int]) -> None:
    in_blocks, whole = rendered_in_blocks(text, cuts)
    assert in_blocks == whole


def test_a_fence_nested_in_a_list_item_with_a_blank_line_inside_stays_one_block() -> None:
    text = ("- Install:\n    - Run this:\n\n        ```python\n        x = 1\n\n        y = 2\n"
            "        ```\n\n- Done.\n\nAfter the list.\n")
    splitter = BlockSplitter()
    assert splitter.feed(text) == [text[: text.index("After")]]
    in_blocks, whole = rendered_in_blocks(text, [])
    assert in_blocks == whole
