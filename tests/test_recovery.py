"""Recovery: every fault × strategy ends in the full answer, or a clear error with the partial kept."""

from __future__ import annotations

import itertools
import random

import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import HumanMessage
from pydantic import Field

from components.models.errors import outcome_message
from components.models.faults import FAULT_LABELS, Fault, FaultyChatModel, connection_error, status_error
from components.models.simulated_model import SimulatedChatModel
from components.streaming.clock import FakeClock
from components.streaming.events import Replace
from components.streaming.recovery import RECOVERIES, Backoff, seam_overlap
from components.streaming.run import StreamRun

PROMPT = "Why should a chat app stream its answers instead of waiting for the whole reply?"
FAULTS = [k for k in FAULT_LABELS if k != "none"]


def full_answer() -> str:
    return SimulatedChatModel().plan([HumanMessage(PROMPT)]).text


def run_with(fault: Fault, key: str) -> tuple[StreamRun, str]:
    """Run to the end on a fake clock; returns the run and the text as the screen showed it."""
    clock = FakeClock()
    model = FaultyChatModel(inner=SimulatedChatModel(clock=clock, seed=3), fault=fault, clock=clock)
    recovery = RECOVERIES[key].with_timeouts(5.0, 10.0)
    run = StreamRun(model, PROMPT, clock=clock, recovery=recovery).start()
    screen = ""
    while not run.done:
        for update in run.poll_updates(timeout=0.05):
            screen = update.text if isinstance(update, Replace) else screen + update.text
    return run, screen


def make_fault(kind: str, transient: bool) -> Fault:
    return Fault(kind, after=20, probability=0.05, stall_s=30.0, first_token_delay_s=3.0,
                 failing_requests=1 if transient else 1_000_000, seed=1)


@pytest.mark.parametrize(("kind", "key", "transient"),
                         list(itertools.product(FAULTS, RECOVERIES, [True, False])))
def test_every_fault_and_strategy_ends_whole_or_with_a_clear_error(kind: str, key: str,
                                                                  transient: bool) -> None:
    run, screen = run_with(make_fault(kind, transient), key)
    result, answer = run.result, full_answer()
    assert screen == result.text, "the screen and the result disagree"
    if result.ok:
        assert result.text == answer
    else:
        assert answer.startswith(result.text), "the partial text is not a clean prefix"
        message = outcome_message(result)
        assert message and "Traceback" not in message
    if (transient and key != "keep_partial") or kind == "slow_first":
        assert result.ok, f"{key} did not recover from a transient {kind}"
    if key == "keep_partial" and kind != "slow_first":
        assert not result.ok and len(result.attempts) == 1


@pytest.mark.parametrize("kind", ["drop", "stall", "early_end"])
def test_the_partial_text_stays_on_screen_until_the_full_response_replaces_it(kind: str) -> None:
    run, screen = run_with(make_fault(kind, transient=False), "full_response")
    result = run.result
    assert [a.kind for a in result.attempts] == ["stream", "full response"]
    assert result.ok and screen == full_answer()
    assert not result.replaced  # the full answer starts with the partial: only the rest was added
    assert result.tokens_wasted == 20  # the streamed tokens the full response made unnecessary


def test_resume_continues_exactly_and_wastes_nothing() -> None:
    run, screen = run_with(make_fault("drop", transient=True), "resume")
    result = run.result
    assert result.ok and screen == full_answer()
    assert [a.kind for a in result.attempts] == ["stream", "resume"]
    assert result.tokens_wasted == 0 and result.extra_requests == 1


def test_a_retry_re_generates_silently_what_is_already_on_screen() -> None:
    run, screen = run_with(make_fault("drop", transient=True), "retry")
    assert run.result.ok and screen == full_answer() and not run.result.replaced
    assert run.result.tokens_wasted == 20


def test_injected_faults_raise_what_the_openai_client_raises() -> None:
    assert isinstance(connection_error(), openai.APIConnectionError)
    assert isinstance(status_error(429), openai.RateLimitError)
    assert isinstance(status_error(500), openai.InternalServerError)
    assert status_error(500).status_code == 500


def test_a_persistent_fault_reports_every_attempt() -> None:
    run, _ = run_with(make_fault("status_500", transient=False), "default")
    assert [(a.kind, a.outcome) for a in run.result.attempts] == [
        ("stream", "HTTP 500"), ("retry", "HTTP 500"), ("full response", "HTTP 500")]
    assert "(500)" in outcome_message(run.result)


