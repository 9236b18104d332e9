"""Network drops and fallback: break the stream on purpose, watch the recovery keep the answer whole."""

import streamlit as st

from components.lessons.network_drops import (
    URL_SETTINGS,
    attempts_frame,
    chaos_cases,
    chaos_chart,
    chaos_frame,
    continued,
    run_chaos,
    status_line,
    summarize,
    why_the_default,
)
from components.models.faults import FAULT_LABELS, Fault, FaultyChatModel
from components.models.prompts import prompt_problem
from components.page_url import UrlSettings
from components.rendering.render import draw_until_done, start_drawing
from components.shell import ensure_app_shell
from components.sidebar import current_settings
from components.streaming.recovery import DEFAULT_RECOVERY, RECOVERIES
from components.streaming.result import StreamResult
from components.streaming.run import StreamRun
from components.streaming.units import seconds
from components.typing_view import default_sink, show_text
from components.widgets import chat_model_or_explain, show_code

ensure_app_shell()

st.title("Network drops and fallback")
st.markdown(
    "Streams break in production: the connection drops mid-answer, the server stalls or ends "
    "early without saying so. LangChain's `with_fallbacks` only guards the **first** chunk and "
    "`with_retry` does not retry streams, so the app recovers on its own. **Break this stream on "
    "purpose and watch the answer still arrive whole** — the same recovery protects every page."
)

settings = current_settings()
url = UrlSettings("network_drops", URL_SETTINGS)  # e.g. ?fault=drop&after=40&recovery=retry
DEFAULT = Fault()
fault_col, strategy_col = st.columns(2, gap="large")
with fault_col:
    kind = st.selectbox("Fault", **url.choice("fault"), format_func=FAULT_LABELS.get)
    after, probability, stall_s, delay_s = (DEFAULT.after, DEFAULT.probability, DEFAULT.stall_s,
                                            DEFAULT.first_token_delay_s)
    if kind in ("drop", "stall", "early_end"):
        after = st.slider("After how many tokens", **url.slider("after"))
    if kind == "random_drop":
        probability = st.slider("Chance of a drop per token", **url.slider("p"), format="%.3f")
    if kind == "stall":
        stall_s = st.slider("Stall length (s)", **url.slider("stall"))
    if kind == "slow_first":
        delay_s = st.slider("First token delay (s)", **url.slider("delay"))
    transient = st.toggle("Transient: the fault heals after the first request", key=url.key("transient"),
                          help="Off: every request hits it (a persistent outage).")
with strategy_col:
    key = st.selectbox("Recovery", **url.choice("recovery"), format_func=lambda k: RECOVERIES[k].label)
    stall_timeout = st.slider("Stall watchdog (s)", **url.slider("watchdog"),
                              help="Longest gap between tokens before the stream counts as stalled "
                                   "(the HTTP read timeout alone is 60 s).")
    prompt = st.text_input("Prompt", key=url.key("prompt"))

fault = Fault(kind, after=after, probability=probability, stall_s=stall_s, first_token_delay_s=delay_s,
              failing_requests=1 if transient else 1_000_000)
recovery = RECOVERIES[key].with_timeouts(stall_timeout)
clicked = st.button("Run with this fault", type="primary", icon=":material/bolt:")

status_slot = st.empty()
numbers_slot = st.empty()
answer_box = st.container(border=True, key="drops_answer")
last = st.session_state.get("network_drops.last")
retry = st.session_state.pop("network_drops.retry", False) and last is not None


def faulty_model() -> FaultyChatModel | None:
    """A fresh faulty model per run; a Retry reuses it, so a transient fault has healed."""
    if retry:
        return st.session_state["network_drops.model"]
    inner = chat_model_or_explain(settings, streaming=True)
    if inner is None:
        return None
    model = FaultyChatModel(inner=inner, fault=fault)
    st.session_state["network_drops.model"] = model
    return model


