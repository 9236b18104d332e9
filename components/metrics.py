"""Numbers and sentences computed from stream results, so every lesson is measured on the run."""

from __future__ import annotations

from components.stream_result import StreamResult

NOT_WORTH_IT_S = 0.5
"""Below this saving in time to first visible text, streaming buys a user almost nothing."""


def seconds(value: float | None) -> str:
    """A duration for a metric card: `0.41 s`, or an em dash when it is unknown."""
    return "—" if value is None else f"{value:.2f} s"


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def streaming_verdict(streamed: StreamResult, blocked: StreamResult) -> str | None:
    """The lesson of one side-by-side run, in one sentence computed from its numbers."""
    s_first, b_first = streamed.first_visible, blocked.first_visible
    if s_first is None or b_first is None or not streamed.ok or not blocked.ok:
        return None
    saved = b_first - s_first
    totals = f"{seconds(streamed.total_time)} streamed vs {seconds(blocked.total_time)} blocking"
    if saved < NOT_WORTH_IT_S:
        return (f"On this {streamed.token_count}-token answer streaming saved only "
                f"{max(saved, 0):.2f} s of waiting ({totals}): for answers this short a blocking "
                "call is simpler and feels the same.")
    times = b_first / s_first if s_first > 0 else float("inf")
    return (f"Streaming put words on screen after **{seconds(s_first)}** instead of "
            f"**{seconds(b_first)}**, {times:.0f}× sooner, while the complete answer took about "
            f"as long ({totals}).")
