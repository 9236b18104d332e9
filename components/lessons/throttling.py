"""Numbers, chart and verdict for a rendering comparison, computed from the sinks' stats."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from components.rendering.sinks import RenderStats
from components.rendering.strategies import DEFAULT_COMPARISON, STRATEGIES
from components.url_params import Number, Setting, Several

URL_SETTINGS: tuple[Setting, ...] = (
    Number("tokens", 200, 5000, 1500, 100),
    Number("speed", 20, 1000, 200, 20),
    Several("compare", tuple(STRATEGIES), DEFAULT_COMPARISON, 2, 3),
)
"""What the page's URL may set, e.g. `?tokens=5000&compare=every_token,blocks_budget`."""

ANSWER_BOX_PX = 420
"""Each column's answer scrolls in a box this tall: a long answer does not make the page miles long."""


@dataclass(frozen=True)
class RenderOutcome:
    """One column of the comparison after its run."""

    key: str
    """The strategy's key in STRATEGIES."""
    label: str
    text: str
    tokens: int
    stats: RenderStats

    @property
    def amplification(self) -> float:
        """Characters pushed to the browser per character of the answer."""
        return self.stats.chars_pushed / max(len(self.text), 1)


def max_in_one_second(stamps: list[float]) -> int:
    """Most events in any window of one second (sliding, not calendar seconds); stamps sorted."""
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def kb(chars: int) -> str:
    return f"{chars / 1000:,.1f} KB" if chars < 1_000_000 else f"{chars / 1_000_000:,.1f} MB"


def counters_line(tokens: int, stats: RenderStats) -> str:
    """The live counters under a column."""
    return (f"**{tokens:,}** tokens · **{stats.updates:,}** updates · **{kb(stats.chars_pushed)}** "
            f"pushed · longest gap **{stats.longest_gap * 1000:,.0f} ms**")


def pace_note(tokens: int, page_rate: float, sidebar_rate: float) -> str:
    """Say on screen that this page paces the simulated model itself, and what that changes."""
    return (f"The simulated model streams at **{page_rate:g} tokens/s on this page**, not at the "
            f"sidebar's {sidebar_rate:g} tokens/s, so a {tokens:,}-token answer takes about "
            f"{tokens / page_rate:.0f} s instead of {tokens / sidebar_rate:.0f} s. The other pages "
            "use the sidebar's speed.")


def summary_frame(outcomes: list[RenderOutcome]) -> pd.DataFrame:
    return pd.DataFrame([{
        "strategy": o.label, "updates": o.stats.updates, "pushed": kb(o.stats.chars_pushed),
        "× answer size": round(o.amplification, 1),
        "longest gap (ms)": round(o.stats.longest_gap * 1000),
    } for o in outcomes])


def pushed_over_time_chart(outcomes: list[RenderOutcome]) -> alt.Chart:
    """Cumulative characters pushed over time: a parabola for whole-text, a line for blocks."""
    rows = [{"strategy": o.label, "seconds": t, "KB pushed": chars / 1000}
            for o in outcomes for t, chars in [(0.0, 0), *o.stats.timeline]]
    return (alt.Chart(pd.DataFrame(rows)).mark_line(strokeWidth=3)
            .encode(x=alt.X("seconds:Q", title="seconds since the click"),
                    y=alt.Y("KB pushed:Q", title="KB pushed to the browser (cumulative)"),
                    color=alt.Color("strategy:N", title=None,
                                    legend=alt.Legend(orient="top-left", labelLimit=320)))
            .properties(height=300))


def verdict(outcomes: list[RenderOutcome]) -> str:
    """One line from the numbers: cheapest vs dearest, and whether every column ended identical."""
    cheap = min(outcomes, key=lambda o: o.stats.chars_pushed)
    dear = max(outcomes, key=lambda o: o.stats.chars_pushed)
    same = len({o.text for o in outcomes}) == 1
    ratio = dear.stats.chars_pushed / max(cheap.stats.chars_pushed, 1)
    answer = len(cheap.text)
    text = (f"**{cheap.label}** pushed {kb(cheap.stats.chars_pushed)} for a {kb(answer)} answer "
            f"({cheap.amplification:.1f}×); **{dear.label}** pushed {kb(dear.stats.chars_pushed)} "
            f"({dear.amplification:,.0f}×): **{ratio:,.0f}× more** for ")
    return text + ("the identical final text." if same else "a different final text (check the runs).")


def trade_off(outcomes: list[RenderOutcome]) -> str:
    """The price of the cheapest column, in the user's terms: fewer, larger steps."""
    cheap = min(outcomes, key=lambda o: o.stats.chars_pushed)
    dear = max(outcomes, key=lambda o: o.stats.chars_pushed)
    duration = cheap.stats.timeline[-1][0] if cheap.stats.timeline else 0.0
    every = duration / max(cheap.stats.updates, 1)
    return (f"The price: {cheap.label} drew {cheap.stats.updates:,} screen updates (one every "
            f"{every:.2f} s on average, the longest wait {cheap.stats.longest_gap:.2f} s) where "
            f"{dear.label} drew {dear.stats.updates:,}: fewer, larger steps of text.")
