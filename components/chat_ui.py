"""The chat page's moving parts: which chat, its history, and replies written in the background."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from components.callbacks import render_together, rendering
from components.chat import Conversation, Turn, within_budget
from components.chat_cache import CacheStats, ReplayChatModel, ReplyCache
from components.errors import ConfigError
from components.markdown_blocks import CURSOR, displayable
from components.providers import build_chat_model
from components.reply_worker import ReplyWorker, StoredReply
from components.settings import ProviderSettings
from components.sinks import BlockSink, LazyTarget, Target
from components.stream_result import StreamResult
from components.stream_store import (
    InProcessStore,
    StoreConfig,
    StreamStore,
    new_chat_id,
    new_reply_key,
    stream_id,
    well_formed,
)


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


def stream_store_for(config: StoreConfig) -> StreamStore:
    """The process's stream store (cached per configuration): Redis when a URL is set."""
    return _stream_store(config.redis_url, config.stream_ttl, config.chat_ttl, config.max_mb)


@st.cache_resource(show_spinner=False)
def _stream_store(redis_url: str, stream_ttl: float, chat_ttl: float, max_mb: int) -> StreamStore:
    if redis_url:
        from components.redis_store import RedisStore  # only needed with several replicas

        return RedisStore(redis_url, stream_ttl=stream_ttl, chat_ttl=chat_ttl)
    return InProcessStore(stream_ttl=stream_ttl, chat_ttl=chat_ttl, max_bytes=max_mb * 2**20)


def chat_id_for_page(store: StreamStore) -> str:
    """The chat this page shows: the URL's id if it is this session's or a stored chat, else this
    session's own, else a new one; the URL always ends up holding it (reload-safe, shareable).
    A made-up or unknown id gets a fresh chat, so nobody chats under a guessable id."""
    wanted, own = st.query_params.get("chat"), st.session_state.get("chat.id")
    if well_formed(wanted) and ((own is not None and hmac.compare_digest(wanted, own))
                                or store.load_chat(wanted) is not None):
        chat_id = wanted
    else:
        chat_id = own or new_chat_id()
    st.session_state["chat.id"] = chat_id
    if st.query_params.get("chat") != chat_id:
        st.query_params["chat"] = chat_id
    return chat_id


def start_reply(store: StreamStore, chat_id: str, conversation: Conversation,
                request: ReplyRequest) -> Conversation:
    """Start a worker on the conversation's pending prompt; returns the conversation as stored
    once the worker runs (or with the error turn, when the model cannot even be built)."""
    messages, trimmed = within_budget(conversation.messages(), request.history_tokens)
    try:
        model = build_chat_model(request.settings, streaming=True)
    except ConfigError as error:
        turn = Turn("assistant", request.on_screen, label=request.settings.label, error=str(error))
        return store.update_chat(chat_id, lambda c: c.answer(turn))
    hit = request.cache.lookup(model, messages) if request.use_cache else None
    if request.use_cache:
        request.stats.record(hit is not None)
    source = ReplayChatModel(reply_text=hit.text, token_times=hit.token_times,
                             paced=request.paced_replay) if hit else model
    cache = request.cache

    def remember(result: StreamResult) -> None:
        cache.store(model, messages, result)

    return ReplyWorker(store, chat_id, new_reply_key(), source, messages,
                       label=hit.label if hit else request.settings.label, cached=hit is not None,
                       trimmed=trimmed, on_screen=request.on_screen,
                       base_url=request.settings.base_url, after=remember).start()


def follow_reply(store: StreamStore, chat_id: str, reply_key: str, *, since: float,
                 on_catch_up: Callable[[int, float], None] | None = None) -> Turn | None:
    """Draw the reply being written from the store: what exists at once, then live, through the
    same block renderer as every page. A rerun or reload just reads it again from the start;
    Stop asks the worker to close the model's stream. Returns the finished turn.

    `since`: when this script run began (perf_counter), for the catch-up time it reports.
    (Stop is a button in the reply: `st.chat_input(submit_mode="stop")` stops the script, after
    which nothing can be drawn, so the input uses "disable".)"""
    with st.chat_message("assistant"):
        # A regenerated reply must not type over the old reply's leftover blocks (see LazyTarget)
        slot = st.empty()
        slot.markdown(CURSOR)
        box = LazyTarget(slot.container)
        caption = st.empty()  # the Stop button while streaming, then the reply's numbers
        caption.button("Stop", icon=":material/stop_circle:", key="chat.stop",
                       on_click=store.request_stop, args=(stream_id(chat_id, reply_key),),
                       help="Stops this reply: the model's stream is closed, the text so far is kept.")
        reader = StoredReply(store, chat_id, reply_key)
        caught_up = reader.catch_up()
        drawing = rendering(reader, BlockSink(box))  # draws the caught-up text in one update
        if on_catch_up is not None and caught_up:
            on_catch_up(caught_up, time.perf_counter() - since)
        render_together([drawing])
        turn = reader.turn
        if turn is not None:
            caption.caption(turn.caption())
            if turn.error:
                st.error(turn.error, icon=":material/error:")
    return turn


def show_catch_up(slot: Target, chars: int, seconds: float) -> None:
    """The proof on the page: this run found a reply already being written and caught up."""
    slot.markdown(f":material/bolt: Re-attached to the reply being written: caught up "
                  f"**{chars:,}** characters in **{seconds * 1000:,.0f} ms** after the page ran again.")


def kept_for(seconds: float) -> str:
    """A TTL as people say it: '7 days', '12 h', '300 s'."""
    if seconds >= 86_400:
        return f"{seconds / 86_400:g} days"
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds:g} s"


def resilience_panel(store: StreamStore, config: StoreConfig) -> Target:
    """The demo line above the chat: what to try while a reply types, and where replies live.
    Returns the slot the catch-up measurement goes into."""
    with st.container(border=True):
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown("**Replies survive clicks and reloads.** While a reply types, tick the box "
                      "on the right or reload the page: it carries on where it is, caught up at once.")
        details = right.checkbox("Where replies live", key="chat.details",
                                 help="Any widget reruns the page; the reply is not affected.")
        slot = st.empty()
        if details:
            where = ("Redis, shared by every app replica" if store.kind == "Redis"
                     else "this server's memory (bounded)")
            st.caption(f"Written by a background worker into a stream store: **{where}**. "
                       f"This chat's id is in the URL (192 random bits): reload it, or open it after "
                       f"a dropped connection. Finished streams are kept {kept_for(config.stream_ttl)}; "
                       f"conversations {kept_for(config.chat_ttl)} after their last use.")
    return slot
