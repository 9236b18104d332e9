"""What the Callback handlers page shows: tables and charts from the shared handlers, the events
of a small chain, and a multi-step chain streamed step by step."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from components.callbacks import EventLogHandler, MetricsHandler
from components.models.prompts import REDACT_PROMPT
from components.rendering.transforms import TRANSFORMS
from components.streaming.clock import REAL_CLOCK, Clock
from components.streaming.units import rate, seconds
from components.url_params import Choice, Flag, Setting, Text

TABS = {"pitfall": "1 · The pitfall", "layers": "2 · Layered handlers", "middleware": "3 · Middleware",
        "inside": "4 · Inside LangChain"}
URL_SETTINGS: tuple[Setting, ...] = (
    Choice("tab", tuple(TABS), "pitfall"), Flag("attach", False),
    Flag("ui", True), Flag("metrics", True), Flag("log", True), Flag("timing", True),
    Choice("transform", tuple(TRANSFORMS), "redact"), Text("prompt", REDACT_PROMPT),
)
"""What the page's URL may set, e.g. `?tab=middleware&transform=mask`; `tab` picks the tab it opens on."""

PATH = ("provider client (SSE) → chat model (`_stream` yields chunks) → callback manager → "
        "handlers (`on_llm_new_token`) → our queue → the script thread → the screen")


@dataclass(frozen=True)
class TimelineEvent:
    """One `astream_events` event: what happened, in which runnable, when."""

    event: str
    name: str
    ms: float
    detail: str = ""


def small_chain(model: BaseChatModel) -> Runnable:
    """prompt | model | output parser: the smallest chain with three runnables to watch."""
    prompt = ChatPromptTemplate.from_messages([("human", "{question}")])
    return prompt | model | StrOutputParser()


def outline_then_answer(model: BaseChatModel) -> Runnable:
    """Two model calls in a row: an outline first, then the answer written from it.

    Sequential on purpose: `RunnablePassthrough.assign` would run the outline in a thread pool,
    where Streamlit elements cannot be created (NoSessionContext) by a Streamlit handler.
    """
    outline = (ChatPromptTemplate.from_template("Plan an outline with 3 points for: {question}")
               | model | StrOutputParser()).with_config(run_name="outline")
    answer = (ChatPromptTemplate.from_template(
        "Using this outline:\n{outline}\n\nAnswer the question: {question}")
              | model | StrOutputParser()).with_config(run_name="answer")

    def steps(inputs: dict[str, Any], config: RunnableConfig) -> str:
        written = outline.invoke(inputs, config)
        return answer.invoke({**inputs, "outline": written}, config)

    return RunnableLambda(steps).with_config(run_name="outline_then_answer")


def _detail(event: dict[str, Any]) -> str:
    chunk = event.get("data", {}).get("chunk")
    if chunk is None:
        return ""
    text = getattr(chunk, "text", chunk)
    return repr(text if isinstance(text, str) else str(text))[:40]


async def _collect(chain: Runnable, inputs: dict[str, Any], clock: Clock) -> list[TimelineEvent]:
    start = clock.now()
    return [TimelineEvent(event["event"], event["name"], round((clock.now() - start) * 1000, 1),
                          _detail(event))
            async for event in chain.astream_events(inputs, version="v2")]


def event_timeline(chain: Runnable, inputs: dict[str, Any], *,
                   clock: Clock = REAL_CLOCK) -> list[TimelineEvent]:
    """Every `astream_events(version="v2")` event of one run, stamped in ms since the start."""
    return asyncio.run(_collect(chain, inputs, clock))


STEPS = ("Outline", "Answer")
"""The model calls of `outline_then_answer`, in order: each gets its own section on the page."""


def streamlit_step_handler(container: Any, steps: tuple[str, ...] = STEPS) -> BaseCallbackHandler:
    """LangChain's own Streamlit handler (langchain_community), made for a chain of plain model calls.

    Built for agents, it opens a section per *thought* and closes it only when a tool ends, so the two
    calls of a chain would share one section labelled ":thinking_face: Thinking..." forever (Streamlit
    1.67 shows emoji shortcodes in expander labels as typed). Here each call's section is named after
    its step and marked complete when the call ends (`_complete_current_thought`, checked on
    langchain-community 0.4), so the next call opens its own.
    """
    from langchain_community.callbacks.streamlit.streamlit_callback_handler import (
        LLMThoughtLabeler,
        StreamlitCallbackHandler,
    )

    class StepLabeler(LLMThoughtLabeler):
        """A section title per model call: the step's name and a Material icon (bundled with Streamlit,
        so it shows offline; emoji shortcodes do not render in labels)."""

        def __init__(self) -> None:
            self.calls = 0

        def name(self, call: int) -> str:
            return f"Step {call} · {steps[call - 1] if call <= len(steps) else 'model call'}"

        def get_initial_label(self) -> str:
            self.calls += 1
            return f":material/pending: {self.name(self.calls)}: streaming…"

    class SectionPerCall(StreamlitCallbackHandler):
        """Closes a model call's section when the call ends, with what it wrote."""

        def __init__(self) -> None:
            self.labels = StepLabeler()
            super().__init__(container, expand_new_thoughts=True, collapse_completed_thoughts=False,
                             max_thought_containers=len(steps) + 1, thought_labeler=self.labels)
            self.tokens = 0

        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            self.tokens += bool(token)
            super().on_llm_new_token(token, **kwargs)

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            super().on_llm_end(response, **kwargs)
            self._complete_current_thought(f":material/check_circle: {self.labels.name(self.labels.calls)}: "
                                           f"done, {self.tokens} tokens")
            self.tokens = 0

    return SectionPerCall()


