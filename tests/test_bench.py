"""Smoke runs of the benchmarks, so they cannot rot (no timing is asserted here)."""

from __future__ import annotations

import pytest

from bench.live_typing import one_run
from components.models.prompts import SHORT_PROMPT


def test_live_typing_bench_runs_the_pages_path() -> None:
    s_first, s_total, b_first, b_total, tokens = one_run(SHORT_PROMPT, seed=1)
    assert tokens > 0
    assert b_first == pytest.approx(b_total, abs=0.05)  # blocking shows everything at its end
    assert 0 < s_first <= s_total


def test_chaos_bench_default_recovery_completes_every_transient_fault() -> None:
    from components.lessons.network_drops import chaos_cases, run_chaos, summarize

    summaries = {s.strategy: s for s in summarize(run_chaos(chaos_cases(30, seed=5)))}
    assert summaries["default"].complete == 30
    assert summaries["keep_partial"].complete < 30
    assert summaries["resume"].tokens_wasted == 0


def test_overhead_bench_measures_both_paths() -> None:
    from bench.overhead import bare, shared_path

    assert bare(300) > 0 and shared_path(300) > 0


def test_throttling_and_load_benches_run_against_a_real_server(tmp_path, monkeypatch) -> None:
    """Tiny sizes, K = 2: the benches still drive a real `streamlit run` end to end."""
    import asyncio

    from bench import load
    from tests.support.browser import streamlit_app

    with streamlit_app() as server:
        asyncio.run(load.protocol_round(server.url, "strategy=baseline", 1, 60))
        sessions = asyncio.run(load.protocol_round(
            server.url, "strategy=blocks_budget&tokens=40&rate=400", 2, 60))
    assert all(s.done is not None and s.ttft is not None and s.bytes > 0 for s in sessions)
    monkeypatch.setattr(load, "PLOT", tmp_path / "lag.png")
    rounds = [load.Round("protocol", "default", 2, sessions, 0.1, None, 0.3)]
    load.plot(rounds, 0.3)
    assert (tmp_path / "lag.png").stat().st_size > 1000
    assert "| protocol | default | 2 | 2/2 |" in rounds[0].row()


def test_resume_bench_measures_store_memory(redis_url) -> None:
    from bench.resume import in_process_bytes, redis_bytes

    live, idle = in_process_bytes(20)
    assert 0 < idle < live  # a finished reply is compacted to its final turn
    live, idle = redis_bytes(redis_url, 3)
    assert 0 < idle < live
