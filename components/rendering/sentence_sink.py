"""The native alternative to the typing view, kept as a lesson: a live tail of one sentence.

Inside the unfinished block, every sentence or line that is complete is frozen into its own element
and only the sentence being written is redrawn, so a redraw costs tens of bytes instead of a whole
paragraph; when the block is finished it is written once, whole, in place of its pieces (while it
streams, its sentences stand on lines of their own: elements cannot share a line). Paced at ~20 updates a
second it looks smooth, but every update is still a websocket message with ~90 bytes of framing:
at 50 tokens/s that framing alone is ~6× the answer. bench/smoothness.py measures both designs.
"""

from __future__ import annotations

import re

from components.rendering.bounds import BoundedStream
from components.rendering.flush_policies import UpdateCost
from components.rendering.markdown_blocks import BlockSplitter, displayable, open_fence
from components.rendering.sinks import MESSAGE_OVERHEAD, RenderStats, Target
from components.streaming.clock import REAL_CLOCK, Clock

_SENTENCE_END = re.compile(r"[.!?:;](?:\s+|$)|\n")


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
        self._slot: Target | None = None  # the unfinished block's place: its pieces, then the block
        self._block: Target | None = None  # the container of its pieces
        self._live: Target | None = None
        self._frozen = 0  # characters of the unfinished block already frozen into pieces
        self._drawn: list[Target] = []
        self._splitter = BlockSplitter()
        self._bound = BoundedStream()
        self.stats = RenderStats(clock)
        self.text = ""

    def _place(self) -> Target:
        if self._block is None:
            self._slot = self._target.empty()
            self._drawn.append(self._slot)
            self._block = self._slot.container()
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
        drawn = self._bound.feed(delta) + (self._bound.close() if final else "")
        for block in self._splitter.feed(drawn):
            self._place()
            self._slot.markdown(block)  # finished: written once, whole, in place of its pieces
            chars, messages = chars + len(block), messages + 1
            self._slot, self._block, self._live, self._frozen = None, None, None, 0
        if final:  # the last block, whole, in place of its pieces
            if (tail := self._splitter.close()).strip() or self._block is not None:
                body = tail if complete else displayable(tail, cursor="")
                self._place()
                self._slot.markdown(body)
                chars, messages = chars + len(body), messages + 1
        else:
            live = self._splitter.tail[self._frozen:]
            if cut := _frozen_end(live):
                chars, messages = chars + self._show(live[:cut]), messages + 1  # the sentence is done
                self._live, self._frozen, live = None, self._frozen + cut, live[cut:]
            if live.strip():
                chars, messages = chars + self._show(displayable(live)), messages + 1
        if messages:
            self.stats.record(chars, messages)

    def replace(self, text: str) -> None:
        """Recovery replaced the answer: blank what was drawn, then draw the new text."""
        for slot in self._drawn:
            slot.markdown("")
        self._drawn, self._splitter, self._bound, self.text = [], BlockSplitter(), BoundedStream(), ""
        self._slot, self._block, self._live, self._frozen = None, None, None, 0
        self.write(text)

    def update_cost(self, pending: str) -> UpdateCost:
        """A redraw costs the live sentence and a frame (approximately: for pricing policies only)."""
        spent = self.stats.bytes_estimate
        live = len(self._splitter.tail) - self._frozen + len(pending)
        return UpdateCost(live + MESSAGE_OVERHEAD if spent else 0, spent, len(self.text) + len(pending))
