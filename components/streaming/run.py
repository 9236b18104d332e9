"""One model call in a worker thread, read on the script thread: the run every page streams through.

In the default "stream" mode the worker reads the model's chunks through the recovery supervisor
(watchdog, retries, fallback), which stamps each token itself; in "invoke" mode tokens reach the
run through a callback handler (`components/callbacks.py`), the way `invoke()` streams.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage

from components.callbacks import TokenQueueHandler, TokenTimingHandler
from components.streaming.clock import POLL_INTERVAL_S, REAL_CLOCK, Clock
from components.streaming.events import (
    Completed,
    Delta,
    Event,
    Failed,
    Logged,
    Replace,
    ScreenChange,
    Status,
    change_to,
)
from components.streaming.recovery import (
    DEFAULT_RECOVERY,
    RecoveringStream,
    Recovery,
    StopSignal,
    StreamCancelled,
    end_reason,
)
from components.streaming.result import StreamResult
from components.streaming.text_pieces import TextPieces

Mode = Literal["stream", "invoke"]


def as_messages(prompt: str | Sequence[BaseMessage]) -> list[BaseMessage]:
    """A prompt string or a message history, as the message list chat models take."""
    return [HumanMessage(prompt)] if isinstance(prompt, str) else list(prompt)


class StreamRun:
    """One model call in a worker thread; iterate it on the script thread for text, then read `.result`.

    >>> run = StreamRun(model, "Why stream?").start()     # doctest: +SKIP
    >>> st.write_stream(run)                              # doctest: +SKIP
    >>> run.result.time_to_first_token                    # doctest: +SKIP
    """

    def __init__(self, model: BaseChatModel, prompt: str | Sequence[BaseMessage], *,
                 mode: Mode = "stream", handlers: Sequence[BaseCallbackHandler] = (),
                 ui_tokens: bool = True, clock: Clock = REAL_CLOCK, label: str = "",
                 recovery: Recovery = DEFAULT_RECOVERY, on_screen: str = "",
                 listener: Callable[[Event], None] | None = None,
                 stop: StopSignal | None = None) -> None:
        """`on_screen`: partial text a user already sees from an earlier failed run (a Retry
        button): this run shows it at once and adds only what goes beyond it.
        `listener`: also told every event, on the worker's thread, as it happens (the chat's
        stream store). `stop`: what else can stop the run besides `cancel()`."""
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
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._listener = listener
        self._cancelled = threading.Event()
        self._stop = _Either(self._cancelled, stop) if stop is not None else self._cancelled
        # "stream" mode reads chunks itself (through recovery), which stamps each token: no
        # callback per token; "invoke" mode gets tokens and their times from handlers
        if mode == "stream":
            own: list[BaseCallbackHandler] = []
        else:
            own = [self.timing]
            if ui_tokens:
                own.append(TokenQueueHandler(self._put, self._cancelled))
        self._callbacks: list[BaseCallbackHandler] = [*own, *handlers]
        self._received = TextPieces(self.result.text)
        self._thread = threading.Thread(target=self._work, name="stream-run", daemon=True)
        self._start = 0.0

    # --- worker side -------------------------------------------------------------------------
    def start(self) -> StreamRun:
        """Start the model call; returns self so `StreamRun(...).start()` reads naturally."""
        self._begin()
        self._thread.start()
        return self

    def run_here(self) -> StreamResult:
        """Run the call on the caller's own thread (a background worker) and return its result."""
        self._begin()
        self._work()
        return self.wait()

    def _begin(self) -> None:
        self._start = self.clock.now()
        self.timing.start = self._start

    def _put(self, event: Event) -> None:
        self._queue.put(event)
        if self._listener is not None:
            self._listener(event)

    def _work(self) -> None:
        try:
            config: Any = {"callbacks": self._callbacks}
            if self.mode == "stream":
                outcome: Event = self._consume_stream(config)
            else:
                message = self.model.invoke(self.messages, config=config)
                outcome = Completed(message.text, end_reason(message.response_metadata),
                                    dict(message.usage_metadata or {}) or None)
        except BaseException as error:  # handed to the reader: a page shows it, never a traceback
            outcome = Failed(error)
        self._put(outcome)

    def _consume_stream(self, config: dict[str, Any]) -> Completed:
        """Stream through the recovery supervisor: watchdog, retries, fallback, de-duplication."""
        def emit(event: Event) -> None:
            if self.ui_tokens or not isinstance(event, Delta | Replace):
                self._put(event)

        times = self.timing.token_times

        def stamp(arrived: float) -> None:
            times.append(arrived - self._start)

        self._supervisor = RecoveringStream(self.model, self.messages, self.recovery, config=config,
                                            cancelled=self._stop, clock=self.clock, emit=emit,
                                            on_screen=self.on_screen, on_token=stamp)
        return self._supervisor.run()

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
                yield from self.poll(timeout=POLL_INTERVAL_S)
        finally:
            self.abandon()  # the reader left early (a rerun, a stop): close the model stream

    def poll(self, timeout: float = 0.0) -> list[str]:
        """Text appended since the last call, waiting at most `timeout` for the first piece.

        A replacement of the whole text (recovery) is not in this list: the drawing code handles
        it; `st.write_stream` readers redraw `result.text` afterwards when `result.replaced`.
        """
        return [c.text for c in self.poll_updates(timeout) if isinstance(c, Delta)]

    def poll_updates(self, timeout: float = 0.0) -> list[ScreenChange]:
        """Additions and whole-text replacements since the last call, in order."""
        changes: list[ScreenChange] = []
        try:
            item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return changes
        while True:
            change = self._take(item)
            if change is not None:
                changes.append(change)
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
        self._sync_text()
        if changes and self.result.first_visible is None:
            self.result.first_visible = self.elapsed()
        return changes

    def _take(self, item: Event) -> ScreenChange | None:
        """Apply one event to the result; returns what it changes on screen."""
        result = self.result
        if isinstance(item, Delta):
            if not item.text:
                return None
            self._received.add(item.text)  # joined once per poll, not per token (quadratic)
            return item
        if isinstance(item, Replace):
            self._received.replace(item.text)
            result.text, result.replaced = item.text, True
            return item
        if isinstance(item, Status):
            result.status = item.text
            return None
        if isinstance(item, Logged):
            result.attempts.append(item.attempt)
            return None
        self._sync_text()
        result.total_time = self.elapsed()
        result.token_times = list(self.timing.token_times)
        if self._supervisor is not None:
            result.useful_tokens = self._supervisor.useful_tokens
        if isinstance(item, Failed):
            result.error = None if isinstance(item.error, StreamCancelled) else item.error
            result.cancelled = isinstance(item.error, StreamCancelled)
            return None
        result.finish_reason = item.finish_reason or self.timing.finish_reason
        result.usage = item.usage
        # a blocking call (or one without a token handler) delivers everything here, at the end
        change = change_to(result.text, item.text)
        self._received.replace(item.text)
        result.text = item.text
        if isinstance(change, Replace):
            result.replaced = True
        return change

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


class _Either:
    """Set when either signal is: the run's own cancel, or a Stop from elsewhere."""

    def __init__(self, first: StopSignal, second: StopSignal) -> None:
        self._first, self._second = first, second

    def is_set(self) -> bool:
        return self._first.is_set() or self._second.is_set()
