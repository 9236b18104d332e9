"""Injectable time, so streaming code can be tested exactly and without real sleeps."""

from __future__ import annotations

import threading
import time
from typing import Protocol

POLL_INTERVAL_S = 0.05
"""How often a waiting thread looks up even when nothing came: to notice a Stop, a stall or the end."""


class Clock(Protocol):
    """What timing-sensitive code needs from time: a monotonic reading and a way to wait."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall time through the monotonic high-resolution counter."""

    def now(self) -> float:
        return time.perf_counter()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "RealClock()"


class FakeClock:
    """A clock that only moves when something sleeps on it: tests read exact times instantly."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(seconds, 0.0)

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now:.3f})"


REAL_CLOCK = RealClock()
