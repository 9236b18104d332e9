"""The shared drawing path: a real StreamRun drawn through a policy into a sink shows the whole answer."""

from __future__ import annotations

import pytest

from components.models.simulated_model import SimulatedChatModel
from components.rendering.markdown_blocks import CURSOR
from components.rendering.render import DEFAULT_POLICY, draw_until_done, start_drawing
from components.rendering.sinks import BlockSink
from components.rendering.strategies import STRATEGIES
from components.streaming.run import StreamRun
from tests.support.recording_target import RecordingTarget


def fast_model(tokens: int = 300) -> SimulatedChatModel:
    return SimulatedChatModel(answer_tokens=tokens, ttft_s=0.0, tokens_per_second=20_000, jitter=0.0)


@pytest.mark.parametrize("key", list(STRATEGIES))
def test_every_strategy_ends_with_the_whole_answer_on_screen(key: str) -> None:
    strategy = STRATEGIES[key]
    target = RecordingTarget()
    result = draw_until_done([start_drawing(StreamRun(fast_model(), "long").start(), strategy.sink(target),
                                            strategy.policy)])[0]
    assert result.ok and 240 <= result.token_count <= 300
    screen = "".join(target.screen())
    assert screen.strip() == result.text.strip()
    assert CURSOR not in screen


def test_runs_drawn_together_each_get_the_same_seeded_answer_and_progress_is_reported() -> None:
    targets = [RecordingTarget(), RecordingTarget()]
    calls: list[int] = []
    renderings = [start_drawing(StreamRun(fast_model(), "long").start(), BlockSink(t)) for t in targets]
    results = draw_until_done(renderings, on_progress=lambda: calls.append(1), progress_every=0)
    assert results[0].text == results[1].text
    assert ["".join(t.screen()).strip() for t in targets] == [results[0].text.strip()] * 2
    assert calls, "no progress callback"


def test_the_default_policy_prices_updates_with_the_sink() -> None:
    sink = BlockSink(RecordingTarget())
    r = start_drawing(StreamRun(fast_model(2000), "long").start(), sink)
    assert r.buffer.policy is DEFAULT_POLICY and r.buffer.costs is sink
    draw_until_done([r])
    assert sink.stats.bytes_estimate <= 3 * len(sink.text)


def test_a_page_that_goes_away_cancels_its_runs() -> None:
    model = SimulatedChatModel(answer_tokens=500, ttft_s=0.0, tokens_per_second=200)
    run = StreamRun(model, "long").start()

    def leave() -> None:
        raise KeyboardInterrupt  # what a Streamlit rerun or a closed tab does to the script

    with pytest.raises(KeyboardInterrupt):
        draw_until_done([start_drawing(run, BlockSink(RecordingTarget()))], on_progress=leave,
                        progress_every=0)
    result = run.wait()
    assert result.cancelled and result.token_count < 500
