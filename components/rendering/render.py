"""Drawing runs on screen: a run's text goes through a flush policy into a sink, on the script thread.

A run is anything with `poll_updates()`: a live StreamRun, or a chat reply read back from a stream
store. Several runs can be drawn at once (side-by-side comparisons).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from components.rendering.flush_policies import FlushPolicy, ThrottledBuffer
from components.rendering.sinks import Sink
from components.rendering.typing_sink import AppendPaced
from components.streaming.clock import POLL_INTERVAL_S, Clock
from components.streaming.events import Replace, ScreenChange
from components.streaming.result import StreamResult

DEFAULT_POLICY: FlushPolicy = AppendPaced()
"""The app's default, for the typing view: the first words at once, then an append every 300 ms."""
MULTI_RUN_TICK_S = 0.005
"""With several runs on screen none can block the others: each is looked at this often."""


class ReplySource(Protocol):
    """What a drawing reads: a live StreamRun, or a reply read back from a stream store."""

    clock: Clock
    on_screen: str
    result: StreamResult

    @property
    def done(self) -> bool: ...

    def poll_updates(self, timeout: float = 0.0) -> list[ScreenChange]: ...

    def abandon(self) -> None: ...


@dataclass
class Drawing:
    """One run drawn into one sink through a flush policy; `step()` moves it forward."""

    run: ReplySource
    sink: Sink
    buffer: ThrottledBuffer
    tokens: int = 0
    finished: bool = field(default=False)

    def step(self, timeout: float = 0.0) -> None:
        """Take what arrived (waiting at most `timeout`), flush what the policy allows."""
        if self.finished:
            return
        changes = self.run.poll_updates(timeout=timeout)
        for change in changes:
            if isinstance(change, Replace):  # recovery replaced the text: pending text is stale
                self.buffer.clear()
                self.sink.replace(change.text)
                continue
            self.tokens += 1
            if (flushed := self.buffer.add(change.text)) is not None:
                self.sink.write(flushed)
        if not changes and (flushed := self.buffer.tick()) is not None:
            self.sink.write(flushed)  # a stalled stream still shows what it has
        if self.run.done and not self.buffer.final_wait():
            self.sink.finish(self.buffer.close(), complete=self.run.result.ok)
            self.finished = True

    def wait_hint(self) -> float:
        """How long the reader may block on this run before something could be due."""
        if self.run.done:
            return self.buffer.final_wait()
        due = self.buffer.next_tick_in()
        return POLL_INTERVAL_S if due is None else min(due, POLL_INTERVAL_S)


def start_drawing(run: ReplySource, sink: Sink, policy: FlushPolicy = DEFAULT_POLICY) -> Drawing:
    """Pair a started run with a sink through a policy (the buffer shares the run's clock)."""
    if run.on_screen:
        sink.replace(run.on_screen)  # a retry, or a reply caught up from its store: one update, at once
    return Drawing(run, sink, ThrottledBuffer(policy, run.clock, costs=sink))


def draw_until_done(drawings: Sequence[Drawing], *, on_progress: Callable[[], None] | None = None,
                    progress_every: float = 0.25) -> list[StreamResult]:
    """Draw runs on the script thread until each has ended; returns their results.

    Time comes from the runs' own clock, so tests can drive it."""
    clock = drawings[0].run.clock
    last_progress = clock.now()
    try:
        while not all(d.finished for d in drawings):
            live = [d for d in drawings if not d.finished]
            if len(live) == 1:
                live[0].step(timeout=live[0].wait_hint())
            else:
                for d in live:
                    d.step()
                clock.sleep(min(MULTI_RUN_TICK_S, *(d.wait_hint() for d in live)))
            if on_progress and clock.now() - last_progress >= progress_every:
                last_progress = clock.now()
                on_progress()
    finally:
        for d in drawings:
            if not d.finished:  # the page went away: close the model streams
                d.run.abandon()
    if on_progress:
        on_progress()
    return [d.run.result for d in drawings]
