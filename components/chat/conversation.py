"""A chat's history and what is sent of it: turns, token-budget trimming, exports."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, trim_messages
from langchain_core.messages.utils import count_tokens_approximately

from components.streaming.result import StreamResult
from components.streaming.units import rate, seconds


@dataclass
class Turn:
    """One message of the conversation, with what the user should know about how it ended."""

    role: Literal["user", "assistant"]
    content: str
    label: str = ""
    ttft: float | None = None
    tokens_per_second: float | None = None
    """Over the whole reply, as the user waited for it (StreamResult.overall_rate)."""
    tokens: int = 0
    cached: bool = False
    stopped: bool = False
    error: str = ""
    recovered: str = ""
    trimmed: int = 0
    """Older messages left out of the request to fit the history budget."""
    variant: int = 0
    """How many times this reply was regenerated (the simulated model's seed moves on with it)."""

    @property
    def complete(self) -> bool:
        return self.role == "user" or not (self.stopped or self.error)

    def caption(self) -> str:
        """The line under a reply: speed, size, model, and any mark (cached, stopped, recovered)."""
        if self.role == "user":
            return ""
        if self.cached:  # a replay measures the replay, not the model: no rate to report
            parts = [":blue-badge[from the cache]", f"{self.tokens} tokens", f"`{self.label}`"]
        else:
            parts = [f"TTFT {seconds(self.ttft)}", f"{rate(self.tokens_per_second)} tokens/s",
                     f"{self.tokens} tokens", f"`{self.label}`"]
        marks = [m for m, on in ((":violet-badge[regenerated]", self.variant > 0),
                                 (":orange-badge[stopped]", self.stopped),
                                 (f":green-badge[recovered after {self.recovered}]", bool(self.recovered)),
                                 (f":gray-badge[{self.trimmed} older messages left out]",
                                  bool(self.trimmed)))
                 if on]
        return " · ".join(parts + marks)


def reply_from(result: StreamResult, *, cached: bool = False, trimmed: int = 0,
               error: str = "", variant: int = 0) -> Turn:
    """The assistant turn for a finished, stopped or failed run: its text is always kept."""
    recovered = result.attempts[0].outcome if result.recovered else ""
    return Turn("assistant", result.text, label=result.label, ttft=result.time_to_first_token,
                tokens_per_second=result.overall_rate, tokens=result.token_count,
                cached=cached, stopped=result.cancelled, error=error, recovered=recovered,
                trimmed=trimmed, variant=variant)


_BADGE = re.compile(r":[a-z]+-badge\[(.*?)\]")


@dataclass
class Conversation:
    """The turns of one chat and the reply being written, as a stream store keeps them (shared by
    every tab and replica that opens the chat's URL)."""

    turns: list[Turn] = field(default_factory=list)
    streaming: str | None = None
    """The reply key of the reply being written in the background, if one is."""
    answering: int | None = None
    """The index of the prompt that reply answers (prompts sent meanwhile wait after it)."""

    def ask(self, prompt: str) -> None:
        """Add a prompt; while a reply is being written it waits its turn, answered in order."""
        self.turns.append(Turn("user", prompt))

    def unanswered(self) -> int | None:
        """The index of the first prompt no reply follows yet."""
        for i, turn in enumerate(self.turns):
            if turn.role == "user" and (i + 1 == len(self.turns) or self.turns[i + 1].role == "user"):
                return i
        return None

    @property
    def pending_prompt(self) -> str | None:
        """The first prompt still waiting for its reply."""
        i = self.unanswered()
        return None if i is None else self.turns[i].content

    def answer(self, turn: Turn) -> None:
        """Put a reply right after the prompt it answers (the first unanswered one)."""
        i = self.unanswered()
        self.turns.insert(len(self.turns) if i is None else i + 1, turn)

    def reopen_last(self) -> Turn | None:
        """Remove the last reply (regenerate, retry); returns it so its text can stay in view."""
        if self.turns and self.turns[-1].role == "assistant":
            return self.turns.pop()
        return None

    def messages(self, upto: int | None = None) -> list[BaseMessage]:
        """History as LangChain messages, up to and including turn `upto` (all when None); stopped
        or failed replies are sent as they were shown."""
        turns = self.turns if upto is None else self.turns[: upto + 1]
        return [HumanMessage(t.content) if t.role == "user" else AIMessage(t.content)
                for t in turns if t.content]

    def to_markdown(self) -> str:
        lines = ["# Streaming Lab conversation", ""]
        for t in self.turns:
            lines += [f"**{'You' if t.role == 'user' else 'Assistant'}:**", "", t.content, ""]
            if t.role == "assistant":
                plain = _BADGE.sub(r"\1", t.caption())
                lines += [f"_{plain}_", ""]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({"turns": [asdict(t) for t in self.turns]}, indent=2, ensure_ascii=False)

    def to_record(self) -> str:
        """What a stream store keeps: the turns and the reply in flight (compact JSON)."""
        return json.dumps({"turns": [asdict(t) for t in self.turns], "streaming": self.streaming,
                           "answering": self.answering},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_record(cls, raw: str) -> Conversation:
        data = json.loads(raw)
        return cls([Turn(**t) for t in data.get("turns", [])], data.get("streaming"),
                   data.get("answering"))

    def claim(self, reply_key: str, prompt: int | None = None) -> bool:
        """Take the first unanswered prompt for this reply, unless a reply is already being written
        (another tab or replica got there first) or that prompt is not `prompt` any more."""
        i = self.unanswered()
        if self.streaming is not None or i is None or (prompt is not None and i != prompt):
            return False
        self.streaming, self.answering = reply_key, i
        return True

    def finish_reply(self, reply_key: str, turn: Turn) -> bool:
        """Record the worker's reply once, right after its prompt: only if it is still the reply
        this chat waits for."""
        if self.streaming != reply_key:
            return False
        at = len(self.turns) if self.answering is None else self.answering + 1
        self.turns.insert(at, turn)
        self.streaming = self.answering = None
        return True


def within_budget(messages: list[BaseMessage], budget_tokens: int) -> tuple[list[BaseMessage], int]:
    """The most recent messages that fit the token budget (starting on a user turn), and how many
    older ones were left out; LangChain's own trim_messages and approximate counter."""
    kept = trim_messages(messages, max_tokens=budget_tokens, strategy="last",
                         token_counter=count_tokens_approximately, start_on="human",
                         allow_partial=False)
    if not kept and messages:  # even the last prompt alone is over budget: send it anyway
        kept = messages[-1:]
    return kept, len(messages) - len(kept)
