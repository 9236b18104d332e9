"""Flush policies: whatever the tokens and their timing, the text arrives whole, in order, paced."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.rendering.flush_policies import (
    EveryChars,
    EveryInterval,
    EveryToken,
    ThrottledBuffer,
    UpdateCost,
    WithinBudget,
    at_sentences,
    at_words,
    every_ms,
    frame_paced,
)
from components.rendering.sinks import BlockSink, WholeTextSink
from components.streaming.clock import FakeClock
from tests.support.render_replay import replay

POLICIES = [EveryToken(), every_ms(50), frame_paced(60), EveryChars(40), at_words(), at_sentences(),
            WithinBudget()]
tokens_st = st.lists(st.text(alphabet=st.sampled_from(list("ab .,!\n`*_#-1")), min_size=1, max_size=6),
                     max_size=120)
delays_st = st.floats(min_value=0.0, max_value=0.3, allow_nan=False)


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[str], list[float]]:
    tokens = draw(tokens_st)
    delays = draw(st.lists(delays_st, min_size=len(tokens), max_size=len(tokens)))
    return tokens, delays


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.label)
@given(schedule=schedules())
@settings(max_examples=60, deadline=None)
def test_no_policy_loses_or_reorders_text(policy, schedule) -> None:
    tokens, delays = schedule
    flushed: list[str] = []

    class Spy(WholeTextSink):
        def write(self, delta: str) -> None:
            assert delta, "an update without new text"
            flushed.append(delta)
            super().write(delta)

        def finish(self, rest: str = "") -> None:
            flushed.append(rest)
            super().finish(rest)

    sink = replay(tokens, delays, policy, Spy)
    assert "".join(flushed) == "".join(tokens) == sink.text


@pytest.mark.parametrize("interval", [0.05, 1 / 60, 0.2])
@given(schedule=schedules())
@settings(max_examples=60, deadline=None)
def test_an_interval_policy_updates_at_most_once_per_interval(interval, schedule) -> None:
    tokens, delays = schedule
    clock = FakeClock()
    times: list[float] = []

    class Spy(WholeTextSink):
        def write(self, delta: str) -> None:
            times.append(clock.now())
            super().write(delta)

        def finish(self, rest: str = "") -> None:
            times.append(clock.now())
            super().finish(rest)

    replay(tokens, delays, EveryInterval(interval), Spy, clock=clock)
    # one update per full interval, plus the first; the final one keeps the pace too
    assert len(times) <= math.floor(clock.now() / interval + 1e-9) + 2
    assert all(b - a >= interval - 1e-9 for a, b in itertools.pairwise(times))


def test_frame_paced_never_exceeds_60_updates_in_any_second() -> None:
    tokens, delays = ["tok "] * 2000, [0.001] * 2000  # 1,000 tokens a second for 2 seconds
    sink = replay(tokens, delays, frame_paced(60), WholeTextSink)
    times = [t for t, _ in sink.stats.timeline]
    assert max(sum(1 for t in times if start <= t < start + 1) for start in times) <= 60
    assert sink.text == "tok " * 2000


def test_a_stalled_stream_still_shows_pending_text_when_the_interval_ends() -> None:
    clock = FakeClock()
    buffer = ThrottledBuffer(every_ms(100), clock)
    assert buffer.add("Hello") is None  # too soon after the buffer started
    assert buffer.next_tick_in() == pytest.approx(0.1)
    clock.advance(0.1)
    assert buffer.tick() == "Hello"  # no new token came, the text is shown anyway
    assert buffer.next_tick_in() is None  # nothing pending: sleep until the next token


def test_every_chars_waits_for_enough_text_and_close_delivers_the_rest() -> None:
    buffer = ThrottledBuffer(EveryChars(5), FakeClock())
    assert buffer.add("ab") is None
    assert buffer.add("cde") == "abcde"
    assert buffer.add("f") is None
    assert buffer.close() == "f"
    assert buffer.close() == ""


def test_boundary_policies_flush_at_words_and_sentences() -> None:
    words, sentences = ThrottledBuffer(at_words(), FakeClock()), ThrottledBuffer(at_sentences(), FakeClock())
    assert words.add("Hel") is None and words.add("lo ") == "Hello "
    assert sentences.add("Hello ") is None and sentences.add("world.") == "Hello world."


def test_the_budget_policy_shows_the_first_words_at_once_then_prices_updates() -> None:
    policy = WithinBudget(ratio=2.0, max_wait=10)
    assert policy.due("Hi", 0.02, lambda: UpdateCost(next=0, spent=0, answer=2))
    assert not policy.due("a", 0.02, lambda: UpdateCost(next=500, spent=400, answer=300))
    assert policy.due("a", 0.02, lambda: UpdateCost(next=100, spent=400, answer=300))
    assert not policy.due("a", 0.001, lambda: UpdateCost(next=0, spent=1, answer=300))  # ≤ 60/s
    assert policy.due("a", 10, lambda: UpdateCost(next=10**6, spent=10**6, answer=1))  # max wait


@given(schedule=schedules())
@settings(max_examples=80, deadline=None)
def test_blocks_within_budget_keep_the_bytes_linear(schedule) -> None:
    tokens, delays = schedule
    policy = WithinBudget(ratio=2.5, max_wait=math.inf)
    spent_when_budgeted: list[tuple[int, int]] = []

    class Checked(BlockSink):
        def write(self, delta: str) -> None:
            super().write(delta)
            spent_when_budgeted.append((self.stats.bytes_estimate, len(self.text)))

    sink = replay(tokens, delays, policy, Checked)
    assert sink.text == "".join(tokens)
    # every update but the free first one and the forced final flush stayed inside the budget
    # (a few characters of slack: the cursor and closed markers are priced approximately)
    for spent, answer in spent_when_budgeted[1:-1]:
        assert spent <= 2.5 * answer + 8


@given(pieces=st.lists(st.text(max_size=5), max_size=30), n=st.integers(1, 80))
def test_pending_reads_its_end_without_joining_and_agrees_with_the_joined_text(pieces, n) -> None:
    from components.streaming.text_pieces import TextPieces

    pending = TextPieces()
    for piece in pieces:
        pending.add(piece)
    text = "".join(pieces)
    assert pending[-n:] == text[-n:] and len(pending) == len(text) and bool(pending) == bool(text)
    assert str(pending) == text
