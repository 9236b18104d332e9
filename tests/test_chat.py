"""Chat building blocks: history, trimming, exports, configuration, the reply cache and Stop."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from components.chat.cache import CacheStats, ReplayChatModel, ReplyCache, who_asks
from components.chat.conversation import (
    Conversation,
    Turn,
    reply_from,
    within_budget,
)
from components.config import ProviderSettings
from components.models.providers import build_chat_model
from components.models.simulated_model import SimulatedChatModel
from components.streaming.clock import FakeClock
from components.streaming.run import StreamRun
from tests.support.openai_server import FakeOpenAIServer


def fast(**extra: object) -> SimulatedChatModel:
    return SimulatedChatModel(**{"ttft_s": 0.0, "tokens_per_second": 5_000, "jitter": 0.0, **extra})


def test_history_turns_messages_and_regenerate() -> None:
    chat = Conversation()
    chat.ask("Why stream?")
    assert chat.pending_prompt == "Why stream?"
    chat.answer(Turn("assistant", "Because.", label="simulated/simulated-1"))
    chat.ask("And then?")
    chat.answer(Turn("assistant", "Partial", stopped=True))
    assert chat.pending_prompt is None
    assert [type(m) for m in chat.messages()] == [HumanMessage, AIMessage, HumanMessage, AIMessage]
    reopened = chat.reopen_last()
    assert reopened.content == "Partial" and chat.pending_prompt == "And then?"
    assert chat.reopen_last() is None  # only a reply can be reopened


def test_exports_carry_every_turn_and_its_marks() -> None:
    chat = Conversation()
    chat.ask("Q")
    chat.answer(Turn("assistant", "A **bold** answer", label="p/m", cached=True, stopped=True))
    data = json.loads(chat.to_json())
    assert [t["content"] for t in data["turns"]] == ["Q", "A **bold** answer"]
    assert data["turns"][1]["cached"] and data["turns"][1]["stopped"]
    markdown = chat.to_markdown()
    assert "**You:**" in markdown and "A **bold** answer" in markdown
    assert "from the cache" in markdown and "stopped" in markdown and "badge" not in markdown


def test_history_is_trimmed_to_the_token_budget_starting_on_a_user_turn() -> None:
    messages = []
    for i in range(30):
        messages += [HumanMessage(f"question {i} " * 20), AIMessage(f"answer {i} " * 40)]
    messages.append(HumanMessage("the new question"))
    kept, dropped = within_budget(messages, 600)
    assert dropped > 0 and kept[-1].content == "the new question"
    assert isinstance(kept[0], HumanMessage)
    assert messages[-len(kept):] == kept
    everything, none_dropped = within_budget(messages[:3], 10_000)
    assert none_dropped == 0 and everything == messages[:3]
    alone, _ = within_budget([HumanMessage("x " * 5000)], 10)
    assert len(alone) == 1  # a prompt over the budget on its own is still sent


WHO = "someone"


def test_the_cache_stores_complete_answers_only_and_replays_them(tmp_path) -> None:
    cache = ReplyCache(str(tmp_path / "cache.sqlite"))
    model, messages = fast(), [HumanMessage("Why stream?")]
    assert cache.lookup(model, messages, WHO) is None
    result = StreamRun(model, messages).start().wait()
    cache.store(model, messages, result, WHO)
    hit = cache.lookup(model, messages, WHO)
    assert hit.text == result.text and len(hit.token_times) == result.token_count
    assert cache.lookup(fast(seed=8), messages, WHO) is None  # other settings, other answer
    assert cache.lookup(model, [HumanMessage("Other?")], WHO) is None
    cache.clear()
    assert cache.lookup(model, messages, WHO) is None


def test_a_stopped_reply_with_text_is_never_cached(tmp_path) -> None:
    """The guard under test is `result.ok`: the reply is stopped after text has arrived, so an
    empty text cannot be what keeps it out of the cache."""
    cache = ReplyCache(str(tmp_path / "cache.sqlite"))
    model, messages = fast(tokens_per_second=200), [HumanMessage("Stop me")]
    stopped = StreamRun(model, messages).start()
    while not stopped.result.text and not stopped.done:
        stopped.poll(timeout=0.05)
    stopped.abandon()
    assert stopped.result.text and stopped.result.cancelled and not stopped.result.ok
    cache.store(model, messages, stopped.result, WHO)
    assert cache.lookup(model, messages, WHO) is None


@pytest.mark.parametrize("paced", [False, True])
def test_a_replay_streams_the_same_text_instantly_or_at_the_original_pace(paced: bool) -> None:
    clock = FakeClock()
    original = StreamRun(SimulatedChatModel(clock=clock), "Why stream?", clock=clock).start().wait()
    replay_clock = FakeClock()
    replay = ReplayChatModel(reply_text=original.text, token_times=original.token_times, paced=paced,
                             clock=replay_clock)
    result = StreamRun(replay, "Why stream?", clock=replay_clock).start().wait()
    assert result.ok and result.text == original.text
    if paced:
        assert replay_clock.now() == pytest.approx(original.token_times[-1], rel=0.01)
    else:
        assert replay_clock.now() == 0


def test_cache_stats_line() -> None:
    stats = CacheStats()
    assert "no questions" in stats.line()
    stats.record(False)
    stats.record(True)
    assert stats.line() == "Cache: 1 of 2 answers from the cache (50%)"


def test_a_stopped_reply_keeps_its_text_and_is_marked() -> None:
    run = StreamRun(SimulatedChatModel(ttft_s=0, tokens_per_second=200), "Why stream?").start()
    while len(run.result.text) < 40:
        run.poll(timeout=0.05)
    run.abandon()
    turn = reply_from(run.result)
    assert turn.stopped and turn.content == run.result.text and len(turn.content) >= 40
    assert turn.tokens > 0 and "stopped" in turn.caption()


def test_stop_really_closes_the_providers_stream(openai_server: FakeOpenAIServer) -> None:
    openai_server.script.tokens = [f" w{i}" for i in range(200)]
    openai_server.script.delay_s = 0.02
    model = build_chat_model(ProviderSettings(provider="openai", base_url=openai_server.base_url,
                                              model="fake-model"))
    run = StreamRun(model, "talk").start()
    while len(run.result.text) < 30:
        run.poll(timeout=0.05)
    run.abandon()
    deadline = time.monotonic() + 5
    record = openai_server.records[-1]
    while not record.client_closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.client_closed and not record.finished
    assert record.chunks_sent < 200


def test_the_cache_answers_only_who_asked_the_same_provider_with_the_same_key(tmp_path) -> None:
    cache = ReplyCache(str(tmp_path / "cache.sqlite"))
    model, messages = fast(), [HumanMessage("Why stream?")]
    owner = ProviderSettings(provider="openai", base_url="http://a/v1", api_key="right-key")
    cache.store(model, messages, StreamRun(model, messages).start().wait(), who_asks(owner))
    assert cache.lookup(model, messages, who_asks(owner)) is not None
    for other in (replace(owner, api_key="wrong-key"), replace(owner, base_url="http://b/v1"),
                  replace(owner, provider="simulated")):
        assert cache.lookup(model, messages, who_asks(other)) is None
    assert "right-key" not in who_asks(owner)


def test_the_cache_file_is_capped_and_keeps_the_newest_answers(tmp_path) -> None:
    cache = ReplyCache(str(tmp_path / "cache.sqlite"), max_bytes=60_000)
    model = fast()
    for i in range(40):
        messages = [HumanMessage(f"Question {i}?")]
        cache.store(model, messages, StreamRun(model, messages).start().wait(), WHO)
    assert cache.bytes_used() <= 60_000
    assert cache.lookup(model, [HumanMessage("Question 39?")], WHO) is not None
    assert cache.lookup(model, [HumanMessage("Question 0?")], WHO) is None
