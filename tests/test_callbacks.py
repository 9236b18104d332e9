"""The shared streaming path: every mode delivers every token once, in order, with timings and metrics."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler

from components.callbacks import EventLogHandler, MetricsHandler, TokenTimingHandler
from components.models.errors import outcome_message
from components.models.simulated_model import SimulatedChatModel
from components.streaming.clock import FakeClock
from components.streaming.recovery import RECOVERIES, StreamTruncated
from components.streaming.run import StreamRun

PROMPT = "Why stream answers?"


class Recorder(BaseCallbackHandler):
    """Collects tokens; raise_error so a broken handler fails the test loudly."""

    raise_error = True

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        if token:
            self.tokens.append(token)


def expected_tokens(clock: FakeClock) -> list[str]:
    return SimulatedChatModel(clock=clock).plan([__import__("langchain_core.messages").messages
                                                 .HumanMessage(PROMPT)]).tokens


@pytest.mark.parametrize(("mode", "streaming"), [("stream", False), ("invoke", True)])
def test_every_mode_streams_every_token_once_in_order(clock: FakeClock, mode: str,
                                                      streaming: bool) -> None:
    model = SimulatedChatModel(clock=clock, **({"streaming": True} if streaming else {}))
    recorder = Recorder()
    run = StreamRun(model, PROMPT, mode=mode, handlers=[recorder], clock=clock).start()
    pieces = list(run)
    tokens = expected_tokens(FakeClock())
    assert "".join(pieces) == "".join(tokens) == run.result.text
    assert recorder.tokens == tokens
    assert run.timing.token_times == sorted(run.timing.token_times)
    assert len(run.result.token_times) == len(tokens)
    assert run.result.ok and run.result.finish_reason == "stop"


def test_blocking_invoke_shows_everything_at_the_end(clock: FakeClock) -> None:
    run = StreamRun(SimulatedChatModel(clock=clock), PROMPT, mode="invoke", clock=clock).start()
    pieces = list(run)
    result = run.result
    assert len(pieces) == 1 and result.ok
    assert result.token_times == []
    assert result.time_to_first_token == result.total_time == pytest.approx(clock.now())
    assert result.arrival_curve()[-1] == (result.total_time, result.token_count)


def test_handlers_compose_whatever_else_is_attached(clock: FakeClock) -> None:
    alone, together = Recorder(), Recorder()
    log, timing = EventLogHandler(clock), TokenTimingHandler(clock)
    StreamRun(SimulatedChatModel(clock=FakeClock()), PROMPT, handlers=[alone]).start().wait()
    StreamRun(SimulatedChatModel(clock=clock), PROMPT, handlers=[log, together, timing],
              clock=clock).start().wait()
    assert alone.tokens == together.tokens
    names = [e.event for e in log.events]
    assert names[0] == "on_chat_model_start" and names[-1] == "on_llm_end"
    token_events = [e for e in log.events if e.event == "on_llm_new_token" and e.detail != "''"]
    assert len(token_events) == len(together.tokens) == timing.tokens_so_far
    assert [e.offset_ms for e in log.events] == sorted(e.offset_ms for e in log.events)


def test_metrics_follow_the_simulated_timing(clock: FakeClock) -> None:
    model = SimulatedChatModel(clock=clock, ttft_s=0.5, tokens_per_second=50, jitter=0)
    result = StreamRun(model, PROMPT, clock=clock).start().wait()
    n = result.token_count
    assert result.time_to_first_token == pytest.approx(0.5)
    assert result.total_time == pytest.approx(0.5 + (n - 1) / 50)
    assert result.overall_rate == pytest.approx(n / result.total_time)
    assert result.usage["output_tokens"] == n


def test_reader_leaving_early_closes_the_model_stream() -> None:
    closed = threading.Event()

    class Watched(SimulatedChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from super()._stream(*args, **kwargs)
            finally:
                closed.set()

    run = StreamRun(Watched(ttft_s=0, tokens_per_second=200), PROMPT).start()
    for i, _ in enumerate(run):
        if i == 3:
            break
    assert closed.wait(2), "the provider stream was not closed"
    assert run.result.cancelled
    assert 0 < len(run.result.text) < len(expected_tokens(FakeClock())) * 8


def test_errors_end_the_run_with_the_partial_text_kept() -> None:
    class Breaks(SimulatedChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            for i, chunk in enumerate(super()._stream(*args, **kwargs)):
                if i == 5:
                    raise ConnectionError("connection dropped")
                yield chunk

    run = StreamRun(Breaks(clock=FakeClock()), PROMPT, recovery=RECOVERIES["keep_partial"]).start()
    shown = "".join(run)
    assert shown == run.result.text and len(run.timing.token_times) == 5
    assert isinstance(run.result.error, ConnectionError) and not run.result.ok
    assert "connection dropped" in outcome_message(run.result)


def test_a_stream_that_ends_without_finish_reason_is_flagged() -> None:
    class EndsEarly(SimulatedChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            chunks = list(super()._stream(*args, **kwargs))
            yield from chunks[:10]

    result = StreamRun(EndsEarly(clock=FakeClock()), PROMPT,
                       recovery=RECOVERIES["keep_partial"]).start().wait()
    assert isinstance(result.error, StreamTruncated) and result.finish_reason is None
    assert not result.ok and len(result.text) > 0
    assert "without a finish reason" in outcome_message(result)


def test_first_visible_is_stamped_when_text_reaches_the_reader() -> None:
    model = SimulatedChatModel(ttft_s=0.15, tokens_per_second=500)
    started = time.perf_counter()
    result = StreamRun(model, PROMPT).start().wait()
    assert 0.1 < result.first_visible < time.perf_counter() - started
    assert result.first_visible >= result.time_to_first_token


@pytest.mark.parametrize("subset", [(0,), (1,), (2,), (3,), (0, 1), (1, 3), (0, 1, 2, 3)])
def test_any_subset_of_the_page_handlers_sees_every_token_once_in_order(clock: FakeClock,
                                                                        subset: tuple) -> None:
    """What the layered-handlers demo relies on: turning one off changes nothing for the others."""
    handlers = [Recorder(), MetricsHandler(clock), EventLogHandler(clock), TokenTimingHandler(clock)]
    chosen = [handlers[i] for i in subset]
    model = SimulatedChatModel(clock=clock, streaming=True)
    run = StreamRun(model, PROMPT, mode="invoke", handlers=chosen, clock=clock).start()
    run.wait()
    tokens = expected_tokens(FakeClock())
    recorder, metrics, log, timing = handlers
    if 0 in subset:
        assert recorder.tokens == tokens
    if 1 in subset:
        assert metrics.tokens == len(tokens)
        assert metrics.time_to_first_token == pytest.approx(run.result.token_times[0])
        assert metrics.streaming_rate == pytest.approx(
            (len(tokens) - 1) / (run.result.token_times[-1] - run.result.token_times[0]))
    if 2 in subset:
        assert [e.detail for e in log.events if e.event == "on_llm_new_token" and e.detail != "''"] \
            == [repr(t) for t in tokens]
    if 3 in subset:
        assert len(timing.gaps_ms()) == len(tokens) - 1 and all(g >= 0 for g in timing.gaps_ms())
    for i in set(range(4)) - set(subset):  # a handler not attached saw nothing
        assert not (handlers[i].tokens if i in (0, 1) else
                    handlers[i].events if i == 2 else handlers[i].token_times)
