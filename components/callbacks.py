"""The one place where tokens become UI and metrics: LangChain handlers and the run helper every page uses.

Tokens leave the model through LangChain's callback manager. The model call runs in a worker
thread, so `stream()`, a streaming `invoke()` and async runs all behave alike and none of them
touches Streamlit off the script thread: `UITokenHandler` only enqueues, and `StreamRun`,
iterated on the script thread, hands the text to the screen (`st.write_stream(run)` or a sink).
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.outputs import LLMResult

from components.clock import REAL_CLOCK, Clock
from components.flush_policies import FlushPolicy, ThrottledBuffer, UpdateCost, WithinBudget
from components.recovery import (
    DEFAULT_RECOVERY,
    Completed,
    Delta,
    Logged,
    RecoveringStream,
    Recovery,
    Replace,
    Status,
    StreamCancelled,
)
from components.sinks import RenderStats
from components.stream_result import StreamResult
from components.text_pieces import TextPieces

Mode = Literal["stream", "invoke", "astream"]


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class UITokenHandler(BaseCallbackHandler):
    """Carries each token towards the screen; safe from any thread because it only enqueues."""

    raise_error = True  # a cancellation must abort an invoke(), not be logged and ignored
    run_inline = True  # async runs call it in order on the event loop, no executor hop

    def __init__(self, sink: queue.SimpleQueue[Any], cancelled: threading.Event, *,
                 abort_on_cancel: bool = False) -> None:
        self._sink = sink
        self._cancelled = cancelled
        self._abort_on_cancel = abort_on_cancel

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        if self._abort_on_cancel and self._cancelled.is_set():
            # invoke() has no loop of ours to break out of: raising here ends the call
            raise StreamCancelled("the reader stopped listening")
        if token:
            self._sink.put(Delta(token))


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
        reason = getattr(message, "response_metadata", {}).get("finish_reason")
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
    def tokens_per_second(self) -> float | None:
        """Rate since the first token (the stream's own speed, without the wait before it)."""
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


def as_messages(prompt: str | Sequence[BaseMessage]) -> list[BaseMessage]:
    """A prompt string or a message history, as the message list chat models take."""
    return [HumanMessage(prompt)] if isinstance(prompt, str) else list(prompt)


class StreamRun:
    """One model call in a worker thread; iterate it on the script thread for text, then read `.result`.

    >>> run = StreamRun(model, "Why stream?").start()     # doctest: +SKIP
    >>> st.write_stream(run)                              # doctest: +SKIP
    >>> run.result.time_to_first_token                    # doctest: +SKIP
    """

    poll_interval = 0.05
    """How often a waiting reader wakes up even when no token came (to notice the end)."""

    def __init__(self, model: BaseChatModel, prompt: str | Sequence[BaseMessage], *,
                 mode: Mode = "stream", handlers: Sequence[BaseCallbackHandler] = (),
                 ui_tokens: bool = True, clock: Clock = REAL_CLOCK, label: str = "",
                 recovery: Recovery = DEFAULT_RECOVERY, on_screen: str = "") -> None:
        """`on_screen`: partial text a user already sees from an earlier failed run (a Retry
        button): this run shows it at once and adds only what goes beyond it."""
        self.model = model
        self.messages = as_messages(prompt)
        self.mode = mode
        self.clock = clock
        self.recovery = recovery
        self.ui_tokens = ui_tokens
        self._supervisor: RecoveringStream | None = None
        self.result = StreamResult(label=label, text=on_screen if mode == "stream" else "")
        self.on_screen = self.result.text
        self.timing = TokenTimingHandler(clock)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._cancelled = threading.Event()
        self._finished = threading.Event()
        # "stream" mode reads chunks itself (through recovery); the others get tokens from a handler
        ui = [UITokenHandler(self._queue, self._cancelled, abort_on_cancel=mode == "invoke")
              ] if ui_tokens and mode != "stream" else []
        # in "stream" mode the recovery supervisor stamps each token itself: no callback per token
        timing = [self.timing] if mode != "stream" else []
        self._callbacks: list[BaseCallbackHandler] = [*timing, *ui, *handlers]
        self._received = TextPieces(self.result.text)
        self._thread = threading.Thread(target=self._work, name="stream-run", daemon=True)
        self._start = 0.0

    # --- worker side -------------------------------------------------------------------------
    def start(self) -> StreamRun:
        """Start the model call; returns self so `StreamRun(...).start()` reads naturally."""
        self._start = self.clock.now()
        self.timing.start = self._start
        self._thread.start()
        return self

    def _work(self) -> None:
        try:
            config = {"callbacks": self._callbacks}
            if self.mode == "stream":
                outcome = self._consume_stream(config)
            elif self.mode == "astream":
                outcome = asyncio.run(self._consume_astream(config))
            else:
                message = self.model.invoke(self.messages, config=config)
                outcome = Completed(message.text, message.response_metadata.get("finish_reason"),
                                    dict(message.usage_metadata or {}) or None)
            self._queue.put(outcome)
        except BaseException as error:  # handed to the reader: a page shows it, never a traceback
            self._queue.put(_Failed(error))
        finally:
            self._finished.set()

    def _consume_stream(self, config: dict[str, Any]) -> Completed:
        """Stream through the recovery supervisor: watchdog, retries, fallback, de-duplication."""
        def emit(event: Any) -> None:
            if self.ui_tokens or not isinstance(event, Delta | Replace):
                self._queue.put(event)

        times = self.timing.token_times

        def stamp(arrived: float) -> None:
            times.append(arrived - self._start)

        self._supervisor = RecoveringStream(self.model, self.messages, self.recovery, config=config,
                                            cancelled=self._cancelled, clock=self.clock, emit=emit,
                                            on_screen=self.on_screen, on_token=stamp)
        return self._supervisor.run()

    async def _consume_astream(self, config: dict[str, Any]) -> Completed:
        pieces: list[str] = []
        finish_reason, usage = None, None
        async for chunk in self.model.astream(self.messages, config=config):
            if self._cancelled.is_set():
                raise StreamCancelled("the reader stopped listening")
            pieces.append(chunk.text)
            finish_reason = chunk.response_metadata.get("finish_reason") or finish_reason
            usage = dict(chunk.usage_metadata) if chunk.usage_metadata else usage
        return Completed("".join(pieces), finish_reason, usage)

    # --- reader side (the script thread) -----------------------------------------------------
    @property
    def done(self) -> bool:
        """True once the reader has seen the end (the result is final)."""
        return self.result.total_time is not None

    def cancel(self) -> None:
        """Ask the worker to stop; the provider's stream is closed at its next token."""
        self._cancelled.set()

    def abandon(self) -> None:
        """The reader left mid-stream (Stop, a rerun): cancel, and close the result as it stands."""
        if self.done:
            return
        self.cancel()
        result = self.result
        self._sync_text()
        result.cancelled = True
        result.total_time = self.elapsed()
        result.token_times = list(self.timing.token_times)

    def __iter__(self) -> Iterator[str]:
        """Yield text as it arrives until the call ends; the result is complete afterwards."""
        try:
            while not self.done:
                yield from self.poll(timeout=self.poll_interval)
        finally:
            self.abandon()  # the reader left early (a rerun, a stop): close the model stream

    def poll(self, timeout: float = 0.0) -> list[str]:
        """Text appended since the last call, waiting at most `timeout` for the first piece.

        A replacement of the whole text (recovery) is not in this list: `render()` handles it;
        `st.write_stream` readers redraw `result.text` afterwards when `result.replaced`.
        """
        return [p for p in self.poll_updates(timeout) if isinstance(p, str)]

    def poll_updates(self, timeout: float = 0.0) -> list[str | Replace]:
        """Appended text and whole-text replacements since the last call, in order."""
        pieces: list[str | Replace] = []
        try:
            item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return pieces
        while True:
            piece = self._take(item)
            if piece:
                pieces.append(piece)
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
        self._sync_text()
        if pieces and self.result.first_visible is None:
            self.result.first_visible = self.elapsed()
        return pieces

    def _take(self, item: Any) -> str | Replace:
        """Apply one queued item to the result; returns what it changes on screen."""
        result = self.result
        if isinstance(item, Delta):
            self._received.add(item.text)  # joined once per poll, not per token (quadratic)
            return item.text
        if isinstance(item, Replace):
            self._received.replace(item.text)
            result.text, result.replaced = item.text, True
            return item
        if isinstance(item, Status):
            result.status = item.text
            return ""
        if isinstance(item, Logged):
            result.attempts.append(item.attempt)
            return ""
        self._sync_text()
        result.total_time = self.elapsed()
        result.token_times = list(self.timing.token_times)
        if self._supervisor is not None:
            result.useful_tokens = self._supervisor.useful_tokens
        if isinstance(item, _Failed):
            result.error = None if isinstance(item.error, StreamCancelled) else item.error
            result.cancelled = isinstance(item.error, StreamCancelled)
            return ""
        result.finish_reason = item.finish_reason or self.timing.finish_reason
        result.usage = item.usage
        # a blocking call (or one without a token handler) delivers everything here, at the end
        self._received.replace(item.text)
        if not item.text.startswith(result.text):
            result.text, result.replaced = item.text, True
            return Replace(item.text)
        rest = item.text[len(result.text):]
        result.text = item.text
        return rest

    def _sync_text(self) -> None:
        """`result.text` from the pieces received so far."""
        self.result.text = self._received.text()

    def wait(self) -> StreamResult:
        """Read the run to its end without a screen (tests, benchmarks, blocking pages)."""
        for _ in self:
            pass
        return self.result

    def elapsed(self) -> float:
        """Seconds since the call started."""
        return self.clock.now() - self._start


# --- drawing runs on screen ------------------------------------------------------------------
DEFAULT_POLICY: FlushPolicy = WithinBudget()
"""The app's default: updates while the bytes sent stay ≤ 2.5× the answer, at most 60 a second."""


class ReplySource(Protocol):
    """What `render()` reads: a live StreamRun, or a reply read back from a stream store."""

    clock: Clock
    on_screen: str
    result: StreamResult

    @property
    def done(self) -> bool: ...

    def poll_updates(self, timeout: float = 0.0) -> list[str | Replace]: ...

    def abandon(self) -> None: ...


class Sink(Protocol):
    """Where flushed text goes: see components/sinks.py."""

    text: str
    stats: RenderStats

    def write(self, delta: str) -> None: ...

    def finish(self, rest: str = "", *, complete: bool = True) -> None: ...

    def replace(self, text: str) -> None: ...

    def update_cost(self, pending: str) -> UpdateCost: ...


@dataclass
class Rendering:
    """One run drawn into one sink through a flush policy; `step()` moves it forward."""

    run: ReplySource
    sink: Sink
    buffer: ThrottledBuffer
    tokens: int = 0
    finished: bool = field(default=False)

    def step(self, timeout: float = 0.0) -> None:
        """Take what arrived (waiting at most `timeout`), flush what the policy allows."""
        if self.finished:
            return
        pieces = self.run.poll_updates(timeout=timeout)
        for piece in pieces:
            if isinstance(piece, Replace):  # recovery replaced the text: pending text is stale
                self.buffer.clear()
                self.sink.replace(piece.text)
                continue
            self.tokens += 1
            if (flushed := self.buffer.add(piece)) is not None:
                self.sink.write(flushed)
        if not pieces and (flushed := self.buffer.tick()) is not None:
            self.sink.write(flushed)  # a stalled stream still shows what it has
        if self.run.done and not self.buffer.final_wait():
            self.sink.finish(self.buffer.close(), complete=self.run.result.ok)
            self.finished = True

    def wait_hint(self) -> float:
        """How long the reader may block on this run before something could be due."""
        if self.run.done:
            return self.buffer.final_wait()
        due = self.buffer.next_tick_in()
        return StreamRun.poll_interval if due is None else min(due, StreamRun.poll_interval)


def rendering(run: ReplySource, sink: Sink, policy: FlushPolicy = DEFAULT_POLICY) -> Rendering:
    """Pair a started run with a sink through a policy (the buffer shares the run's clock)."""
    if run.on_screen:
        sink.write(run.on_screen)  # a retry keeps the failed run's text in view
    return Rendering(run, sink, ThrottledBuffer(policy, run.clock, costs=sink))


def render(run: ReplySource, sink: Sink, policy: FlushPolicy = DEFAULT_POLICY) -> StreamResult:
    """The helper every page uses: draw a started run into a sink; returns its result."""
    return render_together([rendering(run, sink, policy)])[0]


def render_together(renderings: Sequence[Rendering], *,
                    on_progress: Callable[[], None] | None = None,
                    progress_every: float = 0.25) -> list[StreamResult]:
    """Draw several runs at once on the script thread (side-by-side comparisons)."""
    last_progress = time.monotonic()
    try:
        while not all(r.finished for r in renderings):
            live = [r for r in renderings if not r.finished]
            if len(live) == 1:
                live[0].step(timeout=live[0].wait_hint())
            else:
                for r in live:
                    r.step()
                time.sleep(min(0.005, *(r.wait_hint() for r in live)))
            if on_progress and time.monotonic() - last_progress >= progress_every:
                last_progress = time.monotonic()
                on_progress()
    finally:
        for r in renderings:
            if not r.finished:  # the page went away: close the model streams
                r.run.abandon()
    if on_progress:
        on_progress()
    return [r.run.result for r in renderings]
