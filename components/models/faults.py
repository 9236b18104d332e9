"""Fault injection around any chat model's stream, raising exactly what the OpenAI client raises.

`FaultyChatModel(inner=model, fault=Fault("drop", after=40))` streams like `model` until the fault
hits. Connection drops raise `OpenAIConnectionError`, statuses `OpenAIAPIError` /
`OpenAIRateLimitError`, like a real dropped connection or error response through `langchain-openai`;
a stall just stops sending (the watchdog must notice); an early end stops without a finish reason.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import httpx2
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai.chat_models.base import (
    OpenAIAPIError,
    OpenAIConnectionError,
    OpenAIRateLimitError,
)
from pydantic import ConfigDict, Field

from components.streaming.clock import REAL_CLOCK

FaultKind = Literal["none", "drop", "random_drop", "stall", "status_500", "status_429", "slow_first",
                    "early_end"]
FAULT_LABELS: dict[FaultKind, str] = {
    "none": "No fault",
    "drop": "Connection drops after N tokens",
    "random_drop": "Connection drops at random (p per token)",
    "stall": "Server stalls after N tokens",
    "status_500": "Server error before the first token (HTTP 500)",
    "status_429": "Rate limited before the first token (HTTP 429)",
    "slow_first": "Slow first token",
    "early_end": "Stream ends early, without a finish reason",
}
E = TypeVar("E", bound=BaseException)
_FAKE_REQUEST = httpx2.Request("POST", "https://injected.fault/v1/chat/completions")


@dataclass(frozen=True)
class Fault:
    """What goes wrong, where, and for how many requests (transient faults heal)."""

    kind: FaultKind = "none"
    after: int = 40
    """drop / stall / early_end: tokens that get through first."""
    probability: float = 0.02
    """random_drop: chance per token that the connection drops."""
    stall_s: float = 30.0
    first_token_delay_s: float = 3.0
    failing_requests: int = 1
    """The first N requests hit the fault, later ones work (a very large N: a persistent fault)."""
    seed: int = 0

    @property
    def label(self) -> str:
        return FAULT_LABELS[self.kind]

    @property
    def summary(self) -> str:
        """The fault with its numbers, for captions: 'connection drops after 40 tokens, once'."""
        what = {
            "none": "no fault",
            "drop": f"connection drops after {self.after} tokens",
            "random_drop": f"connection drops at random ({self.probability:.1%} per token)",
            "stall": f"server stalls {self.stall_s:g} s after {self.after} tokens",
            "status_500": "HTTP 500 before the first token",
            "status_429": "HTTP 429 before the first token",
            "slow_first": f"first token {self.first_token_delay_s:g} s late",
            "early_end": f"stream ends without a finish reason after {self.after} tokens",
        }[self.kind]
        if self.kind == "none":
            return what
        times = "once" if self.failing_requests == 1 else (
            "on every request" if self.failing_requests > 1000 else f"{self.failing_requests} times")
        return f"{what}, {times}"


INJECTED = "injected_fault"
"""Attribute an injected error carries: the fault's summary, so a message never blames the provider."""


def _injected(error: E, fault: Fault | None) -> E:
    if fault is not None:
        setattr(error, INJECTED, fault.summary)
    return error


def connection_error(fault: Fault | None = None) -> OpenAIConnectionError:
    """What `langchain-openai` raises when the server cuts the connection mid-stream."""
    return _injected(OpenAIConnectionError(message="Connection error.", request=_FAKE_REQUEST), fault)


def status_error(status: int, fault: Fault | None = None) -> OpenAIAPIError | OpenAIRateLimitError:
    """What `langchain-openai` raises for a 500 or a 429 response."""
    message = "Rate limit reached for requests" if status == 429 else "The server had an error"
    body = {"error": {"message": message, "type": "rate_limit" if status == 429 else "server_error"}}
    response = httpx2.Response(status, request=_FAKE_REQUEST, json=body)
    error_class = OpenAIRateLimitError if status == 429 else OpenAIAPIError
    return _injected(error_class(f"Error code: {status} - {body}", response=response, body=body["error"]),
                     fault)


class FaultState:
    """Counts requests across copies of the wrapper, so 'the first N requests fail' holds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0

    def begin(self) -> int:
        with self._lock:
            self.requests += 1
            return self.requests - 1


class FaultyChatModel(BaseChatModel):
    """Wraps any chat model and injects one kind of fault into its first requests."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    fault: Fault = Fault()
    state: FaultState = Field(default_factory=FaultState, exclude=True)
    clock: Any = Field(default=REAL_CLOCK, exclude=True)

    @property
    def _llm_type(self) -> str:
        return f"faulty-{self.inner._llm_type}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {**self.inner._identifying_params, "fault": self.fault.kind}

    def _begin(self) -> tuple[FaultKind, int]:
        """Count the request; raise a status error or wait out a slow start if this one is hit.

        Returns the fault this request streams with ("none" once the fault has healed)."""
        request = self.state.begin()
        hit = self.fault.kind != "none" and request < self.fault.failing_requests
        kind: FaultKind = self.fault.kind if hit else "none"
        if kind in ("status_500", "status_429"):
            raise status_error(int(kind[-3:]), self.fault)
        if kind == "slow_first":
            self.clock.sleep(self.fault.first_token_delay_s)
        return kind, request

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        # BaseChatModel.stream fires the callbacks for what we yield: the inner model gets none
        kind, request = self._begin()
        rng = random.Random(f"{self.fault.seed}:{request}")
        tokens = 0
        chunks = self.inner._stream(messages, stop=stop, **kwargs)
        try:
            for chunk in chunks:
                if chunk.text and tokens >= self.fault.after:
                    if kind == "drop":
                        raise connection_error(self.fault)
                    if kind == "early_end":
                        return  # the connection closed cleanly before [DONE]: no finish reason
                    if kind == "stall" and tokens == self.fault.after:
                        self.clock.sleep(self.fault.stall_s)
                if kind == "random_drop" and chunk.text and rng.random() < self.fault.probability:
                    raise connection_error(self.fault)
                tokens += bool(chunk.text)
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()  # a real provider's HTTP response is released here

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        """Status errors and a slow start hit any request; drops, stalls and early ends are faults
        of long-lived streams (proxies and idle timeouts cut those), so a plain request gets through."""
        self._begin()
        return self.inner._generate(messages, stop=stop, **kwargs)
