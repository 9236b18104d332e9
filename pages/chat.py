"""Production chat: history, stop, regenerate, cache, errors that lose nothing, and replies that
survive clicks, reloads and dropped connections."""

import time

import streamlit as st

from components.chat import Conversation
from components.chat_cache import CacheStats
from components.chat_ui import (
    ReplyRequest,
    chat_id_for_page,
    follow_reply,
    reply_cache,
    resilience_panel,
    show_catch_up,
    show_turn,
    start_reply,
    stream_store_for,
)
from components.shell import ensure_app_shell
from components.sidebar import configured_chat, configured_store, current_settings

run_started = time.perf_counter()
ensure_app_shell()

config = configured_chat()
settings = current_settings()
store_config = configured_store()
store = stream_store_for(store_config)
chat_id = chat_id_for_page(store)
stats: CacheStats = st.session_state.setdefault("chat.cache_stats", CacheStats())
cache = reply_cache(config.cache_path)


def act(action: str) -> None:
    """Button callbacks run before the script, so the toolbar can sit under the newest reply."""
    st.session_state["chat.action"] = action


st.title("Chat")
st.caption("Everything the lab shows, in one assistant: replies stream through the byte-budget "
           "renderer, broken streams recover, repeats come from the cache, and Stop really stops.")
catch_up_slot = resilience_panel(store, store_config)
with st.sidebar:
    st.divider()
    stats_slot = st.empty()  # filled last, so it counts this run's reply too
    if st.button("Clear the answer cache", icon=":material/cached:"):
        cache.clear()
        st.toast("Cache cleared.")

conversation = store.load_chat(chat_id) or Conversation()
action = st.session_state.pop("chat.action", None)
reopened: list = []
if action and conversation.streaming is None:
    if action == "clear":
        conversation = store.update_chat(chat_id, lambda c: c.turns.clear())
    elif action in ("regenerate", "retry"):
        conversation = store.update_chat(chat_id, lambda c: reopened.append(c.reopen_last()))
previous = reopened[0] if reopened else None
for turn in conversation.turns:
    show_turn(turn)

prompt = st.chat_input("Ask about streaming…", submit_mode="disable")
paced = st.session_state.get("chat.paced", False)
request = ReplyRequest(settings, cache, stats, paced, config.history_tokens)
started: Conversation | None = None
if prompt is not None:
    if not prompt.strip():
        pass  # an empty prompt is ignored
    elif len(prompt) > config.max_prompt_chars:
        st.warning(f"That message has {len(prompt):,} characters; the limit is "
                   f"{config.max_prompt_chars:,}. It was not sent. Your text is below to copy.",
                   icon=":material/edit_note:")
        with st.expander("Your message"):
            st.code(prompt, language=None, wrap_lines=True)
    elif conversation.streaming is not None:
        st.warning("A reply is still being written; send this when it has finished.",
                   icon=":material/hourglass_top:")
    else:
        conversation = store.update_chat(chat_id, lambda c: c.ask(prompt))
        show_turn(conversation.turns[-1])
        conversation = started = start_reply(store, chat_id, conversation, request)
elif previous is not None:
    if action == "retry":
        request.on_screen = previous.content  # keep the partial text; add only what is new
    request.use_cache = action == "retry"  # Regenerate asks for a new answer, not the stored one
    conversation = started = start_reply(store, chat_id, conversation, request)
elif conversation.pending_prompt is not None and conversation.streaming is None:
    # a rerun came between the prompt being stored and its reply being started
    conversation = started = start_reply(store, chat_id, conversation, request)

if conversation.streaming is not None:
    reattached = started is None  # this run found the reply already being written
    follow_reply(store, chat_id, conversation.streaming, since=run_started,
                 on_catch_up=(lambda chars, seconds: show_catch_up(catch_up_slot, chars, seconds))
                 if reattached else None)
elif started is not None and started.turns and started.turns[-1].role == "assistant":
    show_turn(conversation.turns[-1])  # a reply that could not start (e.g. a missing key)
conversation = store.load_chat(chat_id) or conversation
st.session_state["chat.conversation"] = conversation  # this run's view (tests read it)

last = conversation.turns[-1] if conversation.turns else None
tools = st.columns([1.1, 1, 1, 1, 3], vertical_alignment="center")
if last and last.role == "assistant" and not last.complete:
    tools[0].button("Retry", icon=":material/replay:", type="primary", width="stretch",
                    on_click=act, args=("retry",),
                    help="Asks again; the text so far stays and only what is new is added.")
else:
    tools[0].button("Regenerate", icon=":material/refresh:", width="stretch", on_click=act,
                    args=("regenerate",), disabled=not (last and last.role == "assistant"))
tools[1].button("Clear", icon=":material/delete_sweep:", width="stretch", on_click=act,
                args=("clear",), disabled=not conversation.turns)
tools[2].download_button("Markdown", conversation.to_markdown(), "conversation.md", "text/markdown",
                         icon=":material/download:", width="stretch", disabled=not conversation.turns)
tools[3].download_button("JSON", conversation.to_json(), "conversation.json", "application/json",
                         icon=":material/data_object:", width="stretch",
                         disabled=not conversation.turns)
tools[4].toggle("Replay cached answers at their original pace", key="chat.paced",
                help="Off: an answer from the cache appears at once.")
stats_slot.caption(stats.line())
if not conversation.turns:
    st.info("Ask anything: try *Why should a chat app stream its answers?*, then ask it again "
            "after **Clear** to see the cache answer.", icon=":material/forum:")
