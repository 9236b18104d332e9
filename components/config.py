"""Every setting of the app in one place: its name, its default, and one reader with one rule.

The rule: st.secrets first, then the environment (after `.env`); a blank value counts as unset, so
a blank secret never hides a value set in the environment. Anything that is not a valid value falls
back to the default: a typo in a setting never breaks the app. The sidebar may then override the
provider settings for one browser session (`ProviderSettings.with_overrides`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Provider = Literal["simulated", "openai"]
PROVIDERS: tuple[Provider, ...] = ("simulated", "openai")
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
SIMULATED_MODEL = "simulated-1"

MAX_PROMPT_CHARS = 8_000
DEFAULT_CACHE_PATH = ".cache/llm_cache.sqlite"
DEFAULT_HISTORY_TOKENS = 3_000
DEFAULT_STREAM_TTL = 300.0
DEFAULT_CHAT_TTL = 7 * 24 * 3600.0
DEFAULT_STORE_MAX_MB = 64


def setting(name: str, secrets: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """One setting as text: the secret if it is set and not blank, else the environment's, else ""."""
    for source in (secrets, env):
        value = source.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def setting_source(name: str, secrets: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """Where `setting()` found a value: "secrets", "environment", or "" (never the value)."""
    for label, source in (("secrets", secrets), ("environment", env)):
        value = source.get(name)
        if value is not None and str(value).strip():
            return label
    return ""


def positive_number(name: str, secrets: Mapping[str, Any], env: Mapping[str, str],
                    default: float) -> float:
    """A positive number, or the default for anything else."""
    try:
        value = float(setting(name, secrets, env) or "nan")
    except ValueError:
        return default
    return value if value > 0 else default


# --- the model --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProviderSettings:
    """Everything needed to build a chat model; the key never appears in repr or logs.

    The simulated model's fields hold its defaults (the sidebar's sliders start from them)."""

    provider: Provider = "simulated"
    model: str = ""
    api_key: str = field(default="", repr=False)
    base_url: str = ""
    seed: int = 7
    ttft_ms: int = 400
    tokens_per_second: float = 40.0
    jitter: float = 0.3
    key_source: str = ""
    """Where the key came from ("sidebar", "secrets", "environment"), never the key itself."""

    @property
    def model_name(self) -> str:
        """The model to ask for: the configured one or the provider's default."""
        if self.model:
            return self.model
        return SIMULATED_MODEL if self.provider == "simulated" else DEFAULT_OPENAI_MODEL

    @property
    def label(self) -> str:
        """`provider/model`, for captions."""
        return f"{self.provider}/{self.model_name}"

    def with_overrides(self, **changes: Any) -> ProviderSettings:
        """A copy with sidebar values applied; empty strings mean 'keep what was configured'."""
        kept = {k: v for k, v in changes.items() if v not in ("", None)}
        if kept.get("api_key"):
            kept["key_source"] = "sidebar"
        return replace(self, **kept)


SIMULATED_KNOBS = ("seed", "ttft_ms", "tokens_per_second", "jitter")
"""The simulated model's settings a visitor may change in the sidebar."""


def provider_settings_from(secrets: Mapping[str, Any], env: Mapping[str, str]) -> ProviderSettings:
    """Configured provider settings, before the sidebar."""
    provider = setting("STREAMING_LAB_PROVIDER", secrets, env).lower()
    return ProviderSettings(
        provider=provider if provider in PROVIDERS else "simulated",  # type: ignore[arg-type]
        model=setting("STREAMING_LAB_MODEL", secrets, env),
        api_key=setting("OPENAI_API_KEY", secrets, env),
        base_url=setting("OPENAI_BASE_URL", secrets, env),
        key_source=setting_source("OPENAI_API_KEY", secrets, env))


# --- the chat ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChatConfig:
    """Chat limits and the cache file."""

    cache_path: str = DEFAULT_CACHE_PATH
    max_prompt_chars: int = MAX_PROMPT_CHARS
    history_tokens: int = DEFAULT_HISTORY_TOKENS


def chat_config_from(secrets: Mapping[str, Any], env: Mapping[str, str]) -> ChatConfig:
    def number(name: str, default: int) -> int:
        return int(positive_number(name, secrets, env, default))

    return ChatConfig(
        cache_path=setting("STREAMING_LAB_CACHE_PATH", secrets, env) or DEFAULT_CACHE_PATH,
        max_prompt_chars=number("STREAMING_LAB_MAX_PROMPT_CHARS", MAX_PROMPT_CHARS),
        history_tokens=number("STREAMING_LAB_HISTORY_TOKENS", DEFAULT_HISTORY_TOKENS))


@dataclass(frozen=True)
class StoreConfig:
    """Which stream store the chat uses, and its bounds."""

    redis_url: str = ""
    stream_ttl: float = DEFAULT_STREAM_TTL
    """Seconds a finished reply's stream is kept for readers still catching up."""
    chat_ttl: float = DEFAULT_CHAT_TTL
    """Seconds an untouched conversation is kept."""
    max_mb: int = DEFAULT_STORE_MAX_MB
    """The in-process store's memory cap (Redis has its own `maxmemory`)."""


def store_config_from(secrets: Mapping[str, Any], env: Mapping[str, str]) -> StoreConfig:
    def number(name: str, default: float) -> float:
        return positive_number(name, secrets, env, default)

    return StoreConfig(redis_url=setting("STREAMING_LAB_REDIS_URL", secrets, env),
                       stream_ttl=number("STREAMING_LAB_STREAM_TTL", DEFAULT_STREAM_TTL),
                       chat_ttl=number("STREAMING_LAB_CHAT_TTL", DEFAULT_CHAT_TTL),
                       max_mb=int(number("STREAMING_LAB_STORE_MAX_MB", DEFAULT_STORE_MAX_MB)))
