"""Run a blocking call and a streamed one at the same moment, so the comparison is fair and live."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from components.callbacks import StreamRun
from components.clock import REAL_CLOCK, Clock

WAIT_REFRESH_S = 0.1
"""How often the blocking side's "still waiting" counter is repainted."""


class SideBySide:
    """Feeds `st.write_stream` from the streamed run while showing the blocking run's wait and answer."""

    def __init__(self, streamed: StreamRun, blocked: StreamRun, *,
                 show_wait: Callable[[float], None], show_answer: Callable[[str], None],
                 clock: Clock = REAL_CLOCK) -> None:
        self.streamed, self.blocked = streamed, blocked
        self._show_wait, self._show_answer = show_wait, show_answer
        self._clock = clock
        self._started = clock.now()
        self._last_wait_paint = float("-inf")

    def start(self) -> SideBySide:
        """Start both calls together."""
        self.blocked.start()
        self.streamed.start()
        return self

    def streamed_text(self) -> Iterator[str]:
        """Text of the streamed run, for `st.write_stream`; ends when that run ends."""
        try:
            while not self.streamed.done:
                yield from self.streamed.poll(timeout=StreamRun.poll_interval)
                self._tend_blocked()
        finally:
            if not self.streamed.done:  # the page went away mid-stream
                self.streamed.cancel()
                self.blocked.cancel()

    def finish(self) -> None:
        """After the streamed side ended, keep the blocking side's counter going until it answers."""
        while not self.blocked.done:
            self._tend_blocked(timeout=StreamRun.poll_interval)

    def _tend_blocked(self, timeout: float = 0.0) -> None:
        if self.blocked.done:
            return
        text = "".join(self.blocked.poll(timeout=timeout))
        if self.blocked.done:
            self._show_answer(text or self.blocked.result.text)
            return
        now = self._clock.now()
        if now - self._last_wait_paint >= WAIT_REFRESH_S:
            self._last_wait_paint = now
            self._show_wait(now - self._started)
