"""CPU time per token of the app's shared stream path against a bare `model.stream()` loop.

    python -m bench.overhead                      # 20,000 tokens, 7 repetitions
    python -m bench.overhead --tokens 2000 --repeats 3 --no-write

Both read the same simulated model with zero delays. The shared path is what every page runs:
`StreamRun` (worker thread, recovery supervisor with its watchdog and pump thread, timing
handler) drawn by `draw_until_done()` through the default byte-budget policy into a block-incremental
sink writing to a no-op target. CPU time is process time (all threads), so the extra threads
are counted, not hidden.
"""

from __future__ import annotations

import argparse
import statistics
import time

from langchain_core.messages import HumanMessage

from bench.results import append_section
from components.models.simulated_model import SimulatedChatModel
from components.rendering.render import draw_until_done, start_drawing
from components.rendering.sinks import BlockSink, NullTarget
from components.streaming.run import StreamRun

TARGET = 1.25


def model(tokens: int) -> SimulatedChatModel:
    return SimulatedChatModel(answer_tokens=tokens, ttft_s=0.0, tokens_per_second=0.0, jitter=0.0)


def sent(tokens: int) -> int:
    """Tokens the model really sends when asked for `tokens`: its long answer ends on a whole sentence."""
    return len(model(tokens).plan([HumanMessage("overhead")]).tokens)


def bare(tokens: int) -> float:
    """CPU seconds for `for chunk in model.stream(...)`, keeping the text like any reader would."""
    started = time.process_time()
    text = "".join(chunk.text for chunk in model(tokens).stream("overhead"))
    assert len(text) > tokens
    return time.process_time() - started


def shared_path(tokens: int) -> float:
    started = time.process_time()
    result = draw_until_done([start_drawing(StreamRun(model(tokens), "overhead").start(),
                                            BlockSink(NullTarget()))])[0]
    assert result.ok and result.token_count == sent(tokens)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    bare(500), shared_path(500)  # warm imports and caches
    runs = {"bare": [], "shared": []}
    for _ in range(args.repeats):  # interleaved, so machine noise hits both alike
        runs["bare"].append(bare(args.tokens))
        runs["shared"].append(shared_path(args.tokens))
    rows, medians = [], {}
    for name, label in (("bare", "bare `for chunk in model.stream()`"),
                        ("shared", "shared path: StreamRun + recovery + draw_until_done(BlockSink)")):
        per_token = [s / sent(args.tokens) * 1e6 for s in runs[name]]
        medians[name] = statistics.median(per_token)
        rows.append(f"| {label} | {medians[name]:.1f} µs | {min(per_token):.1f}–{max(per_token):.1f} µs "
                    f"| {statistics.median(runs[name]):.2f} s |")
    ratio = medians["shared"] / medians["bare"]
    verdict = "✓" if ratio <= TARGET else f"✗ (target ≤ {TARGET}×)"
    table = "\n".join(["| path | CPU per token (median) | range | CPU per answer (median) |",
                       "|---|---|---|---|", *rows,
                       f"| **ratio** | **{ratio:.2f}×** {verdict} | | |"])
    print(table)
    if not args.no_write:
        append_section(f"Overhead: CPU per token, {args.tokens:,} tokens × {args.repeats} runs",
                       table, notes="Process CPU time (all threads) over the same simulated model "
                                    "with zero delays; runs interleaved.")


if __name__ == "__main__":
    main()
