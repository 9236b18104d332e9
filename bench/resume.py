"""How fast a reloaded chat catches up with a reply still being written, and what a finished reply
costs the stream store while it waits to expire.

    python -m bench.resume --reloads 20           # Chromium against `streamlit run`, then memory
    python -m bench.resume --reloads 20 --redis   # the same with the Redis store

Catch-up: a slow reply (5 tokens/s) streams; Chromium reloads the page N times (a reply that
finishes is regenerated). For each reload, on the browser's own clock from navigation start: when
the page shows the conversation (the question) and when the reply shows at least the text it
showed before the reload. Memory: finished replies of the 234-token answer held by the
in-process store (tracemalloc) and by Redis (MEMORY USAGE), against the same replies still live.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
import tracemalloc
from collections.abc import Iterator

from bench.results import append_section
from components.chat.conversation import Turn
from components.chat.stream_store import Ended, InProcessStore, new_chat_id, new_reply_key, stream_id
from components.models.simulated_model import SimulatedChatModel
from components.streaming.events import Delta
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app

QUESTION = "Why should a chat app stream its answers?"
MESSAGES = '[data-testid="stChatMessageContent"]'
CAUGHT_UP = """(n) => {
  const messages = document.querySelectorAll('[data-testid="stChatMessageContent"]');
  if (messages[0] && window.__page === undefined) window.__page = performance.now();
  const reply = messages[1];
  if (!reply) return false;
  const text = reply.innerText.split('TTFT')[0].replace('Stop', '').trim();
  if (text.length < n) return false;
  window.__caughtUp = performance.now();
  return true;
}"""
REPLY_LENGTH = """() => {
  const reply = document.querySelectorAll('[data-testid="stChatMessageContent"]')[1];
  return reply ? reply.innerText.split('TTFT')[0].replace('Stop', '').trim().length : 0;
}"""


def slow_down(page, presses: int = 7) -> None:
    """Tokens per second 40 -> 5 with the sidebar slider's keyboard (a 233-token reply: ~45 s)."""
    slider = page.locator('[data-testid="stSlider"]').nth(1).get_by_role("slider")
    slider.focus()
    for _ in range(presses):
        slider.press("ArrowLeft")
    page.wait_for_timeout(1500)


def catch_up_times(url: str, reloads: int) -> tuple[list[float], list[float], list[int]]:
    """Per reload, milliseconds from navigation start to the conversation being on the page and
    to the reply's text being back, and how much text that was."""
    from playwright.sync_api import sync_playwright

    pages, times, sizes = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(f"{url}/chat")
        slow_down(page)
        page.locator('[data-testid="stChatInputTextArea"]').fill(QUESTION)
        page.locator('[data-testid="stChatInputTextArea"]').press("Enter")
        page.wait_for_function(CAUGHT_UP, arg=40, timeout=30_000)
        while len(times) < reloads:
            if page.locator(MESSAGES).nth(1).get_by_text("tokens/s").count():
                slow_down(page)  # a reload is a new session: the sidebar is back at 40 tokens/s
                page.get_by_role("button", name="Regenerate").click()  # a new reply to reload on
                page.wait_for_function(CAUGHT_UP, arg=40, timeout=30_000)
            shown = page.evaluate(REPLY_LENGTH)
            page.reload(wait_until="commit")
            page.wait_for_function(CAUGHT_UP, arg=shown, polling="raf", timeout=30_000)
            times.append(page.evaluate("window.__caughtUp"))
            pages.append(page.evaluate("window.__page"))
            sizes.append(shown)
            time.sleep(0.6)
        browser.close()
    return pages, times, sizes


def live_stream(store, tokens: list[str]) -> str:
    """One reply as its worker writes it: an event per token."""
    sid = stream_id(new_chat_id(), new_reply_key())
    store.open_stream(sid)
    # fresh strings per reply, as a real worker receives them (shared ones would not be counted)
    store.append(sid, [Delta(t.encode().decode())
                       for i, t in enumerate(tokens)])
    return sid


