"""The throttling page's trade-off picture: how smooth each renderer looked against what it cost.

Smoothness is what the browser saw on that run (static/typing/observer.js stamps each change of a
column's visible text); without a browser (AppTest) it falls back to when the server sent updates.
Cost is the bytes sent per byte of answer. Renderers of the trade-off that were not on screen this
run come from the last `python -m bench.smoothness` (docs/smoothness.json), drawn hollow.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from components.lessons.throttling import RenderOutcome
from components.rendering.sinks import RenderStats

TRADE_OFF = {"every_token": "st.write_stream (every token)", "every_50ms": "fixed 50 ms throttle",
             "blocks_budget": "byte budget (old default)", "typing": "typing view (default)"}
"""The renderers the picture always shows, by strategy key."""
RENDERER_COLORS = alt.Scale(domain=list(TRADE_OFF.values()),
                            range=["#9CA3AF", "#F59E0B", "#EF4444", "#4F46E5"])
"""The same colour per renderer as docs/smoothness.png: the default stands out, st.write_stream is grey."""
BENCH_NAMES = {"every_token": "write_stream"}
"""The bench measures st.write_stream itself where the page's column redraws on every token."""
SMOOTH_UPDATES, SMOOTH_GAP_MS, CHEAP_RATIO = 20.0, 250.0, 3.0
"""Issue 12's targets: ≥ 20 visible updates a second, no gap over 250 ms, ≤ 3× the answer's bytes."""
REFERENCES = Path(__file__).resolve().parents[2] / "docs" / "smoothness.json"
_observer = st.components.v2.component(
    "streaming_lab.observer", isolate_styles=False,
    js="""export default (component) =>
  import(new URL("app/static/typing/observer.js", document.baseURI)).then((m) => m.default(component));
""")


@dataclass(frozen=True)
class Point:
    """One renderer on the picture."""

    key: str
    label: str
    updates_per_s: float
    longest_gap_ms: float
    bytes_per_byte: float
    source: str
    """"this run, in the browser", "this run, as sent" or "bench"."""

    @property
    def smooth(self) -> bool:
        return self.updates_per_s >= SMOOTH_UPDATES and self.longest_gap_ms <= SMOOTH_GAP_MS

    @property
    def cheap(self) -> bool:
        return self.bytes_per_byte <= CHEAP_RATIO


def as_sent(stats: RenderStats) -> tuple[float, float]:
    """Updates per second and the longest gap, from when the server sent them (no browser)."""
    times = [t for t, _ in stats.timeline]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return ((len(times) - 1) / span if span else 0.0), stats.longest_gap * 1000


def run_points(outcomes: Sequence[RenderOutcome], measured: dict | None) -> list[Point]:
    """This run's columns: smoothness seen in the browser when it reported, else as sent."""
    seen = (measured or {}).get("columns", {})
    points = []
    for o in outcomes:
        ratio = o.stats.bytes_estimate / max(len(o.text.encode()), 1)
        if (column := seen.get(o.key)) and column["seconds"] > 0:
            ups = (column["updates"] - 1) / column["seconds"]
            points.append(Point(o.key, o.label, ups, column["longest_gap_ms"], ratio,
                                "this run, in the browser"))
        else:
            ups, longest = as_sent(o.stats)
            points.append(Point(o.key, o.label, ups, longest, ratio, "this run, as sent"))
    return points


def bench_points(keys: Sequence[str], tokens: int, rate: float,
                 references: dict | None = None) -> list[Point]:
    """The bench's medians (each renderer alone in a tab), from the case closest to this run."""
    data = references if references is not None else _load_references()
    if not data or not keys:
        return []
    case = min(data, key=lambda c: abs(math.log(max(data[c]["tokens"], 1) / max(tokens, 1)))
               + abs(math.log(data[c]["rate"] / max(rate, 1))))
    cells = data[case]["strategies"]
    named = {k: BENCH_NAMES.get(k, k) for k in keys}
    return [Point(k, TRADE_OFF.get(k, k), cells[b]["updates_per_s"], cells[b]["longest_gap_ms"],
                  cells[b]["ratio"], f"bench ({case})") for k, b in named.items() if b in cells]


def _load_references() -> dict:
    try:
        return json.loads(REFERENCES.read_text())
    except (OSError, ValueError):
        return {}


