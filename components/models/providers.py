"""Build the chat model the settings ask for: the offline simulator or any OpenAI-compatible API."""

from __future__ import annotations

from urllib.parse import urlsplit

import openai
from langchain_core.language_models import BaseChatModel

from components.config import ProviderSettings
from components.models.errors import ConfigError, NotAllowed
from components.models.simulated_model import SimulatedChatModel
from components.models.spending import MeteredChatModel, meter_for
from components.streaming.clock import REAL_CLOCK, Clock
from components.streaming.recovery import DEFAULT_RECOVERY, Recovery

CONNECT_TIMEOUT_S = 5.0
"""An unreachable host or a server that never accepts fails in seconds, not minutes."""
BLOCKING_READ_TIMEOUT_S = 120.0
"""A non-streaming call waits for the whole answer: give it time to write one."""
MAX_RETRIES = 0
"""The client's own retries would re-send in the background (a 401 three times, a hung server six):
recovery (components/streaming/recovery.py) decides what is worth asking again."""
LOCAL_PLACEHOLDER_KEY = "not-needed"
"""Local OpenAI-compatible servers ignore the key, but the client refuses to start without one."""


def build_chat_model(settings: ProviderSettings, *, streaming: bool = True,
                     clock: Clock = REAL_CLOCK, answer_tokens: int = 0,
                     variant: int = 0) -> BaseChatModel:
    """The model for these settings; raises ConfigError with a human message when they cannot work.

    `answer_tokens` asks the simulated model for an answer of exactly that many tokens (long-answer
    lessons); a real model gets the page's prompt instead. `variant` asks the simulated model for
    another wording (Regenerate); a real model varies on its own.
    """
    if settings.provider == "simulated":
        return SimulatedChatModel(
            model_name=settings.model_name, seed=settings.seed,
            ttft_s=settings.ttft_ms / 1000, tokens_per_second=settings.tokens_per_second,
            jitter=settings.jitter, clock=clock, answer_tokens=answer_tokens, variant=variant,
            **_streaming_flag(streaming),
        )
    if settings.provider == "openai":
        if refusal := settings.model_refusal():
            raise NotAllowed(refusal)
        model = _build_openai(settings, streaming=streaming)
        if settings.uses_owner_key:  # the owner pays: every request is counted and limited
            return MeteredChatModel(inner=model, meter=meter_for(settings.limits),
                                    visitor=settings.visitor, **_streaming_flag(streaming))
        return model
    raise ConfigError(f"Unknown provider {settings.provider!r}: choose simulated or openai.")


def _streaming_flag(streaming: bool) -> dict[str, bool]:
    """Set `streaming` only to turn it on: an explicit False also disables `.stream()` (core 1.8)."""
    return {"streaming": True} if streaming else {}


def _build_openai(settings: ProviderSettings, *, streaming: bool) -> BaseChatModel:
    from langchain_openai import ChatOpenAI  # imported lazily: the simulated path needs no client

    base_url = settings.base_url.strip()
    if base_url:
        check_base_url(base_url)
    key = settings.api_key.strip()
    if not key:
        if not base_url:
            raise ConfigError("The OpenAI provider needs an API key: set `OPENAI_API_KEY` in "
                              "`.env` or the app's secrets, or paste one in the sidebar. "
                              "Or set a base URL for a local OpenAI-compatible server.")
        key = LOCAL_PLACEHOLDER_KEY
    # a streamed read waits at most for the first token, or a token after a stall: past that the
    # watchdog has given up, and the abandoned request must end too, not linger in the background
    read = (max(settings.first_token_timeout_s, settings.stall_timeout_s) + 1.0 if streaming
            else BLOCKING_READ_TIMEOUT_S)
    return ChatOpenAI(
        model=settings.model_name, api_key=key, base_url=base_url or None,
        stream_usage=True, **_streaming_flag(streaming),
        timeout=openai.Timeout(read, connect=CONNECT_TIMEOUT_S), max_retries=MAX_RETRIES,
    )


def check_base_url(base_url: str) -> None:
    """A base URL a visitor typed: only well-formed http(s) URLs, with a message for anything else."""
    example = "e.g. `http://localhost:11434/v1`"
    try:
        parsed = urlsplit(base_url)
        parsed.port  # noqa: B018 - parsing the port is what raises for "host:abc"
    except ValueError:
        raise ConfigError(f"The base URL {base_url[:80]!r} is not a valid URL ({example}).") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"The base URL {base_url[:80]!r} is not an http(s) URL ({example}).")


def recovery_for(settings: ProviderSettings, base: Recovery = DEFAULT_RECOVERY) -> Recovery:
    """The recovery strategy with the configured first-token and stall timeouts."""
    return base.with_timeouts(settings.stall_timeout_s, settings.first_token_timeout_s)
