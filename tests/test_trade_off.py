"""The trade-off picture's numbers: smoothness as the browser saw it (else as sent), cost per byte."""

from __future__ import annotations

from components.lessons.throttling import RenderOutcome
from components.lessons.trade_off import Point, bench_points, run_points, trade_off_verdict
from components.rendering.sinks import RenderStats
from components.streaming.clock import FakeClock


def outcome(key: str, times: list[float], chars: int, text: str = "x" * 1000) -> RenderOutcome:
    clock = FakeClock()
    stats = RenderStats(clock)
    for t in times:
        clock.advance(t - clock.now())
        stats.record(chars // len(times))
    return RenderOutcome(key, key, text, 100, stats)


def test_the_browser_s_numbers_win_over_the_server_s_send_times() -> None:
    typed = outcome("typing", [0.0, 0.3, 0.6, 0.9], 1000)
    seen = {"run": "r1", "columns": {"typing": {"updates": 31, "seconds": 1.0, "longest_gap_ms": 60,
                                                "p95_gap_ms": 40}}}
    [point] = run_points([typed], seen)
    assert (point.updates_per_s, point.longest_gap_ms, point.source) == (30.0, 60, "this run, in the browser")
    [sent] = run_points([typed], None)
    assert round(sent.updates_per_s, 2) == round(3 / 0.9, 2) and round(sent.longest_gap_ms) == 300
    assert sent.source.endswith("as sent")
    assert sent.bytes_per_byte == (1000 + 4 * 90) / 1000


def test_bench_references_come_from_the_closest_case() -> None:
    references = {
        "prose": {"tokens": 320, "rate": 50, "strategies": {"typing": {
            "updates_per_s": 24, "longest_gap_ms": 150, "ratio": 3.5}}},
        "2000@100": {"tokens": 2000, "rate": 100, "strategies": {"typing": {
            "updates_per_s": 23, "longest_gap_ms": 120, "ratio": 2.3}}},
    }
    [point] = bench_points(["typing", "every_50ms"], 1500, 200, references)
    assert point.source == "bench (2000@100)" and point.bytes_per_byte == 2.3


def test_the_every_token_column_is_drawn_from_the_benchs_st_write_stream() -> None:
    references = {"2000@100": {"tokens": 2000, "rate": 100, "strategies": {"write_stream": {
        "updates_per_s": 6, "longest_gap_ms": 913, "ratio": 1000}}}}
    [point] = bench_points(["every_token"], 1500, 200, references)
    assert point.key == "every_token" and point.bytes_per_byte == 1000


def test_the_verdict_names_who_is_smooth_and_cheap_and_what_the_others_gave_up() -> None:
    points = [Point("typing", "t", 24, 150, 3.0, "x"), Point("every_token", "w", 40, 200, 190, "x"),
              Point("blocks_budget", "b", 1.2, 1000, 2.7, "x"), Point("every_50ms", "f", 15, 500, 70, "x")]
    verdict = trade_off_verdict(points, "Alone")
    assert verdict.startswith("**Alone:** smooth and cheap: **typing view (default)**")
    assert "smooth but costly: **st.write_stream (every token)**" in verdict
    assert "cheap but jumpy: **byte budget (old default)**" in verdict
    assert "neither: **fixed 50 ms throttle**" in verdict
    assert "no renderer was both" in trade_off_verdict(points[1:], "This run")
