"""What the Live typing page shows: a blocking and a streamed call raced from the same moment, the
tokens-over-time chart, and the verdict computed from that run."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import altair as alt
import pandas as pd

from components.streaming.clock import POLL_INTERVAL_S, REAL_CLOCK, Clock
from components.streaming.result import StreamResult
from components.streaming.run import StreamRun
from components.streaming.units import seconds

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
                yield from self.streamed.poll(timeout=POLL_INTERVAL_S)
                self._tend_blocked()
        finally:
            if not self.streamed.done:  # the page went away mid-stream
                self.streamed.cancel()
                self.blocked.cancel()

    def finish(self) -> None:
        """After the streamed side ended, keep the blocking side's counter going until it answers."""
        while not self.blocked.done:
            self._tend_blocked(timeout=POLL_INTERVAL_S)

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


NOT_WORTH_IT_S = 0.5
"""Below this saving in time to first visible text, streaming buys a user almost nothing."""


def streaming_verdict(streamed: StreamResult, blocked: StreamResult) -> str | None:
    """The lesson of one side-by-side run, in one sentence computed from its numbers."""
    s_first, b_first = streamed.first_visible, blocked.first_visible
    if s_first is None or b_first is None or not streamed.ok or not blocked.ok:
        return None
    saved = b_first - s_first
    totals = f"{seconds(streamed.total_time)} streamed vs {seconds(blocked.total_time)} blocking"
    if saved < NOT_WORTH_IT_S:
        return (f"On this {streamed.token_count}-token answer streaming saved only "
                f"{max(saved, 0):.2f} s of waiting ({totals}): for answers this short a blocking "
                "call is simpler and feels the same.")
    times = b_first / s_first if s_first > 0 else float("inf")
    return (f"Streaming put words on screen after **{seconds(s_first)}** instead of "
            f"**{seconds(b_first)}**, {times:.0f}× sooner, while the complete answer took about "
            f"as long ({totals}).")


SERIES_COLORS = {"Blocking": "#9CA3AF", "Streaming": "#4F46E5"}


def arrival_frame(results: dict[str, StreamResult]) -> pd.DataFrame:
    """Long-form (run, seconds, tokens received so far) rows, one series per run."""
    rows = [{"run": name, "seconds": t, "tokens": n}
            for name, result in results.items() for t, n in result.arrival_curve()]
    return pd.DataFrame(rows, columns=["run", "seconds", "tokens"])


def tokens_over_time_chart(results: dict[str, StreamResult]) -> alt.Chart:
    """Tokens received over time: streaming climbs from the first token, blocking is one late step."""
    names = list(results)
    colors = [SERIES_COLORS.get(n, "#10B981") for n in names]
    return (
        alt.Chart(arrival_frame(results))
        .mark_line(interpolate="step-after", strokeWidth=3)
        .encode(
            x=alt.X("seconds:Q", title="seconds since the click"),
            y=alt.Y("tokens:Q", title="tokens received"),
            color=alt.Color("run:N", title=None, scale=alt.Scale(domain=names, range=colors),
                            legend=alt.Legend(orient="top-left")),
        )
        .properties(height=260)
    )
