"""What the chat page draws: which chat the URL names, its turns, and the reply being written,
read back from the stream store; the decisions are components/chat/session.py's."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import streamlit as st

from components.chat.cache import ReplyCache
from components.chat.conversation import Turn
from components.chat.reply_worker import StoredReply
from components.chat.stream_store import (
    InProcessStore,
    StoreUnavailable,
    StreamStore,
    new_chat_id,
    stream_id,
    well_formed,
)
from components.config import StoreConfig
from components.rendering.markdown_blocks import CURSOR, displayable
from components.rendering.render import draw_until_done, start_drawing
from components.rendering.sinks import LazyTarget, Target
from components.streaming.clock import REAL_CLOCK, Clock
from components.typing_view import default_sink, show_text


@st.cache_resource(show_spinner=False)
def reply_cache(path: str, max_mb: float) -> ReplyCache:
    """One SQLite cache per file for the whole server: shared, but keyed by who asks."""
    return ReplyCache(path, max_bytes=int(max_mb * 2**20))


def show_turn(turn: Turn) -> None:
    with st.chat_message(turn.role):
        # a reply cut short may end inside **bold** or a code fence: close them for display
        body = turn.content if turn.complete else displayable(turn.content, cursor="")
        show_text(st.container(), body or "_(no text arrived)_", name="reply")
        if turn.role == "assistant":
            st.caption(turn.caption())
            if turn.error:
                st.error(turn.error, icon=":material/error:")


def stream_store_for(config: StoreConfig) -> StreamStore:
    """The process's stream store (cached per configuration): Redis when a URL is set."""
    return _stream_store(config.redis_url, config.stream_ttl, config.chat_ttl, config.max_mb)


@st.cache_resource(show_spinner=False)
def _stream_store(redis_url: str, stream_ttl: float, chat_ttl: float, max_mb: int) -> StreamStore:
    if redis_url:
        from components.chat.redis_store import RedisStore  # only needed with several replicas

        return RedisStore(redis_url, stream_ttl=stream_ttl, chat_ttl=chat_ttl)
    return InProcessStore(stream_ttl=stream_ttl, chat_ttl=chat_ttl, max_bytes=max_mb * 2**20)


def chat_id_for_page(store: StreamStore) -> str:
    """The chat this page shows: the URL's id if it is this session's or a stored chat, else this
    session's own, else a new one; the URL always ends up holding it (reload-safe, shareable).
    A made-up or unknown id gets a fresh chat, so nobody chats under a guessable id."""
    wanted, own = st.query_params.get("chat"), st.session_state.get("chat.id")
    if well_formed(wanted) and ((own is not None and hmac.compare_digest(wanted, own))
                                or _stored_or_unknowable(store, wanted)):
        chat_id = wanted
    else:
        chat_id = own or new_chat_id()
    st.session_state["chat.id"] = chat_id
    if st.query_params.get("chat") != chat_id:
        st.query_params["chat"] = chat_id
    return chat_id


def _stored_or_unknowable(store: StreamStore, chat_id: str) -> bool:
    """The chat exists, or the store cannot say right now (keep the link: the page says why)."""
    try:
        return store.load_chat(chat_id) is not None
    except StoreUnavailable:
        return True


def follow_reply(store: StreamStore, chat_id: str, reply_key: str, *, since: float,
                 on_catch_up: Callable[[int, float], None] | None = None,
                 clock: Clock = REAL_CLOCK) -> Turn | None:
    """Draw the reply being written from the store: what exists at once, then live, through the
    same renderer as every page (the typing view). A rerun or reload just reads it again from the start;
    Stop asks the worker to close the model's stream. Returns the finished turn.

    `since`: when this script run began (`clock.now()`), for the catch-up time it reports.
    (Stop is a button in the reply: `st.chat_input(submit_mode="stop")` stops the script, after
    which nothing can be drawn, so the input uses "disable".)"""
    with st.chat_message("assistant"):
        # A regenerated reply must not type over the old reply's leftover blocks (see LazyTarget)
        slot = st.empty()
        slot.markdown(CURSOR)
        box = LazyTarget(slot.container)
        # the same element positions as show_turn (text, caption): a rerun replaces them in place
        caption = st.empty()  # the Stop button while streaming, then the reply's numbers
        status = st.empty()  # "Waiting for the first token… 3 s" while the provider is silent
        caption.button("Stop", icon=":material/stop_circle:", key=f"chat.stop.{reply_key}",
                       on_click=_stop, args=(store, stream_id(chat_id, reply_key)),
                       help="Stops this reply: the model's stream is closed, the text so far is kept.")
        reader = StoredReply(store, chat_id, reply_key)

        said = ""

        def show_status() -> None:
            """Send the status line only when it changes: no update for nothing, four times a second."""
            nonlocal said
            wanted = reader.result.status if not reader.result.text else ""
            if wanted != said:
                said = wanted
                if wanted:
                    status.caption(f":material/hourglass_top: {wanted}")
                else:
                    status.empty()

        view = hashlib.sha256(stream_id(chat_id, reply_key).encode()).hexdigest()[:12]
        sink = default_sink(box, view=view)  # the typing view, like every page
        try:
            caught_up = reader.catch_up()
            drawing = start_drawing(reader, sink)  # the caught-up text in one update, shown at once
            if on_catch_up is not None and caught_up:
                on_catch_up(caught_up, clock.now() - since)
            draw_until_done([drawing], on_progress=show_status)
        except StoreUnavailable as error:  # everything read so far is drawn, without the cursor
            sink.finish(reader.result.text[len(sink.text):] if reader.result.text.startswith(sink.text)
                        else "", complete=False)
            caption.empty()
            status.empty()
            st.warning(f"Lost contact with the chat's store ({error}). The text that arrived is "
                       "kept above; send your next question once the store is back.",
                       icon=":material/cloud_off:")
            return None
        turn = reader.turn
        if turn is not None:
            if not turn.content:
                slot.markdown("_(no text arrived)_")
            caption.caption(turn.caption())
            if turn.error:
                st.error(turn.error, icon=":material/error:")
    return turn


def _stop(store: StreamStore, stream: str) -> None:
    try:
        store.request_stop(stream)
    except StoreUnavailable:
        st.toast("The chat's store is unreachable: the reply could not be stopped yet.")


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
        left.markdown("**Replies survive clicks and reloads.** While a reply types, tick "
                      "**Where replies live** or reload the page: it carries on where it is, caught "
                      "up at once.")
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
