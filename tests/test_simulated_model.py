"""The simulated model streams like a provider: same seed, same answer and timing; honest durations."""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.language_models import BaseChatModel

from components.models.answers import pick_answer
from components.models.simulated_model import SimulatedChatModel, tokenize, whole_sentences
from components.rendering.transforms import PHONE, SECRET
from components.streaming.clock import FakeClock

PROMPT = "Why should a chat app stream its answers?"


@given(st.text())
def test_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(tokenize(text)) == text


def test_tokens_are_word_pieces_with_their_spaces() -> None:
    assert tokenize("Hello, streaming world!") == ["Hello", ",", " stream", "ing", " world", "!"]


def test_is_a_real_langchain_chat_model() -> None:
    assert isinstance(SimulatedChatModel(), BaseChatModel)


def test_chunks_join_to_the_full_answer_with_markdown(clock: FakeClock) -> None:
    model = SimulatedChatModel(clock=clock)
    chunks = list(model.stream(PROMPT))
    text = "".join(c.text for c in chunks)
    assert text == pick_answer(PROMPT).text
    assert len(chunks) > 100
    assert "```python" in text and "\n- " in text and "\n\n" in text


def test_last_chunk_carries_usage_and_finish_reason(clock: FakeClock) -> None:
    chunks = list(SimulatedChatModel(clock=clock).stream(PROMPT))
    last = chunks[-1]
    assert last.text == ""
    assert last.response_metadata["finish_reason"] == "stop"
    assert last.usage_metadata["output_tokens"] == len(chunks) - 1
    assert last.usage_metadata["input_tokens"] > 0


def test_timing_comes_from_the_injected_clock(clock: FakeClock) -> None:
    model = SimulatedChatModel(clock=clock, ttft_s=0.4, tokens_per_second=40, jitter=0.0)
    times = []
    for chunk in model.stream(PROMPT):
        if chunk.text:
            times.append(clock.now())
    assert times[0] == 0.4
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(times)}
    assert gaps == {0.025}


def test_same_seed_same_answer_and_timing() -> None:
    def run(seed: int) -> tuple[str, list[float]]:
        clock = FakeClock()
        model = SimulatedChatModel(clock=clock, seed=seed)
        stamps, text = [], ""
        for chunk in model.stream(PROMPT):
            text += chunk.text
            stamps.append(clock.now())
        return text, stamps

    assert run(1) == run(1)
    assert run(1)[0] == run(2)[0]  # the seed changes the timing, not what is said
    assert run(1)[1] != run(2)[1]


def test_prompt_picks_a_fitting_answer() -> None:
    assert pick_answer("How do callback handlers work?").key == "callbacks"
    assert pick_answer("What if the network drops mid-stream?").key == "drops"
    assert pick_answer("In one sentence, what is streaming?").key == "short"
    assert pick_answer("Tell me a joke").key == "general"


def test_invoke_takes_as_long_as_stream() -> None:
    stream_clock, invoke_clock = FakeClock(), FakeClock()
    list(SimulatedChatModel(clock=stream_clock).stream(PROMPT))
    message = SimulatedChatModel(clock=invoke_clock).invoke(PROMPT)
    # sum() of floats is compensated from Python 3.12: the same delays, totalled two ways, may
    # differ in the last digit
    assert invoke_clock.now() == pytest.approx(stream_clock.now(), rel=1e-12)
    assert stream_clock.now() > 3
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.text == pick_answer(PROMPT).text


def test_astream_matches_stream() -> None:
    async def collect() -> tuple[str, float]:
        clock = FakeClock()
        chunks = [c async for c in SimulatedChatModel(clock=clock).astream(PROMPT)]
        return "".join(c.text for c in chunks), clock.now()

    sync_clock = FakeClock()
    sync_text = "".join(c.text for c in SimulatedChatModel(clock=sync_clock).stream(PROMPT))
    text, seconds = asyncio.run(collect())
    assert text == sync_text and seconds == pytest.approx(sync_clock.now(), rel=1e-12)


@pytest.mark.parametrize("tokens", [200, 300, 1500, 5000, 8000])
def test_a_long_answer_ends_on_a_full_sentence_near_its_length(clock: FakeClock, tokens: int) -> None:
    chunks = [c.text for c in SimulatedChatModel(clock=clock, answer_tokens=tokens).stream(PROMPT) if c.text]
    text = "".join(chunks)
    assert tokens - 60 <= len(chunks) <= tokens
    assert re.search(r"[A-Za-z)][.!?]\**$", text), f"ends mid-sentence: {text[-60:]!r}"
    assert text.count("```") % 2 == 0


def test_a_long_answer_holds_no_personal_data_or_key_like_text(clock: FakeClock) -> None:
    text = "".join(c.text for c in SimulatedChatModel(clock=clock, answer_tokens=8000).stream(PROMPT))
    assert "@" not in text and not PHONE.pattern.search(text) and not SECRET.pattern.search(text)
    assert not re.search(r"sk-[\w-]{6,}", text)


def test_whole_sentences_keeps_everything_when_no_sentence_ends() -> None:
    assert whole_sentences(["# A", " title"], 5) == ["# A", " title"]
    assert whole_sentences(tokenize("One. Two `x.` three **four.** Five"), 20) == tokenize(
        "One. Two `x.` three **four.**")


def test_a_variant_is_another_wording_of_the_same_answer_and_reproducible(clock: FakeClock) -> None:
    def text(variant: int) -> str:
        return "".join(c.text for c in SimulatedChatModel(clock=clock, variant=variant).stream(PROMPT))

    original = pick_answer(PROMPT).text
    assert text(0) == original
    first, second = text(1), text(2)
    assert len({original, first, second}) == 3 and text(1) == first
    for variant in (first, second):  # nothing of the answer is lost, moved or garbled
        assert variant.endswith("\n\n" + original) and variant != original