def run_steps(chain: Runnable, inputs: dict[str, Any], handler: BaseCallbackHandler) -> str:
    """Run a multi-step chain on the script thread (the Streamlit handler draws as it goes)."""
    return chain.invoke(inputs, config={"callbacks": [handler]})


def event_log_frame(log: EventLogHandler, *, newest_first: bool = False) -> pd.DataFrame:
    """The handler's events as a table; newest first while it fills, so the latest is in view."""
    events = list(log.events)
    rows = [{"#": i + 1, "event": e.event, "ms since start": e.offset_ms, "detail": e.detail}
            for i, e in enumerate(events)]
    return pd.DataFrame(rows[::-1] if newest_first else rows,
                        columns=["#", "event", "ms since start", "detail"])


def metrics_line(metrics: MetricsHandler, *, done: bool = False) -> str:
    """The metrics handler's live numbers; "so far" only while the run is still going."""
    tokens = f"**{metrics.tokens}** tokens" + ("" if done else " so far")
    return (f"TTFT **{seconds(metrics.time_to_first_token)}** · {tokens} · "
            f"**{rate(metrics.streaming_rate)}** tokens/s")


def gaps_chart(gaps_ms: list[float]) -> alt.Chart:
    """Milliseconds between consecutive tokens: the stream's rhythm, jitter and stalls."""
    frame = pd.DataFrame({"token": range(2, len(gaps_ms) + 2), "gap (ms)": gaps_ms})
    return (alt.Chart(frame).mark_bar(color="#4F46E5")
            .encode(x=alt.X("token:Q", title="token #"), y=alt.Y("gap (ms):Q"))
            .properties(height=180))


PHASE_COLORS = {"start": "#10B981", "stream": "#4F46E5", "end": "#F59E0B"}
LANE_PX = 44
"""Height of one runnable's lane in the event timeline."""


def phase(event: str) -> str:
    """`on_chat_model_stream` → "stream": three colours tell the story, the tooltip has the name."""
    return event.rsplit("_", 1)[-1] if event.rsplit("_", 1)[-1] in PHASE_COLORS else "other"


def timeline_frame(events: list[TimelineEvent]) -> pd.DataFrame:
    return pd.DataFrame([{"ms": e.ms, "event": e.event, "runnable": e.name, "detail": e.detail}
                         for e in events], columns=["ms", "event", "runnable", "detail"])


def timeline_chart(events: list[TimelineEvent]) -> alt.Chart:
    """Each event as a tick on its runnable's lane, coloured by phase: start, stream, end."""
    frame = timeline_frame(events)
    frame["phase"] = frame["event"].map(phase)
    lanes = list(dict.fromkeys(frame["runnable"]))
    phases = [p for p in PHASE_COLORS if p in set(frame["phase"])]
    return (alt.Chart(frame).mark_tick(thickness=2, size=LANE_PX * 0.6)
            .encode(x=alt.X("ms:Q", title="ms since the start"),
                    y=alt.Y("runnable:N", title=None, sort=lanes, scale=alt.Scale(domain=lanes),
                            axis=alt.Axis(labelLimit=220)),
                    color=alt.Color("phase:N", title=None,
                                    scale=alt.Scale(domain=phases, range=[PHASE_COLORS[p] for p in phases]),
                                    legend=alt.Legend(orient="top", direction="horizontal")),
                    tooltip=["event", "runnable", "ms", "detail"])
            .properties(height=alt.Step(LANE_PX)))  # a fixed height would squeeze the lanes (autosize fit)


def middleware_verdict(counts: dict[str, int], max_held: int, same_as_whole: bool) -> str:
    """What the transform did on this run, counted by the transform itself."""
    done = ", ".join(f"**{n}** {name}" for name, n in counts.items() if n) or (
        "nothing matched" if counts else "every letter restyled (nothing to count)")
    return (f"Replaced: {done}. The look-ahead never held more than **{max_held} characters**; the "
            f"transformed text equals the transform of the whole answer: **{same_as_whole}**.")
