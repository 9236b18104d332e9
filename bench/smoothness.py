"""What reaches the eye: how evenly a reply's visible text changes in Chromium, and what it costs.

For each case (answer length × tokens/s, plus a ~320-token prose answer at 50 tokens/s) and each
rendering strategy, the hidden /render_bench page streams a seeded answer in headless Chromium
against a local `streamlit run`. A MutationObserver installed before the page loads stamps every
batch of DOM changes to the reply's text (a typing view's hidden feed excluded; its cost does not
grow with the answer); CDP records every websocket frame and the renderer's main-thread time.
Several runs per cell, medians reported.

    python -m bench.smoothness                                    # every case, 5 renderers, 3 runs (~1.5 h)
    python -m bench.smoothness --cases prose 2000@50 --strategies write_stream typing --runs 1
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.results import append_section, save_figure
from bench.throttling import cpu_seconds, main_thread_seconds, reply_update
from components.rendering.strategies import STRATEGIES
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app

FRAME_MS = 1000 / 60
"""Two text changes closer than one frame are one visible update: the screen cannot show both."""
CASES = {"prose": ("prose", 0, 50.0), **{f"{n}@{r}": ("", n, float(r))
                                         for n in (500, 2000, 8000) for r in (50, 100)}}
"""name -> (fixed answer, tokens, tokens/s); "prose" is components/models/sample_texts.PROSE."""
DEFAULT_STRATEGIES = ["write_stream", "every_50ms", "blocks_budget", "sentence_tail", "typing"]

OBSERVER_JS = """
(() => {
  // One stamp per batch of DOM changes that touch the reply's text; a typing view's hidden feed and
  // style elements are not text anyone sees. O(changes), so a long answer does not slow it down.
  const log = {stamps: []};
  window.__smoothness = log;
  const watched = new WeakSet();
  const hidden = (node) => {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return !element || element.closest("style, [class*='st-key-typing_feed']") !== null;
  };
  const relevant = (record) => {
    const target = record.target;
    const reply = (target.nodeType === Node.ELEMENT_NODE ? target : target.parentElement)
      ?.closest(".st-key-bench_reply") || target.getRootNode().host?.closest(".st-key-bench_reply");
    if (!reply || hidden(target)) return false;
    if (record.type === "characterData") return true;
    return [...record.addedNodes, ...record.removedNodes].some((n) => n.textContent && !hidden(n));
  };
  const words = () => {  // the first stamp waits for text: a cursor alone is not the first words
    const reply = document.querySelector(".st-key-bench_reply");
    return (reply?.innerText || "").replace(/\u258c/g, "").trim() !== "";  // hidden feed excluded
  };
  const observer = new MutationObserver((records) => {
    const hosts = ".st-key-bench_reply [data-testid=stBidiComponentIsolated]";
    for (const host of document.querySelectorAll(hosts)) {
      if (host.shadowRoot && !watched.has(host.shadowRoot)) {
        watched.add(host.shadowRoot);
        observer.observe(host.shadowRoot, {subtree: true, childList: true, characterData: true});
      }
    }
    if (records.some(relevant) && (log.stamps.length || words())) log.stamps.push(performance.now());
  });
  const start = () => observer.observe(document.body,
                                       {subtree: true, childList: true, characterData: true});
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
"""


@dataclass
class Run:
    """One stream of one case through one strategy, as the browser saw it."""

    strategy: str
    case: str
    answer_bytes: int
    ws_bytes: int
    stamps_ms: list[float]
    """Page time of each visible update (changes within one frame merged)."""
    first_answer_ms: float | None
    last_answer_ms: float | None
    browser_cpu_s: float
    server_cpu_s: float
    final_chars: int
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def gaps_ms(self) -> list[float]:
        return [b - a for a, b in zip(self.stamps_ms, self.stamps_ms[1:], strict=False)]

    @property
    def updates_per_s(self) -> float:
        """Visible updates per second from the first words to the last change."""
        span = self.stamps_ms[-1] - self.stamps_ms[0] if len(self.stamps_ms) > 1 else 0.0
        return (len(self.stamps_ms) - 1) / (span / 1000) if span else 0.0

    @property
    def p95_gap_ms(self) -> float:
        return percentile(self.gaps_ms, 0.95)

    @property
    def longest_gap_ms(self) -> float:
        return max(self.gaps_ms, default=0.0)

    @property
    def first_words_ms(self) -> float:
        """From the first answer message reaching the page to the first visible text."""
        if self.first_answer_ms is None or not self.stamps_ms:
            return math.nan
        return self.stamps_ms[0] - self.first_answer_ms

    @property
    def end_lag_ms(self) -> float:
        """From the last answer message reaching the page to the last visible change."""
        if self.last_answer_ms is None or not self.stamps_ms:
            return math.nan
        return self.stamps_ms[-1] - self.last_answer_ms

    def per_answer_byte(self, baseline: int) -> float:
        return (self.ws_bytes - baseline) / max(self.answer_bytes, 1)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (no interpolation): a gap that really happened."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def merge_within_frame(stamps: list[float]) -> list[float]:
    """Keep the last change of each run of changes closer than a frame: what could be painted."""
    merged: list[float] = []
    for stamp in stamps:
        if merged and stamp - merged[-1] < FRAME_MS:
            merged[-1] = stamp
        else:
            merged.append(stamp)
    return merged


def warm_page(browser, url: str, script: str):
    """A fresh tab with CDP metrics on, the app already loaded once without an answer, as a visitor's
    open tab would be: (context, page, cdp)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.add_init_script(script)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Performance.enable")
    page.goto(f"{url}/render_bench?strategy=baseline")
    page.locator(".st-key-bench_done").wait_for(timeout=60_000)
    return context, page, cdp


def measure(browser, url: str, pid: int, strategy: str, case: str, timeout: float) -> Run:
    """Load the bench page for one case and strategy; stamps, frames and CPU of that one stream."""
    answer, tokens, rate = CASES.get(case, ("", 0, 100.0))
    context, page, cdp = warm_page(browser, url, OBSERVER_JS)
    frames: list[tuple[float, int, bool]] = []
    clock: dict[str, float] = {}

    def on_request(event: dict) -> None:
        if event.get("type") == "Document" and "offset" not in clock:
            clock["offset"] = event["wallTime"] - event["timestamp"]  # monotonic -> epoch seconds

    def on_frame(event: dict) -> None:
        response = event["response"]
        if response["opcode"] != 2:
            frames.append((event["timestamp"], len(response["payloadData"].encode()), False))
            return
        payload = base64.b64decode(response["payloadData"])
        frames.append((event["timestamp"], len(payload), reply_update(ForwardMsg.FromString(payload))[0]))

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.webSocketFrameReceived", on_frame)
    before = main_thread_seconds(cdp)  # from here: the measured page's own main-thread time
    cpu0 = cpu_seconds(pid)
    query = f"strategy={strategy}&tokens={tokens}&rate={rate:g}" + (f"&answer={answer}" if answer else "")
    page.goto(f"{url}/render_bench?{query}")
    page.locator(".st-key-bench_done").wait_for(timeout=timeout * 1000)
    time.sleep(0.8)  # the last frames land and a browser-side reveal finishes
    server_cpu = cpu_seconds(pid) - cpu0
    seen = page.evaluate(
        "({stamps: window.__smoothness.stamps, origin: performance.timeOrigin, stats: window.__typingStats "
        "|| {}, length: [...document.querySelectorAll('.st-key-bench_reply [data-testid=stTypingView], "
        ".st-key-bench_reply [data-testid=stMarkdownContainer]')].map((e) => e.textContent).join('')"
        ".length})")
    done = page.locator(".st-key-bench_done").inner_text().split()
    after = main_thread_seconds(cdp)
    context.close()

    def page_ms(mono: float) -> float:
        return (mono + clock.get("offset", 0.0)) * 1000 - seen["origin"]

    answers = [page_ms(t) for t, _, is_answer in frames if is_answer]
    return Run(strategy, case, int(done[3]), sum(size for _, size, _ in frames),
               merge_within_frame(seen["stamps"]), answers[0] if answers else None,
               answers[-1] if answers else None, after - before if after >= before else after, server_cpu,
               seen["length"], {k: float(v) for k, v in seen["stats"].items()})


@dataclass
class Cell:
    """All runs of one strategy on one case, summarised by medians."""

    strategy: str
    case: str
    runs: list[Run]
    baseline: int

    def median(self, metric: str) -> float:
        values = [v for v in (self.value(r, metric) for r in self.runs) if not math.isnan(v)]
        return statistics.median(values) if values else math.nan

    def value(self, run: Run, metric: str) -> float:
        if metric == "ratio":
            return run.per_answer_byte(self.baseline)
        return float(getattr(run, metric))

    def spread(self, metric: str) -> str:
        values = [self.value(r, metric) for r in self.runs]
        return f"{min(values):,.0f}–{max(values):,.0f}" if len(values) > 1 else ""


def rate_of(case: str) -> float:
    return CASES[case][2]


def tick(ok: bool) -> str:
    return " ✓" if ok else " ✗"


def row(cell: Cell, cells: list[Cell]) -> str:
    """One table row; targets (issue 12) are ticked where they apply."""
    slow = rate_of(cell.case) == 50
    ups, p95, longest = cell.median("updates_per_s"), cell.median("p95_gap_ms"), cell.median("longest_gap_ms")
    ratio, cpu = cell.median("ratio"), cell.median("browser_cpu_s")
    whole = next((c for c in cells if c.case == cell.case and c.strategy == "write_stream"), None)
    share = ""
    if whole and whole is not cell and whole.median("browser_cpu_s"):
        share = f" ({cpu / whole.median('browser_cpu_s'):.0%})"
    ratio_mark = ""
    if cell.case == "prose":
        ratio_mark = tick(ratio <= 10) + ("" if ratio > 3 else " (≤ 3×)")
    elif cell.case.startswith("8000"):
        small = next((c for c in cells if c.strategy == cell.strategy
                      and c.case == cell.case.replace("8000", "500")), None)
        if small:
            growth = ratio / small.median("ratio")
            ratio_mark = f"{tick(growth <= 1.2)} ({growth:.2f}× the 500)"
    return (f"| {cell.case} | {cell.strategy} | {ups:.1f}{tick(ups >= 20) if slow else ''} "
            f"| {p95:,.0f} ms{tick(p95 <= 100) if slow else ''} "
            f"| {longest:,.0f} ms{tick(longest <= 250) if slow else ''} "
            f"| {cell.median('first_words_ms'):,.0f} ms | {cell.median('end_lag_ms'):,.0f} ms "
            f"| {ratio:,.2f}×{ratio_mark} | {cpu:.2f} s{share} | {len(cell.runs)} |")


HEADER = ("| case | strategy | visible updates/s | p95 gap | longest gap | first words | end lag "
          "| ws bytes / answer byte | browser CPU | runs |\n"
          "|---|---|---|---|---|---|---|---|---|---|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--strategies", nargs="+", default=DEFAULT_STRATEGIES,
                        choices=["write_stream", *STRATEGIES])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--floor", action="store_true",
                        help="only measure the page's own cost of 25 visible changes a second")
    parser.add_argument("--plot", action="store_true",
                        help="only redraw docs/smoothness.png from docs/smoothness.json")
    args = parser.parse_args()
    if args.plot:
        plot(json.loads(REFERENCES.read_text()))
        return
    if args.floor:
        measure_floor(args.cases, write=not args.no_write)
        return

    from playwright.sync_api import sync_playwright

    runs: list[Run] = []
    with streamlit_app() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        baseline = min(measure(browser, server.url, server.pid, "baseline", "500@100", 60).ws_bytes
                       for _ in range(3))
        print(f"page without an answer: {baseline:,} B", flush=True)
        for attempt in range(args.runs):  # strategies interleaved: a noisy minute hits them all
            for case in args.cases:
                _, tokens, rate = CASES[case]
                timeout = max(tokens, 400) / rate * 4 + 60
                for strategy in args.strategies:
                    run = measure(browser, server.url, server.pid, strategy, case, timeout)
                    runs.append(run)
                    print(f"run {attempt + 1} {case} {strategy}: {run.updates_per_s:.1f}/s, p95 "
                          f"{run.p95_gap_ms:.0f} ms, longest {run.longest_gap_ms:.0f} ms, "
                          f"{run.per_answer_byte(baseline):.2f}×, cpu {run.browser_cpu_s:.2f} s "
                          f"{run.extra}", flush=True)
        browser.close()
    cells = [Cell(s, c, [r for r in runs if r.strategy == s and r.case == c], baseline)
             for c in args.cases for s in args.strategies]
    table = "\n".join([HEADER, *(row(cell, cells) for cell in cells)])
    print(table)
    if not args.no_write:
        save_references(cells)
        plot(json.loads(REFERENCES.read_text()))
        append_section(f"Smoothness: visible updates in Chromium, medians of {args.runs} runs", table,
                       notes=NOTES.format(baseline=baseline))


FLOOR_JS = """
setInterval(() => {  // one visible change per tick: a number in a caption, nothing else drawn
  const host = document.querySelector('[data-testid=stMain] [data-testid=stCaptionContainer]');
  if (!host) return;
  window.__floor ??= host.appendChild(document.createTextNode(''));
  window.__floor.data = String(performance.now());
}, 40);
"""


def measure_floor(cases: list[str], *, write: bool) -> None:
    """What any renderer with 25 visible updates a second pays before it draws a word: the page's
    own frame (style, layout, paint, compositing of a Streamlit page), while an answer streams and
    nothing is drawn (strategy=idle), against the same page idle."""
    from playwright.sync_api import sync_playwright

    rows = ["| case | page idle | + 25 text changes a second | per change |", "|---|---|---|---|"]
    with streamlit_app() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for case in cases:
            _, tokens, rate = CASES[case]
            cpu = []
            for script in ("", FLOOR_JS):
                context, page, cdp = warm_page(browser, server.url, script)
                before = main_thread_seconds(cdp)
                page.goto(f"{server.url}/render_bench?strategy=idle&tokens={tokens or 320}&rate={rate:g}")
                page.locator(".st-key-bench_done").wait_for(timeout=(tokens or 320) / rate * 4_000 + 60_000)
                cpu.append(main_thread_seconds(cdp) - before)
                context.close()
            seconds = (tokens or 320) / rate
            rows.append(f"| {case} | {cpu[0]:.2f} s | {cpu[1]:.2f} s | "
                        f"{(cpu[1] - cpu[0]) / (seconds * 25) * 1000:.1f} ms |")
            print(rows[-1], flush=True)
        browser.close()
    table = "\n".join(rows)
    print(table)
    if write:
        append_section("Smoothness floor: the page's own cost of 25 visible changes a second", table,
                       notes=FLOOR_NOTES)


FLOOR_NOTES = (
    "The hidden /render_bench page streams the case's answer and draws nothing (strategy=idle); a "
    "timer changes one number in the page's caption every 40 ms. Browser CPU = renderer main-thread "
    "TaskDuration (CDP) for the whole stream. Per change = the difference / changes: the frame any "
    "renderer pays per visible update on a Streamlit page in this headless Chromium, before drawing "
    "a word. Command: `python -m bench.smoothness --floor --cases 2000@50 8000@50`."
)


NOTES = (
    "Visible updates: a MutationObserver installed before the page loads stamps each batch of DOM "
    "changes to the reply's text (a typing view's hidden feed excluded); changes less "
    "than a frame (16.7 ms) apart count once. Updates/s = updates / time from the first words to the "
    "last change. "
    "Gaps between consecutive visible updates: nearest-rank p95 and the longest. First words: first "
    "visible text − first answer message received (CDP). End lag: last visible change − last answer "
    "message. ws bytes / answer byte = (websocket bytes received − {baseline:,} B, the page without an "
    "answer) / the answer's UTF-8 bytes. Browser CPU: renderer main-thread TaskDuration (CDP), whole "
    "page, observer included; (%) = share of st.write_stream's on the same case. ✓/✗: issue 12's "
    "targets (at 50 tokens/s: ≥ 20 updates/s, p95 ≤ 100 ms, longest ≤ 250 ms; prose ≤ 10× (aim 3×); "
    "8,000 tokens ≤ 1.2× the 500-token figure). 2 cores shared with other work: medians of the runs."
)
PLOT = Path(__file__).resolve().parent.parent / "docs" / "smoothness.png"
REFERENCES = PLOT.with_suffix(".json")
"""Medians per case and strategy, read by the throttling page for renderers it did not run."""


def save_references(cells: list[Cell]) -> None:
    """Merge this run's medians into docs/smoothness.json (other strategies' cells are kept)."""
    data = json.loads(REFERENCES.read_text()) if REFERENCES.exists() else {}
    for cell in cells:
        _, tokens, rate = CASES[cell.case]
        entry = data.setdefault(cell.case, {"tokens": tokens or 320, "rate": rate, "strategies": {}})
        entry["strategies"][cell.strategy] = {
            metric: round(cell.median(metric), 2)
            for metric in ("updates_per_s", "p95_gap_ms", "longest_gap_ms", "ratio", "browser_cpu_s")}
    REFERENCES.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def plot(references: dict) -> None:
    """The trade-off: visible updates/s and longest gap against bytes per answer byte (50 tokens/s),
    from the medians in docs/smoothness.json (every strategy's latest run, not only this run's)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(case, strategy, cell) for case in ("prose", "2000@50") if case in references
             for strategy, cell in references[case]["strategies"].items()]
    if not shown:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=120)
    colors = {"write_stream": "#9CA3AF", "every_50ms": "#F59E0B", "blocks_budget": "#EF4444",
              "typing": "#4F46E5", "sentence_tail": "#10B981"}
    for case, strategy, cell in shown:
        x = cell["ratio"]
        marker = "o" if case == "prose" else "s"
        color = colors.get(strategy, "#6B7280")
        left.scatter(x, cell["updates_per_s"], color=color, marker=marker, label=f"{strategy} · {case}",
                     s=40)
        right.scatter(x, cell["longest_gap_ms"], color=color, marker=marker, s=40)
    left.axhspan(20, left.get_ylim()[1] * 1.1, color="#10B981", alpha=0.08)
    right.axhspan(0, 250, color="#10B981", alpha=0.08)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.axvspan(ax.get_xlim()[0], 10, color="#10B981", alpha=0.05)
        ax.set_xlabel("websocket bytes per answer byte (log)")
        ax.grid(alpha=0.3, which="both")
    left.set_ylabel("visible updates per second")
    right.set_ylabel("longest gap between updates (ms)")
    left.legend(fontsize=6, loc="best")
    fig.suptitle("At 50 tokens/s (● ~320-token prose, ■ 2,000 tokens); green: issue 12's targets",
                 fontsize=9)
    save_figure(fig, PLOT)


if __name__ == "__main__":
    main()
