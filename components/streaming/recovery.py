"""Stream-aware recovery: detect a broken stream (error, stall, silent early end) and still finish the answer.

LangChain's `with_fallbacks` only guards a stream until its first chunk and `with_retry` does not
retry streams, so the app does it here, for every provider: each attempt streams in its own thread
under a watchdog, and what reaches the screen is de-duplicated across attempts, so nothing is shown
twice and the partial text stays until its replacement is ready.
"""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from components.streaming.clock import POLL_INTERVAL_S, Clock
from components.streaming.events import Completed, Delta, Event, Logged, Replace, Status, change_to
from components.streaming.result import Attempt
from components.streaming.text_pieces import TextPieces

CONTINUE_INSTRUCTION = ("Your previous reply was cut off. Continue it exactly where it stopped: do not "
                        "repeat any of it, do not add a preamble.")
"""Sent after the partial reply when a broken stream is resumed."""


class StopSignal(Protocol):
    """Asked about every poll interval while a run waits: a `threading.Event`, or a worker's flag
    that also reads a Stop from a shared store."""

    def is_set(self) -> bool: ...


class NotRetryable(Exception):
    """An error no retry can fix (a limit the owner set, a refused key): recovery gives up at once."""


PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 422})
"""HTTP statuses a retry cannot change: asking again only repeats the refusal (and its cost)."""
END_MARKERS = ("finish_reason", "stop_reason", "done_reason")
"""Where LangChain's chat models say why a stream ended: OpenAI `finish_reason`, Anthropic
`stop_reason`, Ollama `done_reason` (in each chunk's `response_metadata`)."""
WAITING_NOTICE_S = 1.0
"""A first token later than this gets a status line that says the app is waiting, and for how long."""


def end_reason(metadata: dict[str, Any]) -> str | None:
    """Why the provider says the stream ended, whatever its name for it; None if it did not say."""
    for marker in END_MARKERS:
        if value := metadata.get(marker):
            return str(value)
    return None


def permanent(error: BaseException) -> bool:
    """True when retrying cannot help: a refused key, a missing model, a limit reached, or an
    answer the client cannot even parse (a web page where the API should be: a wrong URL)."""
    return (isinstance(error, NotRetryable | ValueError | TypeError)
            or getattr(error, "status_code", None) in PERMANENT_STATUSES)


class StreamCancelled(Exception):
    """Raised inside the model call when the reader went away, so the provider stream is closed."""


class StreamStalled(TimeoutError):
    """No token for longer than the watchdog allows: the HTTP read timeout may be much longer."""

    def __init__(self, seconds: float, *, first: bool) -> None:
        what = "the first token" if first else "a token"
        super().__init__(f"waited {seconds:.1f} s for {what}")
        self.seconds = seconds


