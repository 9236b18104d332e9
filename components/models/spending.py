"""What visitors spend with the app owner's key: requests per minute and tokens per session, and
tokens per day for everyone together. A public app's owner pays for every request a stranger makes."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from components.config import OwnerLimits
from components.streaming.recovery import NotRetryable

DAY_S = 24 * 3600.0
MINUTE_S = 60.0


class SpendLimitReached(NotRetryable):
    """A visitor reached a limit the owner set: said in words, never retried."""


class SpendMeter:
    """Counts requests and tokens per visitor (a browser session) and for the whole process."""

    def __init__(self, limits: OwnerLimits, *, now: Callable[[], float] = time.monotonic) -> None:
        self.limits, self._now = limits, now
        self._lock = threading.Lock()
        self._requests: defaultdict[str, deque[float]] = defaultdict(deque)
        self._session_tokens: defaultdict[str, int] = defaultdict(int)
        self._day_started = now()
        self._day_tokens = 0

    def admit(self, visitor: str) -> None:
        """Count one request, or raise SpendLimitReached with what the visitor can do."""
        limits = self.limits
        with self._lock:
            now = self._now()
            if now - self._day_started >= DAY_S:
                self._day_started, self._day_tokens = now, 0
            if self._day_tokens >= limits.global_tokens:
                raise SpendLimitReached(
                    "This app has used its daily allowance of the owner's API key "
                    f"({limits.global_tokens:,} tokens). Try again tomorrow, paste your own key "
                    "in the sidebar, or use the simulated model.")
            if self._session_tokens[visitor] >= limits.session_tokens:
                raise SpendLimitReached(
                    f"This session has used its {limits.session_tokens:,} tokens of the app's key. "
                    "Paste your own key in the sidebar, or use the simulated model.")
            recent = self._requests[visitor]
            while recent and now - recent[0] >= MINUTE_S:
                recent.popleft()
            if len(recent) >= limits.requests_per_minute:
                wait = MINUTE_S - (now - recent[0])
                n = limits.requests_per_minute
                raise SpendLimitReached(
                    f"Slow down: at most {n} request{'s' if n != 1 else ''} a minute per visitor "
                    f"with the app's key. Try again in {wait:.0f} s.")
            recent.append(now)

    def charge(self, visitor: str, tokens: int) -> None:
        with self._lock:
            self._session_tokens[visitor] += tokens
            self._day_tokens += tokens

    def spent(self, visitor: str) -> int:
        with self._lock:
            return self._session_tokens[visitor]


_METERS: dict[OwnerLimits, SpendMeter] = {}
_METERS_LOCK = threading.Lock()


def meter_for(limits: OwnerLimits) -> SpendMeter:
    """The process's meter for these limits (shared by every session, like the owner's bill)."""
    with _METERS_LOCK:
        return _METERS.setdefault(limits, SpendMeter(limits))


class MeteredChatModel(BaseChatModel):
    """The owner's model behind the meter: each request is admitted first, its tokens charged after
    (prompt tokens estimated; answer tokens from the provider's usage, else one per chunk)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    meter: Any
    visitor: str = ""

    @property
    def _llm_type(self) -> str:
        return self.inner._llm_type

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return self.inner._identifying_params

    def _get_llm_string(self, stop: list[str] | None = None, **kwargs: Any) -> str:
        return self.inner._get_llm_string(stop=stop, **kwargs)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self.meter.admit(self.visitor)
        answer, reported = 0, 0
        chunks = self.inner._stream(messages, stop=stop, **kwargs)
        try:
            for chunk in chunks:
                answer += bool(chunk.text)
                usage = getattr(chunk.message, "usage_metadata", None)
                reported = int((usage or {}).get("output_tokens", 0)) or reported
                yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
            self.meter.charge(self.visitor, count_tokens_approximately(messages) + max(answer, reported))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self.meter.admit(self.visitor)
        result = self.inner._generate(messages, stop=stop, **kwargs)
        usage = getattr(result.generations[0].message, "usage_metadata", None) or {}
        answer = int(usage.get("output_tokens", 0)) or count_tokens_approximately(
            [result.generations[0].message])
        self.meter.charge(self.visitor, count_tokens_approximately(messages) + answer)
        return result
