"""Named ways to put a stream on screen (flush policy × sink), for the throttling page and its bench."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.rendering.flush_policies import (
    EveryChars,
    EveryToken,
    FlushPolicy,
    WithinBudget,
    at_sentences,
    at_words,
    every_ms,
    frame_paced,
)
from components.rendering.render import DEFAULT_POLICY, Sink
from components.rendering.sentence_sink import SentenceSink
from components.rendering.sinks import BlockSink, Target, WholeTextSink
from components.rendering.typing_sink import TypingSink
from components.streaming.clock import REAL_CLOCK, Clock


@dataclass(frozen=True)
class Strategy:
    """A flush policy and how the text is drawn: the whole text each time, or finished blocks once."""

    key: str
    label: str
    short: str
    """A column title that fits one line in a third of the page."""
    policy: FlushPolicy
    blocks: bool = False
    drawn_by: Any = None
    """Another sink class (the typing view needs a TypingScreen target, the sentence tail may flow)."""

    def sink(self, target: Target, clock: Clock = REAL_CLOCK) -> Sink:
        if self.drawn_by is not None:
            return self.drawn_by(target, clock=clock)
        return BlockSink(target, clock=clock) if self.blocks else WholeTextSink(target, clock=clock)


STRATEGIES: dict[str, Strategy] = {s.key: s for s in (
    Strategy("every_token", "Every token (what st.write_stream does)", "Every token", EveryToken()),
    Strategy("every_50ms", "Every 50 ms", "Every 50 ms", every_ms(50)),
    Strategy("every_80_chars", "Every 80 characters", "Every 80 chars", EveryChars(80)),
    Strategy("words", "At word boundaries", "Words", at_words()),
    Strategy("sentences", "At sentence boundaries", "Sentences", at_sentences()),
    Strategy("frame_paced", "Frame-paced (≤ 60/s)", "Frame-paced", frame_paced(60)),
    Strategy("blocks_frame_paced", "Blocks + frame-paced", "Blocks + frames", frame_paced(60), blocks=True),
    Strategy("blocks_budget", "Blocks + byte budget (the old default)", "Blocks + budget",
             WithinBudget(), blocks=True),
    Strategy("sentence_tail", "Blocks + live sentence, 20/s (native)", "Live sentence", every_ms(50),
             drawn_by=SentenceSink),
    Strategy("typing", "Typing view: appends, revealed in the browser (the app's default)", "Typing view",
             DEFAULT_POLICY, drawn_by=TypingSink),
)}
DEFAULT_COMPARISON = ("every_token", "every_50ms", "typing")
