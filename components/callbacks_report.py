"""Tables and charts for the callbacks page, built from the shared handlers' records."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components.callbacks import EventLogHandler, MetricsHandler
from components.inside_langchain import TimelineEvent
from components.metrics import rate, seconds


def event_log_frame(log: EventLogHandler, *, newest_first: bool = False) -> pd.DataFrame:
    """The handler's events as a table; newest first while it fills, so the latest is in view."""
    events = list(log.events)
    rows = [{"#": i + 1, "event": e.event, "ms since start": e.offset_ms, "detail": e.detail}
            for i, e in enumerate(events)]
    return pd.DataFrame(rows[::-1] if newest_first else rows,
                        columns=["#", "event", "ms since start", "detail"])


def metrics_line(metrics: MetricsHandler) -> str:
    return (f"TTFT **{seconds(metrics.time_to_first_token)}** · **{metrics.tokens}** tokens so far · "
            f"**{rate(metrics.tokens_per_second)}** tokens/s")


def gaps_chart(gaps_ms: list[float]) -> alt.Chart:
    """Milliseconds between consecutive tokens: the stream's rhythm, jitter and stalls."""
    frame = pd.DataFrame({"token": range(2, len(gaps_ms) + 2), "gap (ms)": gaps_ms})
    return (alt.Chart(frame).mark_bar(color="#4F46E5")
            .encode(x=alt.X("token:Q", title="token #"), y=alt.Y("gap (ms):Q"))
            .properties(height=180))


def timeline_frame(events: list[TimelineEvent]) -> pd.DataFrame:
    return pd.DataFrame([{"ms": e.ms, "event": e.event, "runnable": e.name, "detail": e.detail}
                         for e in events], columns=["ms", "event", "runnable", "detail"])


def timeline_chart(events: list[TimelineEvent]) -> alt.Chart:
    """Each event as a tick on its runnable's lane: starts, the stream of chunks, the ends."""
    frame = timeline_frame(events)
    lanes = list(dict.fromkeys(frame["runnable"]))
    return (alt.Chart(frame).mark_circle(size=40, opacity=0.7)
            .encode(x=alt.X("ms:Q", title="ms since the start"),
                    y=alt.Y("runnable:N", title=None, sort=lanes,
                            scale=alt.Scale(domain=lanes), axis=alt.Axis(labelLimit=220)),
                    color=alt.Color("event:N", title=None, legend=alt.Legend(orient="bottom", columns=4)),
                    tooltip=["event", "runnable", "ms", "detail"])
            .properties(height=50 * len(lanes) + 20))


def redaction_counts(text: str) -> dict[str, int]:
    """How many of each redaction tag the transformed text carries."""
    return {tag: text.count(tag) for tag in ("[e-mail]", "[phone]", "[secret]") if tag in text}
