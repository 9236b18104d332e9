"""Live typing: the same prompt blocking and streamed, side by side, timed."""

import streamlit as st

from components.lessons.live_typing import SideBySide, streaming_verdict, tokens_over_time_chart
from components.models.prompts import SAMPLE_PROMPT, SHORT_PROMPT, prompt_problem
from components.shell import ensure_app_shell
from components.sidebar import current_settings
from components.streaming.run import StreamRun
from components.widgets import chat_model_or_explain, show_metrics, show_outcome

ensure_app_shell()

st.title("Live typing")
st.markdown("Streaming does not make the model faster. **It makes the wait shorter.** "
            "Run one prompt both ways at the same moment and compare.")

settings = current_settings()
short = st.toggle("Try a very short answer", help="When is streaming not worth it?")
prompt = st.text_area("Prompt", SHORT_PROMPT if short else SAMPLE_PROMPT, height=80,
                      key=f"live_typing.prompt.{short}")
clicked = st.button("Run both side by side", type="primary", icon=":material/play_arrow:")
verdict_slot = st.container(key="verdict").empty()
chart_slot = st.empty()

left, right = st.columns(2, gap="large")
left.subheader("Blocking · `invoke()`")
right.subheader("Streaming · `st.write_stream`")
left_metrics, right_metrics = left.container(), right.container()
left_box = left.container(border=True, key="blocked_answer")
right_box = right.container(border=True, key="streamed_answer")

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
            StreamRun(streaming_model, prompt, label=settings.label),
            StreamRun(blocking_model, prompt, mode="invoke", ui_tokens=False,
                      label=settings.label),
            show_wait=lambda s: blocked_slot.info(f"Waiting for the complete answer… {s:.1f} s",
                                                  icon=":material/hourglass_top:"),
            show_answer=blocked_slot.markdown,
        ).start()
        streamed_slot = right_box.empty()
        with streamed_slot.container():
            st.write_stream(race.streamed_text(), cursor="▌")
        if race.streamed.result.replaced:  # recovery replaced a broken stream's text
            streamed_slot.markdown(race.streamed.result.text)
        race.finish()
        last = {"blocked": race.blocked.result, "streamed": race.streamed.result}
        st.session_state["live_typing.last"] = last
elif last:
    left_box.markdown(last["blocked"].text)
    right_box.markdown(last["streamed"].text)
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
    if verdict:
        verdict_slot.success(verdict, icon=":material/straighten:")
    with chart_slot.container():
        st.altair_chart(tokens_over_time_chart({"Blocking": blocked, "Streaming": streamed}),
                        width="stretch")
        st.caption(f"Tokens received over time. Model `{streamed.label}` · "
                   f"{streamed.token_count} tokens · finish reason `{streamed.finish_reason}` · "
                   "both calls started at the same moment.")

with st.expander("When not to stream"):
    st.markdown(
        "Streaming adds moving parts (partial text, stop buttons, errors mid-answer). "
        "When answers are a few tokens long, the time to first token is most of the wait and "
        "a blocking call feels the same. Switch on **Try a very short answer** above and run: "
        "the verdict is computed from that run's numbers."
    )
