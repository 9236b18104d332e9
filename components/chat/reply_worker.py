"""A reply written off the script thread: the worker streams the model (with recovery) on its own
thread and writes each event straight into a stream store; any script run, in this process or
another replica, reads it back.

The worker outlives the script run that started it, so a click, a reload or a dropped websocket
no longer kills the reply; only Stop (a flag in the store) does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from components.chat.conversation import Conversation, Turn, reply_from
from components.chat.stream_store import Ended, StoredEvent, StreamStore, stream_id
from components.models.errors import outcome_message
from components.streaming.clock import POLL_INTERVAL_S, REAL_CLOCK, Clock
from components.streaming.events import Delta, Event, Replace, ScreenChange, Status, change_to
from components.streaming.recovery import DEFAULT_RECOVERY, Recovery
from components.streaming.result import StreamResult
from components.streaming.run import StreamRun
from components.streaming.text_pieces import TextPieces

HEARTBEAT_EVERY = 1.0
ORPHAN_AFTER = 15.0
"""Seconds without a heartbeat after which readers declare a reply's worker gone."""
INTERRUPTED = ("The reply was interrupted: the server writing it went away (a restart or a crash). "
               "The text so far is kept; Retry continues it.")
UNSAVED = "The reply could not be saved ({error}). The text so far is kept."
RECORD_RETRIES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
"""Waits between tries to record a finished reply while the store is down (about a minute)."""


class ReplyWorker:
    """Streams one reply into the store on its own thread and records the finished turn."""

    def __init__(self, store: StreamStore, chat_id: str, reply_key: str, model: BaseChatModel,
                 messages: Sequence[BaseMessage], *, label: str, cached: bool = False,
                 trimmed: int = 0, on_screen: str = "", base_url: str = "",
                 after: Callable[[StreamResult], None] | None = None,
                 recovery: Recovery = DEFAULT_RECOVERY, variant: int = 0,
                 clock: Clock = REAL_CLOCK) -> None:
        """`after`: called with a finished result before the turn is recorded (the reply cache)."""
        self.store, self.chat_id, self.reply_key = store, chat_id, reply_key
        self.stream_id = stream_id(chat_id, reply_key)
        self.writer = _StoreWriter(store, self.stream_id, clock)
        self.run = StreamRun(model, messages, label=label, on_screen=on_screen, clock=clock,
                             recovery=recovery, listener=self.writer.write, stop=self.writer)
        self.cached, self.trimmed, self.base_url, self.after = cached, trimmed, base_url, after
        self.clock, self.variant = clock, variant
        self.turn: Turn | None = None
        self._thread = threading.Thread(target=self._work, name="reply-worker", daemon=True)

    def start(self, prompt: int | None = None) -> Conversation:
        """Claim the prompt (index `prompt`, or the first unanswered one) for this reply and start
        writing; returns the conversation as stored. When another tab or replica claimed it
        first, nothing starts: the returned conversation names that other reply."""
        key = self.reply_key
        conversation = self.store.update_chat(self.chat_id, lambda c: c.claim(key, prompt))
        if conversation.streaming == key:
            self.store.open_stream(self.stream_id)
            self._thread.start()
        return conversation

    def join(self, timeout: float | None = None) -> Turn | None:
        self._thread.join(timeout)
        return self.turn

    def _work(self) -> None:
        try:
            if self.run.on_screen:
                self.writer.write(Delta(self.run.on_screen))
            turn = self._turn(self.run.run_here())
        except BaseException as error:  # never leave readers waiting on a reply that cannot end
            turn = Turn("assistant", self.run.result.text, label=self.run.result.label, stopped=True,
                        error=f"The reply failed: {type(error).__name__}. The text so far is kept.")
        self.turn = turn
        self._record(turn)

    def _record(self, turn: Turn) -> None:
        """Record the finished turn; if the store is down, keep trying for a while so that the
        chat is whole again once it is back (after that, readers mark the reply interrupted)."""
        for wait in RECORD_RETRIES:
            try:
                self.store.update_chat(self.chat_id, lambda c: c.finish_reply(self.reply_key, turn))
                self.store.finish(self.stream_id, Ended(turn))
                return
            except Exception:
                self.clock.sleep(wait)

    def _turn(self, result: StreamResult) -> Turn:
        if self.writer.failure is not None:
            return reply_from(result, cached=self.cached, trimmed=self.trimmed, variant=self.variant,
                              error=UNSAVED.format(error=type(self.writer.failure).__name__))
        # a stop is the user's own doing: marked "stopped", not explained as an error
        error = "" if result.ok or result.cancelled else (
            outcome_message(result, base_url=self.base_url) or "")
        if result.ok and not self.cached and self.after is not None:
            self.after(result)
        return reply_from(result, cached=self.cached, trimmed=self.trimmed, error=error,
                          variant=self.variant)


