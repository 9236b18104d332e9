"""The typing view's server side: each character sent once, the pace kept, the end at once, the text whole."""

from __future__ import annotations

import itertools
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from components.models.sample_texts import HOSTILE, PROSE
from components.models.simulated_model import SimulatedChatModel
from components.rendering.bounds import BoundedStream, Bounds
from components.rendering.flush_policies import ThrottledBuffer
from components.rendering.render import DEFAULT_POLICY, draw_until_done, start_drawing
from components.rendering.typing_sink import AT_ONCE, CUT_SHORT, DONE, AppendPaced, TypingSink, replay
from components.streaming.clock import FakeClock
from components.streaming.run import StreamRun
from tests.support.recording_target import RecordingTarget
from tests.support.render_replay import replay as replay_schedule

tokens_st = st.lists(st.text(alphabet=st.sampled_from(list("ab .,\n`*_#-1é")), min_size=1, max_size=6),
                     max_size=150)


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[str], list[float]]:
    tokens = draw(tokens_st)
    delays = draw(st.lists(st.floats(0.0, 0.4, allow_nan=False), min_size=len(tokens), max_size=len(tokens)))
    return tokens, delays


def typing_sink(target: RecordingTarget, clock: FakeClock) -> TypingSink:
    return TypingSink(target, clock=clock)


@given(schedule=schedules())
@settings(max_examples=150, deadline=None)
def test_every_character_is_sent_once_in_order_and_the_end_says_so(schedule) -> None:
    tokens, delays = schedule
    target, clock = RecordingTarget(), FakeClock()
    sink = replay_schedule(tokens, delays, AppendPaced(), lambda t, clock: typing_sink(target, clock),
                           clock=clock)
    feed = target.elements[0]
    pieces = [json.loads(p) for p in feed.payloads]
    assert replay(feed.payloads) == ("".join(tokens), DONE)
    assert sink.text == "".join(tokens)
    assert sum(len(p[1]) for p in pieces) == len(sink.text)  # append-only: nothing is sent twice
    assert [p[0] for p in pieces] == list(itertools.accumulate([0] + [len(p[1]) for p in pieces[:-1]]))


@given(schedule=schedules())
@settings(max_examples=100, deadline=None)
def test_appends_are_paced_the_first_words_go_at_once_and_the_end_is_not_delayed(schedule) -> None:
    tokens, delays = schedule
    clock = FakeClock()
    times: list[float] = []

    class Timed(RecordingTarget):
        def typing_view(self, view: str):
            feed = super().typing_view(view)
            append = feed.append
            feed.append = lambda payload: (times.append(clock.now()), append(payload))
            return feed

    replay_schedule(tokens, delays, AppendPaced(), lambda t, clock: TypingSink(Timed(), clock=clock),
                    clock=clock)
    stream, drawn = BoundedStream(), []  # what the view was given to draw after each token
    for token in tokens:
        drawn.append((drawn[-1] if drawn else "") + stream.feed(token))
    first = next((i for i, text in enumerate(drawn) if text), None)
    if first is not None:
        assert times[0] == sum(delays[: first + 1])  # the first append does not wait for the pace
    words = next((i for i, text in enumerate(drawn) if re.search(r"\w", text)), None)
    if words is not None:  # nor do the first words after markup ('## ', '**'), however early it came
        assert sum(delays[: words + 1]) in times
    paced = []  # from the append that carried the first words on, one per interval
    if words is not None:
        paced = times[max(i for i, t in enumerate(times) if t <= sum(delays[: words + 1])):-1]
    pace = AppendPaced().seconds
    assert all(b - a >= pace - 1e-9 for a, b in itertools.pairwise(paced))
    assert times[-1] == clock.now()


def test_a_stalled_stream_still_sends_its_text_when_the_interval_ends() -> None:
    clock = FakeClock()
    buffer = ThrottledBuffer(AppendPaced(), clock, costs=TypingSink(RecordingTarget(), clock=clock))
    assert buffer.add("Hello") == "Hello"  # nothing sent yet: the first words go at once
    buffer.costs.write("Hello")
    assert buffer.add(" wor") is None
    assert buffer.next_tick_in() == AppendPaced().seconds
    clock.advance(AppendPaced().seconds)
    assert buffer.tick() == " wor"
    assert buffer.final_wait() == 0.0


def test_the_default_renderer_is_the_typing_view_through_the_shared_path() -> None:
    target = RecordingTarget()
    model = SimulatedChatModel(text=PROSE, ttft_s=0.0, tokens_per_second=2_000, jitter=0.0)
    drawing = start_drawing(StreamRun(model, "prose").start(), TypingSink(target))
    assert drawing.buffer.policy is DEFAULT_POLICY
    result = draw_until_done([drawing])[0]
    assert result.text == PROSE and target.screen() == [PROSE]
    duration = drawing.buffer.update_times[-1] - drawing.buffer.update_times[0]
    assert drawing.sink.stats.updates <= duration / AppendPaced().seconds + 2
    assert drawing.sink.stats.chars_pushed <= len(PROSE.encode()) + 20 * drawing.sink.stats.updates


def test_a_caught_up_or_replaced_answer_is_drawn_from_scratch_at_once() -> None:
    target = RecordingTarget()
    sink = TypingSink(target)
    sink.write("Hello wor")
    sink.replace("Hi there")
    sink.write(", again")
    sink.finish(complete=False)
    payloads = target.elements[0].payloads
    assert json.loads(payloads[1]) == [0, "Hi there", AT_ONCE]
    assert replay(payloads) == ("Hi there, again", CUT_SHORT)
    assert sink.text == "Hi there, again"


def test_a_reply_caught_up_from_a_store_arrives_as_one_update_shown_at_once() -> None:
    model = SimulatedChatModel(text=PROSE, ttft_s=0.0, tokens_per_second=2_000, jitter=0.0)
    run = StreamRun(model, "prose", on_screen=PROSE[:200]).start()
    target = RecordingTarget()
    start_drawing(run, TypingSink(target))
    assert json.loads(target.elements[0].payloads[0]) == [0, PROSE[:200], AT_ONCE]
    run.abandon()


def test_hostile_output_is_drawn_bounded_while_the_whole_text_is_kept() -> None:
    for name, text in HOSTILE.items():
        if len(text) > 2_000_000:
            text = text[:2_000_000]
        target = RecordingTarget()
        sink = TypingSink(target, bounds=Bounds())
        for i in range(0, len(text), 997):
            sink.write(text[i:i + 997])
        sink.finish()
        drawn, flag = replay(target.elements[0].payloads)
        assert sink.text == text and flag == DONE, name
        assert len(drawn) <= Bounds().total + 1
        assert max(map(len, drawn.split("\n"))) <= Bounds().line + 1 + Bounds().depth
        assert (drawn != text) == bool(sink.shortened), name
