"""Hostile model output through the chat, in headless Chromium: does the reply finish, does a reload
draw it, does the page stay alive, and does any script run.

A local OpenAI-compatible server answers each question with one hostile text (components/models/
sample_texts.HOSTILE), as fast as it can in 5 KB chunks. Per text: seconds from sending the question
to the finished reply (its caption), seconds from a reload to the reply drawn again, page errors and
dialogs seen, and the characters drawn against the answer's.

    python -m bench.hostile
"""

from __future__ import annotations

import argparse
import time

from bench.results import append_section
from components.models.sample_texts import HOSTILE
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app
from tests.support.chat_page import MESSAGES, send
from tests.support.openai_server import FakeOpenAIServer

TIMEOUT_S = 300


def measure(browser, url: str, server: FakeOpenAIServer, name: str) -> str:
    """One hostile answer in a fresh chat: a table row."""
    text = HOSTILE[name]
    server.script.tokens = [text[i:i + 5000] for i in range(0, len(text), 5000)]
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.goto(f"{url}/chat")
    started = time.monotonic()
    send(page, f"answer {name}")
    page.locator(MESSAGES).nth(1).get_by_text("tokens/s").wait_for(timeout=TIMEOUT_S * 1000)
    finished = time.monotonic() - started
    started = time.monotonic()
    page.reload()
    reply = page.locator(MESSAGES).nth(1)
    reply.get_by_text("tokens/s").wait_for(timeout=TIMEOUT_S * 1000)
    reloaded = time.monotonic() - started
    drawn = len(reply.inner_text())
    shortened = reply.get_by_text("Drawn shortened").count() > 0
    page.close()
    return (f"| {name} | {len(text):,} | {finished:.1f} s | {reloaded:.1f} s | {drawn:,} "
            f"| {'yes, whole text downloadable' if shortened else 'no'} | {len(errors)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", nargs="+", default=list(HOSTILE), choices=list(HOSTILE))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    rows = ["| hostile answer | characters | send → reply finished | reload → reply drawn "
            "| characters on screen | shortened | page errors + dialogs |",
            "|---|---|---|---|---|---|---|"]
    server = FakeOpenAIServer().start()
    try:
        with streamlit_app(env=server.app_env) as app, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            for name in args.texts:
                rows.append(measure(browser, app.url, server, name))
                print(rows[-1], flush=True)
            browser.close()
    finally:
        server.stop()
    table = "\n".join(rows)
    print(table)
    if not args.no_write:
        append_section("Hostile output through the chat (Chromium)", table, notes=(
            "Each answer arrives as fast as the local OpenAI-compatible server sends it, in 5 KB "
            "chunks. Reply finished = the reply's caption is on screen; reply drawn = the same after "
            "a reload, drawn natively from the conversation. Characters on screen = the reply's "
            "visible text (caption included). Before issue 12: '> ' × 5000 and '- ' × 5000 showed a "
            "RangeError in place of the reply, a 5,000-level list froze the tab for 20+ minutes, a "
            "1 MB line took 145 s to finish and 107 s per reload."))


if __name__ == "__main__":
    main()
