"""Live typing: the same prompt blocking and streamed, side by side, timed."""

import streamlit as st

from components.lessons.live_typing import (
    URL_SETTINGS,
    SideBySide,
    streaming_verdict,
    tokens_over_time_chart,
    when_not_to_stream,
)
from components.lessons.write_stream_cap import write_stream_capped
from components.models.prompts import SAMPLE_PROMPT, SHORT_PROMPT, prompt_problem
from components.models.providers import recovery_for
from components.page_url import UrlSettings
from components.shell import ensure_app_shell
from components.sidebar import current_settings
from components.streaming.run import StreamRun
from components.typing_view import show_text
from components.widgets import chat_model_or_explain, show_code, show_metrics, show_outcome

ensure_app_shell()

st.title("Live typing")
st.markdown("Streaming does not make the model faster: **it makes the wait shorter.** "
            "Both calls start at the same moment.")

settings = current_settings()
url = UrlSettings("live_typing", URL_SETTINGS)  # ?short=1: the one-sentence answer
prompt_slot = st.empty()
with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
    clicked = st.button("Run both side by side", type="primary", icon=":material/play_arrow:")
    short = st.toggle("Short answer", key=url.key("short"),
                      help="A one-sentence answer: when is streaming not worth it?")
prompt = prompt_slot.text_input("Prompt", SHORT_PROMPT if short else SAMPLE_PROMPT,
                                key=f"live_typing.prompt.{short}")
url.sync(short=short)

# nothing above the answers changes when a run ends: numbers, verdict and chart come after them
left, right = st.columns(2, gap="medium")
left.subheader("Blocking · `invoke()`", wrap=False)
right.subheader("Streaming · `stream()`", wrap=False)
left_box = left.container(border=True, key="blocked_answer")
right_box = right.container(border=True, key="streamed_answer")
left_metrics, right_metrics = left.container(), right.container()
verdict_slot = st.container(key="verdict").empty()
chart_slot = st.empty()

last = st.session_state.get("live_typing.last")
if clicked:
    problem = prompt_problem(prompt)
    streaming_model = None if problem else chat_model_or_explain(settings, streaming=True)
    blocking_model = streaming_model and chat_model_or_explain(settings, streaming=False)
    if problem:
        st.warning(problem, icon=":material/edit_note:")
    elif blocking_model:
        blocked_slot = left_box.empty()
        race = SideBySide(
            StreamRun(streaming_model, prompt, label=settings.label, recovery=recovery_for(settings)),
            StreamRun(blocking_model, prompt, mode="invoke", ui_tokens=False,
                      label=settings.label),
            show_wait=lambda s: blocked_slot.markdown(
                f":material/hourglass_top: Waiting for the complete answer… **{s:.1f} s**"),
            show_answer=lambda text: show_text(blocked_slot, text),
        ).start()
        streamed_slot = right_box.empty()
        write_stream_capped(streamed_slot, race.streamed_text())
        if race.streamed.result.replaced:  # recovery replaced a broken stream's text
            streamed_slot.markdown(race.streamed.result.text)
        race.finish()
        last = {"blocked": race.blocked.result, "streamed": race.streamed.result}
        st.session_state["live_typing.last"] = last
elif last:
    show_text(left_box, last["blocked"].text)
    show_text(right_box, last["streamed"].text)
else:
    left_box.caption("Nothing to read until the whole answer exists.")
    right_box.caption("Each token will appear here as soon as it arrives.")

if last:
    blocked, streamed = last["blocked"], last["streamed"]
    for slot, result, other in ((left_metrics, blocked, None), (right_metrics, streamed, blocked)):
        with slot:
            show_metrics(result, compare_to=other)
            show_outcome(result, settings)
    verdict = streaming_verdict(streamed, blocked)
    if verdict and verdict.worth_it:
        verdict_slot.success(verdict.text, icon=":material/straighten:")
    elif verdict:
        verdict_slot.info(verdict.text, icon=":material/balance:")
    with chart_slot.container():
        st.altair_chart(tokens_over_time_chart({"Blocking": blocked, "Streaming": streamed}),
                        width="stretch")
        st.caption(f"Tokens received over time. Model `{streamed.label}` · "
                   f"{streamed.token_count} tokens · finish reason `{streamed.finish_reason}` · "
                   "both calls started at the same moment.")

with st.expander("When not to stream"):
    st.markdown(when_not_to_stream(streaming_verdict(last["streamed"], last["blocked"]) if last else None))

show_code("live_typing")
