"""The chat page's moving parts: drawing the history, and one reply streamed, cached and kept."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import streamlit as st

from components.callbacks import StreamRun, render
from components.chat import Conversation, Turn, reply_from, within_budget
from components.chat_cache import CacheStats, ReplayChatModel, ReplyCache
from components.errors import ConfigError, outcome_message
from components.markdown_blocks import CURSOR, displayable
from components.providers import build_chat_model
from components.settings import ProviderSettings
from components.sinks import BlockSink, LazyTarget


@st.cache_resource(show_spinner=False)
def reply_cache(path: str) -> ReplyCache:
    """One SQLite cache per file for the whole server: it is shared, the histories are not."""
    return ReplyCache(path)


def show_turn(turn: Turn) -> None:
    with st.chat_message(turn.role):
        # a reply cut short may end inside **bold** or a code fence: close them for display
        body = turn.content if turn.complete else displayable(turn.content, cursor="")
        st.markdown(body or "_(no text arrived)_")
        if turn.role == "assistant":
            st.caption(turn.caption())
            if turn.error:
                st.error(turn.error, icon=":material/error:")


class ActiveReply:
    """The reply being streamed, shared with the next script run: whichever run gets there first
    (this one finishing, or the next one after Stop or any click) keeps it, exactly once."""

    def __init__(self, run: StreamRun, *, cached: bool, trimmed: int) -> None:
        self.run, self.cached, self.trimmed = run, cached, trimmed
        self._lock = threading.Lock()
        self.kept: Turn | None = None

    def keep(self, conversation: Conversation, turn: Turn | None = None) -> Turn:
        """Record the reply once: the finished turn, or what was shown so far, marked stopped."""
        with self._lock:
            if self.kept is None:
                if turn is None:
                    self.run.abandon()  # closes the model's stream: nothing generates on unseen
                    turn = reply_from(self.run.result, cached=self.cached, trimmed=self.trimmed)
                conversation.answer(turn)
                self.kept = turn
            return self.kept


def keep_interrupted_reply(conversation: Conversation) -> None:
    """Streamlit starts the next run without waiting for an interrupted one (fast reruns): a reply
    still streaming when the user clicked Stop, or anything else, is kept here as stopped."""
    active: ActiveReply | None = st.session_state.pop("chat.active", None)
    if active is not None:
        active.keep(conversation)


@dataclass
class ReplyRequest:
    """One reply to stream: settings, the cache and how to replay a hit, what is already shown."""

    settings: ProviderSettings
    cache: ReplyCache
    stats: CacheStats
    paced_replay: bool
    history_tokens: int
    on_screen: str = ""
    use_cache: bool = True
    """False for Regenerate: the user asked for a new answer, not the stored one."""


def stream_reply(conversation: Conversation, request: ReplyRequest) -> Turn:
    """Stream the reply to the pending prompt into a chat message; the turn is recorded whatever
    happens: a finished answer, an error, or Stop. The Stop button reruns the script, which
    interrupts this one mid-stream; the `finally` keeps the partial reply and closes the stream,
    and the next run shows it marked. (`st.chat_input(submit_mode="stop")` stops the script
    instead, after which nothing can be drawn: the reply would keep its cursor until the next
    interaction, so the input uses "disable" and the Stop button lives in the reply.)"""
    messages, trimmed = within_budget(conversation.messages(), request.history_tokens)
    with st.chat_message("assistant"):
        # A regenerated reply must not type over the old reply's leftover blocks (see LazyTarget)
        slot = st.empty()
        slot.markdown(CURSOR)
        box = LazyTarget(slot.container)
        caption = st.empty()  # the Stop button while streaming, then the reply's numbers
        caption.button("Stop", icon=":material/stop_circle:", key=f"chat.stop.{len(conversation.turns)}",
                       help="Stops this reply: the model's stream is closed, the text so far is kept.")
        try:
            model = build_chat_model(request.settings, streaming=True)
        except ConfigError as error:
            turn = Turn("assistant", request.on_screen, label=request.settings.label, error=str(error))
            conversation.answer(turn)
            box.markdown(turn.content or "_(no text arrived)_")
            caption.caption(turn.caption())
            st.error(turn.error, icon=":material/build:")
            return turn
        hit = request.cache.lookup(model, messages) if request.use_cache else None
        if request.use_cache:
            request.stats.record(hit is not None)
        source = ReplayChatModel(reply_text=hit.text, token_times=hit.token_times,
                                 paced=request.paced_replay) if hit else model
        run = StreamRun(source, messages, label=hit.label if hit else request.settings.label,
                        on_screen=request.on_screen).start()
        active = ActiveReply(run, cached=hit is not None, trimmed=trimmed)
        st.session_state["chat.active"] = active
        try:
            render(run, BlockSink(box))
            error = outcome_message(run.result, base_url=request.settings.base_url) or ""
            turn = active.keep(conversation, reply_from(run.result, cached=hit is not None,
                                                        trimmed=trimmed,
                                                        error="" if run.result.ok else error))
            if not hit:
                request.cache.store(model, messages, run.result)
        finally:  # Stop, or a page left mid-stream: keep what was shown, marked stopped
            turn = active.keep(conversation)
            st.session_state.pop("chat.active", None)
        caption.caption(turn.caption())
        if turn.error:
            st.error(turn.error, icon=":material/error:")
    return turn

