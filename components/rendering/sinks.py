"""Where flushed text goes on screen, and what each update costs: whole-text or block-incremental.

Sinks write to any target with `markdown()`, `empty()` and `container()` (a Streamlit container,
or a recording/no-op target in tests and benchmarks), so they hold no Streamlit import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from components.rendering.flush_policies import UpdateCost
from components.rendering.markdown_blocks import BlockSplitter, displayable
from components.rendering.transforms import StreamTransform
from components.streaming.clock import REAL_CLOCK, Clock

MESSAGE_OVERHEAD = 90
"""Bytes Streamlit adds to each element update on the websocket (measured by bench/throttling.py)."""


class Target(Protocol):
    """The part of Streamlit's DeltaGenerator a sink uses."""

    def markdown(self, body: str) -> object: ...

    def empty(self) -> Target: ...

    def container(self) -> Target: ...


class Sink(Protocol):
    """Where flushed text goes, and what the next update would cost (for pricing policies)."""

    text: str
    stats: RenderStats

    def write(self, delta: str) -> None: ...

    def finish(self, rest: str = "", *, complete: bool = True) -> None: ...

    def replace(self, text: str) -> None: ...

    def update_cost(self, pending: str) -> UpdateCost: ...


@dataclass
class RenderStats:
    """What the screen was sent: updates, characters, and the longest wait between updates."""

    clock: Clock = REAL_CLOCK
    started: float = field(default=0.0)
    updates: int = 0
    """Screen updates (flushes that changed what is shown)."""
    messages: int = 0
    """Element writes, each one websocket message (a flush may write a block and the tail)."""
    chars_pushed: int = 0
    longest_gap: float = 0.0
    timeline: list[tuple[float, int]] = field(default_factory=list)
    """(seconds since start, characters pushed so far) after each update."""

    def __post_init__(self) -> None:
        self.started = self.clock.now()

    @property
    def bytes_estimate(self) -> int:
        """Characters pushed plus Streamlit's per-message overhead: what the websocket carries."""
        return self.chars_pushed + MESSAGE_OVERHEAD * self.messages

    def record(self, chars: int, messages: int = 1) -> None:
        now = self.clock.now() - self.started
        if self.timeline:
            self.longest_gap = max(self.longest_gap, now - self.timeline[-1][0])
        self.updates += 1
        self.messages += messages
        self.chars_pushed += chars
        self.timeline.append((now, self.chars_pushed))


class WholeTextSink:
    """Re-renders the whole text so far on every update: simple, and quadratic in bytes."""

    def __init__(self, target: Target, *, clock: Clock = REAL_CLOCK, cursor: bool = True) -> None:
        self._slot = target.empty()
        self.text = ""
        self.cursor = cursor
        self.stats = RenderStats(clock)

    def write(self, delta: str) -> None:
        self.text += delta
        body = displayable(self.text) if self.cursor else self.text
        self._slot.markdown(body)
        self.stats.record(len(body))

    def replace(self, text: str) -> None:
        """Recovery replaced the answer: show the new text in one update."""
        self.text = ""
        self.write(text)

    def update_cost(self, pending: str) -> UpdateCost:
        """Showing pending text re-sends everything so far."""
        answer = len(self.text) + len(pending)
        spent = self.stats.bytes_estimate
        return UpdateCost(answer + 1 + MESSAGE_OVERHEAD if spent else 0, spent, answer)

    def finish(self, rest: str = "", *, complete: bool = True) -> None:
        """The last text and the final render without the cursor, in one update; a text cut short
        has its open code fence or emphasis closed, as the chat history shows it."""
        self.text += rest
        if self.text:
            body = self.text if complete else displayable(self.text, cursor="")
            self._slot.markdown(body)
            self.stats.record(len(body))


