"""Many sessions at once against one `streamlit run`: what the server and the browsers pay.

    python -m bench.load                          # protocol clients K=1..100, browsers K=1..30
    python -m bench.load --clients 1 5 --browsers 1 --tokens 200 --no-write   # a quick look

Every session loads the hidden /render_bench page, which streams a seeded answer from the
simulated provider through the app's shared render path (the chat's path without the chat UI),
either with the default rendering (the typing view: appends, typed in the browser) or with plain
`st.write_stream`.

Two kinds of client:
- **protocol clients**: a light asyncio client that speaks Streamlit's own websocket protocol
  (its protobuf `BackMsg`/`ForwardMsg` ship in the `streamlit` package). It renders nothing,
  so it measures the server alone and finds its capacity.
- **browser pages**: K pages in one headless Chromium, the real thing, where a 2-core machine
  runs out of browser long before the server is busy; the renderers' main-thread time comes
  from CDP `Performance.getMetrics` (TaskDuration).

Per session: time to first text and completion as the client saw them, lag = completion −
ideal (answer length / rate + TTFT), bytes received; the server's CPU seconds per session.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.results import append_section, save_figure
from bench.throttling import cpu_seconds, main_thread_seconds, reply_update
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app

TTFT_S = 0.2
"""The simulated first-token delay on the bench page."""
STRATEGIES = {"default": "typing", "st.write_stream": "write_stream"}
PLOT = Path(__file__).resolve().parent.parent / "docs" / "load_lag.png"


@dataclass
class Session:
    ttft: float | None = None
    done: float | None = None
    bytes: int = 0


@dataclass
class Round:
    client: str
    rendering: str
    sessions: int
    results: list[Session]
    server_cpu_s: float
    browser_cpu_s: float | None
    ideal_s: float

    def _stat(self, values: list[float], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")

    def row(self) -> str:
        done = [s.done for s in self.results if s.done is not None]
        ttft = [s.ttft for s in self.results if s.ttft is not None]
        lag = [d - self.ideal_s for d in done]
        finished = f"{len(done)}/{self.sessions}"
        browser = "—" if self.browser_cpu_s is None else f"{self.browser_cpu_s:.1f} s"
        per_session = self.server_cpu_s / self.sessions
        return (f"| {self.client} | {self.rendering} | {self.sessions} | {finished} | "
                f"{statistics.median(ttft):.2f} / {self._stat(ttft, .95):.2f} s | "
                f"{statistics.median(done):.1f} / {self._stat(done, .95):.1f} / {max(done):.1f} s | "
                f"{statistics.median(lag):.2f} / {self._stat(lag, .95):.2f} s | "
                f"{statistics.mean(s.bytes for s in self.results) / 1e3:,.0f} KB | "
                f"{per_session:.3f} s ({per_session / self.ideal_s:.1%} of a core) | {browser} |")

    @property
    def p95_lag(self) -> float:
        done = [s.done - self.ideal_s for s in self.results if s.done is not None]
        return self._stat(done, .95) if len(done) == self.sessions else float("inf")


async def protocol_session(ws_url: str, query: str, timeout: float) -> Session:
    from websockets.asyncio.client import connect

    session = Session()
    async with connect(ws_url, max_size=None) as ws:
        request = BackMsg()
        request.rerun_script.query_string = query
        request.rerun_script.page_name = "render_bench"
        started = time.monotonic()
        await ws.send(request.SerializeToString())
        while time.monotonic() - started < timeout:
            data = await asyncio.wait_for(ws.recv(), timeout)
            session.bytes += len(data)
            answer, done = reply_update(ForwardMsg.FromString(data))
            if answer and session.ttft is None:
                session.ttft = time.monotonic() - started
            if done:
                session.done = time.monotonic() - started
                break
    return session


async def protocol_round(url: str, query: str, count: int, timeout: float) -> list[Session]:
    ws_url = url.replace("http", "ws") + "/_stcore/stream"
    return list(await asyncio.gather(*(protocol_session(ws_url, query, timeout)
                                       for _ in range(count))))


def browser_round(browser, url: str, query: str, count: int, timeout: float
                  ) -> tuple[list[Session], float]:
    pages, sessions, cdps = [], [Session() for _ in range(count)], []
    for session in sessions:
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Performance.enable")

        def on_frame(event: dict, session: Session = session) -> None:
            response = event["response"]
            if response["opcode"] != 2:
                return
            payload = base64.b64decode(response["payloadData"])
            session.bytes += len(payload)
            answer, done = reply_update(ForwardMsg.FromString(payload))
            stamp = time.monotonic() - session_started
            if answer and session.ttft is None:
                session.ttft = stamp
            if done and session.done is None:
                session.done = stamp

        cdp.on("Network.webSocketFrameReceived", on_frame)
        pages.append(page)
        cdps.append(cdp)
    session_started = time.monotonic()
    for page in pages:
        page.goto(f"{url}/render_bench?{query}", wait_until="commit")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(s.done is None for s in sessions):
        pages[0].wait_for_timeout(200)  # lets Playwright dispatch the CDP events
    cpu = sum(main_thread_seconds(cdp) for cdp in cdps)
    for page in pages:
        page.close()
    return sessions, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 5, 15, 30, 60, 100])
    parser.add_argument("--browsers", type=int, nargs="*", default=[1, 5, 15, 30])
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    ideal = args.tokens / args.rate + TTFT_S
    timeout = ideal * 6 + 60
    rounds: list[Round] = []
    with streamlit_app() as server:
        asyncio.run(protocol_round(server.url, "strategy=baseline", 1, 60))  # first run: app shell
        for rendering, key in STRATEGIES.items():
            query = f"strategy={key}&tokens={args.tokens}&rate={args.rate:g}"
            for count in args.clients:
                cpu0 = cpu_seconds(server.pid)
                results = asyncio.run(protocol_round(server.url, query, count, timeout))
                rounds.append(Round("protocol", rendering, count, results,
                                    cpu_seconds(server.pid) - cpu0, None, ideal))
                print(rounds[-1].row(), flush=True)
        if args.browsers:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                     args=CHROMIUM_ARGS)
                for rendering, key in STRATEGIES.items():
                    query = f"strategy={key}&tokens={args.tokens}&rate={args.rate:g}"
                    for count in args.browsers:
                        cpu0 = cpu_seconds(server.pid)
                        results, browser_cpu = browser_round(browser, server.url, query, count,
                                                             timeout)
                        rounds.append(Round("browser", rendering, count, results,
                                            cpu_seconds(server.pid) - cpu0, browser_cpu, ideal))
                        print(rounds[-1].row(), flush=True)
                browser.close()

    capacity = {r: max((x.sessions for x in rounds if x.client == "protocol" and x.rendering == r
                        and x.p95_lag <= 0.1 * ideal), default=0) for r in STRATEGIES}
    table = "\n".join([HEADER, *(r.row() for r in rounds)])
    print(table)
    reading = ", ".join(f"{r}: {k} sessions" for r, k in capacity.items())
    print(f"largest K (protocol clients) with p95 completion within 10% of ideal: {reading}")
    if not args.no_write:
        plot(rounds, ideal)
        append_section(
            f"Load: K sessions × {args.tokens:,} tokens at {args.rate:g} tokens/s", table,
            notes=(f"Ideal completion {ideal:.1f} s (answer / rate + {TTFT_S} s TTFT); lag = "
                   "completion − ideal; times are p50 / p95 (/ max) over the sessions, as each "
                   "client saw them. Server CPU from /proc over the round, per session, and as a "
                   "share of one core over the ideal duration. Browser CPU = the pages' renderer "
                   "main-thread TaskDuration (CDP), summed. Largest K with p95 completion within "
                   f"10% of ideal (protocol clients): {reading}. Plot: docs/{PLOT.name}."))


HEADER = ("| client | rendering | sessions | finished | TTFT p50 / p95 | completion p50 / p95 / max "
          "| lag p50 / p95 | bytes per session | server CPU per session | browser CPU |\n"
          "|---|---|---|---|---|---|---|---|---|---|")


def plot(rounds: list[Round], ideal: float) -> None:
    """Lag (p95) against sessions, per client kind and rendering."""
    plot_points([(r.client, r.rendering, r.sessions, r.p95_lag) for r in rounds], ideal)


def plot_points(points: list[tuple[str, str, int, float]], ideal: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=120)
    for client, style in (("protocol", "-"), ("browser", "--")):
        for rendering, color in (("default", "#4F46E5"), ("st.write_stream", "#9CA3AF")):
            mine = [(k, lag) for c, r, k, lag in points if c == client and r == rendering]
            if mine:
                ax.plot([k for k, _ in mine], [max(lag, 0.01) for _, lag in mine], style, marker="o",
                        color=color, label=f"{rendering}, {client} clients")
    ax.axhline(0.1 * ideal, color="#10B981", linewidth=1, label="10% of the ideal time")
    ax.set_xlabel("concurrent sessions")
    ax.set_ylabel("p95 lag behind ideal (s)")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    save_figure(fig, PLOT)


if __name__ == "__main__":
    main()