def trade_off_chart(points: Sequence[Point]) -> alt.HConcatChart:
    """Visible updates/s and the longest gap, each against bytes per answer byte (log)."""
    frame = pd.DataFrame([{"renderer": TRADE_OFF.get(p.key, p.label), "updates/s": round(p.updates_per_s, 1),
                           "longest gap (ms)": round(p.longest_gap_ms),
                           "bytes per answer byte": round(p.bytes_per_byte, 2), "measured": p.source,
                           "filled": not p.source.startswith("bench")} for p in points])
    x = alt.X("bytes per answer byte:Q", scale=alt.Scale(type="log"),
              title="bytes sent per byte of answer (log)")
    base = alt.Chart(frame).encode(
        x=x, color=alt.Color("renderer:N", title=None, scale=RENDERER_COLORS,
                             legend=alt.Legend(orient="bottom", columns=4, labelLimit=260)),
        tooltip=list(frame.columns[:-1]))
    marks = base.mark_point(size=160, strokeWidth=3).encode(
        fill=alt.condition("datum.filled", alt.Color("renderer:N", scale=RENDERER_COLORS),
                           alt.value("transparent")))
    smooth = alt.Chart(pd.DataFrame({"y": [SMOOTH_UPDATES]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
    gap = alt.Chart(pd.DataFrame({"y": [SMOOTH_GAP_MS]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
    left = (smooth + marks.encode(y=alt.Y("updates/s:Q", title="visible updates per second"))
            ).properties(height=260, title="Smoother ↑ (dashed: 20 a second)")
    right = (gap + marks.encode(y=alt.Y("longest gap (ms):Q", title="longest gap between updates (ms)"))
             ).properties(height=260, title="Fewer stalls ↓ (dashed: 250 ms)")
    return alt.hconcat(left, right).resolve_scale(color="shared")


def trade_off_verdict(points: Sequence[Point], where: str) -> str:
    """Which renderers were both smooth and cheap, and what the others gave up, from the numbers."""
    def line(p: Point) -> str:
        return (f"**{TRADE_OFF.get(p.key, p.label)}** ({p.updates_per_s:.0f} updates/s, longest gap "
                f"{p.longest_gap_ms:,.0f} ms, {p.bytes_per_byte:,.1f}× the answer)")

    both = [p for p in points if p.smooth and p.cheap]
    smooth_only = [p for p in points if p.smooth and not p.cheap]
    cheap_only = [p for p in points if p.cheap and not p.smooth]
    neither = [p for p in points if not p.smooth and not p.cheap]
    parts = [f"**{where}:** " + ("smooth and cheap: " + ", ".join(map(line, both)) if both else
                                "no renderer was both smooth (≥ 20 updates/s, no gap over 250 ms) and "
                                "cheap (≤ 3× the answer)")]
    for name, group in (("smooth but costly", smooth_only), ("cheap but jumpy", cheap_only),
                        ("neither", neither)):
        if group:
            parts.append(f"{name}: " + ", ".join(map(line, group)))
    return "; ".join(parts) + "."


def watch_columns(keys: Sequence[str], run: str) -> dict | None:
    """Mount the browser's eye on this run's columns; returns what it reported for `run`, if any."""
    result = _observer(key="throttling_observer", data={"columns": list(keys), "run": run},
                       on_measured_change=lambda: None, height=0)
    measured = getattr(result, "measured", None)
    return measured if isinstance(measured, dict) and measured.get("run") == run else None


def mark_done(run: str) -> None:
    """Tell the browser's eye the run has ended (it reports, which reruns the page with the numbers)."""
    st.html(f'<span data-throttling-done="{run}"></span>')


def show_trade_off(outcomes: Sequence[RenderOutcome], measured: dict | None, tokens: int,
                   rate: float) -> None:
    """The picture and its verdicts: this run's columns, and the four renderers each alone (bench)."""
    here = run_points(outcomes, measured)
    alone = bench_points(list(TRADE_OFF), tokens, rate)
    st.markdown("#### The trade-off: smooth against cheap")
    st.altair_chart(trade_off_chart(here + alone), width="stretch")
    seen = "seen in this browser" if all(p.source.endswith("browser") for p in here) else "as sent"
    verdict = trade_off_verdict(here, f"This run ({seen})")
    if "every_token" in {p.key for p in here} and not any(p.smooth for p in here if p.key != "every_token"):
        verdict += (" The columns share one browser tab: redrawing the whole text on every token took "
                    "its time from the others too.")
    st.markdown(verdict)
    if alone:
        st.markdown(trade_off_verdict(alone, f"Each alone in a tab ({alone[0].source})"))
    st.caption("Filled: this run's columns, which share one browser tab (a column that redraws on "
               "every token slows the others down). Hollow: the last `python -m bench.smoothness`, each "
               "renderer alone, medians. Bytes: the text each update carried plus ~90 bytes of framing "
               "per update.")
