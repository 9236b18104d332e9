"""Smoke runs of the benchmarks, so they cannot rot (no timing is asserted here)."""

from __future__ import annotations

from bench.live_typing import one_run
from components.prompts import SHORT_PROMPT


def test_live_typing_bench_runs_the_pages_path() -> None:
    s_first, s_total, b_first, b_total, tokens = one_run(SHORT_PROMPT, seed=1)
    assert tokens > 0
    assert b_first == b_total  # a blocking call shows everything when it ends
    assert 0 < s_first <= s_total