if clicked or retry:
    problem = prompt_problem(prompt)
    model = None if problem else faulty_model()
    if problem:
        st.warning(problem, icon=":material/edit_note:")
    elif model is not None:
        on_screen = last["result"].text if retry else ""
        run = StreamRun(model, prompt, label=settings.label, on_screen=on_screen,
                        recovery=last["recovery"] if retry else recovery).start()
        status = status_slot.status("Streaming…", expanded=True)  # no `with`: that would end it
        log_slot = status.empty()

        def so_far() -> StreamResult:
            """This run, after the run it retries: the user sees one answer, one attempt log."""
            return continued(last["result"], run.result) if retry else run.result

        def show_progress() -> None:
            label, _ = status_line(run.result, running=True)
            status.update(label=label)
            if attempts := so_far().attempts:
                log_slot.dataframe(attempts_frame(attempts), hide_index=True)

        draw_until_done([start_drawing(run, default_sink(answer_box))], on_progress=show_progress)
        label, state = status_line(so_far(), running=False)
        status.update(label=label, state=state, expanded=False)
        last = {"result": so_far(), "recovery": run.recovery, "fault": model.fault}
        st.session_state["network_drops.last"] = last
elif last:
    label, state = status_line(last["result"], running=False)
    with status_slot.status(label, state=state, expanded=False):
        st.dataframe(attempts_frame(last["result"].attempts), hide_index=True)
    show_text(answer_box, last["result"].text)
else:
    answer_box.caption("The answer will stream here; the fault hits it on the way.")

if last:
    result = last["result"]
    with numbers_slot.container():
        done, wasted, extra, first = st.columns(4)
        done.metric("Time to complete answer", seconds(result.total_time) if result.ok else "never",
                    help="From the click to the end, over every request; after a Retry, both runs "
                         "without the pause before the click.")
        wasted.metric("Tokens wasted", result.tokens_wasted,
                      help="Received (and paid for) but not needed for the final text.")
        extra.metric("Extra requests", result.extra_requests)
        first.metric("First visible text", seconds(result.first_visible))
        st.caption(f"Fault: {last['fault'].summary} · recovery: {last['recovery'].label} · "
                   f"model `{result.label}`")
        if not result.ok and not result.cancelled:
            st.button("Retry", icon=":material/refresh:", key="drops_retry",
                      help="Runs again; the text so far stays and only what is new is added.",
                      on_click=lambda: st.session_state.update({"network_drops.retry": True}))

st.divider()
st.subheader("Chaos: 20 seeded prompts, random transient faults")
st.markdown(f"Every strategy answers the same 20 prompts, each hit by a random fault that heals "
            f"after one or two requests. Simulated model and simulated time, so it takes seconds; "
            f"the app's default is **{DEFAULT_RECOVERY.label.split(' (')[0].lower()}**.")
seed = st.number_input("Seed", min_value=0, max_value=10_000, step=1, key=url.key("seed"))
url.sync(fault=kind, after=after, p=probability, stall=stall_s, delay=delay_s, transient=transient,
         recovery=key, watchdog=stall_timeout, prompt=prompt, seed=seed)
if st.button("Run the chaos", icon=":material/casino:"):
    with st.spinner("Breaking 100 streams…"):
        st.session_state["network_drops.chaos"] = summarize(run_chaos(chaos_cases(20, int(seed))))
if summaries := st.session_state.get("network_drops.chaos"):
    default = next(s for s in summaries if s.strategy == "default")
    partial = next(s for s in summaries if s.strategy == "keep_partial")
    st.container(key="chaos_verdict").success(
        f"The default recovery completed **{default.complete}/{default.answers}** answers; keeping "
        f"the partial text alone completed {partial.complete}/{partial.answers}.",
        icon=":material/verified:")
    st.altair_chart(chaos_chart(summaries), width="stretch")
    st.dataframe(chaos_frame(summaries), hide_index=True, width="stretch")
    st.container(key="why_default").markdown(why_the_default(summaries))

show_code("network_drops")
