"""What the Live typing page shows: a blocking and a streamed call raced from the same moment, the
tokens-over-time chart, and the verdict computed from that run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import altair as alt
import pandas as pd

from components.streaming.clock import POLL_INTERVAL_S, REAL_CLOCK, Clock
from components.streaming.result import StreamResult
from components.streaming.run import StreamRun
from components.streaming.units import seconds
from components.url_params import Flag, Setting

URL_SETTINGS: tuple[Setting, ...] = (Flag("short", False),)
"""What the page's URL may set: `?short=1` opens the one-sentence answer."""

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


NOTICEABLE_WAIT_S = 1.0
"""A wait users notice (Nielsen's one-second limit): streaming is worth its moving parts only when it
takes at least this much off the wait for the first words."""


@dataclass(frozen=True)
class Verdict:
    """The lesson of one side-by-side run: one sentence, and whether streaming paid off."""

    text: str
    worth_it: bool


def streaming_verdict(streamed: StreamResult, blocked: StreamResult) -> Verdict | None:
    """The lesson of one side-by-side run, in one sentence computed from its numbers."""
    s_first, b_first = streamed.first_visible, blocked.first_visible
    if s_first is None or b_first is None or not streamed.ok or not blocked.ok:
        return None
    saved = b_first - s_first
    totals = f"{seconds(streamed.total_time)} streamed vs {seconds(blocked.total_time)} blocking"
    if saved < NOTICEABLE_WAIT_S:
        return Verdict(
            f"Not worth it here: on this {streamed.token_count}-token answer streaming took only "
            f"**{max(saved, 0):.2f} s** off the wait for the first words ({seconds(s_first)} instead of "
            f"{seconds(b_first)}), under the {NOTICEABLE_WAIT_S:g} s a user notices. A blocking call "
            f"is simpler and feels the same ({totals}).", worth_it=False)
    times = b_first / s_first if s_first > 0 else float("inf")
    return Verdict(
        f"Streaming put words on screen after **{seconds(s_first)}** instead of **{seconds(b_first)}**: "
        f"{saved:.2f} s less staring at nothing ({times:.0f}× sooner), while the complete answer took "
        f"about as long ({totals}).", worth_it=True)


def when_not_to_stream(verdict: Verdict | None) -> str:
    """The expander's lesson: the same rule the verdict applies, and where the last run landed."""
    rule = (f"Streaming adds moving parts (partial text, stop buttons, errors mid-answer). It pays off "
            f"when it takes a wait users notice, **at least {NOTICEABLE_WAIT_S:g} s**, off the time to "
            "the first words. On an answer of one sentence the time to first token is most of the wait, "
            "so streaming saves little: switch on **Short answer** and run both. The verdict "
            "applies this rule to that run's own numbers.")
    if verdict is None:
        return rule
    outcome = "worth it" if verdict.worth_it else "not worth it"
    return f"{rule}\n\nThe last run: **{outcome}**."


SERIES_COLORS = {"Blocking": "#9CA3AF", "Streaming": "#4F46E5"}


def arrival_frame(results: dict[str, StreamResult]) -> pd.DataFrame:
    """Long-form (run, seconds, tokens received so far) rows, one series per run."""
    rows = [{"run": name, "seconds": t, "tokens": n}
            for name, result in results.items() for t, n in result.arrival_curve()]
    return pd.DataFrame(rows, columns=["run", "seconds", "tokens"])


def tokens_over_time_chart(results: dict[str, StreamResult]) -> alt.LayerChart:
    """Tokens received over time: streaming climbs from the first token, blocking is one late step.

    Blocking is dashed and the x axis sits a little below the plot, so its long flat stretch at zero is
    not hidden by the axis line; a dot marks when each run's text first showed."""
    names = list(results)
    colors = [SERIES_COLORS.get(n, "#10B981") for n in names]
    color = alt.Color("run:N", title=None, scale=alt.Scale(domain=names, range=colors),
                      legend=alt.Legend(orient="top-left"))
    frame = arrival_frame(results)
    x = alt.X("seconds:Q", title="seconds since the click",
              axis=alt.Axis(tickMinStep=0.5, tickCount=8, offset=6, domain=False))
    lines = alt.Chart(frame).mark_line(interpolate="step-after", strokeWidth=3).encode(
        x=x, y=alt.Y("tokens:Q", title="tokens received"), color=color,
        strokeDash=alt.condition(alt.datum.run == "Blocking", alt.value([6, 4]), alt.value([1, 0])))
    firsts = pd.DataFrame([{"run": name, "seconds": r.first_visible,
                            "tokens": 1 if r.token_times else r.token_count}  # blocking: all at once
                           for name, r in results.items() if r.first_visible is not None])
    dots = alt.Chart(firsts).mark_point(size=90, filled=True).encode(
        x="seconds:Q", y="tokens:Q", color=color,
        tooltip=[alt.Tooltip("run:N"), alt.Tooltip("seconds:Q", title="first text (s)", format=".2f")])
    return (lines + dots).properties(height=260)
