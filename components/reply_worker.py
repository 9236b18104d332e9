"""A reply written off the script thread: the worker streams the model (with recovery) into a
stream store, and any script run, in this process or another replica, reads it back.

The worker outlives the script run that started it, so a click, a reload or a dropped websocket
no longer kills the reply; only Stop (a flag in the store) does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from components.callbacks import StreamRun
from components.chat import Conversation, Turn, reply_from
from components.clock import REAL_CLOCK, Clock
from components.errors import outcome_message
from components.recovery import Replace
from components.stream_result import StreamResult
from components.stream_store import StreamEvent, StreamStore, stream_id
from components.text_pieces import TextPieces

HEARTBEAT_EVERY = 1.0
ORPHAN_AFTER = 15.0
"""Seconds without a heartbeat after which readers declare a reply's worker gone."""
INTERRUPTED = ("The reply was interrupted: the server writing it went away (a restart or a crash). "
               "The text so far is kept; Retry continues it.")


class ReplyWorker:
    """Streams one reply into the store and records the finished turn in the conversation."""

    poll_interval = 0.05

    def __init__(self, store: StreamStore, chat_id: str, reply_key: str, model: BaseChatModel,
                 messages: Sequence[BaseMessage], *, label: str, cached: bool = False,
                 trimmed: int = 0, on_screen: str = "", base_url: str = "",
                 after: Callable[[StreamResult], None] | None = None,
                 clock: Clock = REAL_CLOCK) -> None:
        """`after`: called with a finished result before the turn is recorded (the reply cache)."""
        self.store, self.chat_id, self.reply_key = store, chat_id, reply_key
        self.stream_id = stream_id(chat_id, reply_key)
        self.run = StreamRun(model, messages, label=label, on_screen=on_screen, clock=clock)
        self.cached, self.trimmed, self.base_url, self.after = cached, trimmed, base_url, after
        self.turn: Turn | None = None
        self._thread = threading.Thread(target=self._work, name="reply-worker", daemon=True)

    def start(self) -> Conversation:
        """Register the reply, mark the conversation as waiting for it, start writing; returns
        the conversation as stored (the page draws from it)."""
        self.store.open_stream(self.stream_id)
        conversation = self.store.update_chat(self.chat_id, lambda c: c.start_reply(self.reply_key))
        self._thread.start()
        return conversation

    def join(self, timeout: float | None = None) -> Turn | None:
        self._thread.join(timeout)
        return self.turn

    def _work(self) -> None:
        run = self.run.start()
        try:
            self._pump(run)
            turn = self._turn(run.result)
        except BaseException as error:  # never leave readers waiting on a reply that cannot end
            turn = Turn("assistant", run.result.text, label=run.result.label, stopped=True,
                        error=f"The reply failed: {type(error).__name__}. The text so far is kept.")
        self.turn = turn
        self.store.update_chat(self.chat_id, lambda c: c.finish_reply(self.reply_key, turn))
        self.store.finish(self.stream_id, StreamEvent("end", turn.content, run.elapsed(), turn))

    def _pump(self, run: StreamRun) -> None:
        """Copy what the run produces into the store until it ends or Stop is asked for."""
        if run.on_screen:
            self.store.append(self.stream_id, [StreamEvent("text", run.on_screen, 0.0)])
        status, last_beat = "", 0.0
        while not run.done:
            events = []
            for piece in run.poll_updates(timeout=self.poll_interval):
                at = run.elapsed()
                events.append(StreamEvent("replace", piece.text, at) if isinstance(piece, Replace)
                              else StreamEvent("text", piece, at))
            if run.result.status != status:
                status = run.result.status
                events.append(StreamEvent("status", status, run.elapsed()))
            if events:
                self.store.append(self.stream_id, events)
            if time.monotonic() - last_beat >= HEARTBEAT_EVERY:
                last_beat = time.monotonic()
                self.store.beat(self.stream_id)
            if not run.done and self.store.stop_requested(self.stream_id):
                run.abandon()  # closes the model's stream: nothing more is generated or billed

    def _turn(self, result: StreamResult) -> Turn:
        # a stop is the user's own doing: marked "stopped", not explained as an error
        error = "" if result.ok or result.cancelled else (
            outcome_message(result, base_url=self.base_url) or "")
        if result.ok and not self.cached and self.after is not None:
            self.after(result)
        return reply_from(result, cached=self.cached, trimmed=self.trimmed, error=error)


class StoredReply:
    """Reads one reply back from the store, for `render()`: everything so far at once (catch-up),
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
        (`render()` draws `on_screen` in one update); returns its length."""
        self.poll_updates(0.0)
        self.on_screen = self._text.text()
        return len(self.on_screen)

    def poll_updates(self, timeout: float = 0.0) -> list[str | Replace]:
        """New text (consecutive pieces joined: a catch-up is one update) and replacements."""
        if self.done:
            return []
        events, self.cursor = self.store.read(self.stream_id, self.cursor, timeout)
        pieces: list[str | Replace] = []
        for event in events:
            self._apply(event, pieces)
        if events:
            self._quiet_since = self.clock.now()
        elif self._orphaned():
            self._end(self._interrupted(), pieces)
        self.result.text = self._text.text()
        return pieces

    def _apply(self, event: StreamEvent, pieces: list[str | Replace]) -> None:
        if event.kind == "text":
            self._text.add(event.text)
            if pieces and isinstance(pieces[-1], str):
                pieces[-1] += event.text
            else:
                pieces.append(event.text)
        elif event.kind == "replace":
            self._text.replace(event.text)
            self.result.replaced = True
            pieces.append(Replace(event.text))
        elif event.kind == "status":
            self.result.status = event.text
        elif event.kind == "end" and event.turn is not None:
            self._end(event.turn, pieces)

    def _end(self, turn: Turn, pieces: list[str | Replace]) -> None:
        """The finished text may be ahead of what was read (the stream was compacted): add the
        rest, or replace when it diverged; nothing is shown twice."""
        shown = self._text.text()
        if turn.content.startswith(shown):
            if rest := turn.content[len(shown):]:
                self._text.add(rest)
                pieces.append(rest)
        else:
            self._text.replace(turn.content)
            pieces.append(Replace(turn.content))
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
