"""Live typing, measured: time to first visible text and total time, blocking vs streamed, same moment.

Runs the page's own path (SideBySide over two StreamRuns) with the default simulated settings and
the default prompt, in real time, N times; prints medians and appends them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics

from bench.results import append_section
from components.config import ProviderSettings
from components.lessons.live_typing import SideBySide
from components.models.prompts import SAMPLE_PROMPT, SHORT_PROMPT
from components.models.providers import build_chat_model
from components.streaming.run import StreamRun


def one_run(prompt: str, seed: int) -> tuple[float, float, float, float, int]:
    settings = ProviderSettings(seed=seed)
    race = SideBySide(
        StreamRun(build_chat_model(settings, streaming=True), prompt),
        StreamRun(build_chat_model(settings, streaming=False), prompt, mode="invoke",
                  ui_tokens=False),
        show_wait=lambda _s: None, show_answer=lambda _t: None,
    ).start()
    for _ in race.streamed_text():
        pass
    race.finish()
    s, b = race.streamed.result, race.blocked.result
    assert s.ok and b.ok and s.text == b.text
    return s.first_visible, s.total_time, b.first_visible, b.total_time, s.token_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = ["| prompt | tokens | streamed: first visible | streamed: total | blocking: first visible "
            "| blocking: total |", "|---|---|---|---|---|---|"]
    for name, prompt in (("default", SAMPLE_PROMPT), ("short", SHORT_PROMPT)):
        runs = [one_run(prompt, seed) for seed in range(1, args.runs + 1)]
        med = [statistics.median(col) for col in zip(*runs, strict=True)]
        rows.append(f"| {name} | {int(med[4])} | {med[0]:.2f} s | {med[1]:.2f} s | {med[2]:.2f} s "
                    f"| {med[3]:.2f} s |")
    table = "\n".join(rows)
    print(table)
    if not args.no_write:
        append_section("Live typing: blocking vs streamed (medians of "
                       f"{args.runs} seeds, simulated model at 400 ms TTFT, 40 tokens/s)", table,
                       notes="Both calls start at the same moment, as on the page; the streamed "
                             "total includes handing every token to the reader.")


if __name__ == "__main__":
    main()
