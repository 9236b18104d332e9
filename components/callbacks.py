"""The shared callback module: the LangChain handlers every page attaches to a run.

Handlers see what LangChain reports through its callback manager: a run's start and end, errors,
and, when a call streams through `invoke()`, each token. They hold no Streamlit call (LangChain
may call them off the script thread): they record, or hand a token on to a queue.

    >>> metrics = MetricsHandler()                                           # doctest: +SKIP
    >>> model.invoke("Why stream?", config={"callbacks": [metrics]})         # doctest: +SKIP
    >>> metrics.time_to_first_token, metrics.streaming_rate                  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from components.streaming.clock import REAL_CLOCK, Clock
from components.streaming.events import Delta
from components.streaming.recovery import StopSignal, StreamCancelled, end_reason


class TokenQueueHandler(BaseCallbackHandler):
    """Carries each token of a streaming `invoke()` towards the screen: it only hands the token on
    (to a queue the script thread reads), so it is safe on any thread."""

    raise_error = True  # a cancellation must abort an invoke(), not be logged and ignored
    run_inline = True  # async runs call it in order on the event loop, no executor hop

    def __init__(self, put: Callable[[Delta], None], cancelled: StopSignal) -> None:
        self._put = put
        self._cancelled = cancelled

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        if self._cancelled.is_set():
            # invoke() has no loop of ours to break out of: raising here ends the call
            raise StreamCancelled("the reader stopped listening")
        if token:
            self._put(Delta(token))


class TokenTimingHandler(BaseCallbackHandler):
    """Records when each token arrives, for TTFT, tokens/s and the arrival chart."""

    run_inline = True

    def __init__(self, clock: Clock = REAL_CLOCK, start: float | None = None) -> None:
        self.clock = clock
        self.start = start
        self.token_times: list[float] = []
        self.finish_reason: str | None = None

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        if self.start is None:
            self.start = self.clock.now()

    def on_llm_new_token(self, token: str, *, chunk: Any = None, **kwargs: Any) -> None:
        if token:
            self.token_times.append(self.clock.now() - (self.start or 0.0))
        message = getattr(chunk, "message", None)
        reason = end_reason(getattr(message, "response_metadata", {}))
        if reason:
            self.finish_reason = reason

    @property
    def tokens_so_far(self) -> int:
        return len(self.token_times)

    def gaps_ms(self) -> list[float]:
        """Milliseconds between consecutive tokens: the rhythm of the stream."""
        times = list(self.token_times)
        return [round((b - a) * 1000, 1) for a, b in itertools.pairwise(times)]


class MetricsHandler(TokenTimingHandler):
    """Live numbers while a run streams: time to first token, tokens so far, tokens per second.

    Built on the timing handler's own stamps, so the two never disagree."""

    @property
    def tokens(self) -> int:
        return len(self.token_times)

    @property
    def time_to_first_token(self) -> float | None:
        return self.token_times[0] if self.token_times else None

    @property
    def streaming_rate(self) -> float | None:
        """Tokens per second since the first token: the stream's own speed, without the wait
        before it (StreamResult.overall_rate counts the whole call, as a user waits for it)."""
        times = self.token_times
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        return (len(times) - 1) / span if span > 0 else None


@dataclass(frozen=True)
class LoggedEvent:
    """One callback event: its name, when it came (ms since the run started) and a short detail."""

    event: str
    offset_ms: float
    detail: str = ""


class EventLogHandler(BaseCallbackHandler):
    """Logs the run's callback events in order, for the event table and debugging."""

    run_inline = True

    def __init__(self, clock: Clock = REAL_CLOCK) -> None:
        self.clock = clock
        self.start: float | None = None
        self.events: list[LoggedEvent] = []

    def _log(self, event: str, detail: str = "") -> None:
        now = self.clock.now()
        if self.start is None:
            self.start = now
        self.events.append(LoggedEvent(event, round((now - self.start) * 1000, 1), detail))

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self._log("on_chat_model_start", f"{sum(len(m) for m in messages)} message(s)")

    def on_llm_start(self, serialized: Any, prompts: list[str], **kwargs: Any) -> None:
        self._log("on_llm_start", f"{len(prompts)} prompt(s)")

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self._log("on_llm_new_token", repr(token))

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self._log("on_llm_end")

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._log("on_llm_error", type(error).__name__)
