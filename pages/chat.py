"""Production chat: history, stop, regenerate, cache, errors that lose nothing, and replies that
survive clicks, reloads and dropped connections."""

import streamlit as st

from components.chat.cache import CacheStats
from components.chat.session import ChatSession
from components.lessons.chat import (
    chat_id_for_page,
    follow_reply,
    reply_cache,
    resilience_panel,
    show_catch_up,
    show_turn,
    stream_store_for,
)
from components.shell import ensure_app_shell
from components.sidebar import configured_chat, configured_store, current_settings
from components.streaming.clock import REAL_CLOCK
from components.widgets import show_code

run_started = REAL_CLOCK.now()  # the catch-up a reload needs is measured from here
ensure_app_shell()

config, store_config = configured_chat(), configured_store()
store = stream_store_for(store_config)
cache = reply_cache(config.cache_path, config.cache_max_mb)
stats: CacheStats = st.session_state.setdefault("chat.cache_stats", CacheStats())
session = ChatSession(store, chat_id_for_page(store), config, cache, stats, current_settings(),
                      paced_replay=st.session_state.get("chat.paced", False))


def act(action: str) -> None:
    """Button callbacks run before the script, so the toolbar can sit under the newest reply."""
    st.session_state["chat.action"] = action


st.title("Chat")
st.caption("Everything the lab shows, in one assistant: replies type smoothly for a few bytes each "
           "(the typing view), broken streams recover, repeats come from the cache, and Stop really stops.")
catch_up_slot = resilience_panel(store, store_config)
with st.sidebar:
    st.divider()
    stats_slot = st.empty()  # filled last, so it counts this run's reply too
    if st.button("Clear the answer cache", icon=":material/cached:"):
        cache.clear()
        st.toast("Cache cleared.")

# the input is pinned to the bottom of the page, so its value can be read before the history
prompt = st.chat_input("Ask about streaming…", submit_mode="disable")
step = session.step(action=st.session_state.pop("chat.action", None), prompt=prompt)
if step.refused:
    st.warning(step.refused, icon=":material/edit_note:")
    with st.expander("Your message, to copy", expanded=bool(step.kept_prompt.strip())):
        st.code(step.kept_prompt, language=None, wrap_lines=True)
conversation, drawn = step.conversation, 0
while True:  # the history, each reply being written in its place, then the prompts queued after it
    answering = conversation.answering if conversation.streaming else None
    upto = len(conversation.turns) if answering is None else answering + 1
    for turn in conversation.turns[drawn:upto]:
        show_turn(turn)
    if answering is None:
        break
    follow_reply(store, session.chat_id, conversation.streaming, since=run_started,
                 on_catch_up=None if step.started else
                 lambda chars, seconds: show_catch_up(catch_up_slot, chars, seconds))
    drawn, step = upto + 1, session.step()  # the next queued prompt, if any, starts now
    conversation = step.conversation
if step.queued:
    st.info("Sent while another reply is being written: it is answered next, in order.",
            icon=":material/schedule:")

conversation = session.load_or_none()
last = conversation.turns[-1] if conversation and conversation.turns else None
if conversation is not None and conversation.turns:
    stopped = bool(last and last.role == "assistant" and not last.complete)
    *tools, pace = st.columns([1.2] * stopped + [1.5, 1, 1.4, 1, 2.6], vertical_alignment="center")
    if stopped:  # a reply cut short: continue it, or ask for a new one
        tools.pop(0).button("Retry", icon=":material/replay:", type="primary", width="stretch",
                            on_click=act, args=("retry",),
                            help="Asks again; the text so far stays and only what is new is added.")
    tools[0].button("Regenerate", icon=":material/refresh:", width="stretch", on_click=act,
                    args=("regenerate",), disabled=not (last and last.role == "assistant"),
                    help="A new answer to the last question (not the cached one).")
    tools[1].button("Clear", icon=":material/delete_sweep:", width="stretch", on_click=act,
                    args=("clear",))
    tools[2].download_button("Markdown", conversation.to_markdown(), "conversation.md",
                             "text/markdown", icon=":material/download:", width="stretch")
    tools[3].download_button("JSON", conversation.to_json(), "conversation.json",
                             "application/json", icon=":material/data_object:", width="stretch")
    pace.toggle("Replay cached answers at their original pace", key="chat.paced",
                help="Off: an answer from the cache appears at once.")
elif conversation is not None:
    st.info("Ask anything: try *Why should a chat app stream its answers?*, then ask it again "
            "after **Clear** to see the cache answer.", icon=":material/forum:")
stats_slot.caption(stats.line())

show_code("chat")
