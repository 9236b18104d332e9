"""Repeated questions answered from LangChain's SQLite cache and replayed as a stream.

`BaseChatModel.stream()` neither reads nor fills the LLM cache (checked on langchain-core 1.8),
so the chat looks up and stores replies itself, with LangChain's own cache and key scheme:
the messages sent (`dumps(messages)`) and the model's settings (`_get_llm_string()`, which holds
no API key). A hit is replayed by a real chat model, instantly or at the original pace.
"""

from __future__ import annotations

import hashlib
import itertools
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.load import dumps
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field
from sqlalchemy import text

from components.config import ProviderSettings
from components.models.simulated_model import tokenize
from components.streaming.clock import REAL_CLOCK
from components.streaming.result import StreamResult


@dataclass(frozen=True)
class CachedReply:
    text: str
    token_times: list[float]
    label: str


class ReplayChatModel(BaseChatModel):
    """Streams a cached reply: at once, or with the gaps it originally streamed with."""

    reply_text: str
    token_times: list[float] = Field(default_factory=list)
    paced: bool = False
    clock: Any = Field(default=REAL_CLOCK, exclude=True)

    @property
    def _llm_type(self) -> str:
        return "cache-replay"

    def _delays(self, count: int) -> list[float]:
        if not self.paced or not count:
            return [0.0] * count
        times = self.token_times
        if len(times) == count:
            return [times[0]] + [b - a for a, b in itertools.pairwise(times)]
        first, last = (times[0], times[-1]) if times else (0.0, 0.0)
        gap = (last - first) / max(count - 1, 1)
        return [first] + [gap] * (count - 1)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        pieces = tokenize(self.reply_text)
        for piece, delay in zip(pieces, self._delays(len(pieces)), strict=True):
            if delay > 0:
                self.clock.sleep(delay)
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        yield ChatGenerationChunk(message=AIMessageChunk(
            content="", response_metadata={"finish_reason": "stop"},
            usage_metadata={"input_tokens": 0, "output_tokens": len(pieces),
                            "total_tokens": len(pieces)}))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        message = AIMessage(self.reply_text, response_metadata={"finish_reason": "stop"})
        return ChatResult(generations=[ChatGeneration(message=message)])


def who_asks(settings: ProviderSettings) -> str:
    """Who an answer was given to: the provider, its base URL and a hash of the key (never the key).
    A different or wrong key never gets another key's cached answer, it gets its own (or its 401)."""
    raw = f"{settings.provider}|{settings.base_url.strip().rstrip('/')}|{settings.api_key}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class ReplyCache:
    """LangChain's SQLiteCache in a local file, keyed by the messages sent, the model settings and
    who asks; bounded to `max_bytes` (the oldest answers go first)."""

    def __init__(self, path: str, *, max_bytes: int = 50 * 2**20) -> None:
        from langchain_community.cache import SQLiteCache

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path, self.max_bytes = path, max_bytes
        self._cache = SQLiteCache(database_path=path)

    @staticmethod
    def _key(model: BaseChatModel, messages: Sequence[BaseMessage], who: str) -> tuple[str, str]:
        return dumps(list(messages)), f"{model._get_llm_string()}|asked-by={who}"

    def lookup(self, model: BaseChatModel, messages: Sequence[BaseMessage], who: str) -> CachedReply | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # langchain's loads() warns on every cached row
            hit = self._cache.lookup(*self._key(model, messages, who))
        if not hit:
            return None
        info = hit[0].generation_info or {}
        return CachedReply(hit[0].text, list(info.get("token_times", [])), str(info.get("label", "")))

    def store(self, model: BaseChatModel, messages: Sequence[BaseMessage], result: StreamResult,
              who: str) -> None:
        """Only complete answers are cached: a stopped or failed reply would be replayed forever."""
        if not result.ok or not result.text or len(result.text) > self.max_bytes // 10:
            return
        generation = ChatGeneration(message=AIMessage(result.text), generation_info={
            "token_times": result.token_times, "label": result.label})
        self._cache.update(*self._key(model, messages, who), [generation])
        self._trim()

    def bytes_used(self) -> int:
        with self._cache.engine.connect() as connection:
            return int(connection.execute(text(_SIZE)).scalar() or 0)

    def _trim(self) -> None:
        """Drop the oldest answers until the cache is back under 80% of its cap (SQLite reuses the
        freed pages, so the file stops growing)."""
        if self.bytes_used() <= self.max_bytes:
            return
        with self._cache.engine.begin() as connection:
            rows = connection.execute(text(
                "SELECT rowid, LENGTH(prompt) + LENGTH(llm) + LENGTH(response) FROM full_llm_cache "
                "ORDER BY rowid")).all()
            excess, doomed = sum(size for _, size in rows) - int(self.max_bytes * 0.8), []
            for rowid, size in rows:
                if excess <= 0:
                    break
                doomed.append(rowid)
                excess -= size
            connection.execute(text(f"DELETE FROM full_llm_cache WHERE rowid IN "
                                    f"({','.join(str(int(r)) for r in doomed)})"))

    def clear(self) -> None:
        self._cache.clear()


_SIZE = "SELECT SUM(LENGTH(prompt) + LENGTH(llm) + LENGTH(response)) FROM full_llm_cache"


@dataclass
class CacheStats:
    """Hits and lookups of one session, for the sidebar."""

    lookups: int = 0
    hits: int = 0

    def record(self, hit: bool) -> None:
        self.lookups += 1
        self.hits += hit

    def line(self) -> str:
        if not self.lookups:
            return "Cache: no questions yet"
        return f"Cache: {self.hits} of {self.lookups} answers from the cache ({self.hits / self.lookups:.0%})"