class StreamTruncated(ConnectionError):
    """The stream ended without a finish reason: the connection closed before the answer was done."""

    def __init__(self, tokens: int) -> None:
        super().__init__(f"the stream ended after {tokens} tokens without a finish reason")


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, so retrying clients do not stampede together."""

    base_s: float = 0.5
    factor: float = 2.0
    max_s: float = 8.0
    jitter: float = 0.5
    """0: exactly base·factorⁿ; 1: anywhere from 0 to that."""

    def delay(self, retry: int, rng: random.Random) -> float:
        ceiling = min(self.base_s * self.factor ** retry, self.max_s)
        return ceiling * (1 - self.jitter * rng.random())


@dataclass(frozen=True)
class Recovery:
    """What to do when a stream breaks: retries, then resumes, then the full response, in that order."""

    key: str
    label: str
    short: str
    """A few words for chart axes."""
    retries: int = 0
    resumes: int = 0
    full_response: bool = False
    backoff: Backoff = Backoff()
    stall_timeout_s: float = 15.0
    """Longest gap between two tokens before the stream counts as stalled."""
    first_token_timeout_s: float = 30.0
    """Longest wait for the first token (reasoning models may need more: it is a setting)."""

    def with_timeouts(self, stall_s: float, first_token_s: float | None = None) -> Recovery:
        from dataclasses import replace
        return replace(self, stall_timeout_s=stall_s,
                       first_token_timeout_s=first_token_s or max(stall_s, self.first_token_timeout_s))

    def steps(self) -> Iterator[Literal["retry", "resume", "full response"]]:
        yield from ["retry"] * self.retries
        yield from ["resume"] * self.resumes
        if self.full_response:
            yield "full response"


RECOVERIES: dict[str, Recovery] = {r.key: r for r in (
    Recovery("default", "Retry once, then the full response (the app's default)",
             "Retry + full response (default)", retries=1, full_response=True),
    Recovery("keep_partial", "Keep the partial text and offer a retry", "Keep partial"),
    Recovery("retry", "Retry the stream, up to 3 times (backoff + jitter)", "Retry ×3", retries=3),
    Recovery("full_response", "Fall back to the full, non-streaming response", "Full response",
             full_response=True),
    Recovery("resume", "Resume: ask the model to continue from the partial text", "Resume",
             resumes=3),
)}
DEFAULT_RECOVERY = RECOVERIES["default"]

SEAM_WINDOW = 60
"""Characters of a resumed stream held back to find text it repeats from the partial reply."""
MAX_SEAM_WINDOW = 400
"""A continuation that still only repeats the partial text after this many characters is let go."""
MIN_SEAM_OVERLAP = 8
"""Shorter overlaps are likely coincidence (a space, a common word), not a repeat."""


def seam_overlap(partial: str, continuation: str, *, minimum: int = MIN_SEAM_OVERLAP) -> int:
    """Length of the longest start of `continuation` that `partial` already ends with."""
    for size in range(min(len(partial), len(continuation)), minimum - 1, -1):
        if partial.endswith(continuation[:size]):
            return size
    return 0


def describe(error: BaseException) -> str:
    """A few words for the attempt log and the status line."""
    if isinstance(error, StreamCancelled):
        return "stopped"
    if isinstance(error, StreamStalled):
        return f"stalled ({error})"
    if isinstance(error, StreamTruncated):
        return "ended early, no finish reason"
    status = getattr(error, "status_code", None)
    if status:
        return f"HTTP {status}"
    name = type(error).__name__
    return "connection dropped" if "Connection" in name else name


class RecoveringStream:
    """Runs a stream and its recovery attempts in the caller's thread, reporting through `emit`."""

    def __init__(self, model: BaseChatModel, messages: list[BaseMessage], recovery: Recovery, *,
                 config: dict[str, Any], cancelled: StopSignal, clock: Clock,
                 emit: Callable[[Event], None], seed: int = 0, on_screen: str = "",
                 on_token: Callable[[float], None] | None = None) -> None:
        self.model, self.messages, self.recovery = model, messages, recovery
        self.config, self.cancelled, self.clock, self.emit = config, cancelled, clock, emit
        self.screen = TextPieces(on_screen)
        """What the user sees: a retry re-generates this silently and only shows what is new."""
        self.useful_tokens = 0
        """Tokens behind the text on screen; the rest of what was received was wasted."""
        self.rng = random.Random(seed)
        self.attempts: list[Attempt] = []
        self.on_token = on_token
        """Called with each token's arrival time (the run's timing, without a callback per token)."""

    def run(self) -> Completed:
        """The complete answer, or the last error once every step of the recovery failed."""
        try:
            return self._attempt("stream", self.messages)
        except StreamCancelled:
            raise
        except Exception as error:
            last = error
        retries = 0
        for step in self.recovery.steps():
            if permanent(last):
                break
            if step == "retry":
                delay = self.recovery.backoff.delay(retries, self.rng)
                retries += 1
                self.emit(Status(f"{describe(last).capitalize()}. Retrying the stream in "
                                 f"{delay:.1f} s (retry {retries} of {self.recovery.retries})…"))
                self._sleep(delay)
            elif step == "resume":
                self.emit(Status(f"{describe(last).capitalize()}. Asking the model to continue from "
                                 f"the {self.screen.length:,} characters already shown…"))
            else:
                self.emit(Status(f"{describe(last).capitalize()}. Fetching the full response "
                                 "without streaming; the text so far stays until it arrives…"))
            try:
                if step == "full response":
                    return self._full_response()
                messages = self._resume_messages() if step == "resume" else self.messages
                return self._attempt(step, messages, resume=step == "resume")
            except StreamCancelled:
                raise
            except Exception as error:
                last = error
        raise last

    # --- one attempt ---------------------------------------------------------------------------
    def _attempt(self, kind: str, messages: list[BaseMessage], *, resume: bool = False) -> Completed:
        started, tokens = self.clock.now(), 0
        follow = _Continuation(self) if resume else _Regeneration(self)
        kept_before = self.useful_tokens if resume else 0
        finish_reason, usage = None, None
        try:
            for chunk in self._watched(messages):
                piece = chunk.content if isinstance(chunk.content, str) else chunk.text
                if piece:
                    tokens += 1
                    follow.add(piece)
                finish_reason = end_reason(chunk.response_metadata) or finish_reason
                usage = dict(chunk.usage_metadata) if chunk.usage_metadata else usage
            if finish_reason is None:
                raise StreamTruncated(tokens)
        except BaseException as error:
            if not isinstance(error, StreamCancelled):
                follow.release()  # what did arrive is still news
            if follow.showed or not resume:
                self.useful_tokens = kept_before + tokens
            self._log(kind, started, tokens, describe(error))
            raise
        final = follow.final()
        self.useful_tokens = kept_before + tokens
        self._log(kind, started, tokens, "complete")
        return Completed(final, finish_reason, usage)

    @property
    def shown(self) -> str:
        return self.screen.text()

    def _show(self, text: str) -> None:
        """Put a whole text on screen without showing anything twice (a full response)."""
        change = change_to(self.screen.text(), text)
        if isinstance(change, Delta):
            self.screen.add(change.text)
        elif isinstance(change, Replace):
            self.screen.replace(text)
        if change is not None:
            self.emit(change)

    def _watched(self, messages: list[BaseMessage]) -> Iterator[Any]:
        """The model's chunks, from a pump thread, under the stall watchdog and the cancel flag."""
        chunks: queue.SimpleQueue[tuple[str, Any, float]] = queue.SimpleQueue()
        stop = threading.Event()

        def pump() -> None:
            stream = self.model.stream(messages, config=self.config)
            try:
                for chunk in stream:
                    if stop.is_set() or self.cancelled.is_set():
                        break
                    chunks.put(("chunk", chunk, self.clock.now()))
                chunks.put(("end", None, self.clock.now()))
            except BaseException as error:
                chunks.put(("error", error, self.clock.now()))
            finally:
                stream.close()  # closes the provider's HTTP response

        threading.Thread(target=pump, name="stream-attempt", daemon=True).start()
        last, first = self.clock.now(), True
        waited_notice = 0  # whole seconds of waiting already said in the status line
        try:
            while True:
                limit = (self.recovery.first_token_timeout_s if first
                         else self.recovery.stall_timeout_s)
                if self.cancelled.is_set():
                    raise StreamCancelled("the reader stopped listening")
                try:
                    kind, payload, arrived = chunks.get(timeout=POLL_INTERVAL_S)
                except queue.Empty:
                    waited = self.clock.now() - last
                    if waited > limit:
                        raise StreamStalled(waited, first=first) from None
                    if first and waited >= WAITING_NOTICE_S and int(waited) > waited_notice:
                        waited_notice = int(waited)
                        self.emit(Status(f"Waiting for the first token… {waited_notice} s "
                                         f"(gives up after {limit:.0f} s)"))
                    continue
                if arrived - last > limit:  # it came, but after the watchdog's limit
                    raise StreamStalled(arrived - last, first=first)
                if kind == "end":
                    return
                if kind == "error":
                    raise payload
                if payload.content:
                    if first and waited_notice:
                        self.emit(Status(""))  # the wait is over: the status line clears
                    last, first = arrived, False
                    if self.on_token is not None:
                        self.on_token(arrived)
                yield payload
        finally:
            stop.set()  # an abandoned attempt closes its stream at its next chunk

    def _resume_messages(self) -> list[BaseMessage]:
        return [*self.messages, AIMessage(self.shown), HumanMessage(CONTINUE_INSTRUCTION)]

    def _full_response(self) -> Completed:
        started = self.clock.now()
        try:
            message = self._blocking_invoke()
        except BaseException as error:
            self._log("full response", started, 0, describe(error))
            raise
        usage = dict(message.usage_metadata or {}) or None
        tokens = int((usage or {}).get("output_tokens", 0))
        self._show(message.text)
        self.useful_tokens = tokens
        self._log("full response", started, tokens, "complete")
        return Completed(message.text, end_reason(message.response_metadata) or "stop", usage)

    def _blocking_invoke(self) -> Any:
        """The non-streaming call, waited for in steps so that Stop still ends the wait at once
        (and a caller's `cancelled.is_set()` keeps being asked, e.g. a worker's heartbeat)."""
        outcome: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

        def call() -> None:
            try:
                outcome.put((True, self.model.invoke(self.messages, config=self.config, stream=False)))
            except BaseException as error:
                outcome.put((False, error))

        threading.Thread(target=call, name="full-response", daemon=True).start()
        while True:
            if self.cancelled.is_set():
                raise StreamCancelled("the reader stopped listening")
            try:
                ok, value = outcome.get(timeout=POLL_INTERVAL_S)
            except queue.Empty:
                continue
            if not ok:
                raise value
            return value

    def _log(self, kind: str, started: float, tokens: int, outcome: str) -> None:
        attempt = Attempt(len(self.attempts) + 1, kind, tokens, self.clock.now() - started, outcome)
        self.attempts.append(attempt)
        self.emit(Logged(attempt))

    def _sleep(self, seconds: float) -> None:
        """A backoff the reader can still cancel."""
        end = self.clock.now() + seconds
        while (left := end - self.clock.now()) > 0:
            if self.cancelled.is_set():
                raise StreamCancelled("the reader stopped listening")
            self.clock.sleep(min(left, POLL_INTERVAL_S))


