"""Bounds on what a renderer draws, so hostile model output cannot crash or freeze a page.

Markdown renderers recurse per nesting level (`"> " * 5000` overflows the browser's stack) and
re-lay out whole lines (a 1 MB line takes minutes). `BoundedStream` cuts each line's run of quote
and list markers to `depth` (the next one is escaped, so the rest shows as text), its indentation to
`indent` columns, its length to `line` characters, and the reply to `total` characters. It is a
stream transform: what it returned never changes as more text arrives, so it works on the live tail.
The full text is never touched; only what is drawn is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MARKERS = ">-*+"
"""Characters that open a nested block at the start of a line (quote, bullet)."""
ELLIPSIS = "…"


@dataclass(frozen=True)
class Bounds:
    """How much structure and text a reply may draw; well above what any real answer uses."""

    depth: int = 12
    """Quote and list markers opening one line."""
    indent: int = 40
    """Leading columns of whitespace on one line (a tab counts 4)."""
    line: int = 5_000
    """Characters drawn of one line."""
    total: int = 200_000
    """Characters drawn of one reply."""


REASONS = {"depth": "nesting deeper than {depth} levels", "indent": "indentation over {indent} columns",
           "line": "lines over {line:,} characters", "total": "more than {total:,} characters"}


@dataclass
class BoundedStream:
    """Feed text as it streams; `feed()` returns what may be drawn of it (append-only), `close()`
    the rest. A bullet (`-`, `*`, `+`) or a number's `.`/`)` counts as nesting only when a space
    follows it (`---` is a rule, `1.5` a number), so it is held back until the next character."""

    bounds: Bounds = field(default_factory=Bounds)
    cut: set[str] = field(default_factory=set)
    """Which bounds were applied: keys of REASONS."""
    drawn: int = 0
    _col: int = 0
    _indent: int = 0
    _depth: int = 0
    _prefix: bool = True
    _digits: bool = False
    _held: str = ""
    """A marker character waiting for the next one to say whether it opens a nested block."""

    def feed(self, text: str) -> str:
        fits = self._col + len(text) <= self.bounds.line and self.drawn + len(text) <= self.bounds.total
        if not self._prefix and not self._held and "\n" not in text and fits:
            self._col += len(text)  # the common case: the middle of an ordinary line
            self.drawn += len(text)
            return text
        out: list[str] = []
        for char in text:
            if self.drawn >= self.bounds.total:
                if "total" not in self.cut:
                    self.cut.add("total")
                    out.append(ELLIPSIS)
                break
            piece = self._char(char)
            out.append(piece)
            self.drawn += len(piece)
        return "".join(out)

    def close(self) -> str:
        """The end of the text: a marker still held back is drawn as it is."""
        held, self._held = self._held, ""
        return held

    def _char(self, char: str) -> str:
        if self._held:
            return self._after_marker(char)
        if char == "\n":
            self._col = self._indent = self._depth = 0
            self._prefix, self._digits = True, False
            return char
        self._col += 1
        if self._col > self.bounds.line:
            if self._col == self.bounds.line + 1:
                self.cut.add("line")
                return ELLIPSIS
            return ""
        if not self._prefix:
            return char
        if char in " \t":
            width = 4 if char == "\t" else 1
            if self._indent + width > self.bounds.indent:
                self.cut.add("indent")
                return ""
            self._indent += width
            self._digits = False
            return char
        if char.isdigit():  # an ordered list's number: its "." or ")" may be the marker
            self._digits = True
            return char
        if char == ">":  # a quote needs no space after it: `>>` is two levels
            self._digits = False
            return self._nested(char)
        if char in "-*+" or (self._digits and char in ".)"):
            self._held = char
            return ""
        self._prefix = self._digits = False
        return char

    def _after_marker(self, char: str) -> str:
        """The character after a held marker says what the marker was."""
        held, self._held = self._held, ""
        if char in " \t\n":  # a bullet or a list number: one more level
            self._digits = False
            return self._nested(held) + self._char(char)
        self._prefix = self._digits = False  # `---`, `-5`, `1.5`: text (or a rule), not nesting
        return held + self._char(char)

    def _nested(self, marker: str) -> str:
        self._depth += 1
        if self._depth <= self.bounds.depth:
            return marker
        self.cut.add("depth")
        self._prefix = False  # an escaped marker ends the nesting: the rest of the line is text
        return "\\" + marker

    def reasons(self) -> str:
        """The bounds that were applied, in words ('' if none)."""
        return ", ".join(REASONS[k].format(**vars(self.bounds)) for k in REASONS if k in self.cut)


def bounded(text: str, bounds: Bounds | None = None) -> tuple[str, str]:
    """A whole text made safe to draw, and why it was shortened ('' if it was not)."""
    stream = BoundedStream(bounds or Bounds())
    drawn = stream.feed(text) + stream.close()
    return drawn, stream.reasons()
