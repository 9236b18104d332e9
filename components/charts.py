"""Charts that show a lesson's shape: built from stream results, rendered by the page."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components.stream_result import StreamResult

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
