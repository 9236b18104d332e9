"""Production chat: history, stop, regenerate, cache, and errors that lose nothing."""

import streamlit as st

from components.chat import Conversation
from components.chat_cache import CacheStats
from components.chat_ui import (
    ReplyRequest,
    keep_interrupted_reply,
    reply_cache,
    show_turn,
    stream_reply,
)
from components.shell import ensure_app_shell
from components.sidebar import configured_chat, current_settings

ensure_app_shell()

config = configured_chat()
settings = current_settings()
conversation: Conversation = st.session_state.setdefault("chat.conversation", Conversation())
stats: CacheStats = st.session_state.setdefault("chat.cache_stats", CacheStats())
cache = reply_cache(config.cache_path)


def act(action: str) -> None:
    """Button callbacks run before the script, so the toolbar can sit under the newest reply."""
    st.session_state["chat.action"] = action


st.title("Chat")
st.caption("Everything the lab shows, in one assistant: replies stream through the byte-budget "
           "renderer, broken streams recover, repeats come from the cache, and Stop really stops.")
with st.sidebar:
    st.divider()
    stats_slot = st.empty()  # filled last, so it counts this run's reply too
    if st.button("Clear the answer cache", icon=":material/cached:"):
        cache.clear()
        st.toast("Cache cleared.")

keep_interrupted_reply(conversation)
action = st.session_state.pop("chat.action", None)
if action == "clear":
    conversation.turns.clear()
previous = conversation.reopen_last() if action in ("regenerate", "retry") else None
for turn in conversation.turns:
    show_turn(turn)

prompt = st.chat_input("Ask about streaming…", submit_mode="disable")
paced = st.session_state.get("chat.paced", False)
request = ReplyRequest(settings, cache, stats, paced, config.history_tokens)
if prompt is not None:
    if not prompt.strip():
        pass  # an empty prompt is ignored
    elif len(prompt) > config.max_prompt_chars:
        st.warning(f"That message has {len(prompt):,} characters; the limit is "
                   f"{config.max_prompt_chars:,}. It was not sent. Your text is below to copy.",
                   icon=":material/edit_note:")
        with st.expander("Your message"):
            st.code(prompt, language=None, wrap_lines=True)
    else:
        conversation.ask(prompt)
        show_turn(conversation.turns[-1])
        stream_reply(conversation, request)
elif action in ("regenerate", "retry"):
    if action == "retry" and previous:
        request.on_screen = previous.content  # keep the partial text; add only what is new
    request.use_cache = action == "retry"  # Regenerate asks for a new answer, not the stored one
    stream_reply(conversation, request)
elif conversation.pending_prompt is not None:  # a rerun interrupted a reply before it was kept
    stream_reply(conversation, request)

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
