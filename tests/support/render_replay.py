"""Replay a token schedule through a flush policy and a sink on a fake clock: costs without a browser.

Used by the flush-policy tests (no text lost, budgets kept); the real websocket bytes are measured
in Chromium by bench/throttling.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from components.rendering.flush_policies import FlushPolicy, ThrottledBuffer
from components.rendering.render import Sink
from components.rendering.sinks import NullTarget, Target
from components.streaming.clock import FakeClock


def replay(tokens: Sequence[str], delays: Sequence[float], policy: FlushPolicy,
           make_sink: type | object, *, target: Target | None = None,
           clock: FakeClock | None = None) -> Sink:
    """Feed tokens at their times; ticks fire when a time-based policy's wait ends first."""
    clock = clock or FakeClock()
    sink: Sink = make_sink(target or NullTarget(), clock=clock)  # type: ignore[operator]
    buffer = ThrottledBuffer(policy, clock, costs=sink)
    for token, delay in zip(tokens, delays, strict=True):
        arrives = clock.now() + delay
        while (wait := buffer.next_tick_in()) is not None and clock.now() + wait < arrives:
            clock.advance(max(wait, 1e-6))
            if (flushed := buffer.tick()) is not None:
                sink.write(flushed)
        clock.advance(arrives - clock.now())
        if (flushed := buffer.add(token)) is not None:
            sink.write(flushed)
    clock.advance(buffer.final_wait())
    sink.finish(buffer.close())
    return sink