def test_cancelling_during_backoff_stops_at_once() -> None:
    model = FaultyChatModel(inner=SimulatedChatModel(ttft_s=0, tokens_per_second=1e6),
                            fault=Fault("status_429", failing_requests=1_000_000))
    recovery = RECOVERIES["retry"]
    run = StreamRun(model, PROMPT, recovery=recovery).start()
    while not run.result.status:
        run.poll(timeout=0.05)
    run.cancel()
    result = run.wait()
    assert result.cancelled and len(result.attempts) == 1


@given(partial=st.text(max_size=80), rest=st.text(max_size=80), repeat=st.integers(0, 80))
def test_the_seam_overlap_never_removes_new_text(partial: str, rest: str, repeat: int) -> None:
    repeated = partial[len(partial) - min(repeat, len(partial)):]
    continuation = repeated + rest
    cut = seam_overlap(partial, continuation)
    assert partial.endswith(continuation[:cut])
    if len(repeated) >= 8:
        assert cut >= len(repeated)  # a real repeat is always removed


def test_backoff_grows_exponentially_with_jitter_under_a_cap() -> None:
    backoff, rng = Backoff(base_s=0.5, factor=2, max_s=4, jitter=0.5), random.Random(1)
    delays = [backoff.delay(n, rng) for n in range(6)]
    ceilings = [0.5, 1, 2, 4, 4, 4]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == 6  # jitter: no two retries wait the same


class _ProviderLike(SimulatedChatModel):
    """A chat model that ends its stream the way another LangChain provider does."""

    end_metadata: dict = Field(default_factory=lambda: {"finish_reason": "stop"})

    def _response_metadata(self) -> dict:
        return {**self.end_metadata, "model_name": self.model_name}

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        self.requests.append(1)
        yield from super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs)

    requests: list = Field(default_factory=list)


@pytest.mark.parametrize("end_metadata", [{"finish_reason": "stop"},  # OpenAI
                                          {"stop_reason": "end_turn"},  # Anthropic
                                          {"done_reason": "stop"}],  # Ollama
                         ids=["openai", "anthropic", "ollama"])
def test_every_providers_end_of_stream_counts_as_complete(end_metadata: dict) -> None:
    """One request per answer: a complete stream is not mistaken for a truncated one."""
    clock = FakeClock()
    model = _ProviderLike(clock=clock, end_metadata=end_metadata, requests=[])
    run = StreamRun(model, PROMPT, clock=clock).start()
    result = run.wait()
    assert result.ok and result.text == full_answer()
    assert len(model.requests) == 1 and [a.kind for a in result.attempts] == ["stream"]
    assert result.finish_reason == next(iter(end_metadata.values()))


def test_a_stream_without_any_end_marker_is_still_truncated() -> None:
    clock = FakeClock()
    model = _ProviderLike(clock=clock, end_metadata={"model_provider": "x"}, requests=[])
    result = StreamRun(model, PROMPT, clock=clock, recovery=RECOVERIES["retry"]).start().wait()
    assert not result.ok and len(model.requests) == 4  # the stream and three retries


@pytest.mark.parametrize("error", [status_error(401), status_error(403), ValueError("<!DOCTYPE html>")])
def test_an_error_no_retry_can_fix_is_raised_after_one_request(error: Exception) -> None:
    class Refusing(SimulatedChatModel):
        calls: list = Field(default_factory=list)

        def _stream(self, *args, **kwargs):  # type: ignore[override]
            self.calls.append(1)
            raise error

    model = Refusing(calls=[])
    result = StreamRun(model, PROMPT, recovery=RECOVERIES["default"]).start().wait()
    assert result.error is error and len(model.calls) == 1 and len(result.attempts) == 1


def test_a_late_first_token_is_announced_within_a_second_and_cleared_when_it_comes() -> None:
    model = SimulatedChatModel(ttft_s=2.6, tokens_per_second=500, jitter=0.0)
    run = StreamRun(model, PROMPT).start()
    statuses: list[tuple[str, bool]] = []
    while not run.done:
        run.poll_updates(timeout=0.05)
        if not statuses or statuses[-1][0] != run.result.status:
            statuses.append((run.result.status, bool(run.result.text)))
    waiting = [s for s, shown in statuses if s.startswith("Waiting for the first token")]
    assert waiting[:2] == ["Waiting for the first token… 1 s (gives up after 30 s)",
                           "Waiting for the first token… 2 s (gives up after 30 s)"]
    assert all(not shown for s, shown in statuses if s.startswith("Waiting"))
    assert run.result.status == "" and run.result.ok
