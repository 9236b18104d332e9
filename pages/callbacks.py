"""Callback handlers: tokens reach the screen only through a handler; handlers layer; streams transform."""

import streamlit as st

from components.callbacks import EventLogHandler, MetricsHandler, TokenTimingHandler
from components.lessons.callback_handlers import (
    PATH,
    TABS,
    URL_SETTINGS,
    event_log_frame,
    event_timeline,
    gaps_chart,
    metrics_line,
    middleware_verdict,
    outline_then_answer,
    run_steps,
    small_chain,
    streamlit_step_handler,
    timeline_chart,
    timeline_frame,
)
from components.models.prompts import CALLBACKS_PROMPT, SAMPLE_PROMPT
from components.models.providers import recovery_for
from components.page_url import UrlSettings
from components.rendering.render import draw_until_done, start_drawing
from components.rendering.sinks import TeeSink, TransformedSink
from components.rendering.transforms import TRANSFORM_LABELS, TRANSFORMS
from components.shell import ensure_app_shell
from components.sidebar import current_settings
from components.streaming.run import StreamRun
from components.streaming.units import seconds
from components.typing_view import default_sink, show_text
from components.widgets import chat_model_or_explain, show_code, show_outcome

ensure_app_shell()

st.title("Callback handlers")
st.markdown("Streaming is **event-driven**: switching it on shows nothing by itself. Tokens reach "
            "the user only through a **handler**; handlers stack without touching each other, and "
            "the stream can be **transformed** on its way to the screen.")
settings = current_settings()
url = UrlSettings("callbacks", URL_SETTINGS)  # e.g. ?tab=middleware&transform=mask
pitfall_tab, layers_tab, middleware_tab, inside_tab = st.tabs(list(TABS.values()),
                                                              default=TABS[url.value("tab")])

with pitfall_tab:
    st.markdown("The model below is built with `streaming=True` and called with `invoke()`. "
                "Without a token handler it streams into the void: the text appears at the end.")
    toggle_col, button_col = st.columns([3, 1], vertical_alignment="center")
    attach = toggle_col.toggle("Attach the UI token handler", key=url.key("attach"))
    clicked = button_col.button("Run the prompt", type="primary", icon=":material/play_arrow:",
                                key="pitfall_run", width="stretch")
    without, with_ = st.columns(2)
    verdict_slot = st.empty()
    box = st.container(border=True, key="pitfall_answer")
    if clicked:
        model = chat_model_or_explain(settings, streaming=True)
        if model:
            run = StreamRun(model, CALLBACKS_PROMPT, mode="invoke", ui_tokens=attach,
                            label=settings.label).start()
            draw_until_done([start_drawing(run, default_sink(box))])
            st.session_state[f"callbacks.pitfall.{attach}"] = run.result
            show_outcome(run.result, settings)
    results = {on: st.session_state.get(f"callbacks.pitfall.{on}") for on in (False, True)}
    for column, on, name in ((without, False, "no handler"), (with_, True, "UI handler")):
        column.metric(f"First visible text · {name}", seconds(results[on] and results[on].first_visible))
    if results[False] and results[True]:
        verdict_slot.container(key="pitfall_verdict").success(
            f"Same model, same `streaming=True`: without a handler the first words appeared after "
            f"**{seconds(results[False].first_visible)}**, with the UI handler after "
            f"**{seconds(results[True].first_visible)}**.", icon=":material/straighten:")
    else:
        verdict_slot.caption("Run it once with the toggle off and once with it on.")

