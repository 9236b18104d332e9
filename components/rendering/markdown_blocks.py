"""Split streaming markdown into finished blocks (rendered once) and a live tail (safe to render)."""

from __future__ import annotations

import re
from dataclasses import dataclass

CURSOR = "▌"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class BlockSplitter:
    """Feed text as it streams; get back each finished block once and the unfinished tail.

    A block ends at a blank line outside a code fence, or with the line that closes a fence.
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
    pos = 0
    has_content = False
    while True:
        newline = text.find("\n", pos)
        if newline < 0:
            return None
        line = text[pos:newline]
        match = _FENCE.match(line)
        if fence is None and match:
            if has_content:  # a fence right after a paragraph line starts a new block
                return pos
            fence = match.group(1)
        elif fence is not None and match and match.group(1)[0] == fence[0] \
                and len(match.group(1)) >= len(fence) and not line.strip()[len(match.group(1)):]:
            return newline + 1  # the fence closed: the code block is finished
        elif fence is None and not line.strip():
            if has_content:
                return newline + 1
        else:
            has_content = True
        pos = newline + 1


def _open_fence(partial: str) -> str | None:
    """The fence that is still open at the end of the text, if any."""
    fence: str | None = None
    for line in partial.split("\n"):
        match = _FENCE.match(line)
        if match and fence is None:
            fence = match.group(1)
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
            fence = None
    return fence


def _unclosed_markers(partial: str) -> list[str]:
    """Inline markers opened but not closed (code span, strong, emphasis), innermost last."""
    text = re.sub(r"`[^`\n]*`", "", partial)  # finished code spans hold no markup
    if text.count("`") % 2:
        return ["`"]
    text = _LIST_MARKER.sub("", text)  # "* item" is a bullet, not emphasis
    open_markers = []
    if text.count("**") % 2:
        open_markers.append("**")
    if text.replace("**", "").count("*") % 2:
        open_markers.append("*")
    if re.search(r"(^|\s)_[^_\s][^_]*$", text):
        open_markers.append("_")
    return open_markers


_LIST_MARKER = re.compile(r"(?m)^\s*[*+-]\s")
_BARE_LIST_MARKER = re.compile(r"(?:^|\n)\s*([*+-]|\d+[.)])$")
_TRAILING_MARKER = re.compile(r"(\*\*|\*|_|`)$")


def displayable(partial: str, *, cursor: str = CURSOR) -> str:
    """Partial markdown made safe to render, with a cursor where typing is.

    An open code fence is closed after the cursor; an unclosed code span or emphasis is closed;
    a marker that was just opened ("text **") is held back until its first letter arrives.
    """
    fence = _open_fence(partial)
    if fence is not None:
        return f"{partial}{cursor}\n{fence}"
    if bare := _BARE_LIST_MARKER.search(partial):  # "-" before its space: not yet a bullet
        return displayable(partial[: bare.start(1)], cursor=cursor)
    markers = _unclosed_markers(partial)
    if not markers:
        return partial + cursor
    just_opened = _TRAILING_MARKER.search(partial)
    if just_opened and just_opened.group(1) == markers[-1]:
        held = partial[: just_opened.start()]
        return displayable(held, cursor=cursor)
    return partial + cursor + "".join(reversed(markers))