class _StoreWriter:
    """The run's listener and stop signal: writes what changes the screen into the store as it
    happens; reads Stop from the store (any replica may set it) and keeps the heartbeat going,
    both at most every poll interval, whenever the run asks whether to stop."""

    def __init__(self, store: StreamStore, stream_id: str, clock: Clock) -> None:
        self.store, self.stream_id, self.clock = store, stream_id, clock
        self.failure: Exception | None = None
        self._stopped = False
        self._next_check = self._next_beat = clock.now()

    def write(self, event: Event) -> None:
        if self.failure is not None or not isinstance(event, Delta | Replace | Status):
            return
        try:
            self.store.append(self.stream_id, [event])
        except Exception as error:  # the run stops at its next look at the stop signal
            self.failure = error

    def is_set(self) -> bool:
        if self._stopped or self.failure is not None:
            return True
        now = self.clock.now()
        try:
            if now >= self._next_beat:
                self._next_beat = now + HEARTBEAT_EVERY
                self.store.beat(self.stream_id)
            if now >= self._next_check:
                self._next_check = now + POLL_INTERVAL_S
                self._stopped = self.store.stop_requested(self.stream_id)
        except Exception as error:
            self.failure = error
        return self._stopped or self.failure is not None


class StoredReply:
    """Reads one reply back from the store, for a drawing: everything so far at once (catch-up),
    then live. Leaving (a rerun, a reload) only stops reading: the worker carries on."""

    def __init__(self, store: StreamStore, chat_id: str, reply_key: str, *,
                 clock: Clock = REAL_CLOCK, now: Callable[[], float] = time.time) -> None:
        self.store, self.chat_id, self.reply_key = store, chat_id, reply_key
        self.stream_id = stream_id(chat_id, reply_key)
        self.clock, self._now = clock, now
        self.result = StreamResult()
        self.on_screen = ""
        self.turn: Turn | None = None
        self.cursor = "0"
        self._text = TextPieces()
        self._quiet_since = clock.now()

    @property
    def done(self) -> bool:
        return self.turn is not None

    def abandon(self) -> None:
        """Stop reading; the reply goes on being written (Stop is a flag in the store)."""

    def catch_up(self) -> int:
        """Read everything written so far in one go and hand it over as text already on screen
        (`start_drawing()` draws `on_screen` in one update); returns its length."""
        self.poll_updates(0.0)
        self.on_screen = self._text.text()
        return len(self.on_screen)

    def poll_updates(self, timeout: float = 0.0) -> list[ScreenChange]:
        """New text (consecutive additions joined: a catch-up is one update) and replacements."""
        if self.done:
            return []
        events, self.cursor = self.store.read(self.stream_id, self.cursor, timeout)
        changes: list[ScreenChange] = []
        for event in events:
            self._apply(event, changes)
        if events:
            self._quiet_since = self.clock.now()
        elif self._orphaned():
            self._end(self._interrupted(), changes)
        self.result.text = self._text.text()
        return changes

    def _apply(self, event: StoredEvent, changes: list[ScreenChange]) -> None:
        if isinstance(event, Delta):
            self._text.add(event.text)
            if changes and isinstance(changes[-1], Delta):
                changes[-1] = Delta(changes[-1].text + event.text)
            else:
                changes.append(event)
        elif isinstance(event, Replace):
            self._text.replace(event.text)
            self.result.replaced = True
            changes.append(event)
        elif isinstance(event, Status):
            self.result.status = event.text
        else:
            self._end(event.turn, changes)

    def _end(self, turn: Turn, changes: list[ScreenChange]) -> None:
        """The finished text may be ahead of what was read (the stream was compacted): one
        change brings the screen to it; nothing is shown twice."""
        change = change_to(self._text.text(), turn.content)
        if change is not None:
            self._text.replace(turn.content)
            changes.append(change)
        self.turn = turn
        self.result.total_time = self.clock.now()
        if turn.complete:
            self.result.finish_reason = "stop"
        else:
            self.result.cancelled = True

    def _orphaned(self) -> bool:
        if self.clock.now() - self._quiet_since < ORPHAN_AFTER / 3:
            return False
        beat = self.store.last_beat(self.stream_id)
        return beat is None or self._now() - beat > ORPHAN_AFTER

    def _interrupted(self) -> Turn:
        """A reply whose worker died: kept as far as it got, and recorded once in the chat."""
        turn = Turn("assistant", self._text.text(), stopped=True, error=INTERRUPTED)

        def record(conversation: Conversation) -> None:
            conversation.finish_reply(self.reply_key, turn)

        self.store.update_chat(self.chat_id, record)
        return turn
