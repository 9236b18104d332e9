"""Append-only rendering: send only the new text, a few times a second, and let the browser type it.

Every Streamlit update is its own websocket message (~90 bytes of framing), so smoothness cannot come
from sending 20+ updates a second. `TypingSink` sends each character once, as a small append to a
typing view (components/typing_view.py, static/typing/typing.js); the browser reveals what arrived
evenly over the next 300 ms and renders markdown block by block. The server's pace
(`AppendPaced`, ~3 appends a second) sets the bytes; the browser's reveal sets the smoothness.

Payload of one append, JSON: `[offset, text]`, or `[offset, text, flag]` with a flag below. An
offset before the end of what the browser has means "replace from here" (recovery replaced the
answer); each append goes to a new element, so Streamlit never coalesces two of them.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Protocol

from components.rendering.bounds import BoundedStream, Bounds
from components.rendering.flush_policies import Pricing, Text, UpdateCost, _free
from components.rendering.sinks import RenderStats
from components.streaming.clock import REAL_CLOCK, Clock

DONE, CUT_SHORT, AT_ONCE = 1, 2, 3
"""Flags: the answer is complete; it was cut short (close open markup); show this text at once."""
WORD = re.compile(r"\w")
"""Something readable: until the view shows one, an append is the first words and goes at once."""
APPEND_OVERHEAD = 110
"""Websocket bytes one append costs beyond its JSON payload (measured by bench/smoothness.py)."""


class Feed(Protocol):
    """Where appends go: one new hidden element per append, read in order by the typing view."""

    def append(self, payload: str) -> None: ...


class TypingTarget(Protocol):
    """A screen that can hold a typing view (components/typing_view.py's TypingScreen)."""

    def typing_view(self, view: str) -> Feed: ...


@dataclass(frozen=True)
class AppendPaced:
    """The typing view's pace: the first words at once, then one append per interval.

    The browser spreads each append over the next 300 ms, so three appends a second look like
    continuous typing while costing three message frames (~120 bytes each: at 50 tokens/s, about
    twice the answer's own bytes). The end of the stream is not paced: the rest goes out at once
    and the browser shows it at once.
    """

    seconds: float = 0.3
    label: str = "append every 300 ms"
    min_interval: float = 0.0

    def due(self, pending: Text, since_flush: float, cost: Pricing = _free) -> bool:
        if not pending:
            return False
        if since_flush >= self.seconds:
            return True
        sent = cost()
        return sent.spent == 0 or not sent.words_shown

    def wait(self, since_flush: float) -> float | None:
        return max(self.seconds - since_flush, 0.0)


def replay(payloads: list[str]) -> tuple[str, int]:
    """What a typing view shows after these appends, and the last flag: the protocol's reference
    (static/typing/typing.js does the same in the browser)."""
    text, flag = "", 0
    for payload in payloads:
        offset, piece, *rest = json.loads(payload)
        text = text[: min(offset, len(text))] + piece
        flag = rest[0] if rest else 0
    return text, flag


class TypingSink:
    """Appends what is new to a typing view; the full text is kept, what is drawn is bounded."""

    def __init__(self, target: TypingTarget, *, clock: Clock = REAL_CLOCK, view: str | None = None,
                 bounds: Bounds | None = None) -> None:
        self._feed = target.typing_view(view or uuid.uuid4().hex[:12])
        self._bounds = bounds or Bounds()
        self._stream = BoundedStream(self._bounds)
        self.stats = RenderStats(clock)
        self.text = ""
        """Everything received: the answer, whole."""
        self.drawn = ""
        """What the view was sent to draw: the answer within its bounds."""

    @property
    def shortened(self) -> str:
        """Why what is drawn is shorter than the answer ('' when it is the whole answer)."""
        return self._stream.reasons()

    def write(self, delta: str) -> None:
        self._append(delta)

    def finish(self, rest: str = "", *, complete: bool = True) -> None:
        """The rest and the end in one append: the view shows everything at once."""
        self._append(rest, DONE if complete else CUT_SHORT)

    def replace(self, text: str) -> None:
        """A new answer (recovery), or one caught up from a store: drawn from scratch, at once."""
        self._stream = BoundedStream(self._bounds)
        self.text = self.drawn = ""
        self._append(text, AT_ONCE)

    def _append(self, delta: str, flag: int = 0) -> None:
        offset = len(self.drawn) if flag != AT_ONCE else 0
        self.text += delta
        shown = self._stream.feed(delta) + (self._stream.close() if flag in (DONE, CUT_SHORT) else "")
        if not shown and not flag:
            return
        self.drawn += shown
        body = [offset, shown, flag] if flag else [offset, shown]
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        self._feed.append(payload)
        self.stats.record(len(payload.encode()))

    def update_cost(self, pending: str) -> UpdateCost:
        """An append costs its own text and one frame, whatever came before."""
        spent = self.stats.bytes_estimate
        return UpdateCost(len(pending) + APPEND_OVERHEAD if spent else 0, spent,
                          len(self.text) + len(pending), WORD.search(self.drawn) is not None)
