"""Chaos benchmark: seeded prompts with random transient faults, through every recovery strategy.

    python -m bench.chaos                 # 200 prompts per strategy, appended to bench/RESULTS.md
    python -m bench.chaos --prompts 50 --no-write

Faults heal after one or two requests (transient). Simulated model on a fake clock: latencies
are the model's own simulated delays, stalls and backoffs, identical on any machine.
"""

from __future__ import annotations

import argparse
import time

from bench.results import append_section
from components.lessons.network_drops import chaos_cases, run_chaos, summarize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    cases = chaos_cases(args.prompts, args.seed)
    summaries = summarize(run_chaos(cases))
    kinds: dict[str, int] = {}
    for case in cases:
        kinds[case.fault.kind] = kinds.get(case.fault.kind, 0) + 1
    rows = [f"| {s.label} | {s.complete}/{s.answers} | {s.completion:.1%} | "
            f"{'—' if s.median_extra_s is None else f'{s.median_extra_s:.2f} s'} | "
            f"{s.tokens_wasted:,} | {s.extra_requests:,} |" for s in summaries]
    table = "\n".join(["| strategy | complete | completion | median extra latency | tokens wasted "
                       "| extra requests |", "|---|---|---|---|---|---|", *rows])
    mix = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    print(table)
    print(f"faults: {mix}; {time.perf_counter() - started:.1f} s wall clock")
    if not args.no_write:
        append_section(f"Chaos: {args.prompts} seeded prompts per strategy, transient faults",
                       table, notes=f"Fault mix: {mix}; each heals after 1 or 2 requests. "
                                    "Extra latency = time to the complete answer minus the same "
                                    "answer's fault-free time (simulated time; completed answers "
                                    "only). Stall watchdog 5 s.")


if __name__ == "__main__":
    main()
