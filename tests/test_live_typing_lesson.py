"""The Live typing verdict: one rule, applied to a run's own numbers, on default and edge settings."""

from __future__ import annotations

import itertools

import pytest
from langchain_core.messages import HumanMessage

from components.lessons.live_typing import NOTICEABLE_WAIT_S, streaming_verdict, when_not_to_stream
from components.models.prompts import SAMPLE_PROMPT, SHORT_PROMPT
from components.models.simulated_model import SimulatedChatModel
from components.streaming.result import StreamResult


def race(prompt: str, **model: float) -> tuple[StreamResult, StreamResult]:
    """What the page measures for one prompt, from the simulated model's own schedule: the streamed
    side shows its first token when it arrives, the blocking side everything at the end."""
    plan = SimulatedChatModel(**model).plan([HumanMessage(prompt)])
    times = list(itertools.accumulate(plan.delays))
    streamed = StreamResult(text=plan.text, token_times=times, first_visible=times[0],
                            total_time=times[-1], finish_reason="stop")
    blocked = StreamResult(text=plan.text, first_visible=times[-1], total_time=times[-1],
                           finish_reason="stop", usage={"output_tokens": len(times)})
    return streamed, blocked


@pytest.mark.parametrize(("case", "prompt", "model", "worth_it"), [
    ("default speed, a full answer", SAMPLE_PROMPT, {}, True),
    ("default speed, a one-line answer", SHORT_PROMPT, {}, False),
    ("a very fast model", SAMPLE_PROMPT, {"ttft_s": 0.02, "tokens_per_second": 2000.0}, False),
    ("a very slow first token, a one-line answer", SHORT_PROMPT, {"ttft_s": 3.0}, False),
    ("a huge answer", "long", {"answer_tokens": 8000, "tokens_per_second": 400.0}, True),
])
def test_the_verdict_follows_the_saving_of_that_run(case: str, prompt: str, model: dict,
                                                   worth_it: bool) -> None:
    streamed, blocked = race(prompt, **model)
    verdict = streaming_verdict(streamed, blocked)
    saved = blocked.first_visible - streamed.first_visible
    assert verdict is not None and verdict.worth_it is worth_it, f"{case}: saved {saved:.2f} s"
    assert (saved >= NOTICEABLE_WAIT_S) is worth_it
    for result in (streamed, blocked):
        assert f"{result.first_visible:.2f} s" in verdict.text
    assert ("sooner" in verdict.text) is worth_it
    assert ("not worth it" in when_not_to_stream(verdict)) is not worth_it


def test_no_verdict_for_a_run_that_did_not_finish() -> None:
    streamed, blocked = race(SAMPLE_PROMPT)
    streamed.cancelled = True
    assert streaming_verdict(streamed, blocked) is None
    assert "**Short answer**" in when_not_to_stream(None)
