"""The shared sidebar: provider settings, kept in st.session_state across pages (one component for all)."""

from __future__ import annotations

import os
import secrets
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
    settings = base.with_overrides(visitor=_visitor_id(),
                                   **{n: st.session_state.get(STATE_PREFIX + n) for n in
                                      ("provider", "model", "base_url", "api_key", *SIMULATED_KNOBS)})
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
    # the owner's configured URL is not put into the page (it may name an internal host)
    st.text_input("Base URL", key=_persisted("base_url", ""), on_change=_keep,
                  args=("base_url",),
                  placeholder="the app's configured server" if base.base_url else "https://api.openai.com/v1",
                  help="Any OpenAI-compatible server: Ollama, vLLM, LM Studio, llama.cpp. Empty: the "
                       "app's own server.")
    _own_key_field(base)


def _own_key_field(base: ProviderSettings) -> None:
    """A visitor's own key: taken out of the input as soon as it is typed, so Streamlit never sends
    it back to the browser (a widget's value travels on every rerun, `type="password"` included)."""
    key = STATE_PREFIX + "api_key"
    if st.session_state.get(key):
        st.caption("🔑 Your own key is set for this browser session (kept in server memory only).")
        st.button("Forget my key", icon=":material/key_off:", on_click=_forget_key)
        return
    st.text_input("API key", type="password", key=KEY_INPUT, on_change=_take_key,
                  placeholder=f"using the app's key ({base.key_source})" if base.key_source else "",
                  help="Your own key: kept only in this session's server memory, never shown, "
                       "logged or saved. The app's own key is only ever sent to the app's server.")
    if base.key_source:
        st.caption(f"🔑 The app's key (from its {base.key_source}) is used only with its configured "
                   "server and the models its owner allows.")


KEY_INPUT = "_lab.api_key_input"


def _take_key() -> None:
    st.session_state[STATE_PREFIX + "api_key"] = st.session_state.get(KEY_INPUT, "").strip()
    st.session_state[KEY_INPUT] = ""  # the input is emptied before the page is sent back


def _forget_key() -> None:
    st.session_state[STATE_PREFIX + "api_key"] = ""


def _visitor_id() -> str:
    """A random id of this browser session for the owner's spending limits (not a secret)."""
    return st.session_state.setdefault(STATE_PREFIX + "visitor", secrets.token_hex(8))


def current_settings() -> ProviderSettings:
    """The settings the shared sidebar produced on this run."""
    return st.session_state.get(STATE_PREFIX + "settings") or configured_settings()


def configured_chat() -> ChatConfig:
    """The chat's limits and cache file from secrets or the environment (once per session)."""
    return _once_per_session("chat_config", chat_config_from)


def configured_store() -> StoreConfig:
    """Which stream store the chat uses (Redis when STREAMING_LAB_REDIS_URL is set), and its bounds."""
    return _once_per_session("store_config", store_config_from)
