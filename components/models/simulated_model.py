"""An offline chat model that streams like a hosted one, so the lab works with zero set-up."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from components.models.answers import long_answer, pick_answer, reworded
from components.streaming.clock import REAL_CLOCK
from components.streaming.recovery import CONTINUE_INSTRUCTION

_TOKEN_RE = re.compile(r" ?[A-Za-z]+| ?\d+| ?[^\sA-Za-z\d]+|\s+")
_MAX_WORD_PIECE = 6


def tokenize(text: str) -> list[str]:
    """Split text into word pieces that keep their leading space; the pieces join back exactly."""
    pieces: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        piece = match.group()
        while len(piece) > _MAX_WORD_PIECE + 1 and not piece.isspace():
            cut = _MAX_WORD_PIECE if not piece.startswith(" ") else _MAX_WORD_PIECE + 1
            pieces.append(piece[:cut])
            piece = piece[cut:]
        pieces.append(piece)
    return pieces


_SENTENCE_END = re.compile(r"[^\d\s*][.!?]\**$")
"""A sentence ends in a full stop, question or exclamation mark (not a list's "1."), bold or not."""


def whole_sentences(tokens: list[str], limit: int) -> list[str]:
    """The longest start of `tokens`, at most `limit` long, that ends a sentence outside code and emphasis
    (all of them when none does): a long answer cut to a length still reads as finished.

    Markdown markers are punctuation runs, so `tokenize` keeps each inside one token: counting them
    token by token tracks fences, inline code and bold in one pass."""
    best, tail, fenced, inline, bold = 0, "", False, False, False
    for i, token in enumerate(tokens[:limit], start=1):
        tail = (tail + token)[-8:]
        if "```" in token:
            fenced ^= token.count("```") % 2 == 1
            continue
        if fenced:
            continue
        inline ^= token.count("`") % 2 == 1
        if not inline:
            bold ^= token.count("**") % 2 == 1
        ends = i == len(tokens) or tokens[i][:1].isspace()
        if not inline and not bold and ends and _SENTENCE_END.search(tail):
            best = i
    return tokens[:best] if best else tokens[:limit]


def _stable_seed(*parts: object) -> int:
    """A seed that is the same in every process (Python's hash() is salted per process)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _message_text(message: BaseMessage) -> str:
    return message.text if isinstance(message.text, str) else str(message.content)


def _continued_reply(messages: Sequence[BaseMessage]) -> str | None:
    """The cut-off reply being continued, when the last message asks to continue it."""
    if (len(messages) >= 2 and isinstance(messages[-1], HumanMessage)
            and _message_text(messages[-1]) == CONTINUE_INSTRUCTION
            and isinstance(messages[-2], AIMessage)):
        return _message_text(messages[-2])
    return None


def _rest_after(tokens: list[str], partial: str) -> list[str]:
    """The tokens that follow `partial` in the answer (re-tokenized if it ends inside a token)."""
    text = "".join(tokens)
    if not text.startswith(partial):
        return tokens  # not our answer: start over, as a confused model would
    sent = 0
    for i, token in enumerate(tokens):
        if sent == len(partial):
            return tokens[i:]
        sent += len(token)
    return tokenize(text[len(partial):]) if sent != len(partial) else []


@dataclass(frozen=True)
class AnswerPlan:
    """What the simulated model will say and when: one delay before each token, in seconds."""

    tokens: list[str]
    delays: list[float]
    input_tokens: int

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    @property
    def duration(self) -> float:
        return sum(self.delays)


class SimulatedChatModel(BaseChatModel):
    """A real `BaseChatModel` with seeded, realistic streaming: no key, no network.

    >>> model = SimulatedChatModel(ttft_s=0, tokens_per_second=1e9)
    >>> "".join(chunk.text for chunk in model.stream("Why stream?")).startswith("Streaming")
    True
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str = "simulated-1"
    """Shown in captions, like a provider's model name."""
    seed: int = 7
    """Same prompt and seed give the same answer and the same timing."""
    ttft_s: float = 0.4
    """Mean time to first token, in seconds."""
    tokens_per_second: float = 40.0
    """Mean token rate after the first token."""
    jitter: float = 0.3
    """Relative spread of each delay, 0 (metronome) to 1 (very uneven)."""
    answer_tokens: int = 0
    """0: the built-in answer the prompt picks; N > 0: a long guide cut to at most N tokens, at the end
    of a sentence (a few tokens short of N)."""
    variant: int = 0
    """0: the answer; N > 0: the N-th rewording of it (a regenerated reply differs, reproducibly)."""
    text: str = ""
    """A fixed answer whatever the prompt (benchmarks, hostile-output tests); empty: as above."""
    streaming: bool = False
    """Like `ChatOpenAI.streaming`: `invoke()` streams through callbacks when True."""
    clock: Any = Field(default=REAL_CLOCK, exclude=True)
    """Where delays are spent (a `Clock`; pydantic cannot check a Protocol); tests pass a `FakeClock`."""

    @property
    def _llm_type(self) -> str:
        return "simulated-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "seed": self.seed,
            "ttft_s": self.ttft_s,
            "tokens_per_second": self.tokens_per_second,
            "jitter": self.jitter,
            "answer_tokens": self.answer_tokens,
            "variant": self.variant,
            "text": hashlib.sha256(self.text.encode()).hexdigest()[:16] if self.text else "",
        }

    def plan(self, messages: Sequence[BaseMessage]) -> AnswerPlan:
        """Decide the answer and every delay up front, from the prompt and the seed alone.

        Asked to continue a cut-off reply (the reply, then CONTINUE_INSTRUCTION), it sends
        exactly the rest of the same answer, like a perfect real model would.
        """
        partial = _continued_reply(messages)
        humans = [m for m in messages if isinstance(m, HumanMessage)]
        if partial is not None:
            humans = humans[:-1]  # the instruction is not the question
        prompt = _message_text(humans[-1]) if humans else ""
        if self.text:
            tokens = tokenize(self.text)
        elif self.answer_tokens > 0:
            tokens = whole_sentences(tokenize(long_answer(self.answer_tokens * 8)), self.answer_tokens)
        else:
            tokens = tokenize(reworded(pick_answer(prompt).text, self.variant))
        if partial is not None:
            tokens = _rest_after(tokens, partial)
        rng = random.Random(_stable_seed(self.seed, prompt, self.answer_tokens))
        spread = min(max(self.jitter, 0.0), 1.0)
        gap = 1.0 / self.tokens_per_second if self.tokens_per_second > 0 else 0.0
        delays = [self.ttft_s * rng.uniform(1 - spread / 2, 1 + spread / 2)]
        delays += [gap * rng.uniform(1 - spread, 1 + spread) for _ in tokens[1:]]
        input_tokens = sum(len(tokenize(_message_text(m))) for m in messages)
        return AnswerPlan(tokens=tokens, delays=delays, input_tokens=input_tokens)

    def _final_chunk(self, plan: AnswerPlan) -> ChatGenerationChunk:
        """The empty closing chunk that carries usage and the finish reason, as providers send."""
        return ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=self._usage(plan),
                response_metadata=self._response_metadata(),
                chunk_position="last",
            )
        )

    def _usage(self, plan: AnswerPlan) -> dict[str, int]:
        out = len(plan.tokens)
        return {"input_tokens": plan.input_tokens, "output_tokens": out,
                "total_tokens": plan.input_tokens + out}

    def _response_metadata(self) -> dict[str, Any]:
        return {"finish_reason": "stop", "model_name": self.model_name,
                "model_provider": "simulated"}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        plan = self.plan(messages)
        self.clock.sleep(plan.duration)
        message = AIMessage(content=plan.text, usage_metadata=self._usage(plan),
                            response_metadata=self._response_metadata())
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # BaseChatModel fires on_llm_new_token for each chunk we yield; we must not do it twice.
        plan = self.plan(messages)
        due = self.clock.now()
        for token, delay in zip(plan.tokens, plan.delays, strict=True):
            # on a schedule, like a real server: a late wake-up does not delay every later token
            due += delay
            if (wait := due - self.clock.now()) > 0:
                self.clock.sleep(wait)
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))
        yield self._final_chunk(plan)