def answer_tokens() -> tuple[str, list[str]]:
    model = SimulatedChatModel(ttft_s=0, tokens_per_second=100_000, jitter=0)
    tokens = [c.text for c in model.stream(QUESTION)]
    return "".join(tokens), tokens


def in_process_bytes(count: int) -> tuple[float, float]:
    """Bytes per live reply and per finished, idle reply in the in-process store."""
    text, tokens = answer_tokens()
    store = InProcessStore(max_bytes=2**40)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    sids = [live_stream(store, tokens) for _ in range(count)]
    live = (tracemalloc.get_traced_memory()[0] - before) / count
    for sid in sids:
        own = text.encode().decode()
        turn = Turn("assistant", own, label="simulated/simulated-1", tokens=len(tokens))
        store.finish(sid, Ended(turn))
    idle = (tracemalloc.get_traced_memory()[0] - before) / count
    tracemalloc.stop()
    return live, idle


def redis_bytes(url: str, count: int = 50) -> tuple[float, float]:
    """Bytes per live and per finished reply in Redis (MEMORY USAGE of the reply's keys)."""
    from components.chat.redis_store import PREFIX, RedisStore

    text, tokens = answer_tokens()
    store = RedisStore(url)
    store.redis.flushdb()
    sids = [live_stream(store, tokens) for _ in range(count)]

    def used() -> int:
        return sum(store.redis.memory_usage(k) or 0 for k in store.redis.scan_iter(f"{PREFIX}*"))

    live = used() / count
    turn = Turn("assistant", text, label="simulated/simulated-1", tokens=len(tokens))
    for sid in sids:
        store.finish(sid, Ended(turn))
    return live, used() / count


@contextlib.contextmanager
def maybe_redis(wanted: bool) -> Iterator[str]:
    if not wanted:
        yield ""
        return
    from tests.support.redis_server import redis_server

    with redis_server() as url:
        yield url


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reloads", type=int, default=20)
    parser.add_argument("--redis", action="store_true", help="the app on the Redis store")
    args = parser.parse_args()
    with maybe_redis(True) as redis_url:
        env = {"STREAMING_LAB_REDIS_URL": redis_url} if args.redis else {}
        with streamlit_app(env) as server:
            pages, times, sizes = catch_up_times(server.url, args.reloads)
        live_mem, idle_mem = in_process_bytes(1000)
        redis_live, redis_idle = redis_bytes(redis_url)
    answer, tokens = len(answer_tokens()[0]), len(answer_tokens()[1])
    store = "Redis" if args.redis else "in-process"
    gaps = [t - p for p, t in zip(pages, times, strict=True)]
    table = ("| store | reloads | text to catch up | page with the conversation, p50 / p95 | "
             "reply caught up, p50 / p95 / max | after the conversation, p50 / p95 |\n"
             "|---|---:|---:|---:|---:|---:|\n"
             f"| {store} | {len(times)} | {min(sizes)}–{max(sizes)} chars | "
             f"{statistics.median(pages):.0f} / {percentile(pages, 95):.0f} ms | "
             f"**{statistics.median(times):.0f} / {percentile(times, 95):.0f}** / "
             f"{max(times):.0f} ms | {statistics.median(gaps):.0f} / {percentile(gaps, 95):.0f} ms |\n\n"
             f"| a {tokens}-token reply ({answer:,} chars) | live (an event per token) | finished, idle |\n"
             "|---|---:|---:|\n"
             f"| in-process store (tracemalloc, 1,000 replies) | {live_mem / 1024:.1f} KiB | "
             f"{idle_mem / 1024:.1f} KiB |\n"
             f"| Redis (MEMORY USAGE, 50 replies) | {redis_live / 1024:.1f} KiB | "
             f"{redis_idle / 1024:.1f} KiB |")
    notes = ("Catch-up is measured by the browser from the reload's navigation start, so it "
             "includes loading the page, the websocket and the script run; the last column is what "
             "the reply adds once the conversation is on the page. A finished reply is compacted "
             "to its final turn and expires after the stream TTL; its text is also in the "
             "conversation.")
    print(table)
    append_section("Resume after reload, and the store's memory per reply", table, notes=notes)


if __name__ == "__main__":
    main()
