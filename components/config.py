"""Every setting of the app in one place: its name, its default, and one reader with one rule.

The rule: st.secrets first, then the environment (after `.env`); a blank value counts as unset, so
a blank secret never hides a value set in the environment. Anything that is not a valid value falls
back to the default: a typo in a setting never breaks the app. The sidebar may then override the
provider settings for one browser session (`ProviderSettings.with_overrides`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

APP_ROOT = Path(__file__).resolve().parent.parent
"""Relative paths in settings are taken from here, not from wherever the app was started."""

Provider = Literal["simulated", "openai"]
PROVIDERS: tuple[Provider, ...] = ("simulated", "openai")
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
SIMULATED_MODEL = "simulated-1"

MAX_PROMPT_CHARS = 8_000
DEFAULT_CACHE_PATH = ".cache/llm_cache.sqlite"
DEFAULT_CACHE_MAX_MB = 50
DEFAULT_FIRST_TOKEN_TIMEOUT = 30.0
"""Seconds a stream may wait for its first token: ordinary chat models answer in a few seconds;
reasoning models can think for tens of seconds before their first token (raise it for them)."""
DEFAULT_STALL_TIMEOUT = 15.0
"""Seconds a stream may go quiet between two tokens before it counts as stalled."""
DEFAULT_REQUESTS_PER_MINUTE = 10
DEFAULT_SESSION_TOKENS = 20_000
DEFAULT_GLOBAL_TOKENS = 1_000_000
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
class OwnerLimits:
    """What a visitor may spend with the owner's key (never applies to a visitor's own key)."""

    allowed_models: tuple[str, ...] = ()
    """Empty: only the configured model (`STREAMING_LAB_MODEL`, else the OpenAI default)."""
    configured_model: str = ""
    requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE
    """Per browser session; recovery's retries count too."""
    session_tokens: int = DEFAULT_SESSION_TOKENS
    """Per browser session: prompt and answer tokens together."""
    global_tokens: int = DEFAULT_GLOBAL_TOKENS
    """Per app process and day, for all visitors together."""


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
    configured_base_url: str = ""
    """The base URL the owner configured with their key: the only place that key may go."""
    limits: OwnerLimits = field(default_factory=lambda: OwnerLimits())
    visitor: str = ""
    """A random id of the browser session (not a secret), to count what it spends."""
    first_token_timeout_s: float = DEFAULT_FIRST_TOKEN_TIMEOUT
    stall_timeout_s: float = DEFAULT_STALL_TIMEOUT

    @property
    def uses_owner_key(self) -> bool:
        """The key is the app owner's (secrets or environment), not one a visitor brought."""
        return bool(self.api_key) and self.key_source in ("secrets", "environment")

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
        """A copy with a visitor's sidebar values applied; empty strings mean 'keep what was
        configured'. The owner's key never goes with a base URL the owner did not configure: a
        visitor who points the app elsewhere brings their own key or sends none."""
        kept = {k: v for k, v in changes.items() if v not in ("", None)}
        if kept.get("api_key"):
            kept["key_source"] = "sidebar"
        changed = replace(self, **kept)
        if changed.uses_owner_key and _url(changed.base_url) != _url(self.configured_base_url):
            changed = replace(changed, api_key="", key_source="")
        return changed

    def model_refusal(self) -> str:
        """Why this model may not be used with the owner's key ("" when it may)."""
        if self.provider != "openai" or not self.uses_owner_key:
            return ""
        allowed = self.limits.allowed_models or (self.configured_model,)
        if self.model_name in allowed:
            return ""
        return (f"With this app's key, visitors may use {', '.join(f'`{m}`' for m in allowed)}. "
                "To try another model, paste your own API key in the sidebar.")

    @property
    def configured_model(self) -> str:
        return self.limits.configured_model or DEFAULT_OPENAI_MODEL


def _url(url: str) -> str:
    """A base URL compared without case, spaces or a trailing slash."""
    return url.strip().rstrip("/").lower()


SIMULATED_KNOBS = ("seed", "ttft_ms", "tokens_per_second", "jitter")
"""The simulated model's settings a visitor may change in the sidebar."""


def owner_limits_from(secrets: Mapping[str, Any], env: Mapping[str, str]) -> OwnerLimits:
    def whole(name: str, default: int) -> int:
        return int(positive_number(name, secrets, env, default))

    allowed = setting("STREAMING_LAB_ALLOWED_MODELS", secrets, env)
    return OwnerLimits(
        allowed_models=tuple(m.strip() for m in allowed.split(",") if m.strip()),
        configured_model=setting("STREAMING_LAB_MODEL", secrets, env),
        requests_per_minute=whole("STREAMING_LAB_REQUESTS_PER_MINUTE", DEFAULT_REQUESTS_PER_MINUTE),
        session_tokens=whole("STREAMING_LAB_SESSION_TOKENS", DEFAULT_SESSION_TOKENS),
        global_tokens=whole("STREAMING_LAB_GLOBAL_TOKENS", DEFAULT_GLOBAL_TOKENS))


def provider_settings_from(secrets: Mapping[str, Any], env: Mapping[str, str]) -> ProviderSettings:
    """Configured provider settings, before the sidebar."""
    provider = setting("STREAMING_LAB_PROVIDER", secrets, env).lower()
    base_url = setting("OPENAI_BASE_URL", secrets, env)
    return ProviderSettings(
        provider=provider if provider in PROVIDERS else "simulated",  # type: ignore[arg-type]
        model=setting("STREAMING_LAB_MODEL", secrets, env),
        api_key=setting("OPENAI_API_KEY", secrets, env),
        base_url=base_url, configured_base_url=base_url,
        key_source=setting_source("OPENAI_API_KEY", secrets, env),
        limits=owner_limits_from(secrets, env),
        first_token_timeout_s=positive_number("STREAMING_LAB_FIRST_TOKEN_TIMEOUT", secrets, env,
                                              DEFAULT_FIRST_TOKEN_TIMEOUT),
        stall_timeout_s=positive_number("STREAMING_LAB_STALL_TIMEOUT", secrets, env,
                                        DEFAULT_STALL_TIMEOUT))


# --- the chat ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChatConfig:
    """Chat limits and the cache file."""

    cache_path: str = str(APP_ROOT / DEFAULT_CACHE_PATH)
    """Absolute: a relative setting is taken from the app's folder."""
    cache_max_mb: float = DEFAULT_CACHE_MAX_MB
    max_prompt_chars: int = MAX_PROMPT_CHARS
    history_tokens: int = DEFAULT_HISTORY_TOKENS


def chat_config_from(secrets: Mapping[str, Any], env: Mapping[str, str]) -> ChatConfig:
    def number(name: str, default: int) -> int:
        return int(positive_number(name, secrets, env, default))

    cache_path = Path(setting("STREAMING_LAB_CACHE_PATH", secrets, env) or DEFAULT_CACHE_PATH)
    return ChatConfig(
        cache_path=str(cache_path if cache_path.is_absolute() else APP_ROOT / cache_path),
        cache_max_mb=positive_number("STREAMING_LAB_CACHE_MAX_MB", secrets, env, DEFAULT_CACHE_MAX_MB),
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
