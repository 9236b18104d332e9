"""What the network-drops page shows about a run and a chaos run: status line, attempt log, charts."""

from __future__ import annotations

from typing import Literal

import altair as alt
import pandas as pd

from components.chaos import ChaosSummary
from components.errors import outcome_message
from components.stream_result import Attempt, StreamResult

State = Literal["running", "complete", "error"]


def status_line(result: StreamResult, *, running: bool) -> tuple[str, State]:
    """The `st.status` label and state for a run, live and after it ended."""
    if running:
        return (result.status or "Streaming…"), "running"
    if result.ok:
        if result.recovered:
            return (f"Complete answer after {len(result.attempts)} requests: recovered from "
                    f"{result.attempts[0].outcome}."), "complete"
        return "Complete answer, no fault hit the stream.", "complete"
    if result.cancelled:
        return "Stopped. The text so far is kept.", "error"
    return (outcome_message(result) or "The answer is incomplete."), "error"


def attempts_frame(attempts: list[Attempt]) -> pd.DataFrame:
    return pd.DataFrame([{"attempt": a.number, "request": a.kind, "outcome": a.outcome,
                          "tokens received": a.tokens, "seconds": round(a.seconds, 2)}
                         for a in attempts],
                        columns=["attempt", "request", "outcome", "tokens received", "seconds"])


def chaos_frame(summaries: list[ChaosSummary]) -> pd.DataFrame:
    return pd.DataFrame([{
        "strategy": s.label, "complete answers": f"{s.complete}/{s.answers}",
        "completion": f"{s.completion:.0%}",
        "median extra latency (s)": None if s.median_extra_s is None else round(s.median_extra_s, 2),
        "tokens wasted": s.tokens_wasted, "extra requests": s.extra_requests,
    } for s in summaries])


def chaos_chart(summaries: list[ChaosSummary]) -> alt.Chart:
    """Complete answers per strategy: the shape of the lesson at a glance."""
    frame = pd.DataFrame([{"strategy": s.short, "complete answers (%)": round(100 * s.completion),
                           "default": s.strategy == "default"} for s in summaries])
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("complete answers (%):Q", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("strategy:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.condition("datum.default", alt.value("#4F46E5"), alt.value("#9CA3AF")),
    )
    labels = bars.mark_text(align="left", dx=4).encode(text="complete answers (%):Q")
    return (bars + labels).properties(height=40 * len(summaries) + 20)
