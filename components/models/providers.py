"""Build the chat model the settings ask for: the offline simulator or any OpenAI-compatible API."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx
from langchain_core.language_models import BaseChatModel

from components.config import ProviderSettings
from components.models.errors import ConfigError
from components.models.simulated_model import SimulatedChatModel
from components.streaming.clock import REAL_CLOCK, Clock

REQUEST_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
"""Fail fast on an unreachable host, but let a slow answer stream for a minute."""
MAX_RETRIES = 1
LOCAL_PLACEHOLDER_KEY = "not-needed"
"""Local OpenAI-compatible servers ignore the key, but the client refuses to start without one."""


def build_chat_model(settings: ProviderSettings, *, streaming: bool = True,
                     clock: Clock = REAL_CLOCK, answer_tokens: int = 0) -> BaseChatModel:
    """The model for these settings; raises ConfigError with a human message when they cannot work.

    `answer_tokens` asks the simulated model for an answer of exactly that many tokens (long-answer
    lessons); a real model gets the page's prompt instead.
    """
    if settings.provider == "simulated":
        return SimulatedChatModel(
            model_name=settings.model_name, seed=settings.seed,
            ttft_s=settings.ttft_ms / 1000, tokens_per_second=settings.tokens_per_second,
            jitter=settings.jitter, clock=clock, answer_tokens=answer_tokens,
            **_streaming_flag(streaming),
        )
    if settings.provider == "openai":
        return _build_openai(settings, streaming=streaming)
    raise ConfigError(f"Unknown provider {settings.provider!r}: choose simulated or openai.")


def _streaming_flag(streaming: bool) -> dict[str, bool]:
    """Set `streaming` only to turn it on: an explicit False also disables `.stream()` (core 1.8)."""
    return {"streaming": True} if streaming else {}


def _build_openai(settings: ProviderSettings, *, streaming: bool) -> BaseChatModel:
    from langchain_openai import ChatOpenAI  # imported lazily: the simulated path needs no client

    base_url = settings.base_url.strip()
    if base_url:
        parsed = urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"The base URL {base_url!r} is not an http(s) URL, e.g. "
                              "`http://localhost:11434/v1`.")
    key = settings.api_key.strip()
    if not key:
        if not base_url:
            raise ConfigError("The OpenAI provider needs an API key: set `OPENAI_API_KEY` in "
                              "`.env` or the app's secrets, or paste one in the sidebar. "
                              "Or set a base URL for a local OpenAI-compatible server.")
        key = LOCAL_PLACEHOLDER_KEY
    return ChatOpenAI(
        model=settings.model_name, api_key=key, base_url=base_url or None,
        stream_usage=True, **_streaming_flag(streaming),
        timeout=REQUEST_TIMEOUT, max_retries=MAX_RETRIES,
    )
