"""Look inside LangChain: the events of a small chain, and a multi-step chain streamed step by step."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from components.clock import REAL_CLOCK, Clock

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
