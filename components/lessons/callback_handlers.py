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
from components.streaming.clock import REAL_CLOCK, Clock
from components.streaming.units import rate, seconds

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


def streamlit_step_handler(container: Any) -> BaseCallbackHandler:
    """LangChain's own Streamlit handler (langchain_community): one collapsible section per call."""
    from langchain_community.callbacks.streamlit import StreamlitCallbackHandler

    return StreamlitCallbackHandler(container, expand_new_thoughts=True,
                                    collapse_completed_thoughts=False, max_thought_containers=4)


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


def metrics_line(metrics: MetricsHandler) -> str:
    return (f"TTFT **{seconds(metrics.time_to_first_token)}** · **{metrics.tokens}** tokens so far · "
            f"**{rate(metrics.streaming_rate)}** tokens/s")


def gaps_chart(gaps_ms: list[float]) -> alt.Chart:
    """Milliseconds between consecutive tokens: the stream's rhythm, jitter and stalls."""
    frame = pd.DataFrame({"token": range(2, len(gaps_ms) + 2), "gap (ms)": gaps_ms})
    return (alt.Chart(frame).mark_bar(color="#4F46E5")
            .encode(x=alt.X("token:Q", title="token #"), y=alt.Y("gap (ms):Q"))
            .properties(height=180))


def timeline_frame(events: list[TimelineEvent]) -> pd.DataFrame:
    return pd.DataFrame([{"ms": e.ms, "event": e.event, "runnable": e.name, "detail": e.detail}
                         for e in events], columns=["ms", "event", "runnable", "detail"])


def timeline_chart(events: list[TimelineEvent]) -> alt.Chart:
    """Each event as a tick on its runnable's lane: starts, the stream of chunks, the ends."""
    frame = timeline_frame(events)
    lanes = list(dict.fromkeys(frame["runnable"]))
    return (alt.Chart(frame).mark_circle(size=40, opacity=0.7)
            .encode(x=alt.X("ms:Q", title="ms since the start"),
                    y=alt.Y("runnable:N", title=None, sort=lanes,
                            scale=alt.Scale(domain=lanes), axis=alt.Axis(labelLimit=220)),
                    color=alt.Color("event:N", title=None, legend=alt.Legend(orient="bottom", columns=4)),
                    tooltip=["event", "runnable", "ms", "detail"])
            .properties(height=50 * len(lanes) + 20))


def redaction_counts(text: str) -> dict[str, int]:
    """How many of each redaction tag the transformed text carries."""
    return {tag: text.count(tag) for tag in ("[e-mail]", "[phone]", "[secret]") if tag in text}
