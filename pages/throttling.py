"""Throttled buffers: the same long answer through different flush policies, costs counted live."""

import uuid

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.lessons.throttling import (
    ANSWER_BOX_PX,
    URL_SETTINGS,
    RenderOutcome,
    counters_line,
    pace_note,
    pushed_over_time_chart,
    summary_frame,
    trade_off,
    verdict,
)
from components.lessons.trade_off import mark_done, show_trade_off, watch_columns
from components.models.prompts import LONG_PROMPT
from components.models.providers import recovery_for
from components.page_url import UrlSettings
from components.rendering.render import draw_until_done, start_drawing
from components.rendering.strategies import STRATEGIES
from components.shell import ensure_app_shell
from components.sidebar import current_settings
from components.streaming.run import StreamRun
from components.typing_view import TypingScreen, show_text
from components.widgets import chat_model_or_explain, show_code, show_outcome

ensure_app_shell()

st.title("Throttled buffers")
st.markdown(
    "Updating the screen on every token is wasteful: `st.write_stream` re-sends **the whole text "
    "so far** with each token, so the bytes pushed to the browser grow with the *square* of the "
    "answer. Batch the tokens, pace the updates, and render finished blocks once: **the same "
    "text, a fraction of the bytes.**"
)

settings = current_settings()
simulated = settings.provider == "simulated"
url = UrlSettings("throttling", URL_SETTINGS)  # e.g. ?tokens=5000&compare=every_token,blocks_budget
length_col, speed_col = st.columns(2)
length = length_col.slider("Answer length (tokens)", **url.slider("tokens"), disabled=not simulated)
speed = speed_col.slider("Speed on this page (tokens/s)", **url.slider("speed"), disabled=not simulated)
chosen = st.multiselect("Compare (2 or 3)", list(STRATEGIES), key=url.key("compare"),
                        format_func=lambda k: STRATEGIES[k].label, max_selections=3)
url.sync(tokens=length, speed=speed, compare=chosen)
if simulated:
    st.caption(pace_note(length, speed, settings.tokens_per_second))
else:
    st.caption("With a real model each column is its own request, so the answers differ; the "
               "simulated model gives every column the identical seeded answer.")
clicked = st.button("Stream side by side", type="primary", icon=":material/play_arrow:",
                    disabled=len(chosen) < 2)
if clicked:  # a new run: the browser's eye (trade_off.py) reports its numbers under this id
    st.session_state["throttling.run"] = uuid.uuid4().hex[:8]
measured = watch_columns(chosen, st.session_state.get("throttling.run", ""))

columns = st.columns(max(len(chosen), 1), gap="medium")  # nothing above them changes when a run ends
verdict_slot = st.container(key="throttling_verdict").empty()
report_slot = st.empty()
last = st.session_state.get("throttling.last")


def column(place: DeltaGenerator, key: str) -> tuple[DeltaGenerator, DeltaGenerator]:
    """One strategy's column: a one-line title, a fixed-height answer box, the counters under it."""
    place.subheader(STRATEGIES[key].short, help=STRATEGIES[key].label, wrap=False)
    box = place.container(border=True, height=ANSWER_BOX_PX, autoscroll=True, key=f"throttled_{key}")
    return box, place.empty()


if clicked:
    model = chat_model_or_explain(settings.with_overrides(tokens_per_second=float(speed)),
                                  streaming=True, answer_tokens=length if simulated else 0)
    if model:
        runs, counters = [], []
        for place, key in zip(columns, chosen, strict=True):
            box, counter = column(place, key)
            counters.append(counter)
            run = StreamRun(model, LONG_PROMPT, label=settings.label,
                            recovery=recovery_for(settings)).start()
            sink = STRATEGIES[key].sink(TypingScreen(box))
            runs.append(start_drawing(run, sink, STRATEGIES[key].policy))

        def show_counters() -> None:
            for slot, r in zip(counters, runs, strict=True):
                slot.markdown(counters_line(r.tokens, r.sink.stats))

        draw_until_done(runs, on_progress=show_counters)
        show_counters()
        mark_done(st.session_state["throttling.run"])
        for place, r in zip(columns, runs, strict=True):
            with place:
                show_outcome(r.run.result, settings)
        last = [RenderOutcome(k, STRATEGIES[k].label, r.sink.text, r.tokens, r.sink.stats)
                for k, r in zip(chosen, runs, strict=True)]
        st.session_state["throttling.last"] = last
elif last:
    for place, outcome in zip(columns, last, strict=False):
        box, counter = column(place, outcome.key)
        show_text(box, outcome.text)
        counter.markdown(counters_line(outcome.tokens, outcome.stats))

if last:
    verdict_slot.success(verdict(last), icon=":material/straighten:")
    with report_slot.container():
        show_trade_off(last, measured, length, speed)
        st.altair_chart(pushed_over_time_chart(last), width="stretch")
        st.dataframe(summary_frame(last), hide_index=True, width="stretch")
        st.markdown(trade_off(last))
        st.caption("Characters pushed = the markdown sent with each screen update, summed. "
                   "`bench/throttling.py` measures the real websocket bytes in Chromium.")

show_code("throttling")
