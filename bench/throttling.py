"""Bytes and messages a real browser receives per answer, per rendering strategy.

For each answer length and strategy: start nothing but the hidden /render_bench page in headless
Chromium against a local `streamlit run`, record every websocket frame the browser receives (CDP),
and read the server's CPU seconds from /proc. Prints a table and appends it to bench/RESULTS.md.

    python -m bench.throttling                       # 500, 2000, 8000 tokens at 100 tokens/s
    python -m bench.throttling --lengths 500 --strategies write_stream blocks_frame_paced
"""

from __future__ import annotations

import argparse
import base64
import os
import time
from dataclasses import dataclass
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.results import append_section, save_figure
from components.lessons.throttling import max_in_one_second
from components.rendering.strategies import STRATEGIES
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app

ALL = ["write_stream", *STRATEGIES]
TARGET_RATIO = 3.0
"""Issue 4: block-incremental rendering sends at most 3× the answer's own size."""


@dataclass
class Measured:
    strategy: str
    tokens: int
    answer_bytes: int
    messages: int
    ws_bytes: int
    max_per_second: int
    """The most answer updates (markdown deltas) the browser received in any one-second window."""
    sent_per_second: int | None
    """The most updates the app sent in any one-second window (its own clock; None: st.write_stream)."""
    server_cpu_s: float
    seconds: float
    browser_cpu_s: float = 0.0
    """The page's renderer main-thread time (CDP Performance.getMetrics TaskDuration)."""


