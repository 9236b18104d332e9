"""The lab's pages in one list: navigation, URL paths and the home page's links all come from here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


RENDER_BENCH = PageInfo("pages/render_bench.py", "render_bench", "Render bench", ":material/timer:",
                        "Hidden: one stream, one strategy, driven by bench/throttling.py.")


def built_lessons() -> list[PageInfo]:
    """Lessons whose page exists: pages not built yet simply don't appear."""
    return [page for page in LESSONS if page.exists]