with layers_tab:
    st.markdown("Attach any combination to **one** run. Each handler sees every token once, in "
                "order; turning one off changes nothing for the others.")
    c1, c2, c3, c4 = st.columns(4)
    use_ui = c1.checkbox("UI handler", key=url.key("ui"), help="Types the text live.")
    use_metrics = c2.checkbox("Metrics handler", key=url.key("metrics"), help="Live TTFT, tokens/s, tokens.")
    use_log = c3.checkbox("Event log handler", key=url.key("log"), help="Every callback event, timed.")
    use_timing = c4.checkbox("Timing handler", key=url.key("timing"), help="Gaps between tokens, charted.")
    clicked = st.button("Run with these handlers", type="primary", icon=":material/layers:")
    text_col, side_col = st.columns([3, 2], gap="large")
    layered_box = text_col.container(border=True, key="layered_answer")
    metrics_slot, gaps_slot = side_col.empty(), side_col.empty()
    log_count_slot, log_slot = st.empty(), st.empty()

    def show_layers(layers: dict, done: bool = False) -> None:
        if layers["metrics"]:
            metrics_slot.markdown(metrics_line(layers["metrics"], done=done))
        if layers["timing"] and len(layers["timing"].token_times) > 1:
            gaps_slot.altair_chart(gaps_chart(layers["timing"].gaps_ms()), width="stretch")
        if layers["log"]:
            log_count_slot.markdown(f"**Event log** · {len(layers['log'].events)} events, newest first")
            log_slot.dataframe(event_log_frame(layers["log"], newest_first=True), hide_index=True,
                               height=240, width="stretch")

    if clicked:
        model = chat_model_or_explain(settings, streaming=True)
        if model:
            metrics, log, timing = MetricsHandler(), EventLogHandler(), TokenTimingHandler()
            layers = {"metrics": metrics if use_metrics else None, "log": log if use_log else None,
                      "timing": timing if use_timing else None}
            run = StreamRun(model, SAMPLE_PROMPT, mode="invoke", ui_tokens=use_ui,
                            handlers=[h for h in layers.values() if h], label=settings.label).start()
            if not use_ui:
                layered_box.caption("No UI handler: the text arrives at the end.")
            draw_until_done([start_drawing(run, default_sink(layered_box))],
                            on_progress=lambda: show_layers(layers))
            show_layers(layers, done=True)
            st.session_state["callbacks.layers"] = {**layers, "result": run.result}
            show_outcome(run.result, settings)
    elif last_layers := st.session_state.get("callbacks.layers"):
        show_text(layered_box, last_layers["result"].text)
        show_layers(last_layers, done=True)

with middleware_tab:
    st.markdown("A transform stage between the model and the screen. It holds back only the "
                "characters that could still turn into something to redact, so an address split "
                "across tokens (`alice@exa` + `mple.com`) is still caught.")
    kind = st.selectbox("Transform", **url.choice("transform"), format_func=TRANSFORM_LABELS.get)
    prompt = st.text_input("Prompt", key=url.key("prompt"))
    url.sync(tab=url.value("tab"), attach=attach, ui=use_ui, metrics=use_metrics, log=use_log,
             timing=use_timing, transform=kind, prompt=prompt)
    transform_clicked = st.button("Stream through the transform", type="primary",
                                  icon=":material/filter_alt:")
    verdict_slot = st.empty()
    raw_col, clean_col = st.columns(2, gap="large")
    raw_col.markdown("**Raw stream**")
    clean_col.markdown("**What the user sees**")
    raw_box = raw_col.container(border=True, key="raw_stream")
    clean_box = clean_col.container(border=True, key="transformed_stream")
    if transform_clicked:
        model = chat_model_or_explain(settings, streaming=True)
        if model:
            transform = TRANSFORMS[kind]()
            clean = TransformedSink(default_sink(clean_box), transform)
            run = StreamRun(model, prompt, label=settings.label, recovery=recovery_for(settings)).start()
            draw_until_done([start_drawing(run, TeeSink(default_sink(raw_box), clean))])
            st.session_state["callbacks.middleware"] = {"raw": run.result.text, "clean": clean.text,
                                                         "max_held": transform.max_held,
                                                         "counts": transform.counts}
            verdict_slot.container(key="middleware_verdict").info(middleware_verdict(
                transform.counts, transform.max_held, transform.whole(run.result.text) == clean.text),
                icon=":material/shield:")

with inside_tab:
    st.markdown(f"The path of a token: {PATH}.")
    st.markdown("**A small chain** — `prompt | model | StrOutputParser()` — and every event "
                "`astream_events(version=\"v2\")` reports for it:")
    if st.button("Show the events", icon=":material/timeline:"):
        model = chat_model_or_explain(settings, streaming=True)
        if model:
            with st.spinner("Streaming the chain and recording its events…"):
                events = event_timeline(small_chain(model), {"question": SAMPLE_PROMPT})
            st.session_state["callbacks.timeline"] = events
    if events := st.session_state.get("callbacks.timeline"):
        st.altair_chart(timeline_chart(events), width="stretch")
        with st.expander(f"All {len(events)} events"):
            st.dataframe(timeline_frame(events), hide_index=True, width="stretch")
    st.markdown("**Two steps** — an outline, then the answer — drawn by LangChain's own "
                "`StreamlitCallbackHandler` (`langchain_community`), told that each model call is a "
                "step: each call streams into its own section, closed when the call ends.")
    if st.button("Run outline → answer", icon=":material/account_tree:"):
        model = chat_model_or_explain(settings, streaming=True)
        if model:
            steps_box = st.container(key="steps")
            answer = run_steps(outline_then_answer(model), {"question": SAMPLE_PROMPT},
                               streamlit_step_handler(steps_box))
            st.session_state["callbacks.steps"] = answer

show_code("callbacks")