class _Regeneration:
    """An attempt that writes the whole answer again (the first stream, a retry).

    While it re-generates what is already on screen it shows nothing; past that, each piece is
    news; if it diverges it replaces the screen once it is at least as long. Pieces are compared
    where they land, so following costs O(1) per token, not O(text).
    """

    def __init__(self, owner: RecoveringStream) -> None:
        self.owner, self.screen = owner, owner.screen
        self.mine = TextPieces()
        self.consistent = True
        self.showed = False

    def add(self, piece: str) -> None:
        old = self.mine.length
        self.mine.add(piece)
        if self.consistent:
            on_screen = self.screen.length
            if old >= on_screen:  # in step with the screen: everything new is news
                self._news(piece)
                return
            shown = self.screen.text()
            end = old + len(piece)
            if end <= on_screen and shown[old:end] == piece:
                return  # still re-generating what is on screen
            if end > on_screen and shown[old:] == piece[: on_screen - old]:
                self._news(piece[on_screen - old:])
                return
            self.consistent = False
        if self.mine.length >= self.screen.length:
            text = self.mine.text()
            self.owner.emit(Replace(text))
            self.screen.replace(text)
            self.consistent, self.showed = True, True

    def _news(self, piece: str) -> None:
        self.owner.emit(Delta(piece))
        self.screen.add(piece)
        self.showed = True

    def release(self) -> None:
        """Nothing held back: regeneration shows as it goes."""

    def final(self) -> str:
        text = self.mine.text()
        if self.screen.length != len(text) or self.screen.text() != text:
            self.owner.emit(Replace(text))
            self.screen.replace(text)
        return text


class _Continuation:
    """A resumed stream: its start is held back until the seam with the partial text is known."""

    def __init__(self, owner: RecoveringStream) -> None:
        self.owner, self.screen = owner, owner.screen
        self.base = owner.screen.text()
        self.held = TextPieces()
        self.released = False
        self.showed = False

    def add(self, piece: str) -> None:
        if self.released:
            self._news(piece)
            return
        self.held.add(piece)
        if self.held.length >= SEAM_WINDOW:
            text = self.held.text()
            # keep holding while everything so far only repeats the partial text (up to a limit)
            if seam_overlap(self.base, text) < len(text) or self.held.length >= MAX_SEAM_WINDOW:
                self.release()

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        text = self.held.text()
        self.held.clear()
        self._news(text[seam_overlap(self.base, text):])

    def _news(self, piece: str) -> None:
        if piece:
            self.owner.emit(Delta(piece))
            self.screen.add(piece)
            self.showed = True

    def final(self) -> str:
        self.release()
        return self.screen.text()
