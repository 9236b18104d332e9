"""Smoke runs of the browser benchmarks at tiny sizes, so they cannot rot (nothing timed here)."""

from __future__ import annotations

from bench import load, throttling
from tests.support.browser import streamlit_app


def test_throttling_bench_counts_bytes_and_browser_time(browser) -> None:
    with streamlit_app() as server:
        throttling.measure(browser, server.url, server.pid, "baseline", 0, 100, 60)  # app shell
        # long enough that the quadratic cost shows even when a loaded machine coalesces updates
        whole = throttling.measure(browser, server.url, server.pid, "write_stream", 300, 400, 60)
        blocks = throttling.measure(browser, server.url, server.pid, "blocks_budget", 300, 400, 60)
    assert whole.answer_bytes == blocks.answer_bytes > 100
    assert whole.ws_bytes > blocks.ws_bytes and whole.browser_cpu_s > 0
    assert blocks.sent_per_second is not None and whole.sent_per_second is None


def test_load_bench_drives_two_browser_pages(browser) -> None:
    with streamlit_app() as server:
        throttling.measure(browser, server.url, server.pid, "baseline", 0, 100, 60)
        sessions, cpu = load.browser_round(browser, server.url,
                                           "strategy=blocks_budget&tokens=40&rate=400", 2, 60)
    assert len(sessions) == 2 and all(s.done and s.ttft and s.bytes for s in sessions)
    assert cpu > 0
