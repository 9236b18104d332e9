"""The lab's pages in one list: navigation, URL paths and the home page's links all come from here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageInfo:
    """One lesson page: its file, its stable URL path for demo links, and its one-line summary."""

    file: str
    url_path: str
    title: str
    icon: str
    summary: str

    @property
    def exists(self) -> bool:
        return (ROOT / self.file).is_file()


HOME = PageInfo("pages/home.py", "", "Home", ":material/science:", "What the lab shows and where to start.")
LESSONS: tuple[PageInfo, ...] = (
    PageInfo("pages/live_typing.py", "live_typing", "Live typing", ":material/keyboard:",
             "Blocking vs streaming on the same prompt: text in a fraction of a second, "
             "same total time."),
    PageInfo("pages/callbacks.py", "callbacks", "Callback handlers", ":material/webhook:",
             "How tokens travel from the model to the screen, and what can sit in between."),
    PageInfo("pages/throttling.py", "throttling", "Throttled buffers", ":material/speed:",
             "Fewer screen updates, the same text, and linear cost for long answers."),
    PageInfo("pages/network_drops.py", "network_drops", "Network drops", ":material/wifi_off:",
             "A stream that breaks still ends in a complete answer, and nothing is lost."),
    PageInfo("pages/chat.py", "chat", "Production chat", ":material/chat:",
             "History, stop, regenerate, cache, errors that lose nothing, and replies that "
             "survive a reload."),
)


@dataclass(frozen=True)
class DemoStep:
    """One stop of the five-minute demo: where to go (a bookmarkable scenario), what to click, and the
    one number to point at."""

    page: PageInfo
    query: dict[str, str]
    click: str
    point_at: str

    @property
    def link(self) -> str:
        """The step's URL path with its scenario, as a presenter bookmarks it."""
        return f"/{self.page.url_path}" + ("?" + urlencode(self.query) if self.query else "")


def _lesson(url_path: str) -> PageInfo:
    return next(page for page in LESSONS if page.url_path == url_path)


DEMO_PATH: tuple[DemoStep, ...] = (
    DemoStep(_lesson("live_typing"), {}, "Click **Run both side by side**.",
             "**First visible text**: about 0.4 s streamed against about 6 s blocking, with the same "
             "total time."),
    DemoStep(_lesson("throttling"), {}, "Click **Stream side by side**.",
             "**× answer size** in the table: about 1.5 for the typing view against about 750 for "
             "every token, for the identical text; then the trade-off picture, where the typing view "
             "alone in a tab is the one renderer both smooth and cheap."),
    DemoStep(_lesson("network_drops"), {"fault": "drop", "after": "40", "recovery": "retry"},
             "Click **Run with this fault**: the connection drops after 40 tokens, the text stays on "
             "screen, and the retry adds only what is new.",
             "the status line, **Complete answer after 2 requests**, and **Extra requests: 1**."),
    DemoStep(_lesson("callbacks"), {"tab": "pitfall"},
             "Click **Run the prompt**, switch on **Attach the UI token handler**, run it again.",
             "**First visible text**: the whole answer's time without a handler, about 0.4 s with one."),
    DemoStep(_lesson("chat"), {},
             "Ask *Why should a chat app stream its answers?*, press **Stop** halfway, then ask "
             "again and reload the page while it types.",
             "the stopped reply, which keeps its text, and the reloaded reply, caught up at once and "
             "still typing."),
)
"""Five stops, about a minute each, in the order that tells the story; Home and the README show it."""


RENDER_BENCH = PageInfo("pages/render_bench.py", "render_bench", "Render bench", ":material/timer:",
                        "Hidden: one stream, one strategy, driven by bench/throttling.py.")


def built_lessons() -> list[PageInfo]:
    """Lessons whose page exists: pages not built yet simply don't appear."""
    return [page for page in LESSONS if page.exists]
