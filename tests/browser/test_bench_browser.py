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
                                           "strategy=typing&tokens=40&rate=400", 2, 60)
    assert len(sessions) == 2 and all(s.done and s.ttft and s.bytes for s in sessions)
    assert cpu > 0


def test_smoothness_bench_stamps_what_reaches_the_eye(browser) -> None:
    from bench import smoothness

    with streamlit_app() as server:
        whole = smoothness.measure(browser, server.url, server.pid, "write_stream", "prose", 60)
        typed = smoothness.measure(browser, server.url, server.pid, "typing", "prose", 60)
    assert whole.answer_bytes == typed.answer_bytes > 1000
    assert len(whole.stamps_ms) > 20 and len(typed.stamps_ms) > 20  # text changes, as seen
    assert whole.first_answer_ms is not None and typed.last_answer_ms is not None
    assert whole.ws_bytes > 10 * typed.ws_bytes and typed.browser_cpu_s > 0


def test_hostile_bench_sends_a_hostile_answer_through_the_chat_and_reloads_it(browser) -> None:
    from bench import hostile
    from tests.support.openai_server import FakeOpenAIServer

    server = FakeOpenAIServer().start()
    try:
        with streamlit_app(env=server.app_env) as app:
            row = hostile.measure(browser, app.url, server, "dashes")
    finally:
        server.stop()
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[0] == "dashes" and cells[5].startswith("yes") and cells[6] == "0", row
