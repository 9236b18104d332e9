"""When to push buffered tokens to the screen: fewer updates, the same text, never lost or reordered."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from components.streaming.clock import REAL_CLOCK, Clock
from components.streaming.text_pieces import TextPieces

_SENTENCE_END = re.compile(r"([.!?:;]\s*|\n)$")


@dataclass(frozen=True)
class UpdateCost:
    """What showing the pending text would cost, in bytes, against what was sent so far."""

    next: int = 0
    """Bytes the next screen update would send (0: unknown, or the first update)."""
    spent: int = 0
    """Bytes sent to the screen so far for this answer."""
    answer: int = 0
    """Characters of the answer so far, pending text included."""
    words_shown: bool = True
    """The screen already shows some of the answer's words (False: a reply that began with markup,
    e.g. '## ' or '**', still shows nothing readable, so its first words must not wait)."""


FREE = UpdateCost()
Pricing = Callable[[], UpdateCost]
"""Prices the update on demand: only a cost-aware policy pays for computing it."""


def _free() -> UpdateCost:
    return FREE


Text = str | TextPieces
"""Pending text: policies read `len()`, truth and `pending[-n:]`, as they would of a `str`."""


class FlushPolicy(Protocol):
    """Decides, after a token or a tick, whether the pending text goes to the screen now."""

    label: str
    min_interval: float
    """Least seconds between two updates, the final one included (0: no pacing)."""

    def due(self, pending: Text, since_flush: float, cost: Pricing = _free) -> bool: ...

    def wait(self, since_flush: float) -> float | None:
        """Seconds until a tick could flush without a new token (None: only tokens trigger)."""
        ...


@dataclass(frozen=True)
class EveryToken:
    """Every token is an update: what `st.write_stream` does."""

    label: str = "every token"
    min_interval = 0.0

    def due(self, pending: Text, since_flush: float, cost: Pricing = _free) -> bool:
        return bool(pending)

    def wait(self, since_flush: float) -> float | None:
        return None


@dataclass(frozen=True)
class EveryInterval:
    """At most one update per interval; a stalled stream still shows its text when the interval ends."""

    seconds: float = 0.05
    label: str = "every 50 ms"

    @property
    def min_interval(self) -> float:
        return self.seconds

    def due(self, pending: Text, since_flush: float, cost: Pricing = _free) -> bool:
        return bool(pending) and since_flush >= self.seconds

    def wait(self, since_flush: float) -> float | None:
        return max(self.seconds - since_flush, 0.0)


def every_ms(ms: float) -> EveryInterval:
    return EveryInterval(ms / 1000, f"every {ms:g} ms")


def frame_paced(fps: float = 60.0) -> EveryInterval:
    """At most `fps` updates a second: no screen repaints faster than that anyway."""
    return EveryInterval(1 / fps, f"frame-paced ({fps:g}/s)")


@dataclass(frozen=True)
class EveryChars:
    """An update once at least N characters are pending."""

    chars: int = 80
    label: str = "every 80 characters"
    min_interval = 0.0

    def due(self, pending: Text, since_flush: float, cost: Pricing = _free) -> bool:
        return len(pending) >= self.chars

    def wait(self, since_flush: float) -> float | None:
        return None


@dataclass(frozen=True)
class AtBoundary:
    """An update when the pending text ends at a word (whitespace) or a sentence boundary."""

    unit: str = "word"
    label: str = "word boundaries"
    min_interval = 0.0

    def due(self, pending: Text, since_flush: float, cost: Pricing = _free) -> bool:
        if not pending:
            return False
        if self.unit == "sentence":
            return bool(_SENTENCE_END.search(pending[-64:]))
        last = pending[-1:]
        return last.isspace() or last in ".,!?;:"

    def wait(self, since_flush: float) -> float | None:
        return None


def at_words() -> AtBoundary:
    return AtBoundary("word", "word boundaries")


def at_sentences() -> AtBoundary:
    return AtBoundary("sentence", "sentence boundaries")


@dataclass(frozen=True)
class WithinBudget:
    """Update only while the bytes sent stay within `ratio` × the answer so far: linear cost by design.

    The first update is always free (time to first visible text matters more than 100 bytes); no
    update comes sooner than `min_interval` after the last (≤ 60 a second); and a stream that
    slows down still shows its text after `max_wait`.
    """

    ratio: float = 2.5
    min_interval: float = 1 / 60
    max_wait: float = 1.0
    label: str = "within 2.5× the answer's bytes"

    def due(self, pending: Text, since_flush: float, cost: Pricing = _free) -> bool:
        if not pending or since_flush < self.min_interval:
            return False
        if since_flush >= self.max_wait:
            return True
        price = cost()
        return price.spent == 0 or price.spent + price.next <= self.ratio * price.answer

    def wait(self, since_flush: float) -> float | None:
        return max(self.max_wait - since_flush, self.min_interval - since_flush, 0.0)


class CostModel(Protocol):
    """A sink that can price its next update (see components/sinks.py)."""

    def update_cost(self, pending: str) -> UpdateCost: ...


class ThrottledBuffer:
    """Pending pieces joined only when the policy says so; `close()` always delivers the rest.

    >>> buffer = ThrottledBuffer(EveryChars(5))
    >>> buffer.add("ab"), buffer.add("cde"), buffer.close()
    (None, 'abcde', '')
    """

    def __init__(self, policy: FlushPolicy, clock: Clock = REAL_CLOCK,
                 costs: CostModel | None = None) -> None:
        self.policy = policy
        self.clock = clock
        self.costs = costs
        self._pending = TextPieces()
        self._last_flush = clock.now()
        self.update_times: list[float] = []
        """When each update was released (the final one included): the policy's own pace."""

    @property
    def pending(self) -> str:
        return str(self._pending)

    def add(self, piece: str) -> str | None:
        """Buffer a token; returns the text to show now, or None to wait."""
        if piece:
            self._pending.add(piece)
        return self.tick()

    def tick(self) -> str | None:
        """Called when no token came: a time-based policy may flush what is pending."""
        if not self._pending:
            return None
        since = self.clock.now() - self._last_flush
        pending, costs = self._pending, self.costs
        pricing = (lambda: costs.update_cost(str(pending))) if costs else _free
        if not self.policy.due(pending, since, pricing):
            return None
        return self._flush(str(pending))

    def next_tick_in(self) -> float | None:
        """How long the reader may sleep before a tick could flush (None: until the next token)."""
        if not self._pending:
            return None
        return self.policy.wait(self.clock.now() - self._last_flush)

    def clear(self) -> None:
        """Drop pending text that was superseded (recovery replaced the whole answer)."""
        self._pending.clear()

    def final_wait(self) -> float:
        """Seconds before the final update (the rest, and the cursor removed) keeps the pace."""
        if not self.update_times:
            return 0.0
        return max(self.policy.min_interval - (self.clock.now() - self._last_flush), 0.0)

    def close(self) -> str:
        """The final flush: everything still pending, possibly empty (the final update anyway)."""
        if self._pending:
            return self._flush(self.pending)
        self.update_times.append(self.clock.now())
        return ""

    def _flush(self, text: str) -> str:
        self._pending.clear()
        self._last_flush = self.clock.now()
        self.update_times.append(self._last_flush)
        return text