class BlockSink:
    """Writes each finished markdown block once and re-renders only the unfinished last block.

    The live element of a block becomes that block when it finishes (one write, nothing to clear),
    so an answer costs its own size plus the re-renders of each block's unfinished tail.
    """

    def __init__(self, target: Target, *, clock: Clock = REAL_CLOCK) -> None:
        self._target = target
        self._live: Target | None = None
        self._drawn: list[Target] = []
        self._splitter = BlockSplitter()
        self.stats = RenderStats(clock)
        self.text = ""
        """Everything received, blank lines included (the screen drops only empty blocks)."""

    def _show(self, body: str) -> None:
        """Replace the live element's content, creating the element for a new block."""
        if self._live is None:
            self._live = self._target.empty()
            self._drawn.append(self._live)
        self._live.markdown(body)

    def write(self, delta: str) -> None:
        self._draw(delta, final=False)

    def _draw(self, delta: str, *, final: bool, complete: bool = True) -> None:
        self.text += delta
        chars = messages = 0
        for block in self._splitter.feed(delta):
            self._show(block)
            self._live = None  # finished: never touched again
            chars, messages = chars + len(block), messages + 1
        tail = self._splitter.close() if final else self._splitter.tail
        if tail.strip() or (final and self._live is not None):
            body = (tail if complete else displayable(tail, cursor="")) if final else displayable(tail)
            self._show(body)
            chars, messages = chars + len(body), messages + 1
        if messages:
            self.stats.record(chars, messages)

    def replace(self, text: str) -> None:
        """Recovery replaced the answer: blank every element drawn so far, then draw the new text."""
        for element in self._drawn:
            element.markdown("")
        if self._drawn:
            self.stats.record(0, len(self._drawn))
        self._drawn, self._live, self._splitter, self.text = [], None, BlockSplitter(), ""
        self.write(text)

    def update_cost(self, pending: str) -> UpdateCost:
        """Blocks that pending finishes cost their size once; the new unfinished tail is re-sent."""
        spent = self.stats.bytes_estimate
        answer = len(self.text) + len(pending)
        if not spent:
            return UpdateCost(0, 0, answer)
        trial = BlockSplitter(tail=self._splitter.tail)
        finished = trial.feed(pending)
        tail = len(trial.tail) + 1 if trial.tail.strip() else 0
        messages = len(finished) + (1 if tail else 0)
        return UpdateCost(sum(map(len, finished)) + tail + MESSAGE_OVERHEAD * messages, spent, answer)

    def finish(self, rest: str = "", *, complete: bool = True) -> None:
        """The last text and the last block without the cursor, in one update (closing open
        markup when the text was cut short)."""
        self._draw(rest, final=True, complete=complete)


class NullTarget:
    """A target that draws nothing: for benchmarks of the streaming path itself."""

    def markdown(self, body: str) -> NullTarget:
        return self

    def empty(self) -> NullTarget:
        return self

    def container(self) -> NullTarget:
        return self


class TransformedSink:
    """A sink behind a stream transform (redaction, masking): it only ever sees final text."""

    def __init__(self, inner: Sink, transform: StreamTransform) -> None:
        self.inner, self.transform = inner, transform
        self.raw = ""

    @property
    def text(self) -> str:
        return self.inner.text

    @property
    def stats(self) -> RenderStats:
        return self.inner.stats

    def write(self, delta: str) -> None:
        self.raw += delta
        if out := self.transform.feed(delta):
            self.inner.write(out)

    def finish(self, rest: str = "", *, complete: bool = True) -> None:
        self.raw += rest
        self.inner.finish(self.transform.feed(rest) + self.transform.close(), complete=complete)

    def replace(self, text: str) -> None:
        self.raw = text
        self.transform = type(self.transform)(self.transform.rules)
        self.inner.replace(self.transform.feed(text))

    def update_cost(self, pending: str) -> UpdateCost:
        return self.inner.update_cost(pending)


class TeeSink:
    """One run drawn into several sinks at once (raw and transformed side by side)."""

    def __init__(self, *sinks: Sink) -> None:
        self.sinks = sinks

    @property
    def text(self) -> str:
        return self.sinks[0].text

    @property
    def stats(self) -> RenderStats:
        return self.sinks[0].stats

    def write(self, delta: str) -> None:
        for sink in self.sinks:
            sink.write(delta)

    def finish(self, rest: str = "", *, complete: bool = True) -> None:
        for sink in self.sinks:
            sink.finish(rest, complete=complete)

    def replace(self, text: str) -> None:
        for sink in self.sinks:
            sink.replace(text)

    def update_cost(self, pending: str) -> UpdateCost:
        costs = [sink.update_cost(pending) for sink in self.sinks]
        return UpdateCost(sum(c.next for c in costs), sum(c.spent for c in costs),
                          sum(c.answer for c in costs))


class LazyTarget:
    """A target created on first use, so what the slot showed before reaches the browser first.

    Streamlit coalesces queued deltas to the same place, and keeps a previous run's children of
    a container until the run ends: a regenerated chat reply first shows a cursor in its slot,
    and only swaps in its container when text arrives, so no stale blocks of the old reply linger.
    """

    def __init__(self, make: Callable[[], Target]) -> None:
        self._make = make
        self._target: Target | None = None

    def _resolve(self) -> Target:
        if self._target is None:
            self._target = self._make()
        return self._target

    def markdown(self, body: str) -> object:
        return self._resolve().markdown(body)

    def empty(self) -> Target:
        return self._resolve().empty()

    def container(self) -> Target:
        return self._resolve().container()
