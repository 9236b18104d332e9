"""The shared sidebar: provider settings, kept in st.session_state across pages (one component for all)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import streamlit as st
from dotenv import load_dotenv

from components.config import (
    PROVIDERS,
    SIMULATED_KNOBS,
    ChatConfig,
    ProviderSettings,
    StoreConfig,
    chat_config_from,
    provider_settings_from,
    store_config_from,
)

STATE_PREFIX = "lab."
T = TypeVar("T")
PROVIDER_LABELS = {"simulated": "Simulated (offline, no key)", "openai": "OpenAI or compatible"}
SIMULATED = ProviderSettings()
"""The simulated model's defaults: the sliders start from them."""


def _secrets() -> Mapping[str, Any]:
    """st.secrets as a plain mapping; empty when the app has no secrets file."""
    try:
        return {k: v for k, v in st.secrets.items() if isinstance(v, str | int | float)}
    except Exception:  # no secrets.toml: Streamlit raises rather than returning nothing
        return {}


@st.cache_data(show_spinner=False)
def _dotenv_loaded() -> bool:
    """Read `.env` once per process; it never overrides variables already set."""
    return load_dotenv(override=False)


def _once_per_session(name: str, read: Callable[[Mapping[str, Any], Mapping[str, str]], T]) -> T:
    """A configuration read from secrets and the environment (after `.env`), once per session."""
    key = STATE_PREFIX + name
    if key not in st.session_state:
        _dotenv_loaded()
        st.session_state[key] = read(_secrets(), os.environ)
    return st.session_state[key]


def configured_settings() -> ProviderSettings:
    """Secrets and environment, before the sidebar: computed once per session."""
    return _once_per_session("configured", provider_settings_from)


def _persisted(name: str, default: Any) -> str:
    """A widget key whose value survives pages and hidden widgets (Streamlit drops those)."""
    store, widget = STATE_PREFIX + name, "_" + STATE_PREFIX + name
    st.session_state.setdefault(store, default)
    st.session_state[widget] = st.session_state[store]
    return widget


def _keep(name: str) -> None:
    st.session_state[STATE_PREFIX + name] = st.session_state["_" + STATE_PREFIX + name]


def render_sidebar() -> ProviderSettings:
    """Draw the provider settings and return what they add up to; pages call current_settings()."""
    base = configured_settings()
    with st.sidebar:
        st.subheader("Model")
        st.selectbox("Provider", PROVIDERS, format_func=PROVIDER_LABELS.__getitem__,
                     key=_persisted("provider", base.provider), on_change=_keep,
                     args=("provider",))
        provider = st.session_state[STATE_PREFIX + "provider"]
        if provider == "simulated":
            _simulated_knobs()
        else:
            _openai_fields(base)
    settings = base.with_overrides(**{n: st.session_state.get(STATE_PREFIX + n) for n in
                                      ("provider", "model", "base_url", "api_key",
                                       *SIMULATED_KNOBS)})
    st.session_state[STATE_PREFIX + "settings"] = settings
    return settings


def _simulated_knobs() -> None:
    st.caption("A seeded LangChain chat model on this machine: realistic timing, no network.")
    st.slider("Time to first token (ms)", 0, 3000, step=50,
              key=_persisted("ttft_ms", SIMULATED.ttft_ms), on_change=_keep,
              args=("ttft_ms",))
    st.slider("Tokens per second", 5.0, 400.0, step=5.0,
              key=_persisted("tokens_per_second", SIMULATED.tokens_per_second),
              on_change=_keep, args=("tokens_per_second",))
    st.slider("Jitter", 0.0, 1.0, step=0.05, key=_persisted("jitter", SIMULATED.jitter),
              on_change=_keep, args=("jitter",), help="How uneven the gaps between tokens are.")
    st.number_input("Seed", 0, 1_000_000, step=1,
                    key=_persisted("seed", SIMULATED.seed), on_change=_keep,
                    args=("seed",), help="Same prompt and seed: same answer, same timing.")


def _openai_fields(base: ProviderSettings) -> None:
    st.text_input("Model", key=_persisted("model", base.model), on_change=_keep, args=("model",),
                  placeholder=base.model_name)
    st.text_input("Base URL", key=_persisted("base_url", base.base_url), on_change=_keep,
                  args=("base_url",), placeholder="https://api.openai.com/v1",
                  help="Any OpenAI-compatible server: Ollama, vLLM, LM Studio, llama.cpp.")
    # the configured key is never put into the widget: it would be sent to the browser
    st.text_input("API key", type="password", key=_persisted("api_key", ""), on_change=_keep,
                  args=("api_key",),
                  placeholder=f"using the key from {base.key_source}" if base.key_source else "",
                  help="Kept only in this browser session; never shown, logged or saved.")
    if base.key_source and not st.session_state.get(STATE_PREFIX + "api_key"):
        st.caption(f"🔑 A key is configured in the {base.key_source}.")


def current_settings() -> ProviderSettings:
    """The settings the shared sidebar produced on this run."""
    return st.session_state.get(STATE_PREFIX + "settings") or configured_settings()


def configured_chat() -> ChatConfig:
    """The chat's limits and cache file from secrets or the environment (once per session)."""
    return _once_per_session("chat_config", chat_config_from)


def configured_store() -> StoreConfig:
    """Which stream store the chat uses (Redis when STREAMING_LAB_REDIS_URL is set), and its bounds."""
    return _once_per_session("store_config", store_config_from)
