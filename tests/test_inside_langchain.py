"""The event timeline helper and the two-step chain, on the simulated model and the real SSE server."""

from __future__ import annotations

from langchain_core.messages import HumanMessage

from components.config import ProviderSettings
from components.lessons.callback_handlers import event_timeline, outline_then_answer, small_chain
from components.models.providers import build_chat_model
from components.models.simulated_model import SimulatedChatModel
from components.streaming.clock import FakeClock
from tests.support.openai_server import DEFAULT_TOKENS


def test_the_timeline_has_every_runnable_in_order(clock: FakeClock) -> None:
    model = SimulatedChatModel(clock=clock, streaming=True)
    events = event_timeline(small_chain(model), {"question": "Why stream?"}, clock=clock)
    names = [e.event for e in events]
    assert names[0] == "on_chain_start" and names[-1] == "on_chain_end"
    assert {"on_prompt_start", "on_chat_model_start", "on_chat_model_stream", "on_parser_stream",
            "on_chat_model_end"} <= set(names)
    assert [e.ms for e in events] == sorted(e.ms for e in events)
    first = next(e for e in events if e.event == "on_chat_model_stream")
    assert first.name == "SimulatedChatModel" and 200 < first.ms < 600  # the simulated 400 ms TTFT
    answer = model.plan([HumanMessage("Why stream?")]).text
    chunks = [e for e in events if e.event == "on_parser_stream"]
    assert len(chunks) >= len(answer.split())


def test_the_timeline_works_against_an_openai_compatible_server(openai_server) -> None:
    model = build_chat_model(ProviderSettings(provider="openai", base_url=openai_server.base_url,
                                              model="fake-model"))
    events = event_timeline(small_chain(model), {"question": "hi"})
    parsed = "".join(e.detail.strip("'") for e in events if e.event == "on_parser_stream")
    assert parsed == "".join(DEFAULT_TOKENS)


def test_outline_then_answer_makes_two_model_calls_in_sequence(clock: FakeClock) -> None:
    from components.callbacks import EventLogHandler

    log = EventLogHandler(clock)
    model = SimulatedChatModel(clock=clock, streaming=True)
    answer = outline_then_answer(model).invoke({"question": "Why should a chat app stream?"},
                                               config={"callbacks": [log]})
    starts = [e for e in log.events if e.event == "on_chat_model_start"]
    assert len(starts) == 2
    assert answer.startswith("Streaming sends the answer")
