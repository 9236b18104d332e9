"""The native alternative to the typing view, kept as a lesson: a live tail of one sentence.

Finished blocks are written once (as BlockSink does); inside the unfinished block, every sentence
or line that is complete is frozen into its own element and only the sentence being written is
redrawn, so a redraw costs tens of bytes instead of a whole paragraph. Paced at ~20 updates a
second it looks smooth, but every update is still a websocket message with ~90 bytes of framing:
at 50 tokens/s that framing alone is ~6× the answer. bench/smoothness.py measures both designs.
"""

from __future__ import annotations

import re
from typing import Protocol

from components.rendering.bounds import BoundedStream
from components.rendering.flush_policies import UpdateCost
from components.rendering.markdown_blocks import BlockSplitter, displayable, open_fence
from components.rendering.sinks import MESSAGE_OVERHEAD, RenderStats, Target
from components.streaming.clock import REAL_CLOCK, Clock

_SENTENCE_END = re.compile(r"[.!?:;](?:\s+|$)|\n")


class FlowTarget(Protocol):
    """A place whose markdown elements can flow inline, like one paragraph (TypingScreen.flow)."""

    def flow(self) -> Target: ...


def _frozen_end(tail: str) -> int:
    """Where the last complete sentence or line of an unfinished block ends (0: none yet)."""
    if open_fence(tail) is not None or tail.lstrip().startswith(("|", "```", "~~~")):
        return 0  # code and tables only make sense whole: redraw them as a block
    ends = [m.end() for m in _SENTENCE_END.finditer(tail) if m.end() < len(tail)]
    return ends[-1] if ends else 0


class SentenceSink:
    """Blocks once; in the live block, complete sentences once; only the last sentence redrawn."""

    def __init__(self, target: Target, *, clock: Clock = REAL_CLOCK) -> None:
        self._target = target
        self._block: Target | None = None  # where the pieces of the unfinished block go
        self._live: Target | None = None
        self._frozen = 0  # characters of the unfinished block already frozen into pieces
        self._splitter = BlockSplitter()
        self._bound = BoundedStream()
        self.stats = RenderStats(clock)
        self.text = ""

    def _place(self) -> Target:
        if self._block is None:
            flow = getattr(self._target, "flow", None)
            self._block = flow() if flow else self._target.container()
        return self._block

    def _show(self, body: str) -> int:
        if self._live is None:
            self._live = self._place().empty()
        self._live.markdown(body)
        return len(body)

    def write(self, delta: str) -> None:
        self._draw(delta, final=False)

    def finish(self, rest: str = "", *, complete: bool = True) -> None:
        self._draw(rest, final=True, complete=complete)

    def _draw(self, delta: str, *, final: bool, complete: bool = True) -> None:
        self.text += delta
        chars = messages = 0
        for block in self._splitter.feed(self._bound.feed(delta)):
            if rest := block[self._frozen:]:
                chars, messages = chars + self._show(rest), messages + 1
            self._block, self._live, self._frozen = None, None, 0
        tail = self._splitter.close() if final else self._splitter.tail
        live = tail[self._frozen:]
        if not final and (cut := _frozen_end(live)):
            chars, messages = chars + self._show(live[:cut]), messages + 1  # the sentence is done
            self._live, self._frozen, live = None, self._frozen + cut, live[cut:]
        if live.strip() or (final and self._live is not None):
            body = displayable(live) if not final else live if complete else displayable(live, cursor="")
            chars, messages = chars + self._show(body), messages + 1
        if messages:
            self.stats.record(chars, messages)

    def replace(self, text: str) -> None:
        """Recovery replaced the answer: start a fresh place and draw it there."""
        if self._block is not None:
            self._block.markdown("")
        self._splitter, self._bound, self.text = BlockSplitter(), BoundedStream(), ""
        self._block, self._live, self._frozen = None, None, 0
        self.write(text)

    def update_cost(self, pending: str) -> UpdateCost:
        """A redraw costs the live sentence and a frame (approximately: for pricing policies only)."""
        spent = self.stats.bytes_estimate
        live = len(self._splitter.tail) - self._frozen + len(pending)
        return UpdateCost(live + MESSAGE_OVERHEAD if spent else 0, spent, len(self.text) + len(pending))
