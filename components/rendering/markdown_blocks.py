"""Split streaming markdown into finished blocks (rendered once) and a live tail (safe to render)."""

from __future__ import annotations

import re
from dataclasses import dataclass

CURSOR = "▌"
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})")
_ITEM = re.compile(r"^[ \t]*(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")


@dataclass
class BlockSplitter:
    """Feed text as it streams; get back each finished block once and the unfinished tail.

    A block ends at a blank line outside a code fence when the next line neither is indented nor
    continues a list (so a loose list, or a list item's indented code with blank lines, stays one
    block); a top-level fence ends with its closing line. Rendering the blocks one by one gives the
    same HTML as rendering the whole text (tests/test_markdown_blocks.py checks it with markdown-it).
    Only the tail is rescanned, so the work per answer grows with its length, not its square.
    """

    tail: str = ""

    def feed(self, text: str) -> list[str]:
        """Add streamed text; returns the blocks it finished, in order."""
        self.tail += text
        finished: list[str] = []
        while (cut := _first_block_end(self.tail)) is not None:
            block, self.tail = self.tail[:cut], self.tail[cut:]
            if block.strip():
                finished.append(block)
        return finished

    def close(self) -> str:
        """The last block when the stream ends (possibly empty)."""
        rest, self.tail = self.tail, ""
        return rest if rest.strip() else ""


def _first_block_end(text: str) -> int | None:
    """Index just after the first finished block in text, or None if no block is finished yet."""
    fence: str | None = None
    fence_at_top = has_content = in_list = blank_after = False
    pos = 0
    while True:
        newline = text.find("\n", pos)
        line = text[pos:] if newline < 0 else text[pos:newline]
        if newline < 0 and not (blank_after and line.strip()):
            return None  # a partial line ends nothing, unless it settles the line before it
        if blank_after and line.strip():
            verdict = _continues(line, complete=newline >= 0, in_list=in_list)
            if verdict is None:
                return None
            if not verdict:
                return pos
            blank_after = False
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(2)[0] == fence[0] and len(match.group(2)) >= len(fence) \
                    and not line.strip()[len(match.group(2)):]:
                fence = None
                if fence_at_top:  # a top-level code block is finished with its closing fence
                    return newline + 1
        elif not line.strip():
            blank_after = has_content
        elif match:
            if has_content and not match.group(1) and not in_list:
                return pos  # a fence right after a paragraph line starts a new block
            fence, fence_at_top = match.group(2), not has_content and not match.group(1)
            has_content = True
        else:
            in_list = in_list or (not has_content and bool(_ITEM.match(line)))
            has_content = True
        if newline < 0:
            return None
        pos = newline + 1


def _continues(line: str, *, complete: bool, in_list: bool) -> bool | None:
    """Whether the first line after a blank one belongs to the block before (None: too early)."""
    if line[0] in " \t":
        return True  # indented: a list item's next paragraph or code, or more code
    if not in_list:
        return False
    if _ITEM.match(line):
        return True  # the next item of a loose list
    maybe_item = re.fullmatch(r"\d{1,9}[.)]?|[*+-]", line) is not None
    return None if maybe_item and not complete else False


def open_fence(partial: str) -> str | None:
    """The fence that is still open at the end of the text, if any (at any indentation)."""
    fence: str | None = None
    for line in partial.split("\n"):
        match = _FENCE.match(line)
        if not match:
            continue
        marker = match.group(2)
        if fence is None:
            fence = marker
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):]:
            fence = None
    return fence


def _unclosed_markers(partial: str) -> list[str]:
    """Inline markers opened but not closed (code span, strong, emphasis), innermost last."""
    text = re.sub(r"`[^`\n]*`", "", partial)  # finished code spans hold no markup
    if text.count("`") % 2:
        return ["`"]
    text = _LIST_MARKER.sub("", text)  # "* item" is a bullet, not emphasis
    text = _LONE_STARS.sub(r"\1", text)  # "2 * 3": a star between spaces opens and closes nothing
    open_markers = []
    if text.count("**") % 2:
        open_markers.append("**")
    if text.replace("**", "").count("*") % 2:
        open_markers.append("*")
    if re.search(r"(^|\s)_[^_\s][^_]*$", text):
        open_markers.append("_")
    return open_markers


_LIST_MARKER = re.compile(r"(?m)^\s*[*+-]\s")
_LONE_STARS = re.compile(r"(^|\s)\*+(?=\s|$)")
_BARE_LIST_MARKER = re.compile(r"(?:^|\n)\s*([*+-]|\d+[.)])\Z")
_JUST_OPENED = re.compile(r"(?:^|\s)(\*\*|\*|_|`)\Z")


def displayable(partial: str, *, cursor: str = CURSOR) -> str:
    """Partial markdown made safe to render, with a cursor where typing is.

    An open code fence is closed after the cursor; an unclosed code span or emphasis is closed;
    a marker that was just opened ("text **") is held back until its first letter arrives.
    """
    fence = open_fence(partial)
    if fence is not None:
        return f"{partial}{cursor}\n{fence}"
    if bare := _BARE_LIST_MARKER.search(partial):  # "-" before its space: not yet a bullet
        return displayable(partial[: bare.start(1)], cursor=cursor)
    if just_opened := _JUST_OPENED.search(partial):  # "text **": wait for the first letter
        return displayable(partial[: just_opened.start(1)], cursor=cursor)
    return partial + cursor + "".join(reversed(_unclosed_markers(partial)))