def main_thread_seconds(cdp) -> float:
    """The renderer's main-thread task time so far (CDP Performance.getMetrics TaskDuration)."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics.get("TaskDuration", 0.0)


def reply_update(message: ForwardMsg) -> tuple[bool, bool]:
    """(answer text inside a container: the reply's markdown or a typing view's append, not the page's
    own caption above it; the bench page's 'done' marker)."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return False, False
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    done = kind == "markdown" and element.markdown.body.startswith("done ")
    nested = len(message.metadata.delta_path) >= 3  # [main, container, element]: the reply is nested
    return nested and not done and kind in ("markdown", "text"), done


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that were waited for, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(browser, url: str, pid: int, strategy: str, tokens: int, rate: float,
            timeout: float) -> Measured:
    page = browser.new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Performance.enable")
    frames: list[tuple[float, int]] = []
    updates: list[float] = []

    def on_frame(event: dict) -> None:
        response = event["response"]
        if response["opcode"] != 2:
            frames.append((event["timestamp"], len(response["payloadData"].encode())))
            return
        payload = base64.b64decode(response["payloadData"])
        frames.append((event["timestamp"], len(payload)))
        if _is_answer_update(payload):
            updates.append(event["timestamp"])

    cdp.on("Network.webSocketFrameReceived", on_frame)
    cpu0 = cpu_seconds(pid)
    started = time.monotonic()
    page.goto(f"{url}/render_bench?strategy={strategy}&tokens={tokens}&rate={rate:g}")
    page.locator(".st-key-bench_done").wait_for(timeout=timeout * 1000)
    seconds = time.monotonic() - started
    time.sleep(0.5)  # let the last frames land
    cpu = cpu_seconds(pid) - cpu0
    done = page.locator(".st-key-bench_done").inner_text()
    browser_cpu = main_thread_seconds(cdp)
    _, chars, sent = done.split()[:3]
    answer_chars = int(chars)
    sent_per_second = None if sent == "-" else int(sent)
    page.close()
    return Measured(strategy, tokens, answer_chars, len(frames), sum(s for _, s in frames),
                    max_in_one_second(updates), sent_per_second, cpu, seconds, browser_cpu)


def _is_answer_update(payload: bytes) -> bool:
    """A delta that draws markdown other than the bench's own 'done' caption."""
    message = ForwardMsg.FromString(payload)
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return False
    element = message.delta.new_element
    return element.WhichOneof("type") == "markdown" and not element.markdown.body.startswith("done ")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", type=int, nargs="+", default=[500, 2000, 8000])
    parser.add_argument("--strategies", nargs="+", default=ALL, choices=ALL)
    parser.add_argument("--rate", type=float, default=100.0, help="tokens per second")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    results: list[Measured] = []
    with streamlit_app() as server, sync_playwright() as playwright:
        url, pid = server.url, server.pid
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        baselines = [measure(browser, url, pid, "baseline", 0, args.rate, 60) for _ in range(3)]
        baseline = min(b.ws_bytes for b in baselines)
        print(f"page without an answer: {baseline:,} B in {baselines[0].messages} messages", flush=True)
        global BASELINE
        BASELINE = baseline
        for tokens in args.lengths:
            for strategy in args.strategies:
                timeout = tokens / args.rate * 4 + 60
                m = measure(browser, url, pid, strategy, tokens, args.rate, timeout)
                results.append(m)
                print(_row(m, results), flush=True)
        browser.close()
    table = "\n".join([HEADER, *(_row(m, results) for m in results)])
    print(table)
    if len(args.lengths) > 1:
        plot(results)
    if not args.no_write:
        append_section(f"Throttling: websocket bytes per answer at {args.rate:g} tokens/s", table,
                       notes="Bytes received are the websocket frames Chromium received for the "
                             "whole page load and stream (CDP Network.webSocketFrameReceived). "
                             f"Answer's bytes = bytes received − {BASELINE:,} B, the same page "
                             "loaded without an answer (best of 3); × answer = answer's bytes / "
                             f"the answer's characters (✓: ≤ {TARGET_RATIO:g}×). Max updates/s: the "
                             "most answer updates in any one-second window, as the app sent them "
                             "(its own clock) · as the browser received them (markdown deltas; "
                             "the network and event loop bunch them). Browser CPU: the page's renderer "
                             "main-thread TaskDuration (CDP Performance.getMetrics). "
                             "Server CPU from /proc.")


BASELINE = 0
"""Bytes of the page load alone (set by main), subtracted to price the answer itself."""
HEADER = ("| tokens | strategy | answer | messages | max updates/s sent · received | bytes received "
          "| answer's bytes "
          "| × answer | vs st.write_stream | server CPU s | browser CPU s |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|")


def _row(m: Measured, all_results: list[Measured]) -> str:
    base = next((r for r in all_results if r.tokens == m.tokens and r.strategy == "write_stream"),
                None)
    versus = f"{base.ws_bytes / m.ws_bytes:,.1f}× fewer" if base and m is not base else "—"
    own = m.ws_bytes - BASELINE
    sent = "—" if m.sent_per_second is None else m.sent_per_second
    browser_share = (f" ({m.browser_cpu_s / base.browser_cpu_s:.0%} of st.write_stream)"
                     if base and m is not base and base.browser_cpu_s else "")
    ratio = own / m.answer_bytes
    mark = " ✓" if ratio <= TARGET_RATIO else ""
    return (f"| {m.tokens:,} | {m.strategy} | {m.answer_bytes:,} B | {m.messages:,} | "
            f"{sent} · {m.max_per_second} | {m.ws_bytes:,} B | {own:,} B | {ratio:,.2f}×{mark} | "
            f"{versus} | {m.server_cpu_s:.2f} | {m.browser_cpu_s:.2f}{browser_share} |")


PLOT = Path(__file__).resolve().parent.parent / "docs" / "bytes_per_answer.png"


def plot(results: list[Measured]) -> None:
    """Bytes sent per answer against its length: a parabola for whole-text, a line for blocks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=120)
    for strategy in dict.fromkeys(m.strategy for m in results):
        mine = [m for m in results if m.strategy == strategy]
        highlight = {"write_stream": "#9CA3AF", "blocks_budget": "#4F46E5"}
        ax.plot([m.answer_bytes / 1000 for m in mine], [(m.ws_bytes - BASELINE) / 1e6 for m in mine],
                marker="o", color=highlight.get(strategy), alpha=1 if strategy in highlight else 0.35,
                label="default (blocks + byte budget)" if strategy == "blocks_budget" else strategy)
    lengths = sorted({m.answer_bytes for m in results})
    ax.plot([n / 1000 for n in lengths], [3 * n / 1e6 for n in lengths], ":", color="#10B981",
            label="3 × the answer")
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("answer size (KB)")
    ax.set_ylabel("bytes sent to the browser (MB)")
    ax.legend(fontsize=6, ncol=2)
    ax.grid(alpha=0.3, which="both")
    save_figure(fig, PLOT)


if __name__ == "__main__":
    main()
