"""Provider settings and where they come from: sidebar > st.secrets > environment/.env."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Provider = Literal["simulated", "openai"]
PROVIDERS: tuple[Provider, ...] = ("simulated", "openai")
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
SETTING_NAMES = ("STREAMING_LAB_PROVIDER", "STREAMING_LAB_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL")


@dataclass(frozen=True)
class ProviderSettings:
    """Everything needed to build a chat model; the key never appears in repr or logs."""

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
        return "simulated-1" if self.provider == "simulated" else DEFAULT_OPENAI_MODEL

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


def _pick(name: str, secrets: Mapping[str, Any], env: Mapping[str, str]) -> tuple[str, str]:
    """The value of one setting and its source, secrets before the environment."""
    value = secrets.get(name)
    if value not in (None, ""):
        return str(value).strip(), "secrets"
    value = env.get(name)
    if value not in (None, ""):
        return str(value).strip(), "environment"
    return "", ""


def settings_from(secrets: Mapping[str, Any], env: Mapping[str, str]) -> ProviderSettings:
    """Configured defaults (before the sidebar): secrets win over the environment."""
    provider, _ = _pick("STREAMING_LAB_PROVIDER", secrets, env)
    provider = provider.lower() or "simulated"
    if provider not in PROVIDERS:
        provider = "simulated"
    model, _ = _pick("STREAMING_LAB_MODEL", secrets, env)
    api_key, key_source = _pick("OPENAI_API_KEY", secrets, env)
    base_url, _ = _pick("OPENAI_BASE_URL", secrets, env)
    return ProviderSettings(provider=provider, model=model, api_key=api_key,  # type: ignore[arg-type]
                            base_url=base_url, key_source=key_source)
